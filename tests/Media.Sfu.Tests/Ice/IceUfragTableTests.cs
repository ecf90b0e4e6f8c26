using Media.Sfu.Ice;
using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Ice;

public class IceUfragTableTests
{
    [Fact]
    public void LookupByUsernameBytes_FindsTheTransport()
    {
        var table = new IceUfragTable<string>();
        IceCredentials a = IceCredentials.Generate(), b = IceCredentials.Generate();
        Assert.True(table.TryAdd(a.Ufrag, "transport-a"));
        Assert.True(table.TryAdd(b.Ufrag, "transport-b"));
        Assert.False(table.TryAdd(a.Ufrag, "duplicate"));

        Assert.True(StunMessage.TryParse(BindingRequestBuilder.For(b).Build(), out StunMessage m));
        Assert.True(IceLiteResponder.TryGetLocalUfrag(m, out ReadOnlySpan<byte> ufrag));
        Assert.True(table.TryGetValue(ufrag, out string? found));
        Assert.Equal("transport-b", found);

        Assert.False(table.TryGetValue("nope"u8, out _));
        Assert.False(table.TryGetValue(a.UfragBytes[..^1], out _));
        Assert.True(table.TryRemove(a.Ufrag, out _));
        Assert.False(table.TryGetValue(a.UfragBytes, out _));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void NonAsciiBytes_NeverMatch()
    {
        var table = new IceUfragTable<int>();
        table.TryAdd("abcd", 1);
        Assert.False(table.TryGetValue([0x61, 0x62, 0x63, 0xE4], out _));
        Assert.True(table.TryGetValue("abcd"u8, out int value) && value == 1);
    }

    [Fact]
    public void LookupByBytes_DoesNotAllocate()
    {
        var table = new IceUfragTable<object>();
        IceCredentials c = IceCredentials.Generate();
        table.TryAdd(c.Ufrag, new object());
        table.TryGetValue(c.UfragBytes, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            table.TryGetValue(c.UfragBytes, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
