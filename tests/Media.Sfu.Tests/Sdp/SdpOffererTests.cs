using Media.Sfu.Sdp;

namespace Media.Sfu.Tests.Sdp;

public class SdpOffererTests
{
    private static readonly OutgoingStream AudioStream = new(1111, 2222, "sfu", "peer-1", "peer-1-audio");
    private static readonly OutgoingStream VideoStream = new(3333, 4444, "sfu", "peer-1", "peer-1-video");

    private static OfferOptions SubscriberOffer(int? audioCap = null, int? videoCap = null) => new()
    {
        Transport = SdpFixtures.SfuTransport(),
        AudioBitrateCapKbps = audioCap,
        VideoBitrateCapKbps = videoCap,
        SessionId = 77,
        SessionVersion = 3,
        Media =
        [
            new OfferedMediaSection("0", MediaKind.Audio) { Direction = MediaDirection.SendOnly, Stream = AudioStream },
            new OfferedMediaSection("1", MediaKind.Video) { Direction = MediaDirection.SendOnly, Stream = VideoStream },
        ],
    };

    private static SessionDescription CreateOk(OfferOptions options)
    {
        Assert.True(SdpOfferer.TryCreateOffer(options, out var offer, out string? error), error);
        return offer;
    }

    // What Chrome answers to the SFU's subscriber offer: recvonly, setup:active, a subset of codecs.
    private static readonly string ChromeAnswer = SdpFixtures.Crlf($"""
        v=0
        o=- 3051235189213406413 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic: WMS
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Kp2s
        a=ice-pwd:Wq8xGf3Lr1Zt6Vb0Nm4Jh7Yc
        a=ice-options:trickle
        a=fingerprint:sha-256 {SdpFixtures.ChromeFingerprint}
        a=setup:active
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=recvonly
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1;stereo=1
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Kp2s
        a=ice-pwd:Wq8xGf3Lr1Zt6Vb0Nm4Jh7Yc
        a=ice-options:trickle
        a=fingerprint:sha-256 {SdpFixtures.ChromeFingerprint}
        a=setup:active
        a=mid:1
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=recvonly
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:102 H264/90000
        a=rtcp-fb:102 goog-remb
        a=rtcp-fb:102 transport-cc
        a=rtcp-fb:102 ccm fir
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:103 rtx/90000
        a=fmtp:103 apt=102
        """);

    [Fact]
    public void Offer_HasActPassBundleCodecsExtensionsAndStreams()
    {
        var offer = CreateOk(SubscriberOffer());

        Assert.Equal("77", offer.Origin.SessionId);
        Assert.Equal("3", offer.Origin.SessionVersion);
        Assert.True(offer.IceLite);
        Assert.Equal(["0", "1"], offer.BundleGroup!.Mids);
        Assert.Equal(["peer-1"], offer.MsidSemantic!.Identifiers);
        var audio = offer.Media[0];
        var video = offer.Media[1];
        Assert.All(offer.Media, m =>
        {
            Assert.Equal(SetupRole.ActPass, m.Setup);
            Assert.Equal(MediaDirection.SendOnly, m.Direction);
            Assert.True(m.RtcpMux);
            Assert.Equal("sfuA", m.IceUfrag);
            Assert.Equal(2, m.Candidates.Count);
            Assert.True(m.EndOfCandidates);
        });
        Assert.Equal(["111"], audio.Formats);
        Assert.Equal("minptime=10;useinbandfec=1", audio.FindFmtp(111)!.Parameters);
        Assert.Equal([1, 2, 3, 4], audio.Extmaps.Select(e => e.Id));
        // Audio has no RTX: only the primary SSRC is announced.
        Assert.Empty(audio.SsrcGroups);
        Assert.Equal([1111u], audio.Ssrcs.Select(s => s.Ssrc).Distinct());
        Assert.Equal(["96", "97", "98", "99", "102", "103"], video.Formats);
        Assert.Equal("apt=102", video.FindFmtp(103)!.Parameters);
        Assert.Equal(5, video.FeedbackFor(96).Count);
        Assert.Equal([2, 3, 4], video.Extmaps.Select(e => e.Id));
        Assert.Equal([3333u, 4444u], video.SsrcGroups.Single().Ssrcs);
        Assert.Equal(new SdpMsid("peer-1", "peer-1-video"), video.Msids.Single());
    }

