using System.Net;
using System.Net.Sockets;
using Media.Sfu.Ice;

namespace Media.Sfu.Tests.Ice;

public class IceTupleTests
{
    [Theory]
    [InlineData("203.0.113.5", 50000)]
    [InlineData("2001:db8::5", 443)]
    public void SocketAddressAndEndPoint_GiveEqualTuples(string ip, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(ip), port);
        Assert.True(IceTuple.TryCreate(IceProtocol.Udp, endPoint.Serialize(), out IceTuple fromSocket));
        IceTuple fromEndPoint = IceTuple.From(IceProtocol.Udp, endPoint);
        Assert.Equal(fromEndPoint, fromSocket);
        Assert.Equal(fromEndPoint.GetHashCode(), fromSocket.GetHashCode());
        Assert.Equal(endPoint, fromSocket.ToEndPoint());
        Assert.Equal(port, fromSocket.Port);
        Assert.Equal(endPoint.AddressFamily, fromSocket.AddressFamily);
    }

    [Fact]
    public void IPv4Mapped_EqualsPlainIPv4()
    {
        IceTuple mapped = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("::ffff:203.0.113.5"), 9));
        IceTuple plain = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("203.0.113.5"), 9));
        Assert.Equal(plain, mapped);
        Assert.Equal(AddressFamily.InterNetwork, mapped.AddressFamily);
        Assert.Equal(4, mapped.AddressLength);
    }

    [Fact]
    public void ProtocolPortAddressAndLocalSocket_AllDistinguish()
    {
        var ep = new IPEndPoint(IPAddress.Parse("203.0.113.5"), 9);
        IceTuple baseTuple = IceTuple.From(IceProtocol.Udp, ep);
        Assert.NotEqual(baseTuple, IceTuple.From(IceProtocol.Tcp, ep));
        Assert.NotEqual(baseTuple, IceTuple.From(IceProtocol.Udp, ep, localSocket: 1));
        Assert.NotEqual(baseTuple, IceTuple.From(IceProtocol.Udp, new IPEndPoint(ep.Address, 10)));
        Assert.NotEqual(baseTuple, IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("203.0.113.6"), 9)));
        Assert.True(baseTuple == IceTuple.From(IceProtocol.Udp, ep));
        Assert.True(baseTuple != default);
    }

    [Fact]
    public void ScopeId_IsKeptForLinkLocal()
    {
        IceTuple a = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("fe80::1%2"), 9));
        IceTuple b = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("fe80::1%3"), 9));
        Assert.NotEqual(a, b);
        Assert.Equal(2, a.ToEndPoint().Address.ScopeId);
    }

    [Fact]
    public void WriteAddress_ReturnsNetworkOrderBytes()
    {
        IceTuple t = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 9));
        Span<byte> address = stackalloc byte[16];
        Assert.Equal(4, t.WriteAddress(address));
        Assert.Equal(new byte[] { 198, 51, 100, 1 }, address[..4].ToArray());
        Assert.True(IceTuple.TryCreate(IceProtocol.Udp, address[..4], 9, out IceTuple again));
        Assert.Equal(t, again);
        Assert.False(IceTuple.TryCreate(IceProtocol.Udp, address[..5], 9, out _));
    }

    [Fact]
    public void Default_IsRecognisable()
    {
        Assert.True(default(IceTuple).IsDefault);
        Assert.False(IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 1)).IsDefault);
    }

    [Fact]
    public void TryCreate_FromSocketAddress_DoesNotAllocate()
    {
        SocketAddress sa = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 1234).Serialize();
        IceTuple.TryCreate(IceProtocol.Udp, sa, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int hash = 0;
        for (int i = 0; i < 1000; i++)
        {
            IceTuple.TryCreate(IceProtocol.Udp, sa, out IceTuple t);
            hash ^= t.GetHashCode();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        GC.KeepAlive(hash);
    }

    [Fact]
    public void UnsupportedFamily_Rejected()
    {
        var unix = new SocketAddress(AddressFamily.Unix, 32);
        Assert.False(IceTuple.TryCreate(IceProtocol.Udp, unix, out _));
    }
}
