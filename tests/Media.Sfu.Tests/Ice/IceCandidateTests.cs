using System.Net;
using Media.Sfu.Ice;

namespace Media.Sfu.Tests.Ice;

public class IceCandidateTests
{
    [Fact]
    public void Priority_FollowsRfc8445Formula()
    {
        IceCandidate udp = IceCandidate.CreateHost(IPAddress.Parse("192.0.2.10"), 40000, IceProtocol.Udp);
        IceCandidate tcp = IceCandidate.CreateHost(IPAddress.Parse("192.0.2.10"), 443, IceProtocol.Tcp);
        // (2^24)*126 + (2^8)*local-pref + (256 - 1)
        Assert.Equal(126u * 16777216 + 65535u * 256 + 255, udp.Priority);
        Assert.Equal(2130706431u, udp.Priority);
        Assert.Equal(126u * 16777216 + 40959u * 256 + 255, tcp.Priority);
        Assert.True(udp.Priority > tcp.Priority);
    }

    [Fact]
    public void EveryUdpCandidate_OutranksEveryTcpCandidate()
    {
        IPAddress a = IPAddress.Parse("192.0.2.10");
        uint lowestUdp = IceCandidate.CreateHost(a, 1, IceProtocol.Udp, preferenceOffset: IceCandidate.MaxPreferenceOffset).Priority;
        uint highestTcp = IceCandidate.CreateHost(a, 1, IceProtocol.Tcp, preferenceOffset: 0).Priority;
        Assert.True(lowestUdp > highestTcp);
    }

    [Fact]
    public void PreferenceOffset_GivesDistinctPriorities()
    {
        IceCandidate v4 = IceCandidate.CreateHost(IPAddress.Parse("192.0.2.10"), 40000, IceProtocol.Udp);
        IceCandidate v6 = IceCandidate.CreateHost(IPAddress.Parse("2001:db8::10"), 40000, IceProtocol.Udp, preferenceOffset: 1);
        Assert.Equal(v4.Priority - 256, v6.Priority);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            IceCandidate.CreateHost(IPAddress.Loopback, 1, IceProtocol.Udp, preferenceOffset: IceCandidate.MaxPreferenceOffset + 1));
    }

    [Fact]
    public void ComponentTwo_LowersPriorityByOne()
    {
        IceCandidate c1 = IceCandidate.CreateHost(IPAddress.Loopback, 5000, IceProtocol.Udp, component: 1);
        IceCandidate c2 = IceCandidate.CreateHost(IPAddress.Loopback, 5000, IceProtocol.Udp, component: 2);
        Assert.Equal(c1.Priority - 1, c2.Priority);
    }

    [Fact]
    public void SdpAttribute_UdpHost()
    {
        IceCandidate c = IceCandidate.CreateHost(IPAddress.Parse("192.0.2.10"), 40000, IceProtocol.Udp);
        Assert.Equal($"candidate:{c.Foundation} 1 udp 2130706431 192.0.2.10 40000 typ host", c.ToSdpAttribute());
    }

    [Fact]
    public void SdpAttribute_TcpPassive()
    {
        IceCandidate c = IceCandidate.CreateHost(IPAddress.Parse("2001:db8::10"), 443, IceProtocol.Tcp);
        Assert.Equal($"candidate:{c.Foundation} 1 tcp {c.Priority} 2001:db8::10 443 typ host tcptype passive", c.ToSdpAttribute());
    }

    [Fact]
    public void SdpAttribute_DropsIPv6ZoneAndUnmapsIPv4()
    {
        IceCandidate zoned = IceCandidate.CreateHost(IPAddress.Parse("fe80::1%2"), 5000, IceProtocol.Udp);
        Assert.Contains(" fe80::1 5000 ", zoned.ToSdpAttribute());
        IceCandidate mapped = IceCandidate.CreateHost(IPAddress.Parse("::ffff:192.0.2.1"), 5000, IceProtocol.Udp);
        Assert.Contains(" 192.0.2.1 5000 ", mapped.ToSdpAttribute());
    }

    [Fact]
    public void Foundation_StablePerAddressAndProtocol()
    {
        IPAddress a = IPAddress.Parse("192.0.2.10");
        string udp1 = IceCandidate.CreateHost(a, 1000, IceProtocol.Udp).Foundation;
        string udp2 = IceCandidate.CreateHost(IPAddress.Parse("192.0.2.10"), 2000, IceProtocol.Udp, preferenceOffset: 3).Foundation;
        string tcp = IceCandidate.CreateHost(a, 1000, IceProtocol.Tcp).Foundation;
        string other = IceCandidate.CreateHost(IPAddress.Parse("192.0.2.11"), 1000, IceProtocol.Udp).Foundation;
        Assert.Equal(udp1, udp2);
        Assert.NotEqual(udp1, tcp);
        Assert.NotEqual(udp1, other);
        Assert.InRange(udp1.Length, 1, 32);
        Assert.True(udp1.All(char.IsAsciiDigit));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void InvalidPort_Rejected(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IceCandidate.CreateHost(IPAddress.Loopback, port, IceProtocol.Udp));
    }
}