    [Fact]
    public void Offer_RoundTripsThroughTheParser()
    {
        string text = CreateOk(SubscriberOffer(audioCap: 48, videoCap: 800)).ToString();

        var parsed = SessionDescription.Parse(text);

        Assert.True(parsed.IsSuccess, parsed.Error);
        Assert.Equal(text, parsed.Value.ToString());
        Assert.Contains("a=fmtp:111 minptime=10;useinbandfec=1;maxaveragebitrate=48000\r\n", text);
        Assert.Equal([new SdpBandwidth("AS", 800), new SdpBandwidth("TIAS", 800000)], parsed.Value.Media[1].Bandwidths);
    }

    [Fact]
    public void ChromeAnswer_IsApplied()
    {
        var offer = CreateOk(SubscriberOffer(audioCap: 48));

        var result = SdpOfferer.ApplyAnswer(offer, ChromeAnswer);

        Assert.True(result.IsSuccess, result.ToString());
        var session = result.Session!;
        Assert.Equal("Kp2s", session.RemoteIceUfrag);
        Assert.Equal(SetupRole.Active, session.RemoteSetup);
        Assert.Equal(SetupRole.Passive, session.LocalSetup);
        Assert.Equal(DtlsRole.Server, session.LocalDtlsRole);
        Assert.Equal(["0", "1"], session.BundleMids);
        Assert.True(session.ExtmapAllowMixed);

        var audio = session.Media[0];
        Assert.Equal(MediaDirection.SendOnly, audio.Direction);
        Assert.True(audio.SfuSends);
        Assert.False(audio.SfuReceives);
        Assert.Equal("48000", audio.Codecs.Single().Parameters["maxaveragebitrate"]);
        Assert.Equal("1", audio.Codecs.Single().RemoteParameters["stereo"]);
        Assert.Equal(48, audio.BitrateCapKbps);
        Assert.Equal(new OutgoingStream(1111, null, "sfu", "peer-1", "peer-1-audio"), audio.LocalStreams.Single());
        Assert.Empty(audio.RemoteStreams);

        var video = session.Media[1];
        Assert.Equal([96, 102], video.Codecs.Select(c => c.PayloadType));
        Assert.Equal(new Dictionary<int, int> { [97] = 96, [103] = 102 }, video.RtxPayloadTypes);
        Assert.Equal(new OutgoingStream(3333, 4444, "sfu", "peer-1", "peer-1-video"), video.LocalStreams.Single());
        Assert.Equal(3, video.HeaderExtensionId(HeaderExtensionUris.TransportWideCc));
    }

