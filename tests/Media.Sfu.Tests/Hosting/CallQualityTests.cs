using Media.Sfu.Hosting;
using Media.Sfu.Quality;
using Media.Sfu.Rtcp;
using Media.Sfu.Rtp;
using Media.Sfu.Sdp;
using Media.Sfu.Tests.Native;
using Media.Sfu.Tests.Quality;
using static Media.Sfu.Tests.Hosting.SfuNodeHarness;

namespace Media.Sfu.Tests.Hosting;

/// <summary>
/// The quality path through a real node (loopback sockets, real negotiation and transports that never connect):
/// packets and RTCP are handed to the room's router as the transport would after SRTP.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class CallQualityTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    [Fact]
    public void Room_caps_are_written_into_the_answer()
    {
        using var h = new SfuNodeHarness();
        h.Node.OpenRoom("capped", ["a", "b"], new CallMediaPolicy(AudioCapKbps: 24, VideoCapKbps: 500));
        var (_, answer) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "capped");

        Assert.True(SessionDescription.TryParse(answer, out var sdp, out _));
        var audio = sdp!.Media.Single(m => m.Mid == "0");
        var video = sdp.Media.Single(m => m.Mid == "1");
        Assert.Equal([new SdpBandwidth("AS", 24), new SdpBandwidth("TIAS", 24000)], audio.Bandwidths);
        Assert.Equal([new SdpBandwidth("AS", 500), new SdpBandwidth("TIAS", 500000)], video.Bandwidths);
        Assert.Equal("minptime=10;useinbandfec=1;maxaveragebitrate=24000", audio.FindFmtp(111)!.Parameters);
        Assert.Contains("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\nb=AS:24\r\nb=TIAS:24000\r\n", answer);
        Assert.DoesNotContain("maxaveragebitrate", video.Fmtps.Select(f => f.Parameters).Aggregate("", string.Concat));

        // No policy, or not a call: no caps.
        h.Node.OpenRoom("free", ["a", "b"]);
        var (_, free) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "free");
        var (_, echo) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Echo);
        foreach (var text in new[] { free, echo })
        {
            Assert.DoesNotContain("b=AS", text);
            Assert.DoesNotContain("b=TIAS", text);
            Assert.DoesNotContain("maxaveragebitrate", text);
        }
    }

    [Fact]
    public void Transport_cc_is_recorded_only_where_negotiated_and_enabled()
    {
        using (var h = new SfuNodeHarness())
        {
            var room = h.Node.OpenRoom("r", ["a"]);
            var (a, _) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
            Assert.Equal(TransportCcId, room.Router.TransportCcOf(a.Transport)!.ExtensionId);
            // Without the extension in the offer there is nothing to report on.
            var withoutCc = OfferA.Replace("a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n", "");
            var (plain, _) = h.Node.CreateSession("a", withoutCc, SfuSessionMode.Echo);
            Assert.Null(plain.Router.TransportCcOf(plain.Transport));
        }
        using (var off = new SfuNodeHarness(o => o.SendTransportCc = false))
        {
            var room = off.Node.OpenRoom("r", ["a"]);
            var (a, _) = off.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
            Assert.Null(room.Router.TransportCcOf(a.Transport));
        }
    }

    [Fact]
    public void An_invalid_policy_is_refused_and_an_open_room_keeps_its_policy()
    {
        using var h = new SfuNodeHarness();
        var e = Assert.Throws<SfuException>(() => h.Node.OpenRoom("r", ["a"], new CallMediaPolicy(AudioCapKbps: 2)));
        Assert.Equal(400, e.StatusCode);
        var room = h.Node.OpenRoom("r", ["a"], new CallMediaPolicy(AudioCapKbps: 32));
        Assert.Same(room, h.Node.OpenRoom("r", ["a"], new CallMediaPolicy(AudioCapKbps: 64)));
        Assert.Equal(32, room.Policy!.AudioCapKbps);
    }

    [Fact]
    public void Incoming_audio_is_measured_and_policed_over_its_cap()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"], new CallMediaPolicy(AudioCapKbps: 24, OverCap: OverCapPolicy.DropOverBudget));
        var (a, _) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");

        // 10 s of 64 kbps Opus (160-byte payloads every 20 ms) against a 24 kbps cap.
        for (var i = 0; i < 500; i++)
        {
            room.Router.OnRtp(a.Transport, MediaPacket(111, (ushort)(1000 + i), (uint)(i * 960), AudioSsrcA, 160, (ushort)i));
            h.Clock.Advance(Frame);
        }

        var stream = h.Node.Quality().Rooms.Single().Participants.Single(p => p.UserId == "a").Incoming.Single(s => s.Kind == "audio");
        Assert.Equal(AudioSsrcA, stream.Ssrc);
        Assert.Equal("opus", stream.Codec);
        Assert.Equal(48000, stream.ClockRate);
        Assert.Equal(500, stream.Packets);
        Assert.Equal(64_000, stream.BitrateBps);
        Assert.Equal(500 * 160, stream.PayloadBytes);
        Assert.Equal(500 * (160 + 12 + 8), stream.Bytes); // header 12 + one-byte extension block 8
        Assert.Equal(24, stream.CapKbps);
        Assert.Equal(1, stream.CapViolations);
        Assert.True(stream.OverCap);
        // From 3 s on, only cap + 10 % passes: about 26.4 kbps of the 64.
        // The budget drained before 3 s; 7 s × 3300 B/s passes ~144 of the 350 later packets.
        Assert.InRange(stream.PacketsDroppedOverCap, 200, 212);
        Assert.Equal(500, room.Router.TransportCcOf(a.Transport)!.PacketsRecorded);

        // Plain records: they serialize as they are, enums as text.
        var json = System.Text.Json.JsonSerializer.Serialize(h.Node.Quality());
        Assert.Contains("\"OverCap\":\"DropOverBudget\"", json);
        Assert.Contains("\"CapViolations\":1", json);
        Assert.Contains("\"State\":\"absent\"", json);

        var metrics = PrometheusTextParser.Parse(h.Node.RenderMetrics());
        Assert.Equal(1, metrics.Value("sfu_bitrate_cap_violations_total", ("kind", "audio")));
        Assert.Equal(stream.PacketsDroppedOverCap, metrics.Value("sfu_packets_dropped_over_cap_total", ("kind", "audio")));
        Assert.Equal(500, metrics.Value("sfu_stream_packets_total", ("direction", "in"), ("kind", "audio")));
        Assert.Equal(1, metrics.Value("sfu_streams", ("direction", "in"), ("kind", "audio")));
    }

    [Fact]
    public void Loss_and_jitter_of_incoming_streams_reach_the_score()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        var (a, _) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
        ushort twcc = 0;

        void Second(int lossEvery, int firstIndex)
        {
            for (var i = firstIndex; i < firstIndex + 50; i++)
            {
                if (lossEvery > 0 && i % lossEvery == 0) { h.Clock.Advance(Frame); continue; }
                room.Router.OnRtp(a.Transport, MediaPacket(111, (ushort)(65300 + i), (uint)(i * 960), AudioSsrcA, 80, twcc++)); // wraps
                h.Clock.Advance(Frame);
            }
            room.Router.SendReports(); // closes the interval, as the node's housekeeping does each second
        }

        Second(0, 0);
        Second(0, 50);
        var clean = h.Node.Quality().Rooms.Single();
        var cleanStream = clean.Participants[0].Incoming.Single(s => s.Kind == "audio");
        Assert.Equal(0, cleanStream.FractionLost);
        Assert.Equal(0, cleanStream.CumulativeLost);
        Assert.Equal(0, cleanStream.JitterMs, 6); // arrival spacing = timestamp spacing
        Assert.Equal(QualityLevel.Good, clean.Score!.Level);
        Assert.Equal("absent", clean.Participants.Single(p => p.UserId == "b").State);
        Assert.Equal("new", clean.Participants.Single(p => p.UserId == "a").State);

        // Now every 10th packet lost (10 %) for 5 intervals, across the 16-bit wrap.
        for (var s = 2; s < 7; s++) Second(10, s * 50);
        var lossy = h.Node.Quality().Rooms.Single();
        var stream = lossy.Participants.Single(p => p.UserId == "a").Incoming.Single(s => s.Kind == "audio");
        Assert.Equal(0.1, stream.FractionLost, 9);
        Assert.Equal(25, stream.CumulativeLost);
        Assert.Equal(0.1, stream.RecentLossFraction, 9);
        Assert.Equal(250, stream.RecentExpected);
        Assert.Equal(0.1, lossy.Score!.LossFraction, 9);
        Assert.Equal(QualityLevel.Fair, lossy.Score.Level);

        var metrics = PrometheusTextParser.Parse(h.Node.RenderMetrics());
        Assert.Equal(7, metrics.Value("sfu_stream_loss_ratio_count", ("direction", "in")));
        Assert.Equal(2, metrics.Value("sfu_stream_loss_ratio_bucket", ("direction", "in"), ("le", "0")));
        Assert.Equal(0.5, metrics.Value("sfu_stream_loss_ratio_sum", ("direction", "in")), 9);
        Assert.Equal(1, metrics.Value("sfu_calls", ("quality", "fair")));
    }

    [Fact]
    public void Hand_computed_sequence_with_wrap_reordering_duplicates_and_a_dropout()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        var (a, _) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
        ushort twcc = 0;
        IncomingStreamQuality Interval(params int[] sequence)
        {
            foreach (var seq in sequence)
            {
                room.Router.OnRtp(a.Transport, MediaPacket(111, (ushort)seq, (uint)seq * 960, AudioSsrcA, 40, twcc++));
                h.Clock.Advance(Frame);
            }
            room.Router.SendReports();
            return h.Node.Quality().Rooms.Single().Participants.Single(p => p.UserId == "a").Incoming.Single(s => s.Kind == "audio");
        }

        // 65533 is probation (RFC 3550 A.1, MIN_SEQUENTIAL 2): counting starts at 65534. Wrap, 2 before 1, 1 twice.
        var first = Interval(65533, 65534, 65535, 0, 2, 1, 1, 3);
        Assert.Equal(0, first.FractionLost);
        Assert.Equal(0, first.CumulativeLost);
        Assert.Equal(1, first.DuplicatePackets);
        Assert.Equal(8, first.Packets);

        // 4 and 8 lost; 4007 jumps by 4000 ≥ MAX_DROPOUT (3000): not counted, and 9 goes on from 7.
        var second = Interval(5, 6, 7, 4007, 9, 10);
        Assert.Equal(2 / 7.0, second.FractionLost, 12);
        Assert.Equal(2, second.CumulativeLost);
        Assert.Equal(2 / 13.0, second.RecentLossFraction, 12);

        // The sender restarts at 20000: two sequential packets after a dropout re-sync the statistics (A.1).
        var third = Interval(20000, 20001, 20002, 20003, 20004, 20005, 20006, 20007, 20008, 20009, 20010);
        Assert.Equal(0, third.FractionLost);
        Assert.Equal(0, third.CumulativeLost);
    }

    [Fact]
    public void Jitter_in_milliseconds_uses_the_codec_clock_rate()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        var (a, _) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
        // Timestamps 20 ms apart; arrivals (after the probation packet) at 0, 20, 45, 60, 80 ms.
        // A.8: D = 0, +5 ms, −5 ms, 0 (×48 units/ms) → J = 240/16 = 15 → 15 + (240 − 15)/16 = 29.0625 → 29.0625·15/16.
        var gaps = new[] { 20, 0, 20, 25, 15, 20 };
        for (var i = 0; i < gaps.Length; i++)
        {
            h.Clock.Advance(TimeSpan.FromMilliseconds(gaps[i]));
            room.Router.OnRtp(a.Transport, MediaPacket(111, (ushort)(100 + i), (uint)(i * 960), AudioSsrcA, 40, (ushort)i));
        }
        var stream = h.Node.Quality().Rooms.Single().Participants.Single(p => p.UserId == "a").Incoming.Single(s => s.Kind == "audio");
        Assert.Equal(29.0625 * 15 / 16 / 48, stream.JitterMs, 9);
    }

    [Fact]
    public void Receiver_reports_give_the_downlink_view_rtt_and_keyframe_and_nack_counts()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        var (a, answerA) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
        var (b, _) = h.Node.CreateSession("b", OfferB, SfuSessionMode.Call, "r");
        var audioToA = AnnouncedSsrc(answerA, "0");
        var videoToA = AnnouncedSsrc(answerA, "1");

        // A says about the audio we send it: 26/256 lost, jitter 960 (20 ms at 48 kHz), and it got our SR 1 s ago,
        // held it 0.95 s → RTT = 0.05 s (3277/65536 s).
        var now = NtpTime.ToCompact(NtpTime.FromDateTime(h.Clock.GetUtcNow().UtcDateTime));
        var buffer = new byte[1200];
        Assert.True(RtcpReceiverReport.TryWrite(buffer, AudioSsrcA,
            [new ReportBlock(audioToA, 26, 50, 1000, 960, now - 65536, 65536 - 3277)], out var n));
        room.Router.OnRtcp(a.Transport, buffer.AsSpan(0, n));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        now = NtpTime.ToCompact(NtpTime.FromDateTime(h.Clock.GetUtcNow().UtcDateTime));
        // The next one inside A's SR (as Chrome sends them): 100 more expected, 10 more lost.
        Assert.True(RtcpSenderReport.TryWrite(buffer, AudioSsrcA, new RtcpSenderInfo(1, 2, 3, 4),
            [new ReportBlock(audioToA, 25, 60, 1100, 960, now - 65536, 65536 - 3277)], out n));
        room.Router.OnRtcp(a.Transport, buffer.AsSpan(0, n));

        // PLI, FIR and a NACK for three packets about the video we send A (fed by B's camera).
        var offset = 0;
        Assert.True(new PictureLossIndication(VideoSsrcA, videoToA).TryWrite(buffer, out n)); offset += n;
        Assert.True(FullIntraRequest.TryWrite(buffer.AsSpan(offset), VideoSsrcA, [new FirEntry(videoToA, 1)], out n)); offset += n;
        Assert.True(GenericNack.TryWrite(buffer.AsSpan(offset), VideoSsrcA, videoToA, [100, 101, 105], out n)); offset += n;
        room.Router.OnRtcp(a.Transport, buffer.AsSpan(0, offset));

        var participant = h.Node.Quality().Rooms.Single().Participants.Single(p => p.UserId == "a");
        var audio = participant.Outgoing.Single(s => s.Mid == "0");
        Assert.Equal(audioToA, audio.Ssrc);
        Assert.Equal("b", audio.SourceUserId);
        Assert.Equal(25 / 256.0, audio.ReceiverFractionLost);
        Assert.Equal(60, audio.ReceiverCumulativeLost);
        Assert.Equal(20.0, audio.ReceiverJitterMs!.Value, 9);
        Assert.Equal(50.0, audio.RoundTripTimeMs!.Value, 1);
        Assert.Equal(0.1, audio.ReceiverRecentLossFraction, 9);
        Assert.Equal(100, audio.ReceiverRecentExpected);
        Assert.Equal(50.0, participant.RoundTripTimeMs!.Value, 1);
        Assert.Equal(0.1, participant.Score!.LossFraction, 9);
        Assert.Equal(20.0, participant.Score.JitterMs, 9);

        var video = participant.Outgoing.Single(s => s.Mid == "1");
        Assert.Equal(1, video.PliReceived);
        Assert.Equal(1, video.FirReceived);
        Assert.Equal(3, video.NacksReceived);
        Assert.Equal(3, video.RetransmissionsMissed); // nothing cached: B sent no video
        Assert.Null(video.ReceiverFractionLost);

        var metrics = PrometheusTextParser.Parse(h.Node.RenderMetrics());
        Assert.Equal(2, metrics.Value("sfu_round_trip_time_seconds_count"));
        Assert.Equal(0, metrics.Value("sfu_round_trip_time_seconds_bucket", ("le", "0.05"))); // 50.003 ms
        Assert.Equal(2, metrics.Value("sfu_round_trip_time_seconds_bucket", ("le", "0.1")));
        Assert.Equal(0.1, metrics.Value("sfu_round_trip_time_seconds_sum"), 3);
        Assert.Equal(2, metrics.Value("sfu_stream_jitter_seconds_count", ("direction", "out")));
        Assert.Equal(1, metrics.Value("sfu_pli_received_total"));
        Assert.Equal(1, metrics.Value("sfu_fir_received_total"));
        Assert.Equal(3, metrics.Value("sfu_nacks_received_total", ("kind", "video")));
        Assert.Equal(2, metrics.Value("sfu_streams", ("direction", "out"), ("kind", "video")));
        Assert.Equal(1, metrics.Value("sfu_rooms"));
        Assert.Equal(2, metrics.Value("sfu_transports"));
        GC.KeepAlive(b);
    }

    [Fact]
    public void Counters_never_go_down_when_participants_leave_and_rooms_close()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        var (a, answerA) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
        var (b, _) = h.Node.CreateSession("b", OfferB, SfuSessionMode.Call, "r");
        for (var i = 0; i < 100; i++)
        {
            room.Router.OnRtp(a.Transport, MediaPacket(111, (ushort)i, (uint)(i * 960), AudioSsrcA, 100, (ushort)i));
            room.Router.OnRtp(b.Transport, MediaPacket(111, (ushort)i, (uint)(i * 960), AudioSsrcB, 100, (ushort)i));
            h.Clock.Advance(Frame);
        }
        var buffer = new byte[100];
        Assert.True(new PictureLossIndication(VideoSsrcA, AnnouncedSsrc(answerA, "1")).TryWrite(buffer, out var n));
        room.Router.OnRtcp(a.Transport, buffer.AsSpan(0, n));
        room.Router.SendReports();

        var before = Counters(h.Node.RenderMetrics());
        Assert.Equal(200, before["sfu_stream_packets_total{direction=in,kind=audio}"]);
        Assert.Equal(1, before["sfu_pli_received_total{}"]);
        Assert.Equal(2, before["sfu_stream_loss_ratio_count{direction=in}"]);

        h.Node.CloseSession(b.Id);
        var afterLeave = Counters(h.Node.RenderMetrics());
        h.Node.CloseRoom("r");
        var afterClose = Counters(h.Node.RenderMetrics());
        foreach (var (series, value) in before)
        {
            Assert.True(afterLeave[series] >= value, $"{series} went down when B left: {value} → {afterLeave[series]}");
            Assert.True(afterClose[series] >= afterLeave[series], $"{series} went down when the room closed");
        }
        Assert.Equal(200, afterClose["sfu_stream_packets_total{direction=in,kind=audio}"]);
        Assert.Equal(1, afterClose["sfu_pli_received_total{}"]);
        var gauges = PrometheusTextParser.Parse(h.Node.RenderMetrics());
        Assert.Equal(0, gauges.Value("sfu_transports"));
        Assert.Equal(0, gauges.Value("sfu_streams", ("direction", "in"), ("kind", "audio")));
    }

    [Fact]
    public void The_packet_path_with_measurement_policing_and_feedback_does_not_allocate()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"], new CallMediaPolicy(24, 300, OverCapPolicy.DropOverBudget));
        var (a, answerA) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
        var (b, _) = h.Node.CreateSession("b", OfferB, SfuSessionMode.Call, "r");
        var packets = Enumerable.Range(0, 3000).Select(i => i % 3 == 0
            ? MediaPacket(111, (ushort)i, (uint)i * 960, AudioSsrcA, 160, (ushort)i)
            : MediaPacket(96, (ushort)i, (uint)i * 3000, VideoSsrcA, 1100, (ushort)i)).ToArray();
        var rtcp = new byte[200];
        Assert.True(RtcpReceiverReport.TryWrite(rtcp, AudioSsrcA, [new ReportBlock(AnnouncedSsrc(answerA, "0"), 3, 7, 900, 100, 5, 6)], out var n));
        Assert.True(GenericNack.TryWrite(rtcp.AsSpan(n), AudioSsrcA, AnnouncedSsrc(answerA, "1"), [5, 6], out var m));
        var compound = rtcp[..(n + m)];

        void Run(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                room.Router.OnRtp(a.Transport, packets[i]);
                room.Router.OnRtp(b.Transport, packets[i]); // unknown SSRC on B: still recorded for transport-cc
                if (i % 50 == 0)
                {
                    room.Router.OnRtcp(a.Transport, compound);
                    room.Router.SendTransportFeedback();
                }
                h.Clock.Advance(TimeSpan.FromMilliseconds(7));
            }
        }

        Run(0, 1000); // warm-up: JIT, first-use allocations
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(1000, 3000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(room.Router.TransportCcOf(b.Transport)!.PacketsRecorded >= 3000);
    }

    /// <summary>Every counter sample and histogram count/bucket, by name and labels.</summary>
    private static Dictionary<string, double> Counters(string exposition)
    {
        var result = new Dictionary<string, double>();
        foreach (var family in PrometheusTextParser.Parse(exposition))
        {
            if (family.Type is not ("counter" or "histogram")) continue;
            foreach (var s in family.Samples)
                result[s.Name + "{" + string.Join(",", s.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")) + "}"] = s.Value;
        }
        return result;
    }
}
