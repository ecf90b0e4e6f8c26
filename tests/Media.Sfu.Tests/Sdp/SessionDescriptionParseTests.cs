using Media.Sfu.Sdp;

namespace Media.Sfu.Tests.Sdp;

public class SessionDescriptionParseTests
{
    [Fact]
    public void Rfc8866Example_ParsesEveryLineAndWritesTheSameText()
    {
        var result = SessionDescription.Parse(SdpFixtures.Rfc8866Example);

        Assert.True(result.IsSuccess, result.Error);
        var sdp = result.Value;
        Assert.Equal(new SdpOrigin("jdoe", "3724394400", "3724394405", "IN", "IP4", "198.51.100.1"), sdp.Origin);
        Assert.Equal("Call to John Smith", sdp.SessionName);
        Assert.Equal(new SdpConnection("IN", "IP4", "198.51.100.1"), sdp.Connection);
        Assert.Equal([new SdpTiming(0, 0)], sdp.Timings);
        Assert.Equal("iuep", string.Concat(sdp.OtherLines.Select(l => l.Type)));
        Assert.Equal(3, sdp.Media.Count);
        Assert.Equal(49180, sdp.Media[1].Port);
        Assert.Equal(new SdpConnection("IN", "IP6", "2001:db8::2"), sdp.Media[2].Connection);
        Assert.Equal(new SdpRtpMap(99, "h263-1998", 90000, null), sdp.Media[2].RtpMaps.Single());
        // Our writer uses the RFC's field order, so this example comes back byte for byte.
        Assert.Equal(SdpFixtures.Rfc8866Example, sdp.ToString());
    }

    [Fact]
    public void ChromeOffer_SessionLevel()
    {
        var sdp = Parse(SdpFixtures.ChromeOffer);

        Assert.Equal("7513983245012733216", sdp.Origin.SessionId);
        Assert.Equal(new SdpGroup("BUNDLE", ["0", "1"]).ToString(), sdp.BundleGroup!.ToString());
        Assert.True(sdp.ExtmapAllowMixed);
        Assert.Equal("WMS", sdp.MsidSemantic!.Semantic);
        Assert.Equal(["6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55"], sdp.MsidSemantic.Identifiers);
        Assert.False(sdp.IceLite);
        Assert.Null(sdp.IceUfrag);
        Assert.Equal(2, sdp.Media.Count);
    }

    [Fact]
    public void ChromeOffer_AudioSection()
    {
        var audio = Parse(SdpFixtures.ChromeOffer).Media[0];

        Assert.Equal("audio", audio.Media);
        Assert.Equal(49203, audio.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(["111", "63", "9", "0", "8", "13", "110", "126"], audio.Formats);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.RtcpReducedSize);
        Assert.Equal("Yq3U", audio.IceUfrag);
        Assert.Equal("8Bv5mHnV4m1TJ8d3HqzC0b9J", audio.IcePwd);
        Assert.Equal(["trickle"], audio.IceOptions);
        Assert.Equal(new SdpFingerprint("sha-256", SdpFixtures.ChromeFingerprint), audio.Fingerprints.Single());
        Assert.Equal(SetupRole.ActPass, audio.Setup);
        Assert.Equal(new SdpRtpMap(111, "opus", 48000, 2), audio.FindRtpMap(111));
        Assert.Equal(new SdpRtpMap(63, "red", 48000, 2), audio.FindRtpMap(63));
        Assert.Equal(new SdpRtpMap(126, "telephone-event", 8000, null), audio.FindRtpMap(126));
        Assert.Equal("minptime=10;useinbandfec=1", audio.FindFmtp(111)!.Parameters);
        Assert.Equal("111/111", audio.FindFmtp(63)!.Parameters);
        Assert.Equal([new SdpRtcpFeedback(111, "transport-cc", null)], audio.RtcpFeedbacks);
        Assert.Equal(4, audio.Extmaps.Count);
        Assert.Equal(new SdpExtmap(1, null, HeaderExtensionUris.AudioLevel, null), audio.Extmaps[0]);
        Assert.Equal(new SdpMsid("6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55", "a2b0c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d"), audio.Msids.Single());
        Assert.Equal(2, audio.Ssrcs.Count);
        Assert.Equal(new SdpSsrcAttribute(1001234567, "cname", "k3Xn0H1q8D7pVtYw"), audio.Ssrcs[0]);
        Assert.Equal("6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55 a2b0c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d", audio.Ssrcs[1].Value);
        Assert.Equal(3, audio.Candidates.Count);
        // a=rtcp is not modelled: it survives as an unknown attribute.
        Assert.Equal(new SdpAttribute("rtcp", "9 IN IP4 0.0.0.0"), audio.Attributes.Single());
    }

