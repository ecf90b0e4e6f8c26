using Media.Sfu.Sdp;

namespace Media.Sfu.Tests.Sdp;

public class SdpAnswererTests
{
    private static NegotiationResult AnswerOk(string offer, AnswerOptions? options = null)
    {
        var result = SdpAnswerer.Answer(offer, options ?? SdpFixtures.Options());
        Assert.True(result.IsSuccess, result.ToString());
        Assert.NotNull(result.Answer);
        Assert.NotNull(result.Session);
        return result;
    }

    private static SessionDescription Offer(string text) => SessionDescription.Parse(text).Value!;

    private static void AssertFails(NegotiationResult result, NegotiationError error, string messagePart)
    {
        Assert.False(result.IsSuccess);
        Assert.Equal(error, result.Error);
        Assert.Contains(messagePart, result.ErrorMessage);
        Assert.Null(result.Answer);
        Assert.Null(result.Session);
    }

    [Fact]
    public void Chrome_AnswerKeepsSupportedCodecsInOfferOrderWithOfferedPayloadTypes()
    {
        var answer = AnswerOk(SdpFixtures.ChromeOffer).Answer!;

        Assert.True(answer.IceLite);
        Assert.True(answer.ExtmapAllowMixed);
        Assert.Equal(["0", "1"], answer.BundleGroup!.Mids);
        var audio = answer.Media[0];
        Assert.Equal(["111"], audio.Formats);
        Assert.Equal([new SdpRtpMap(111, "opus", 48000, 2)], audio.RtpMaps);
        Assert.Equal("minptime=10;useinbandfec=1", audio.FindFmtp(111)!.Parameters);
        Assert.Equal([new SdpRtcpFeedback(111, "transport-cc", null)], audio.RtcpFeedbacks);
        Assert.Equal([1, 2, 3, 4], audio.Extmaps.Select(e => e.Id));
        var video = answer.Media[1];
        // VP8, H.264 constrained baseline packetization-mode 1 (106) and VP9 profile 0, each with its RTX.
        Assert.Equal(["96", "97", "106", "107", "98", "99"], video.Formats);
        Assert.Equal("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", video.FindFmtp(106)!.Parameters);
        Assert.Equal("profile-id=0", video.FindFmtp(98)!.Parameters);
        Assert.Equal("apt=106", video.FindFmtp(107)!.Parameters);
        Assert.Null(video.FindFmtp(96));
        Assert.Equal(5, video.FeedbackFor(96).Count);
        Assert.Empty(video.FeedbackFor(97));
        // abs-send-time, transport-cc and mid with Chrome's ids; toffset, orientation, rid etc. dropped.
        Assert.Equal([(2, HeaderExtensionUris.AbsSendTime), (3, HeaderExtensionUris.TransportWideCc), (4, HeaderExtensionUris.Mid)],
            video.Extmaps.Select(e => (e.Id, e.Uri)));
    }

    [Fact]
    public void Chrome_AnswerTransportAttributes()
    {
        var answer = AnswerOk(SdpFixtures.ChromeOffer).Answer!;

        foreach (var m in answer.Media)
        {
            Assert.Equal(9, m.Port);
            Assert.Equal("UDP/TLS/RTP/SAVPF", m.Protocol);
            Assert.Equal(SdpConnection.Unspecified, m.Connection);
            Assert.Equal("sfuA", m.IceUfrag);
            Assert.Equal("SfuPasswordSfuPassword1234", m.IcePwd);
            Assert.Equal(new SdpFingerprint("sha-256", SdpFixtures.SfuFingerprint), m.Fingerprints.Single());
            Assert.Equal(SetupRole.Passive, m.Setup);
            Assert.Equal(MediaDirection.SendRecv, m.Direction);
            Assert.True(m.RtcpMux);
            Assert.True(m.RtcpReducedSize);
            Assert.Equal(2, m.Candidates.Count);
            Assert.Equal("passive", m.Candidates[1].TcpType);
            Assert.True(m.EndOfCandidates);
            Assert.Empty(m.Ssrcs);
        }
        Assert.Equal("4242424242", answer.Origin.SessionId);
        Assert.Equal("1", answer.Origin.SessionVersion);
    }

