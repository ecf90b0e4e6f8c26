using Media.Sfu.Sdp;

namespace Media.Sfu.Tests.Sdp;

public class TrickleIceFragmentTests
{
    // Shape of a WHIP client's PATCH body (RFC 9725 §4.3.1): credentials inside the pseudo m-section.
    private static readonly string WhipPatch = SdpFixtures.Crlf("""
        a=group:BUNDLE 0 1
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        a=mid:0
        a=ice-ufrag:EsAw
        a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
        a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1
        a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2
        a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1
        a=end-of-candidates
        """);

    // Shape of RFC 8840 §9: session-level credentials, dummy "m=audio 9 RTP/AVP 0".
    private static readonly string SipInfoBody = SdpFixtures.Crlf("""
        a=ice-options:trickle
        a=ice-ufrag:8hhY
        a=ice-pwd:asd88fgpdd777uzjYhagZg
        m=audio 9 RTP/AVP 0
        a=mid:1
        a=candidate:1 1 UDP 2130706431 198.51.100.1 5000 typ host
        a=candidate:2 1 UDP 1694498815 192.0.2.3 5000 typ srflx raddr 198.51.100.1 rport 5000
        m=video 9 RTP/AVP 0
        a=mid:2
        a=end-of-candidates
        """);

    [Fact]
    public void WhipPatch_MediaLevelCredentialsAndCandidates()
    {
        var result = TrickleIceFragment.Parse(WhipPatch);

        Assert.True(result.IsSuccess, result.Error);
        var fragment = result.Value;
        Assert.Null(fragment.IceUfrag);
        Assert.Equal(["0", "1"], fragment.Groups.Single().Mids);
        var media = fragment.FindMedia("0")!;
        Assert.Equal("EsAw", fragment.EffectiveIceUfrag(media));
        Assert.Equal("bP+XJMM09aR8AiX1jdukzR6Y", fragment.EffectiveIcePwd(media));
        Assert.Equal(3, media.Candidates.Count);
        Assert.Equal("tcp", media.Candidates[2].Transport);
        Assert.Equal("active", media.Candidates[2].TcpType);
        Assert.True(media.EndOfCandidates);
        Assert.Equal(WhipPatch, fragment.ToString());
    }

    [Fact]
    public void SipInfoBody_SessionCredentialsAndSeveralMids()
    {
        Assert.True(TrickleIceFragment.TryParse(SipInfoBody, out var fragment, out string? error), error);

        Assert.Equal("8hhY", fragment.IceUfrag);
        Assert.Equal("asd88fgpdd777uzjYhagZg", fragment.IcePwd);
        Assert.Equal(["trickle"], fragment.IceOptions);
        Assert.Equal(2, fragment.Media.Count);
        Assert.Equal("8hhY", fragment.EffectiveIceUfrag(fragment.Media[0]));
        Assert.Equal(2, fragment.FindMedia("1")!.Candidates.Count);
        Assert.Empty(fragment.FindMedia("2")!.Candidates);
        Assert.True(fragment.FindMedia("2")!.EndOfCandidates);
        Assert.False(fragment.FindMedia("1")!.EndOfCandidates);
        Assert.Equal("RTP/AVP", fragment.Media[1].Protocol);
        // Writing puts ice-options first, as RFC 8840's grammar lists it; the text is stable afterwards.
        string written = fragment.ToString();
        Assert.Equal(written, TrickleIceFragment.Parse(written).Value!.ToString());
    }

    [Fact]
    public void BuiltFragment_WritesWhatTheSfuSendsBack()
    {
        Assert.True(IceCandidate.TryParse("candidate:1 1 udp 2130706431 198.51.100.10 40000 typ host", out var candidate, out _));
        var fragment = new TrickleIceFragment
        {
            IceUfrag = "sfuA",
            IcePwd = "SfuPasswordSfuPassword1234",
            Media = [new TrickleIceMedia { Mid = "0", Candidates = [candidate], EndOfCandidates = true }],
        };

        Assert.Equal(
            "a=ice-ufrag:sfuA\r\na=ice-pwd:SfuPasswordSfuPassword1234\r\n" +
            "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n" +
            "a=candidate:1 1 udp 2130706431 198.51.100.10 40000 typ host\r\na=end-of-candidates\r\n",
            fragment.ToString());
        Assert.Equal("application/trickle-ice-sdpfrag", TrickleIceFragment.MediaType);
    }

    [Fact]
    public void SessionLevelEndOfCandidates_AndIgnoredFullSdpLines()
    {
        var result = TrickleIceFragment.Parse("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=end-of-candidates\r\n");

        Assert.True(result.IsSuccess, result.Error);
        Assert.True(result.Value.EndOfCandidates);
        Assert.Empty(result.Value.Media);
    }

    [Fact]
    public void CandidatesWithoutMediaLine_BelongToTheSession()
    {
        string text = "a=ice-ufrag:EsAw\r\na=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n" +
            "a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\na=end-of-candidates\r\n";

        var result = TrickleIceFragment.Parse(text);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(61764, result.Value.Candidates.Single().Port);
        Assert.True(result.Value.EndOfCandidates);
        Assert.Empty(result.Value.Media);
        Assert.Equal(text, result.Value.ToString());
    }

    [Theory]
    [InlineData("", "fragment is empty")]
    [InlineData("m=audio 9 RTP/AVP 0\r\na=candidate:1 1 udp 1 1.2.3.4 9 typ host\r\n", "has no a=mid")]
    [InlineData("m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=candidate:1 1 udp 1 1.2.3.4 9 typ house\r\n", "line 3: unknown candidate type")]
    [InlineData("a=ice-ufrag:a\r\na=ice-ufrag:b\r\n", "duplicate a=ice-ufrag")]
    [InlineData("m=audio x RTP/AVP 0\r\n", "m= port 'x'")]
    [InlineData("m=audio\r\n", "needs media, port and protocol")]
    [InlineData("x=1\r\n", "not allowed in a trickle ICE fragment")]
    [InlineData("a=end-of-candidates:now\r\n", "takes no value")]
    public void Malformed_IsAnError(string text, string expected)
    {
        var result = TrickleIceFragment.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Contains(expected, result.Error);
    }
}