    [Fact]
    public void ChromeOffer_VideoSection()
    {
        var video = Parse(SdpFixtures.ChromeOffer).Media[1];

        Assert.Equal(25, video.Formats.Count);
        Assert.Equal(25, video.RtpMaps.Count);
        Assert.Equal(new SdpRtpMap(45, "AV1", 90000, null), video.FindRtpMap(45));
        Assert.Equal("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", video.FindFmtp(106)!.Parameters);
        Assert.Equal("apt=96", video.FindFmtp(97)!.Parameters);
        Assert.Equal(5, video.FeedbackFor(96).Count);
        Assert.Contains(new SdpRtcpFeedback(96, "nack", "pli"), video.RtcpFeedbacks);
        Assert.Contains(new SdpRtcpFeedback(96, "ccm", "fir"), video.RtcpFeedbacks);
        Assert.Empty(video.FeedbackFor(116));
        Assert.Equal(11, video.Extmaps.Count);
        Assert.Equal(new SdpExtmap(14, null, "urn:ietf:params:rtp-hdrext:toffset", null), video.Extmaps[0]);
        var fid = video.SsrcGroups.Single();
        Assert.Equal("FID", fid.Semantics);
        Assert.Equal([2712358465u, 3919101263u], fid.Ssrcs);
        Assert.Equal(4, video.Ssrcs.Count);
    }

    [Fact]
    public void ChromeOffer_Candidates()
    {
        var candidates = Parse(SdpFixtures.ChromeOffer).Media[0].Candidates;

        Assert.Equal("2437072876", candidates[0].Foundation);
        Assert.Equal(2122260223u, candidates[0].Priority);
        Assert.Equal(IceCandidateType.Host, candidates[0].Type);
        Assert.Equal("0", candidates[0].GetExtension("generation"));
        Assert.Equal("10", candidates[0].GetExtension("network-cost"));
        Assert.True(candidates[1].IsTcp);
        Assert.Equal("active", candidates[1].TcpType);
        Assert.Equal(9, candidates[1].Port);
        Assert.Equal(IceCandidateType.ServerReflexive, candidates[2].Type);
        Assert.Equal("192.168.1.23", candidates[2].RelatedAddress);
        Assert.Equal(49203, candidates[2].RelatedPort);
    }

    [Fact]
    public void FirefoxOffer_SessionLevelFingerprintAndDirectionalExtmaps()
    {
        var sdp = Parse(SdpFixtures.FirefoxOffer);

        Assert.Equal("mozilla...THIS_IS_SDPARTA-128.0", sdp.Origin.Username);
        Assert.Equal(new SdpFingerprint("sha-256", "A7:9E:AD:36:9A:F6:62:2D:4C:F3:48:9D:63:66:78:06:88:74:54:31:A1:F3:DF:76:D2:3D:C9:0A:1E:86:02:2A"), sdp.Fingerprints.Single());
        Assert.Equal(["trickle"], sdp.IceOptions);
        Assert.Equal(["*"], sdp.MsidSemantic!.Identifiers);
        Assert.Empty(sdp.Media[0].Fingerprints);
        Assert.Equal(new SdpExtmap(2, MediaDirection.RecvOnly, "urn:ietf:params:rtp-hdrext:csrc-audio-level", null), sdp.Media[0].Extmaps[1]);
        Assert.Equal(new SdpRtpMap(9, "G722", 8000, 1), sdp.Media[0].FindRtpMap(9));
        Assert.Equal("0-15", sdp.Media[0].FindFmtp(101)!.Parameters);
        Assert.Equal("{0c7b8e1f-2a3d-4c5b-9e6f-7a8b9c0d1e2f}", sdp.Media[1].Msids[0].StreamId);
        Assert.Equal(11, sdp.Media[1].RtpMaps.Count);
        Assert.Equal([2105390000u, 2105390001u], sdp.Media[1].SsrcGroups.Single().Ssrcs);
    }