    [Fact]
    public void Chrome_NegotiatedSession()
    {
        var session = AnswerOk(SdpFixtures.ChromeOffer).Session!;

        Assert.Equal("Yq3U", session.RemoteIceUfrag);
        Assert.Equal("8Bv5mHnV4m1TJ8d3HqzC0b9J", session.RemoteIcePwd);
        Assert.False(session.RemoteIceLite);
        Assert.Equal(["trickle"], session.RemoteIceOptions);
        Assert.Equal(new SdpFingerprint("sha-256", SdpFixtures.ChromeFingerprint), session.RemoteFingerprint);
        Assert.Equal(SetupRole.ActPass, session.RemoteSetup);
        Assert.Equal(SetupRole.Passive, session.LocalSetup);
        Assert.Equal(DtlsRole.Server, session.LocalDtlsRole);
        Assert.Equal(["0", "1"], session.BundleMids);
        Assert.Equal(3, session.RemoteCandidates.Count);
        Assert.False(session.RemoteEndOfCandidates);
        Assert.True(session.ExtmapAllowMixed);
        Assert.Empty(session.Rejected);

        var audio = session.FindMedia("0")!;
        Assert.Equal(MediaKind.Audio, audio.Kind);
        Assert.Equal(0, audio.Index);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.True(audio.SfuReceives);
        Assert.True(audio.SfuSends);
        var opus = audio.Codecs.Single();
        Assert.Equal(111, opus.PayloadType);
        Assert.Equal("opus", opus.Name);
        Assert.Equal(48000, opus.ClockRate);
        Assert.Equal(2, opus.Channels);
        Assert.Equal("10", opus.Parameters["minptime"]);
        Assert.Equal("1", opus.RemoteParameters["useinbandfec"]);
        Assert.True(opus.HasFeedback("transport-cc"));
        Assert.False(opus.HasFeedback("nack"));
        Assert.Null(opus.RtxPayloadType);
        Assert.Equal(1, audio.HeaderExtensionId(HeaderExtensionUris.AudioLevel));
        Assert.Equal(4, audio.HeaderExtensionId(HeaderExtensionUris.Mid));
        Assert.Equal([new RemoteStream(1001234567, null, "k3Xn0H1q8D7pVtYw", "6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55", "a2b0c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d")], audio.RemoteStreams);
        Assert.Null(audio.BitrateCapKbps);
        Assert.True(audio.RtcpReducedSize);

        var video = session.FindMedia("1")!;
        Assert.Equal(["VP8", "H264", "VP9"], video.Codecs.Select(c => c.Name));
        Assert.Equal(new Dictionary<int, int> { [97] = 96, [107] = 106, [99] = 98 }, video.RtxPayloadTypes);
        Assert.Equal(107, video.FindCodec(106)!.RtxPayloadType);
        Assert.Equal("42e01f", video.FindCodec(106)!.RemoteParameters["profile-level-id"]);
        Assert.True(video.FindCodec(96)!.HasFeedback("nack", "pli"));
        Assert.True(video.FindCodec(96)!.HasFeedback("ccm", "fir"));
        Assert.True(video.FindCodec(96)!.HasFeedback("goog-remb"));
        Assert.Equal(0, video.HeaderExtensionId(HeaderExtensionUris.AudioLevel));
        Assert.Equal(3, video.HeaderExtensionId(HeaderExtensionUris.TransportWideCc));
        var stream = video.RemoteStreams.Single();
        Assert.Equal(2712358465u, stream.Ssrc);
        Assert.Equal(3919101263u, stream.RtxSsrc);
        Assert.Equal("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", stream.TrackId);
        Assert.Equal("FID", video.RemoteSsrcGroups.Single().Semantics);
        Assert.Equal("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", video.RemoteMsid!.TrackId);
    }

    [Fact]
    public void ChromeAudioOnly()
    {
        var result = AnswerOk(SdpFixtures.ChromeAudioOnlyOffer);

        Assert.Single(result.Answer!.Media);
        Assert.Equal(["0"], result.Answer.BundleGroup!.Mids);
        Assert.Equal(["111"], result.Answer.Media[0].Formats);
        Assert.Empty(result.Session!.RemoteCandidates);
        Assert.Equal("opus", result.Session.Media.Single().Codecs.Single().Name);
    }

    [Fact]
    public void Firefox()
    {
        var result = AnswerOk(SdpFixtures.FirefoxOffer);
        var session = result.Session!;

        Assert.Equal("4f8a2c1d", session.RemoteIceUfrag);
        Assert.Equal("b36d5c8a3f4e1c2b7a9d0e6f5a4b3c2d", session.RemoteIcePwd);
        // Firefox puts the fingerprint at session level only.
        Assert.StartsWith("A7:9E:AD", session.RemoteFingerprint.Value);
        Assert.False(session.ExtmapAllowMixed);
        Assert.False(result.Answer!.ExtmapAllowMixed);

        var audio = session.Media[0];
        Assert.Equal(109, audio.Codecs.Single().PayloadType);
        Assert.Equal("1", audio.Codecs.Single().RemoteParameters["stereo"]);
        Assert.Equal(new Dictionary<string, int> { [HeaderExtensionUris.AudioLevel] = 1, [HeaderExtensionUris.Mid] = 3 }, audio.HeaderExtensions);
        Assert.False(audio.RtcpReducedSize);
        Assert.False(result.Answer.Media[0].RtcpReducedSize);
        Assert.Equal(3184224312u, audio.RemoteStreams.Single().Ssrc);
        Assert.Equal("{0c7b8e1f-2a3d-4c5b-9e6f-7a8b9c0d1e2f}", audio.RemoteStreams.Single().StreamId);

        var video = session.Media[1];
        Assert.Equal([120, 121, 126], video.Codecs.Select(c => c.PayloadType));
        Assert.Equal(new Dictionary<int, int> { [124] = 120, [125] = 121, [127] = 126 }, video.RtxPayloadTypes);
        Assert.Equal(["120", "124", "121", "125", "126", "127"], result.Answer.Media[1].Formats);
        // VP9 without profile-id is profile 0, so it matches and gets profile-id=0 in the answer.
        Assert.Equal("profile-id=0", result.Answer.Media[1].FindFmtp(121)!.Parameters);
        Assert.Equal(new Dictionary<string, int>
        {
            [HeaderExtensionUris.Mid] = 3,
            [HeaderExtensionUris.AbsSendTime] = 4,
            [HeaderExtensionUris.TransportWideCc] = 7,
        }, video.HeaderExtensions);
        Assert.Equal(new RemoteStream(2105390000, 2105390001, "{c1f0a2b3-d4e5-4f6a-8b7c-9d0e1f2a3b4c}", "{0c7b8e1f-2a3d-4c5b-9e6f-7a8b9c0d1e2f}", "{9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d}"),
            video.RemoteStreams.Single());
    }

