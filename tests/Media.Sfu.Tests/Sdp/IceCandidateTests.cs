using Media.Sfu.Sdp;

namespace Media.Sfu.Tests.Sdp;

public class IceCandidateTests
{
    [Fact]
    public void Rfc8839HostExample()
    {
        // RFC 8839 §5.1 example.
        Assert.True(IceCandidate.TryParse("a=candidate:1 1 UDP 2130706431 203.0.113.141 8998 typ host", out var c, out string? error), error);

        Assert.Equal("1", c.Foundation);
        Assert.Equal(1, c.Component);
        Assert.Equal("UDP", c.Transport);
        Assert.True(c.IsUdp);
        Assert.Equal(2130706431u, c.Priority);
        Assert.Equal("203.0.113.141", c.Address);
        Assert.Equal(8998, c.Port);
        Assert.Equal(IceCandidateType.Host, c.Type);
        Assert.Null(c.RelatedAddress);
        Assert.Null(c.RelatedPort);
        Assert.Equal("candidate:1 1 UDP 2130706431 203.0.113.141 8998 typ host", c.ToString());
    }

    [Fact]
    public void Rfc8839ServerReflexiveExample()
    {
        Assert.True(IceCandidate.TryParse("candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998", out var c, out _));

        Assert.Equal(IceCandidateType.ServerReflexive, c.Type);
        Assert.Equal("203.0.113.141", c.RelatedAddress);
        Assert.Equal(8998, c.RelatedPort);
        Assert.Equal("2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998", c.ToValue());
    }

    [Theory]
    [InlineData("candidate:3586548012 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active generation 0 network-id 1 network-cost 10")]
    [InlineData("candidate:842163049 1 udp 41885439 198.51.100.77 3478 typ relay raddr 203.0.113.7 rport 60001 generation 0 ufrag Yq3U network-id 1")]
    [InlineData("candidate:1 1 udp 2113937151 4b1f7e2c-1d2a-4e5b-9c3d-2e1f0a9b8c7d.local 54400 typ host generation 0 network-cost 999")]
    [InlineData("candidate:3 1 udp 2122262783 2001:db8::1:2 50000 typ host generation 0")]
    [InlineData("candidate:4 1 udp 1862270847 203.0.113.9 50000 typ prflx raddr 0.0.0.0 rport 0")]
    [InlineData("candidate:5 2 tcp 1518280446 192.0.2.1 50001 typ host tcptype so")]
    public void BrowserShapes_RoundTripExactly(string text)
    {
        Assert.True(IceCandidate.TryParse(text, out var c, out string? error), error);
        Assert.Equal(text, c.ToString());
    }

    [Fact]
    public void RelayCandidate_KeepsExtensionsInOrder()
    {
        Assert.True(IceCandidate.TryParse("candidate:842163049 1 udp 41885439 198.51.100.77 3478 typ relay raddr 203.0.113.7 rport 60001 generation 0 ufrag Yq3U network-id 1", out var c, out _));

        Assert.Equal(IceCandidateType.Relayed, c.Type);
        Assert.Equal(["generation", "ufrag", "network-id"], c.Extensions.Select(e => e.Key));
        Assert.Equal("Yq3U", c.GetExtension("ufrag"));
        Assert.Null(c.GetExtension("missing"));
    }

    [Fact]
    public void BuiltCandidate_Writes()
    {
        var c = new IceCandidate
        {
            Foundation = "7",
            Component = 1,
            Transport = "tcp",
            Priority = 1518280447,
            Address = "198.51.100.10",
            Port = 443,
            Type = IceCandidateType.Host,
            TcpType = "passive",
        };

        Assert.Equal("candidate:7 1 tcp 1518280447 198.51.100.10 443 typ host tcptype passive", c.ToString());
    }

    [Theory]
    [InlineData("candidate:1 1 udp 2130706431 1.2.3.4 9 typ", "at least 8 fields")]
    [InlineData("candidate:f-o 1 udp 2130706431 1.2.3.4 9 typ host", "foundation")]
    [InlineData("candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 9 typ host", "foundation")]
    [InlineData("candidate:1 0 udp 2130706431 1.2.3.4 9 typ host", "component '0'")]
    [InlineData("candidate:1 257 udp 2130706431 1.2.3.4 9 typ host", "component '257'")]
    [InlineData("candidate:1 1 u(p 2130706431 1.2.3.4 9 typ host", "transport")]
    [InlineData("candidate:1 1 udp 4294967296 1.2.3.4 9 typ host", "priority")]
    [InlineData("candidate:1 1 udp 0 1.2.3.4 9 typ host", "priority")]
    [InlineData("candidate:1 1 udp -5 1.2.3.4 9 typ host", "priority")]
    [InlineData("candidate:1 1 udp 5 1.2.3.4 65536 typ host", "port '65536'")]
    [InlineData("candidate:1 1 udp 5 1.2.3.4 9 type host", "expected 'typ'")]
    [InlineData("candidate:1 1 udp 5 1.2.3.4 9 typ hst", "unknown candidate type")]
    [InlineData("candidate:1 1 udp 5 1.2.3.4 9 typ host generation", "has no value")]
    [InlineData("candidate:1 1 udp 5 1.2.3.4 9 typ srflx raddr 1.1.1.1 rport x", "rport 'x'")]
    [InlineData("candidate:1 1 udp 5 1.2.3.4 9 typ srflx raddr 1.1.1.1 raddr 2.2.2.2", "duplicate raddr")]
    [InlineData("", "at least 8 fields")]
    public void Malformed_IsAnError(string text, string expected)
    {
        Assert.False(IceCandidate.TryParse(text, out var c, out string? error));
        Assert.Null(c);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Null_IsAnError()
    {
        Assert.False(IceCandidate.TryParse(null, out _, out string? error));
        Assert.Equal("candidate is null", error);
    }
}