    [Fact]
    public void ObsOffer_SessionLevelTransportAndUppercaseCandidates()
    {
        var sdp = Parse(SdpFixtures.ObsWhipOffer);

        Assert.Equal("Hn2L", sdp.IceUfrag);
        Assert.Equal("O1hb4nXr7BXOVtrhNRStVu", sdp.IcePwd);
        Assert.Equal(["ice2,trickle"], sdp.IceOptions);
        Assert.Equal(SetupRole.ActPass, sdp.Setup);
        Assert.Equal(2, sdp.Groups.Count);
        Assert.Equal("LS", sdp.Groups[1].Semantics);
        Assert.Equal(MediaDirection.SendOnly, sdp.Media[0].Direction);
        Assert.True(sdp.Media[0].EndOfCandidates);
        Assert.Equal("UDP", sdp.Media[0].Candidates[0].Transport);
        Assert.True(sdp.Media[0].Candidates[0].IsUdp);
        Assert.Equal("0.0.0.0", sdp.Media[0].Candidates[1].RelatedAddress);
        Assert.Equal(0, sdp.Media[0].Candidates[1].RelatedPort);
    }

    [Theory]
    [MemberData(nameof(SdpFixtures.AllOffers), MemberType = typeof(SdpFixtures))]
    public void EveryFixture_RoundTripsThroughWriterAndParser(string name, string text)
    {
        var first = Parse(text);
        string written = first.ToString();
        var second = Parse(written);

        Assert.Equal(written, second.ToString());
        Assert.Equal(first.Media.Count, second.Media.Count);
        Assert.All(written.Split("\r\n")[..^1], line => Assert.DoesNotContain('\n', line));
        Assert.EndsWith("\r\n", written);
        // Every typed and unknown line of the original is present after writing (order may differ).
        var original = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(Normalize).Order().ToList();
        var rewritten = written.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(Normalize).Order().ToList();
        Assert.True(original.SequenceEqual(rewritten), $"{name}: lines differ:\n" +
            string.Join("\n", original.Except(rewritten).Select(l => "- " + l).Concat(rewritten.Except(original).Select(l => "+ " + l))));
    }

    private static string Normalize(string line) => line.Replace("msid-semantic: ", "msid-semantic:");

    [Fact]
    public void BareLineFeeds_AreAccepted()
    {
        var sdp = Parse(SdpFixtures.ChromeOffer.Replace("\r\n", "\n"));

        Assert.Equal(2, sdp.Media.Count);
        Assert.Equal(Parse(SdpFixtures.ChromeOffer).ToString(), sdp.ToString());
    }

    [Fact]
    public void UnknownAttributes_ArePreservedInOrderAtBothLevels()
    {
        string text = SdpFixtures.Crlf("""
            v=0
            o=- 1 1 IN IP4 127.0.0.1
            s=-
            t=0 0
            a=x-session-thing:abc def
            a=flag-only
            a=empty-value:
            m=video 9 UDP/TLS/RTP/SAVPF 96
            a=mid:v
            a=rid:hi send
            a=rid:lo send max-width=320
            a=simulcast:send hi;lo
            a=rtpmap:96 VP8/90000
            a=x-google-flag:conference
            """);

        var sdp = Parse(text);

        Assert.Equal([new SdpAttribute("x-session-thing", "abc def"), new SdpAttribute("flag-only", null), new SdpAttribute("empty-value", "")], sdp.Attributes);
        Assert.Equal(["hi send", "lo send max-width=320"], sdp.Media[0].AttributeValues("rid"));
        Assert.Equal(["send hi;lo"], sdp.Media[0].AttributeValues("simulcast"));
        string written = sdp.ToString();
        Assert.Contains("a=x-session-thing:abc def\r\n", written);
        Assert.Contains("a=flag-only\r\n", written);
        Assert.Contains("a=empty-value:\r\n", written);
        Assert.Contains("a=rid:hi send\r\na=rid:lo send max-width=320\r\na=simulcast:send hi;lo\r\na=x-google-flag:conference\r\n", written);
    }