    [Fact]
    public void ObsWhip_SendonlyOfferGetsRecvonlyAnswer()
    {
        var result = AnswerOk(SdpFixtures.ObsWhipOffer, SdpFixtures.Options(audioCap: 128));
        var answer = result.Answer!;
        var session = result.Session!;

        Assert.Equal(["0", "1"], answer.BundleGroup!.Mids);
        Assert.Single(answer.Groups);
        Assert.All(answer.Media, m => Assert.Equal(MediaDirection.RecvOnly, m.Direction));
        Assert.Equal("Hn2L", session.RemoteIceUfrag);
        Assert.Equal(["ice2,trickle"], session.RemoteIceOptions);
        Assert.True(session.RemoteEndOfCandidates);
        Assert.Equal(2, session.RemoteCandidates.Count);
        Assert.Equal(DtlsRole.Server, session.LocalDtlsRole);

        var audio = session.Media[0];
        Assert.True(audio.SfuReceives);
        Assert.False(audio.SfuSends);
        Assert.Equal("96000", audio.Codecs.Single().RemoteParameters["maxaveragebitrate"]);
        Assert.Equal("128000", audio.Codecs.Single().Parameters["maxaveragebitrate"]);
        Assert.Equal(new RemoteStream(2891446401, null, "obs-Wq7dNf2k", "obs-stream", "obs-audio"), audio.RemoteStreams.Single());

        var h264 = session.Media[1].Codecs.Single();
        Assert.Equal(96, h264.PayloadType);
        Assert.Null(h264.RtxPayloadType);
        Assert.Empty(session.Media[1].RtxPayloadTypes);
        Assert.Equal(["nack", "nack pli", "goog-remb"], h264.Feedback.Select(f => f.Parameter is null ? f.Type : $"{f.Type} {f.Parameter}"));
        Assert.Empty(session.Media[1].HeaderExtensions);
        Assert.Equal(["96"], answer.Media[1].Formats);
    }

    [Fact]
    public void DataChannel_IsRejectedWithPortZeroAndLeavesTheBundleGroup()
    {
        var result = AnswerOk(SdpFixtures.ChromeOfferWithDataChannel);
        var answer = result.Answer!;

        Assert.Equal(3, answer.Media.Count);
        var rejected = answer.Media[2];
        Assert.Equal(0, rejected.Port);
        Assert.Equal("application", rejected.Media);
        Assert.Equal("UDP/DTLS/SCTP", rejected.Protocol);
        Assert.Equal(["webrtc-datachannel"], rejected.Formats);
        Assert.Equal("2", rejected.Mid);
        Assert.Empty(rejected.Candidates);
        Assert.Null(rejected.IceUfrag);
        Assert.Equal(["0", "1"], answer.BundleGroup!.Mids);
        Assert.Contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\n", result.AnswerSdp);
        Assert.Equal(new RejectedMedia(2, "2", "application", "media 'application' is not supported"), result.Session!.Rejected.Single());
        Assert.Equal(2, result.Session.Media.Count);
    }

    [Fact]
    public void DataChannelAsTaggedSection_NextAcceptedMidLeadsTheAnswerGroup()
    {
        var offer = Offer(SdpFixtures.ChromeOfferWithDataChannel);
        var app = offer.Media[2];
        offer.Media.RemoveAt(2);
        offer.Media.Insert(0, app);
        offer.Groups[0] = new SdpGroup("BUNDLE", ["2", "0", "1"]);

        var result = SdpAnswerer.Answer(offer, SdpFixtures.Options());

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(["0", "1"], result.Answer!.BundleGroup!.Mids);
        Assert.Equal(0, result.Answer.Media[0].Port);
        Assert.Equal("Yq3U", result.Session!.RemoteIceUfrag);
        Assert.Equal(1, result.Session.FindMedia("0")!.Index);
    }

    [Fact]
    public void VideoWithOnlyUnsupportedCodecs_IsRejected()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        var video = offer.Media[1];
        video.Formats = ["45", "46", "116", "118"];