    [Theory]
    [InlineData(SetupRole.Active, DtlsRole.Server)]
    [InlineData(SetupRole.Passive, DtlsRole.Client)]
    public void OfferAnsweredBySdpAnswerer_BothSidesAgree(SetupRole answererRole, DtlsRole expectedOffererRole)
    {
        var offer = CreateOk(SubscriberOffer(videoCap: 1000));
        var peer = new AnswerOptions
        {
            Transport = new LocalTransportParameters
            {
                IceUfrag = "peer",
                IcePwd = "PeerPasswordPeerPassword",
                IceLite = false,
                Fingerprint = new SdpFingerprint("sha-256", SdpFixtures.ChromeFingerprint),
                EndOfCandidates = false,
            },
            SetupWhenOfferActPass = answererRole,
        };

        var answered = SdpAnswerer.Answer(offer.ToString(), peer);
        Assert.True(answered.IsSuccess, answered.ToString());
        var applied = SdpOfferer.ApplyAnswer(offer, answered.AnswerSdp);

        Assert.True(applied.IsSuccess, applied.ToString());
        var ours = applied.Session!;
        var theirs = answered.Session!;
        Assert.Equal(expectedOffererRole, ours.LocalDtlsRole);
        Assert.NotEqual(ours.LocalDtlsRole, theirs.LocalDtlsRole);
        Assert.Equal("peer", ours.RemoteIceUfrag);
        Assert.False(ours.RemoteIceLite);
        Assert.Equal("sfuA", theirs.RemoteIceUfrag);
        Assert.True(theirs.RemoteIceLite);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(MediaDirection.SendOnly, ours.Media[i].Direction);
            Assert.Equal(MediaDirection.RecvOnly, theirs.Media[i].Direction);
            Assert.Equal(ours.Media[i].Codecs.Select(c => c.PayloadType), theirs.Media[i].Codecs.Select(c => c.PayloadType));
            Assert.Equal(ours.Media[i].HeaderExtensions, theirs.Media[i].HeaderExtensions);
        }
        // The peer sees the SFU's announced streams as remote streams.
        Assert.Equal(new RemoteStream(3333, 4444, "sfu", "peer-1", "peer-1-video"), theirs.Media[1].RemoteStreams.Single());
        Assert.Equal(1000, ours.Media[1].BitrateCapKbps);
    }

    [Fact]
    public void Renegotiation_ReusesPreviousPayloadTypesAndAppendsNewSections()
    {
        // First the browser (Firefox numbering) publishes; later the SFU adds a subscriber track.
        var first = SdpAnswerer.Answer(SdpFixtures.FirefoxOffer, SdpFixtures.Options()).Session!;
        var options = new OfferOptions
        {
            Transport = SdpFixtures.SfuTransport(),
            SessionId = 4242424242,
            SessionVersion = 2,
            Media =
            [
                new OfferedMediaSection("0", MediaKind.Audio) { Direction = MediaDirection.RecvOnly, Previous = first.Media[0] },
                new OfferedMediaSection("1", MediaKind.Video) { Direction = MediaDirection.RecvOnly, Previous = first.Media[1] },
                new OfferedMediaSection("2", MediaKind.Video) { Direction = MediaDirection.SendOnly, Stream = VideoStream },
            ],
        };

        var offer = CreateOk(options);

        Assert.Equal(["109"], offer.Media[0].Formats);
        Assert.Equal(["120", "124", "121", "125", "126", "127"], offer.Media[1].Formats);
        Assert.Equal("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", offer.Media[1].FindFmtp(126)!.Parameters);
        Assert.Equal([3, 4, 7], offer.Media[1].Extmaps.Select(e => e.Id).Order());
        Assert.Equal(["96", "97", "98", "99", "102", "103"], offer.Media[2].Formats);
        Assert.Equal(["0", "1", "2"], offer.BundleGroup!.Mids);
        Assert.Equal("2", offer.Origin.SessionVersion);
    }

    [Fact]
    public void StoppedSection_KeepsItsLineWithPortZeroOutsideBundle()
    {
        var options = new OfferOptions
        {
            Transport = SdpFixtures.SfuTransport(),
            Media =
            [
                new OfferedMediaSection("0", MediaKind.Audio) { Stopped = true },
                new OfferedMediaSection("1", MediaKind.Video),
            ],
        };

        var offer = CreateOk(options);

        Assert.Equal(0, offer.Media[0].Port);
        Assert.Equal("0", offer.Media[0].Mid);
        Assert.Null(offer.Media[0].IceUfrag);
        Assert.Equal(["1"], offer.BundleGroup!.Mids);
        Assert.True(SessionDescription.Parse(offer.ToString()).IsSuccess);
    }

    public static TheoryData<string, string> BadOffers => new()
    {
        { "no-media", "at least one m-section" },
        { "dup-mid", "mid 'a' appears twice" },
        { "bad-mid", "is not a token" },
        { "all-stopped", "every m-section is stopped" },
        { "stream-recvonly", "has a stream but direction recvonly" },
        { "kind-change", "cannot change kind" },
        { "pt-collision", "collide" },
        { "ext-collision", "header extension ids" },
        { "no-codec", "no audio codec to offer" },
        { "bad-transport", "local ice-pwd" },
    };

    [Theory]
    [MemberData(nameof(BadOffers))]
    public void Offer_InvalidRequestsAreErrors(string what, string expected)
    {
        var transport = SdpFixtures.SfuTransport();
        var previousVideo = SdpAnswerer.Answer(SdpFixtures.ChromeOffer, SdpFixtures.Options()).Session!.Media[1];
        OfferOptions options = what switch
        {
            "no-media" => new() { Transport = transport, Media = [] },
            "dup-mid" => new() { Transport = transport, Media = [new("a", MediaKind.Audio), new("a", MediaKind.Video)] },
            "bad-mid" => new() { Transport = transport, Media = [new("a b", MediaKind.Audio)] },
            "all-stopped" => new() { Transport = transport, Media = [new("a", MediaKind.Audio) { Stopped = true }] },
            "stream-recvonly" => new() { Transport = transport, Media = [new("a", MediaKind.Audio) { Direction = MediaDirection.RecvOnly, Stream = AudioStream }] },
            "kind-change" => new() { Transport = transport, Media = [new("1", MediaKind.Audio) { Previous = previousVideo }] },
            "pt-collision" => new()
            {
                Transport = transport,
                Capabilities = new MediaCapabilities { Codecs = [CodecCapability.Vp8(96, 97), CodecCapability.Vp9(payloadType: 97, rtxPayloadType: 100)] },
                Media = [new("v", MediaKind.Video)],
            },
            "ext-collision" => new()
            {
                Transport = transport,
                Capabilities = new MediaCapabilities
                {
                    Codecs = MediaCapabilities.Default.Codecs,
                    HeaderExtensions = [new(HeaderExtensionUris.Mid, null, 5), new(HeaderExtensionUris.AbsSendTime, null, 5)],
                },
                Media = [new("v", MediaKind.Video)],
            },
            "no-codec" => new()
            {
                Transport = transport,
                Capabilities = new MediaCapabilities { Codecs = [CodecCapability.Vp8()] },
                Media = [new("a", MediaKind.Audio)],
            },
            "bad-transport" => new()
            {
                Transport = new LocalTransportParameters { IceUfrag = "abcd", IcePwd = "x", Fingerprint = transport.Fingerprint },
                Media = [new("a", MediaKind.Audio)],
            },
            _ => throw new ArgumentException(what),
        };

        Assert.False(SdpOfferer.TryCreateOffer(options, out var offer, out string? error));
        Assert.Null(offer);
        Assert.Contains(expected, error);
    }

    public static TheoryData<string, NegotiationError, string> BadAnswers => new()
    {
        { "garbage", NegotiationError.MalformedSdp, "answer is not valid SDP" },
        { "one-section", NegotiationError.AnswerMismatch, "answer has 1 m-sections, the offer 2" },
        { "mid-swap", NegotiationError.AnswerMismatch, "does not match the offer" },
        { "no-bundle", NegotiationError.MissingBundle, "a=group:BUNDLE" },
        { "bundle-unknown", NegotiationError.InvalidBundle, "mid '9'" },
        { "actpass", NegotiationError.InvalidSetupRole, "a=setup:actpass" },
        { "new-pt", NegotiationError.AnswerMismatch, "payload type 35" },
        { "rtx-only", NegotiationError.AnswerMismatch, "accepts no media codec" },
        { "no-rtcp-mux", NegotiationError.MissingRtcpMux, "lacks a=rtcp-mux" },
        { "no-fingerprint", NegotiationError.MissingFingerprint, "no a=fingerprint" },
        { "all-rejected", NegotiationError.NoUsableMedia, "rejected every m-section" },
    };

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public void ApplyAnswer_ErrorPaths(string what, NegotiationError error, string message)
    {
        var offer = CreateOk(SubscriberOffer());
        var answer = SessionDescription.Parse(ChromeAnswer).Value!;
        switch (what)
        {
            case "garbage": break;
            case "one-section": answer.Media.RemoveAt(1); break;
            case "mid-swap": (answer.Media[0].Mid, answer.Media[1].Mid) = ("1", "0"); break;
            case "no-bundle": answer.Groups.Clear(); break;
            case "bundle-unknown": answer.Groups[0] = new SdpGroup("BUNDLE", ["0", "9"]); break;
            case "actpass": foreach (var m in answer.Media) m.Setup = SetupRole.ActPass; break;
            case "new-pt": answer.Media[0].Formats.Add("35"); break;
            case "rtx-only": answer.Media[1].Formats = ["97"]; break;
            case "no-rtcp-mux": answer.Media[1].RtcpMux = false; break;
            case "no-fingerprint": foreach (var m in answer.Media) m.Fingerprints.Clear(); break;
            case "all-rejected":
                foreach (var m in answer.Media) m.Port = 0;
                answer.Groups.Clear();
                break;
        }

        var result = SdpOfferer.ApplyAnswer(offer, what == "garbage" ? "v=0\r\nnonsense" : answer.ToString());

        Assert.False(result.IsSuccess);
        Assert.Equal(error, result.Error);
        Assert.Contains(message, result.ErrorMessage);
    }

    [Fact]
    public void ApplyAnswer_RejectedSectionIsReported()
    {
        var offer = CreateOk(SubscriberOffer());
        var answer = SessionDescription.Parse(ChromeAnswer).Value!;
        answer.Media[0].Port = 0;
        answer.Groups[0] = new SdpGroup("BUNDLE", ["1"]);

        var result = SdpOfferer.ApplyAnswer(offer, answer);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(new RejectedMedia(0, "0", "audio", "rejected by the answerer (port 0)"), result.Session!.Rejected.Single());
        Assert.Equal("1", result.Session.Media.Single().Mid);
    }
}