    [Fact]
    public void WildcardFeedback_AppliesToEveryPayloadType()
    {
        var sdp = Parse(SdpFixtures.Crlf("""
            v=0
            o=- 1 1 IN IP4 127.0.0.1
            s=-
            t=0 0
            m=video 9 UDP/TLS/RTP/SAVPF 96 98
            a=rtcp-fb:* nack
            a=rtpmap:96 VP8/90000
            a=rtpmap:98 VP9/90000
            a=rtcp-fb:98 nack
            a=rtcp-fb:98 nack pli
            """));

        var video = sdp.Media[0];
        Assert.Equal([new SdpRtcpFeedback(96, "nack", null)], video.FeedbackFor(96));
        Assert.Equal([new SdpRtcpFeedback(98, "nack", null), new SdpRtcpFeedback(98, "nack", "pli")], video.FeedbackFor(98));
        Assert.StartsWith("a=rtcp-fb:* nack\r\n", video.ToString()[(video.ToString().IndexOf("a=rtcp-fb", StringComparison.Ordinal))..]);
    }

    [Fact]
    public void SessionLevelDirection_IsTheDefaultForMediaWithoutOne()
    {
        var sdp = Parse(SdpFixtures.Crlf("""
            v=0
            o=- 1 1 IN IP4 127.0.0.1
            s=-
            t=0 0
            a=recvonly
            m=audio 9 UDP/TLS/RTP/SAVPF 111
            m=audio 9 UDP/TLS/RTP/SAVPF 111
            a=inactive
            """));

        Assert.Equal(MediaDirection.RecvOnly, sdp.EffectiveDirection(sdp.Media[0]));
        Assert.Equal(MediaDirection.Inactive, sdp.EffectiveDirection(sdp.Media[1]));
    }

    [Fact]
    public void NonRtpFmtp_IsKeptAsUnknownAttribute()
    {
        var sdp = Parse(SdpFixtures.Crlf("""
            v=0
            o=- 1 1 IN IP4 127.0.0.1
            s=-
            t=0 0
            m=application 9 DTLS/SCTP 5000
            a=fmtp:webrtc-datachannel max-message-size=262144
            """));

        Assert.Empty(sdp.Media[0].Fmtps);
        Assert.Equal(new SdpAttribute("fmtp", "webrtc-datachannel max-message-size=262144"), sdp.Media[0].Attributes.Single());
    }

    [Fact]
    public void PortCountAndBandwidth_AreParsed()
    {
        var sdp = Parse(SdpFixtures.Crlf("""
            v=0
            o=- 1 1 IN IP4 127.0.0.1
            s=-
            b=CT:1000
            t=0 0
            m=video 49170/2 RTP/AVP 31
            b=AS:500
            b=TIAS:500000
            """));

        Assert.Equal([new SdpBandwidth("CT", 1000)], sdp.Bandwidths);
        Assert.Equal(2, sdp.Media[0].PortCount);
        Assert.Equal([new SdpBandwidth("AS", 500), new SdpBandwidth("TIAS", 500000)], sdp.Media[0].Bandwidths);
        Assert.Contains("m=video 49170/2 RTP/AVP 31\r\nb=AS:500\r\nb=TIAS:500000\r\n", sdp.ToString());
    }