        var result = SdpAnswerer.Answer(offer, SdpFixtures.Options());

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(0, result.Answer!.Media[1].Port);
        Assert.Equal(["45", "46", "116", "118"], result.Answer.Media[1].Formats);
        Assert.Equal(["0"], result.Answer.BundleGroup!.Mids);
        Assert.Equal("no codec in common with the SFU", result.Session!.Rejected.Single().Reason);
        Assert.Single(result.Session.Media);
    }

    [Fact]
    public void StoppedTransceiverAndSectionOutsideBundle_AreRejected()
    {
        var offer = Offer(SdpFixtures.ChromeOfferWithDataChannel);
        offer.Media[1].Port = 0;
        offer.Groups[0] = new SdpGroup("BUNDLE", ["0"]);
        offer.Media[2].Media = "video";
        offer.Media[2].Protocol = "UDP/TLS/RTP/SAVPF";

        var result = SdpAnswerer.Answer(offer, SdpFixtures.Options());

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(["rejected by the offerer (port 0)", "not in the BUNDLE group"], result.Session!.Rejected.Select(r => r.Reason));
    }

    [Fact]
    public void NonDtlsProtocol_IsRejected()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Media[1].Protocol = "RTP/AVP";

        var result = SdpAnswerer.Answer(offer, SdpFixtures.Options());

        Assert.True(result.IsSuccess);
        Assert.Equal("protocol 'RTP/AVP' is not DTLS-SRTP", result.Session!.Rejected.Single().Reason);
    }

    private static string H264Offer(params (int Pt, string Fmtp)[] codecs)
    {
        var lines = new List<string>
        {
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
            $"m=video 9 UDP/TLS/RTP/SAVPF {string.Join(' ', codecs.Select(c => c.Pt))}",
            "c=IN IP4 0.0.0.0", "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
            $"a=fingerprint:sha-256 {SdpFixtures.ChromeFingerprint}", "a=setup:actpass", "a=mid:0", "a=recvonly", "a=rtcp-mux",
        };
        foreach (var (pt, fmtp) in codecs)
        {
            lines.Add($"a=rtpmap:{pt} H264/90000");
            lines.Add($"a=fmtp:{pt} {fmtp}");
        }
        return string.Join("\r\n", lines) + "\r\n";
    }

    [Fact]
    public void H264_PrefersTheExactProfileLevelIdAndDropsOtherProfiles()
    {
        string offer = H264Offer(
            (100, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"), // Baseline
            (101, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034"), // CB level 5.2
            (102, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"), // CB, mode 0
            (103, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"), // CB 3.1, mode 1
            (104, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f")); // High

        var video = AnswerOk(offer).Answer!.Media[0];

        Assert.Equal(["103"], video.Formats);
        Assert.Equal(MediaDirection.SendOnly, video.Direction);
    }

    [Fact]
    public void H264_OtherConstrainedBaselineLevelIsAcceptedAndItsLevelEchoed()
    {
        string offer = H264Offer(
            (100, "packetization-mode=1;profile-level-id=4de01f"),  // Main with constraint_set0: constrained baseline
            (101, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034"));

        var video = AnswerOk(offer).Answer!.Media[0];

        Assert.Equal(["101"], video.Formats);
        Assert.Equal("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034", video.FindFmtp(101)!.Parameters);
    }

    [Fact]
    public void H264_HighProfileOnlyWhenTheCapabilityAsksForIt()
    {
        string offer = H264Offer((104, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f"));
        Assert.Equal(NegotiationError.NoUsableMedia, SdpAnswerer.Answer(offer, SdpFixtures.Options()).Error);

        var high = new MediaCapabilities { Codecs = [CodecCapability.H264("640c1f")], HeaderExtensions = MediaCapabilities.Default.HeaderExtensions };
        var video = AnswerOk(offer, SdpFixtures.Options(capabilities: high)).Answer!.Media[0];
        Assert.Equal(["104"], video.Formats);
    }

    [Fact]
    public void AudioCap_GoesIntoOpusFmtpAndBandwidthLines()
    {
        var result = AnswerOk(SdpFixtures.ChromeOffer, SdpFixtures.Options(audioCap: 32));
        var audio = result.Answer!.Media[0];
        var video = result.Answer.Media[1];

        Assert.Equal("minptime=10;useinbandfec=1;maxaveragebitrate=32000", audio.FindFmtp(111)!.Parameters);
        Assert.Equal([new SdpBandwidth("AS", 32), new SdpBandwidth("TIAS", 32000)], audio.Bandwidths);
        Assert.Empty(video.Bandwidths);
        Assert.Contains("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\nb=AS:32\r\nb=TIAS:32000\r\n", result.AnswerSdp);
        Assert.Contains("a=fmtp:111 minptime=10;useinbandfec=1;maxaveragebitrate=32000\r\n", result.AnswerSdp);
        Assert.Equal(32, result.Session!.Media[0].BitrateCapKbps);
        Assert.Equal("32000", result.Session.Media[0].Codecs[0].Parameters["maxaveragebitrate"]);
        Assert.Null(result.Session.Media[1].BitrateCapKbps);
    }

    [Fact]
    public void VideoCap_GoesIntoVideoBandwidthLinesOnly()
    {
        var result = AnswerOk(SdpFixtures.ChromeOffer, SdpFixtures.Options(videoCap: 1500));

        Assert.Equal([new SdpBandwidth("AS", 1500), new SdpBandwidth("TIAS", 1500000)], result.Answer!.Media[1].Bandwidths);
        Assert.Empty(result.Answer.Media[0].Bandwidths);
        Assert.DoesNotContain("maxaveragebitrate", result.AnswerSdp);
        Assert.Equal(1500, result.Session!.Media[1].BitrateCapKbps);
    }

    [Theory]
    [InlineData(1, 6000)]
    [InlineData(6, 6000)]
    [InlineData(64, 64000)]
    [InlineData(510, 510000)]
    [InlineData(2000, 510000)]
    public void OpusMaxAverageBitrate_IsClampedToTheRangeLibwebrtcAccepts(int capKbps, int expectedBps)
    {
        var answer = AnswerOk(SdpFixtures.ChromeAudioOnlyOffer, SdpFixtures.Options(audioCap: capKbps)).Answer!;

        Assert.Equal(expectedBps.ToString(), answer.Media[0].FindFmtp(111)!.ParseParameters().Get("maxaveragebitrate"));
        Assert.Equal(capKbps * 1000L, answer.Media[0].Bandwidths.Single(b => b.Type == "TIAS").Value);
    }

    [Fact]
    public void OpusParameters_CanBeConfigured()
    {
        var caps = MediaCapabilities.Default.WithOpusParameters("minptime=10;useinbandfec=1;stereo=0;usedtx=1");

        var answer = AnswerOk(SdpFixtures.ChromeAudioOnlyOffer, SdpFixtures.Options(audioCap: 24, capabilities: caps)).Answer!;

        Assert.Equal("minptime=10;useinbandfec=1;stereo=0;usedtx=1;maxaveragebitrate=24000", answer.Media[0].FindFmtp(111)!.Parameters);
    }

    [Theory]
    [InlineData(MediaDirection.SendRecv, null, MediaDirection.SendRecv)]
    [InlineData(MediaDirection.SendRecv, MediaDirection.RecvOnly, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.SendRecv, MediaDirection.SendOnly, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.SendRecv, MediaDirection.Inactive, MediaDirection.Inactive)]
    [InlineData(MediaDirection.SendOnly, null, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.SendOnly, MediaDirection.Inactive)]
    [InlineData(MediaDirection.RecvOnly, null, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.RecvOnly, MediaDirection.RecvOnly, MediaDirection.Inactive)]
    [InlineData(MediaDirection.Inactive, null, MediaDirection.Inactive)]
    public void Direction_IsTheOfferMirroredAndIntersectedWithTheCallerChoice(
        MediaDirection offered, MediaDirection? wanted, MediaDirection expected)
    {
        var offer = Offer(SdpFixtures.ChromeAudioOnlyOffer);
        offer.Media[0].Direction = offered;
        var directions = wanted is MediaDirection w ? new Dictionary<string, MediaDirection> { ["0"] = w } : null;

        var result = SdpAnswerer.Answer(offer, SdpFixtures.Options(directions: directions));

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(expected, result.Answer!.Media[0].Direction);
        Assert.Equal(expected, result.Session!.Media[0].Direction);
    }

    [Fact]
    public void OutgoingStreams_AreAnnouncedWithSsrcLinesAndFidGroup()
    {
        var streams = new Dictionary<string, OutgoingStream>
        {
            ["0"] = new(11111111, 22222222, "sfu-cname", "room-7", "alice-audio"),
            ["1"] = new(33333333, 44444444, "sfu-cname", "room-7", "alice-video"),
        };

        var result = AnswerOk(SdpFixtures.ChromeOffer, SdpFixtures.Options(streams: streams));
        var audio = result.Answer!.Media[0];
        var video = result.Answer.Media[1];

        Assert.Equal([new SdpMsid("room-7", "alice-audio")], audio.Msids);
        // Audio has no RTX negotiated: the RTX SSRC is not announced.
        Assert.Empty(audio.SsrcGroups);
        Assert.Equal([new SdpSsrcAttribute(11111111, "cname", "sfu-cname"), new SdpSsrcAttribute(11111111, "msid", "room-7 alice-audio")], audio.Ssrcs);
        Assert.Contains(
            "a=ssrc-group:FID 33333333 44444444\r\n" +
            "a=ssrc:33333333 cname:sfu-cname\r\na=ssrc:33333333 msid:room-7 alice-video\r\n" +
            "a=ssrc:44444444 cname:sfu-cname\r\na=ssrc:44444444 msid:room-7 alice-video\r\n",
            video.ToString());
        Assert.Equal(["room-7"], result.Answer.MsidSemantic!.Identifiers);
        Assert.Equal(new OutgoingStream(11111111, null, "sfu-cname", "room-7", "alice-audio"), result.Session!.Media[0].LocalStreams.Single());
        Assert.Equal(new OutgoingStream(33333333, 44444444, "sfu-cname", "room-7", "alice-video"), result.Session.Media[1].LocalStreams.Single());
    }

    [Theory]
    [InlineData(SetupRole.Active, SetupRole.Passive, DtlsRole.Server)]
    [InlineData(SetupRole.Passive, SetupRole.Active, DtlsRole.Client)]
    public void Setup_FollowsRfc5763(SetupRole offered, SetupRole expectedLocal, DtlsRole expectedRole)
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        foreach (var m in offer.Media) m.Setup = offered;

        var result = SdpAnswerer.Answer(offer, SdpFixtures.Options());

        Assert.True(result.IsSuccess, result.ToString());
        Assert.All(result.Answer!.Media, m => Assert.Equal(expectedLocal, m.Setup));
        Assert.Equal(offered, result.Session!.RemoteSetup);
        Assert.Equal(expectedLocal, result.Session.LocalSetup);
        Assert.Equal(expectedRole, result.Session.LocalDtlsRole);
    }

    [Fact]
    public void Setup_MissingMeansActiveSoTheSfuIsPassive()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        foreach (var m in offer.Media) m.Setup = null;

        var session = SdpAnswerer.Answer(offer, SdpFixtures.Options()).Session!;

        Assert.Equal(SetupRole.Active, session.RemoteSetup);
        Assert.Equal(DtlsRole.Server, session.LocalDtlsRole);
    }

    [Fact]
    public void Setup_ActPassWithActivePreference_MakesTheSfuTheDtlsClient()
    {
        var options = new AnswerOptions { Transport = SdpFixtures.SfuTransport(), SetupWhenOfferActPass = SetupRole.Active };

        var result = AnswerOk(SdpFixtures.ChromeOffer, options);

        Assert.Equal(SetupRole.Active, result.Answer!.Media[0].Setup);
        Assert.Equal(DtlsRole.Client, result.Session!.LocalDtlsRole);
    }

    [Fact]
    public void Fingerprint_Sha256IsPreferredAmongSeveral()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        var sha1 = new SdpFingerprint("sha-1", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33");
        foreach (var m in offer.Media) m.Fingerprints.Insert(0, sha1);

        var session = SdpAnswerer.Answer(offer, SdpFixtures.Options()).Session!;

        Assert.Equal("sha-256", session.RemoteFingerprint.Algorithm);
        Assert.Equal(2, session.RemoteFingerprints.Count);
    }

    [Fact]
    public void ExtmapDirection_IsMirrored()
    {
        var offer = Offer(SdpFixtures.ChromeAudioOnlyOffer);
        offer.Media[0].Extmaps[2] = offer.Media[0].Extmaps[2] with { Direction = MediaDirection.SendOnly };

        var answer = AnswerOk(offer.ToString()).Answer!;

        Assert.Equal(new SdpExtmap(3, MediaDirection.RecvOnly, HeaderExtensionUris.TransportWideCc, null), answer.Media[0].Extmaps[2]);
    }

    [Fact]
    public void ExtmapAllowMixed_NotEchoedWhenDisabled()
    {
        var options = new AnswerOptions { Transport = SdpFixtures.SfuTransport(), AllowMixedExtmap = false };

        var result = AnswerOk(SdpFixtures.ChromeOffer, options);

        Assert.False(result.Answer!.ExtmapAllowMixed);
        Assert.False(result.Session!.ExtmapAllowMixed);
    }

    [Fact]
    public void WildcardFeedbackInOffer_IsAnsweredPerPayloadType()
    {
        var offer = Offer(SdpFixtures.ObsWhipOffer);
        offer.Media[1].RtcpFeedbacks = [new SdpRtcpFeedback(null, "nack", null), new SdpRtcpFeedback(null, "ccm", "fir"), new SdpRtcpFeedback(null, "x-unknown", null)];

        var answer = SdpAnswerer.Answer(offer, SdpFixtures.Options()).Answer!;

        Assert.Equal([new SdpRtcpFeedback(96, "nack", null), new SdpRtcpFeedback(96, "ccm", "fir")], answer.Media[1].RtcpFeedbacks);
    }

    [Theory]
    [MemberData(nameof(SdpFixtures.AllOffers), MemberType = typeof(SdpFixtures))]
    public void Answer_RoundTripsThroughTheParserAndIsAValidAnswerToTheOffer(string name, string offerText)
    {
        var result = AnswerOk(offerText, SdpFixtures.Options(audioCap: 40, videoCap: 2000));
        string text = result.AnswerSdp!;

        var reparsed = SessionDescription.Parse(text);
        Assert.True(reparsed.IsSuccess, $"{name}: {reparsed.Error}");
        Assert.Equal(text, reparsed.Value.ToString());
        Assert.All(text.Split("\r\n")[..^1], line => Assert.Matches("^[a-z]=", line));

        // Seen from the browser: apply our answer to its own offer with the offerer logic.
        var browserView = SdpOfferer.ApplyAnswer(Offer(offerText), text);
        Assert.True(browserView.IsSuccess, $"{name}: {browserView}");
        var browser = browserView.Session!;
        var sfu = result.Session!;
        Assert.Equal("sfuA", browser.RemoteIceUfrag);
        Assert.Equal(SdpFixtures.SfuFingerprint, browser.RemoteFingerprint.Value);
        Assert.True(browser.RemoteIceLite);
        Assert.NotEqual(sfu.LocalDtlsRole, browser.LocalDtlsRole);
        Assert.Equal(sfu.BundleMids, browser.BundleMids);
        Assert.Equal(sfu.Media.Count, browser.Media.Count);
        for (int i = 0; i < sfu.Media.Count; i++)
        {
            Assert.Equal(sfu.Media[i].Mid, browser.Media[i].Mid);
            Assert.Equal(sfu.Media[i].Codecs.Select(c => c.PayloadType), browser.Media[i].Codecs.Select(c => c.PayloadType));
            Assert.Equal(sfu.Media[i].RtxPayloadTypes, browser.Media[i].RtxPayloadTypes);
            Assert.Equal(sfu.Media[i].HeaderExtensions, browser.Media[i].HeaderExtensions);
            Assert.Equal(sfu.Media[i].Direction, browser.Media[i].Direction.Reverse());
        }
    }

    // ---- error paths ----

    [Fact]
    public void Error_MalformedOffer()
    {
        AssertFails(SdpAnswerer.Answer("hello", SdpFixtures.Options()), NegotiationError.MalformedSdp, "offer is not valid SDP: line 1");
        AssertFails(SdpAnswerer.Answer((string?)null, SdpFixtures.Options()), NegotiationError.MalformedSdp, "null");
    }

    [Fact]
    public void Error_NoBundle()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Groups.Clear();

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MissingBundle, "a=group:BUNDLE");
    }

    [Fact]
    public void Error_EmptyBundle()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Groups[0] = new SdpGroup("BUNDLE", []);

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MissingBundle, "BUNDLE");
    }

    [Fact]
    public void Error_BundleNamesUnknownMid()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Groups[0] = new SdpGroup("BUNDLE", ["0", "1", "7"]);

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.InvalidBundle, "mid '7'");
    }

    [Fact]
    public void Error_BundleNamesMidTwice()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Groups[0] = new SdpGroup("BUNDLE", ["0", "1", "0"]);

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.InvalidBundle, "twice");
    }

    [Fact]
    public void Error_DuplicateMid()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Media[1].Mid = "0";

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.InvalidBundle, "mid '0' is used by more than one");
    }

    [Fact]
    public void Error_SectionWithoutRtcpMux()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Media[1].RtcpMux = false;

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MissingRtcpMux, "m-section 1 (mid '1') lacks a=rtcp-mux");
    }

    [Fact]
    public void Error_NoIceCredentials()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        foreach (var m in offer.Media) m.IceUfrag = null;

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MissingIceCredentials, "ice-ufrag");
    }

    [Fact]
    public void Error_NoIcePassword()
    {
        var offer = Offer(SdpFixtures.ObsWhipOffer);
        offer.IcePwd = null;

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MissingIceCredentials, "ice-pwd");
    }

    [Theory]
    [InlineData("abc", "8Bv5mHnV4m1TJ8d3HqzC0b9J")]
    [InlineData("Yq3U", "tooshort")]
    [InlineData("Yq-U", "8Bv5mHnV4m1TJ8d3HqzC0b9J")]
    public void Error_MalformedIceCredentials(string ufrag, string pwd)
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Media[0].IceUfrag = ufrag;
        offer.Media[0].IcePwd = pwd;

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MalformedIceCredentials, "ice-ufrag");
    }

    [Fact]
    public void Error_NoFingerprint()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        foreach (var m in offer.Media) m.Fingerprints.Clear();

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MissingFingerprint, "no a=fingerprint");
    }

    [Fact]
    public void Error_OnlyUnsupportedFingerprintHash()
    {
        var offer = Offer(SdpFixtures.FirefoxOffer);
        offer.Fingerprints[0] = new SdpFingerprint("md5", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MissingFingerprint, "supported hash");
    }

    [Theory]
    [InlineData("8C:0D:6F")]
    [InlineData("8C0D6F7F68FD1D79973456430BDC83AEA7CC9B10C0F796890BF0FF950F816AC1")]
    [InlineData("ZZ:0D:6F:7F:68:FD:1D:79:97:34:56:43:0B:DC:83:AE:A7:CC:9B:10:C0:F7:96:89:0B:F0:FF:95:0F:81:6A:C1")]
    public void Error_MalformedFingerprint(string value)
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Media[0].Fingerprints[0] = new SdpFingerprint("sha-256", value);

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.MalformedFingerprint, "sha-256");
    }

    [Fact]
    public void Error_SetupHoldConn()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Media[0].Setup = SetupRole.HoldConn;

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.InvalidSetupRole, "holdconn");
    }

    [Fact]
    public void Error_NoUsableAudioOrVideo_OnlyUnsupportedCodecs()
    {
        var offer = Offer(SdpFixtures.ChromeAudioOnlyOffer);
        offer.Media[0].Formats = ["0", "8"];

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.NoUsableMedia, "m-section 0: no codec in common");
    }

    [Fact]
    public void Error_NoUsableAudioOrVideo_OnlyDataChannel()
    {
        var offer = Offer(SdpFixtures.ChromeOfferWithDataChannel);
        offer.Media.RemoveRange(0, 2);
        offer.Groups[0] = new SdpGroup("BUNDLE", ["2"]);

        AssertFails(SdpAnswerer.Answer(offer, SdpFixtures.Options()), NegotiationError.NoUsableMedia, "media 'application' is not supported");
    }

    [Fact]
    public void Error_TooManyMediaSections()
    {
        var options = new AnswerOptions { Transport = SdpFixtures.SfuTransport(), MaxMediaSections = 1 };

        AssertFails(SdpAnswerer.Answer(SdpFixtures.ChromeOffer, options), NegotiationError.TooManyMediaSections, "2 m-sections; at most 1");
    }

    [Fact]
    public void BundleOnlySection_WithPortZeroIsAccepted()
    {
        var offer = Offer(SdpFixtures.ChromeOffer);
        offer.Media[1].Port = 0;
        offer.Media[1].BundleOnly = true;

        var result = SdpAnswerer.Answer(offer, SdpFixtures.Options());

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(9, result.Answer!.Media[1].Port);
        Assert.Equal(["0", "1"], result.Session!.BundleMids);
    }

    public static TheoryData<string, string> BadLocalParameters => new()
    {
        { "ufrag", "local ice-ufrag" },
        { "pwd", "local ice-pwd" },
        { "fingerprint", "local fingerprint" },
        { "candidate", "local candidate 1 is malformed" },
        { "audio-cap", "audio bitrate cap must be positive" },
        { "video-cap", "video bitrate cap must be positive" },
        { "direction-mid", "direction given for mid 'x'" },
        { "stream-mid", "outgoing stream given for mid 'x'" },
        { "stream-cname", "cname must be non-empty" },
        { "stream-rtx", "RTX SSRC equals the primary SSRC" },
        { "setup", "SetupWhenOfferActPass" },
    };

    [Theory]
    [MemberData(nameof(BadLocalParameters))]
    public void Error_InvalidLocalParameters(string what, string message)
    {
        var good = SdpFixtures.SfuTransport();
        var stream = new OutgoingStream(1, 2, "c", "s", "t");
        var options = what switch
        {
            "ufrag" => new AnswerOptions { Transport = new LocalTransportParameters { IceUfrag = "a:b", IcePwd = good.IcePwd, Fingerprint = good.Fingerprint } },
            "pwd" => new AnswerOptions { Transport = new LocalTransportParameters { IceUfrag = good.IceUfrag, IcePwd = "short", Fingerprint = good.Fingerprint } },
            "fingerprint" => new AnswerOptions { Transport = new LocalTransportParameters { IceUfrag = good.IceUfrag, IcePwd = good.IcePwd, Fingerprint = new("sha-256", "AB:CD") } },
            "candidate" => new AnswerOptions { Transport = SdpFixtures.SfuTransport("candidate:1 1 udp 1 1.2.3.4 9 typ host", "candidate:oops") },
            "audio-cap" => SdpFixtures.Options(audioCap: 0),
            "video-cap" => SdpFixtures.Options(videoCap: -5),
            "direction-mid" => SdpFixtures.Options(directions: new Dictionary<string, MediaDirection> { ["x"] = MediaDirection.Inactive }),
            "stream-mid" => SdpFixtures.Options(streams: new Dictionary<string, OutgoingStream> { ["x"] = stream }),
            "stream-cname" => SdpFixtures.Options(streams: new Dictionary<string, OutgoingStream> { ["0"] = stream with { Cname = "" } }),
            "stream-rtx" => SdpFixtures.Options(streams: new Dictionary<string, OutgoingStream> { ["0"] = stream with { RtxSsrc = 1 } }),
            "setup" => new AnswerOptions { Transport = good, SetupWhenOfferActPass = SetupRole.ActPass },
            _ => throw new ArgumentException(what),
        };

        AssertFails(SdpAnswerer.Answer(SdpFixtures.ChromeOffer, options), NegotiationError.InvalidLocalParameters, message);
    }

    [Fact]
    public void Error_OutgoingStreamOnSectionTheSfuCannotSendOn()
    {
        var streams = new Dictionary<string, OutgoingStream> { ["1"] = new(5, null, "c", "s", "t") };

        AssertFails(SdpAnswerer.Answer(SdpFixtures.ObsWhipOffer, SdpFixtures.Options(streams: streams)),
            NegotiationError.InvalidLocalParameters, "the answer is recvonly there");
    }

    [Fact]
    public void Error_OutgoingStreamOnRejectedSection()
    {
        var streams = new Dictionary<string, OutgoingStream> { ["2"] = new(5, null, "c", "s", "t") };

        AssertFails(SdpAnswerer.Answer(SdpFixtures.ChromeOfferWithDataChannel, SdpFixtures.Options(streams: streams)),
            NegotiationError.InvalidLocalParameters, "that m-section is rejected");
    }
}
