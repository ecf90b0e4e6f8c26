using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Media.Sfu.Ice;
using Media.Sfu.Net;

namespace Media.Sfu.Tests.Net;

/// <summary>The batch slots' sockaddr handling: what is written for sendmmsg reads back as the same tuple, and garbage never throws.</summary>
public sealed class DatagramBatchTests
{
    [Theory]
    [InlineData("127.0.0.1", 40000, AddressFamily.InterNetwork)]
    [InlineData("198.51.100.7", 1, AddressFamily.InterNetwork)]
    [InlineData("198.51.100.7", 65535, AddressFamily.InterNetworkV6)] // IPv4 peer on a dual-mode socket: ::ffff:a.b.c.d
    [InlineData("2001:db8::1", 5004, AddressFamily.InterNetworkV6)]
    public unsafe void AddressWrittenForSend_ReadsBackAsTheSameTuple(string ip, int port, AddressFamily socketFamily)
    {
        using var batch = new DatagramBatch(4, 256, socketFamily);
        var tuple = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse(ip), port), localSocket: 3);
        Assert.True(batch.TryAdd(new byte[] { 1, 2, 3 }, tuple));
        Assert.Equal(1, batch.Count);
        Assert.True(batch.TryGetSource(0, 3, out var read));
        Assert.Equal(tuple, read);
        var header = batch.Headers[0].Header;
        Assert.Equal(3u, (uint)header.Iov->Length);
        Assert.Equal(socketFamily == AddressFamily.InterNetwork ? 16u : 28u, header.NameLength);
    }

    [Fact]
    public void IPv6PeerCannotBeAddressedFromAnIPv4Socket_AndFullOrOversizeIsRefused()
    {
        using var batch = new DatagramBatch(2, 64, AddressFamily.InterNetwork);
        var v6 = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 5004));
        var v4 = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 5004));
        Assert.False(batch.TryAdd(new byte[10], v6));
        Assert.False(batch.TryAdd(new byte[65], v4));
        Assert.True(batch.TryAdd(new byte[64], v4));
        Assert.True(batch.TryAdd(new byte[1], v4));
        Assert.False(batch.TryAdd(new byte[1], v4));
        batch.Clear();
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public unsafe void RandomSockaddrsAndLengths_NeverThrow_AndOnlyWellFormedOnesParse()
    {
        var random = new Random(7007);
        using var batch = new DatagramBatch(1, 64, AddressFamily.InterNetworkV6);
        var name = new Span<byte>(batch.Headers[0].Header.Name, DatagramBatch.AddressSize);
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(name);
            if (i % 3 == 0) BinaryPrimitives.WriteUInt16LittleEndian(name, (ushort)(i % 2 == 0 ? 2 : 10)); // AF_INET / AF_INET6
            var length = (uint)random.Next(0, 80);
            batch.Headers[0].Header.NameLength = length;
            if (batch.TryGetSource(0, 1, out var tuple))
            {
                accepted++;
                var family = BinaryPrimitives.ReadUInt16LittleEndian(name);
                Assert.True(family is 2 or 10);
                Assert.True(length >= (family == 2 ? 8u : 28u));
                Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(name[2..]), tuple.Port);
                Assert.True(tuple.AddressLength is 4 or 16);
            }
        }
        Assert.InRange(accepted, 1000, 20_000);
    }
}