    public static TheoryData<string, string> BadDocuments => new()
    {
        { "", "empty" },
        { "\r\n\r\n", "no v= line" },
        { "o=- 1 1 IN IP4 127.0.0.1\r\n", "line 1: the first line must be v=0" },
        { "v=1\r\n", "unsupported SDP version" },
        { "v=0\r\ns=-\r\nt=0 0\r\n", "no o= line" },
        { "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nt=0 0\r\n", "no s= line" },
        { "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n", "no t= line" },
        { "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n", "line 2: o= needs 6 fields" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0\r\n", "line 4: t= needs two decimal times" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nx=1\r\n", "line 5: unknown line type 'x='" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nhello\r\n", "line 5: expected a line of the form" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nA=x\r\n", "not a lowercase letter" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\na=\r\n", "attribute name '' is not a token" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nb=AS:lots\r\n", "b= value 'lots' is not a number" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nc=IN IP4\r\n", "c= needs 3 fields" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\na=setup:sometimes\r\n", "unknown a=setup value 'sometimes'" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\na=ice-lite:yes\r\n", "a=ice-lite takes no value" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256\r\n", "a=fingerprint must be" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP\r\n", "at least one format" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", "m= port '70000' is not 0-65535" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\n", "m= line before the o=, s= and t= lines" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nt=0 0\r\n", "line 6: line type 't=' is not allowed in an m-section" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=mid:a\r\na=mid:b\r\n", "line 7: duplicate a=mid" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:128 x/1\r\n", "payload type '128' is not 0-127" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", "is not <name>/<clock rate>" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/0\r\n", "clock rate '0' is not a positive number" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:0 PCMA/8000\r\n", "duplicate a=rtpmap for payload type 0" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=fmtp:0 a=1\r\na=fmtp:0 b=2\r\n", "duplicate a=fmtp for payload type 0" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtcp-fb:x nack\r\n", "a=rtcp-fb payload type 'x'" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=extmap:0 urn:x\r\n", "a=extmap id '0' is not 1-255" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=extmap:1/upwards urn:x\r\n", "a=extmap direction" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n", "duplicate a=extmap id 1" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=ssrc:4294967296 cname:x\r\n", "is not a 32-bit number" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=ssrc:1\r\n", "a=ssrc needs an SSRC and an attribute" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=ssrc-group:FID\r\n", "a=ssrc-group needs semantics" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=msid:a b c\r\n", "a=msid needs a stream id" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=sendonly\r\na=recvonly\r\n", "more than one direction" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=candidate:1 1 udp 5 1.2.3.4 9 typ bogus\r\n", "unknown candidate type 'bogus'" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=ice-ufrag:\r\n", "a=ice-ufrag needs a single non-empty value" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\na=x\0y\r\n", "CR or NUL" },
        { "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\na=x\ry\r\n", "CR or NUL" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void BadDocuments_FailWithAClearError(string text, string expected)
    {
        var result = SessionDescription.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Null(result.Value);
        Assert.Contains(expected, result.Error);
        Assert.False(SessionDescription.TryParse(text, out var description, out string? error));
        Assert.Null(description);
        Assert.Equal(result.Error, error);
    }

    [Fact]
    public void NullAndHugeInput_FailWithoutThrowing()
    {
        Assert.Contains("null", SessionDescription.Parse(null).Error);
        var huge = new string('a', (1 << 20) + 1);
        Assert.Contains("longer than", SessionDescription.Parse(huge).Error);
    }

    [Fact]
    public void ErrorLine_PointsAtTheOffendingLine()
    {
        string text = SdpFixtures.ChromeOffer.Replace("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus");
        int expectedLine = text.Split("\r\n").ToList().FindIndex(l => l == "a=rtpmap:111 opus") + 1;

        var result = SessionDescription.Parse(text);

        Assert.Equal(expectedLine, result.Line);
        Assert.StartsWith($"line {expectedLine}: a=rtpmap", result.Error);
    }

    private static SessionDescription Parse(string text)
    {
        var result = SessionDescription.Parse(text);
        Assert.True(result.IsSuccess, result.Error);
        return result.Value;
    }
}
