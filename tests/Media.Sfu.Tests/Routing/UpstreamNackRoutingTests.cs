using System.Text.RegularExpressions;
using Media.Sfu.Hosting;
using Media.Sfu.Rtcp;
using Media.Sfu.Routing;
using Media.Sfu.Rtp;
using Media.Sfu.Tests.Hosting;
using Media.Sfu.Tests.Native;
using Media.Sfu.Tests.Quality;
using static Media.Sfu.Tests.Hosting.SfuNodeHarness;

namespace Media.Sfu.Tests.Routing;

/// <summary>
/// NACKs to publishers through a real node: two participants connected in memory (ICE, DTLS, SRTP), A publishes
/// video with holes, the feedback tick asks A for exactly those packets over SRTCP, and A's RTX reaches B.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class UpstreamNackRoutingTests
{
    private const byte Vp8 = 96, Rtx = 97; // SdpFixtures.ChromeOffer: a=rtpmap:97 rtx/90000, apt=96
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private sealed record NackSeen(uint Sender, uint Media, List<ushort> Lost);

    private static List<NackSeen> Nacks(List<byte[]> compounds)
    {
        var found = new List<NackSeen>();
        foreach (var compound in compounds)
        {
            var reader = new RtcpCompoundReader(compound, allowPaddingOnAnyPacket: true);
            while (reader.TryReadNext(out var header, out var packet))
            {
                if (header.PacketType != RtcpPacketType.TransportFeedback || header.Count != RtcpFeedbackFormat.GenericNack) continue;
                Assert.True(GenericNack.TryParse(packet, out var nack));
                var lost = new List<ushort>();
                foreach (var s in nack.LostSequenceNumbers) lost.Add(s);
                found.Add(new NackSeen(nack.SenderSsrc, nack.MediaSsrc, lost));
            }
            Assert.Equal(RtcpCompoundError.None, reader.Error);
        }
        return found;
    }

    private static List<(ushort Sequence, byte[] Payload)> VideoAt(InMemoryPeer peer, uint ssrc)
    {
        var seen = new List<(ushort, byte[])>();
        foreach (var rtp in peer.Receive().Rtp)
            if (RtpPacket.TryParse(rtp, out var p) && p.Ssrc == ssrc) seen.Add((p.SequenceNumber, p.Payload.ToArray()));
        return seen;
    }

    private static byte[] RtxOf(byte[] original, ushort rtxSequence)
    {
        var buffer = new byte[1600];
        Assert.True(RtxPayloadFormat.TryWrap(original, buffer, RtxSsrcA, Rtx, rtxSequence, out var length));
        return buffer[..length];
    }

    [Fact]
    public void The_node_asks_within_its_nack_interval_without_waiting_for_housekeeping()
    {
        using var h = new SfuNodeHarness(o => o.UpstreamNackMilliseconds = 20);
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        using var a = new InMemoryPeer(h, "a", OfferA, "r", 40001);
        using var b = new InMemoryPeer(h, "b", OfferB, "r", 40002);
        a.Connect();
        b.Connect();
        a.Receive();
        ushort twcc = 0;
        for (ushort seq = 500; seq < 506; seq++)
        {
            if (seq != 503) a.SendRtp(MediaPacket(Vp8, seq, seq * 3000u, VideoSsrcA, 900, twcc++));
            h.Clock.Advance(2 * Ms);
        }
        // Only the node's 20 ms timer fires (not the 100 ms housekeeping): the NACK for 503 goes out.
        h.Clock.Advance(12 * Ms);
        h.Clock.FireTimers(TimeSpan.FromMilliseconds(20));
        Assert.Equal([503], Assert.Single(Nacks(a.Receive().Rtcp)).Lost);
        Assert.Equal(1, room.Router.Producers.Single(p => p.Ssrc == VideoSsrcA).UpstreamNacksSent);
    }

    [Fact]
    public void The_publisher_is_asked_for_exactly_its_lost_packets_and_their_retransmission_reaches_the_receiver()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        using var a = new InMemoryPeer(h, "a", OfferA, "r", 40001);
        using var b = new InMemoryPeer(h, "b", OfferB, "r", 40002);
        a.Connect();
        b.Connect();
        var producer = room.Router.Producers.Single(p => p.Ssrc == VideoSsrcA);
        Assert.NotNull(producer.LossTracker);
        Assert.Null(room.Router.Producers.Single(p => p.Ssrc == AudioSsrcA).LossTracker); // audio: no NACK
        var videoToB = AnnouncedSsrc(b.Answer, "1");

        var originals = new Dictionary<ushort, byte[]>();
        ushort twcc = 0;
        for (ushort seq = 1000; seq < 1010; seq++)
        {
            originals[seq] = MediaPacket(Vp8, seq, seq * 3000u, VideoSsrcA, 900, twcc++);
            if (seq is not (1003 or 1004 or 1007)) a.SendRtp(originals[seq]);
            h.Clock.Advance(2 * Ms);
        }
        a.Receive();
        Assert.Equal([1000, 1001, 1002, 1005, 1006, 1008, 1009], VideoAt(b, videoToB).Select(x => (int)x.Sequence));

        // The next feedback tick: one generic NACK, signed with the SFU's feedback SSRC, about A's video SSRC.
        h.Clock.Advance(15 * Ms);
        room.Router.SendTransportFeedback();
        var nack = Assert.Single(Nacks(a.Receive().Rtcp));
        Assert.Equal(AnnouncedSsrc(a.Answer, "0"), nack.Sender);
        Assert.Equal(VideoSsrcA, nack.Media);
        Assert.Equal([1003, 1004, 1007], nack.Lost);
        Assert.Equal(1, producer.UpstreamNacksSent);
        Assert.Equal(3, producer.UpstreamNackRequests);
        Assert.Equal(1, room.Router.UpstreamNacksSent);
        Assert.Empty(Nacks(b.Receive().Rtcp)); // the receiver is not asked anything

        // Within a round trip (unknown: 100 ms) nothing is asked again.
        h.Clock.Advance(50 * Ms);
        room.Router.SendTransportFeedback();
        Assert.Empty(Nacks(a.Receive().Rtcp));

        // A answers with RTX (RFC 4588) for 1003 and 1004: restored, forwarded to B, counted as recovered.
        a.SendRtp(RtxOf(originals[1003], 7));
        a.SendRtp(RtxOf(originals[1004], 8));
        Assert.Equal(2, producer.RetransmissionsReceived);
        Assert.Equal(2, producer.UpstreamRecovered);
        var repaired = VideoAt(b, videoToB);
        Assert.Equal([1003, 1004], repaired.Select(x => (int)x.Sequence));
        Assert.True(RtpPacket.TryParse(originals[1003], out var original));
        Assert.Equal(original.Payload.ToArray(), repaired[0].Payload);

        // A retransmission of a packet the SFU already has (a probe, or a second answer) is not sent to B again.
        a.SendRtp(RtxOf(originals[1003], 9));
        a.SendRtp(RtxOf(originals[1005], 10));
        Assert.Empty(VideoAt(b, videoToB));
        Assert.Equal(2, producer.UnrequestedRetransmissions);
        Assert.Contains("sfu_unrequested_retransmissions_total{kind=\"video\"} 2", h.Node.RenderMetrics());
        Assert.Equal(2, producer.UpstreamRecovered);

        // After the round trip only 1007 is asked again.
        h.Clock.Advance(60 * Ms);
        room.Router.SendTransportFeedback();
        Assert.Equal([1007], Assert.Single(Nacks(a.Receive().Rtcp)).Lost);
        Assert.Equal(4, producer.UpstreamNackRequests);

        // 1007 never comes: asked every round trip until it is 1 s old, then given up.
        var later = new List<ushort>();
        for (var i = 0; i < 60; i++)
        {
            h.Clock.Advance(20 * Ms);
            room.Router.SendTransportFeedback();
            foreach (var n in Nacks(a.Receive().Rtcp)) later.AddRange(n.Lost);
        }
        Assert.All(later, s => Assert.Equal(1007, s));
        Assert.InRange(later.Count, 7, 8); // every 100 ms from 145 ms until the age limit (≈ 1 s after detection)
        Assert.Equal(1, producer.UpstreamNackFailed);
        Assert.Equal(0, producer.LossTracker!.Count);
        Assert.Equal(4 + later.Count, producer.UpstreamNackRequests);
        Assert.Equal(2 + later.Count, producer.UpstreamNacksSent);

        var incoming = h.Node.Quality().Rooms.Single().Participants.Single(p => p.UserId == "a").Incoming.Single(s => s.Kind == "video");
        Assert.Equal(producer.UpstreamNacksSent, incoming.UpstreamNacksSent);
        Assert.Equal(producer.UpstreamNackRequests, incoming.UpstreamNackRequests);
        Assert.Equal(2, incoming.UpstreamRecovered);
        Assert.Equal(1, incoming.UpstreamNackFailed);
        Assert.Equal(0, incoming.UpstreamMissing);
        Assert.Equal(producer.UpstreamNacksSent,
            h.Node.Quality().Rooms.Single().Participants.Single(p => p.UserId == "a").Feedback.NacksSent);

        var metrics = PrometheusTextParser.Parse(h.Node.RenderMetrics());
        Assert.Equal(producer.UpstreamNacksSent, metrics.Value("sfu_upstream_nacks_sent_total", ("kind", "video")));
        Assert.Equal(producer.UpstreamNackRequests, metrics.Value("sfu_upstream_nack_requests_total", ("kind", "video")));
        Assert.Equal(2, metrics.Value("sfu_upstream_recovered_total", ("kind", "video")));
        Assert.Equal(1, metrics.Value("sfu_upstream_nack_failed_total", ("kind", "video")));
        Assert.Equal(0, metrics.Value("sfu_upstream_nacks_sent_total", ("kind", "audio")));

        // The counters outlive the participant.
        h.Node.CloseSession(a.Session.Id);
        metrics = PrometheusTextParser.Parse(h.Node.RenderMetrics());
        Assert.Equal(2, metrics.Value("sfu_upstream_recovered_total", ("kind", "video")));
        Assert.Equal(1, metrics.Value("sfu_upstream_nack_failed_total", ("kind", "video")));
    }

    [Fact]
    public void Without_nack_in_the_publishers_offer_nothing_is_tracked()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        var offer = Regex.Replace(OfferA, @"a=rtcp-fb:\d+ nack\r\n", "");
        Assert.Contains("nack pli", offer);
        var (_, answer) = h.Node.CreateSession("a", offer, SfuSessionMode.Call, "r");
        Assert.DoesNotMatch(@"a=rtcp-fb:\d+ nack\r\n", answer);
        Assert.All(room.Router.Producers, p => Assert.Null(p.LossTracker));

        // With it, the SFU answers nack and tracks the video stream only.
        var (_, withNack) = h.Node.CreateSession("b", OfferB, SfuSessionMode.Call, "r");
        Assert.Matches(@"a=rtcp-fb:96 nack\r\n", withNack);
        Assert.NotNull(room.Router.Producers.Single(p => p.Ssrc == VideoSsrcB).LossTracker);
        Assert.Null(room.Router.Producers.Single(p => p.Ssrc == AudioSsrcB).LossTracker);
    }

    [Fact]
    public void Before_the_transport_connects_missing_packets_expire_without_a_nack()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        var (a, _) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
        foreach (var seq in new ushort[] { 1, 2, 5 }) room.Router.OnRtp(a.Transport, MediaPacket(Vp8, seq, seq * 3000u, VideoSsrcA, 500, seq));
        var producer = room.Router.Producers.Single(p => p.Ssrc == VideoSsrcA);
        Assert.Equal(2, producer.LossTracker!.Count);
        h.Clock.Advance(TimeSpan.FromMilliseconds(500));
        room.Router.SendTransportFeedback();
        Assert.Equal(2, producer.LossTracker.Count);
        h.Clock.Advance(TimeSpan.FromMilliseconds(600));
        room.Router.SendTransportFeedback();
        Assert.Equal(0, producer.LossTracker.Count);
        Assert.Equal(2, producer.UpstreamNackFailed);
        Assert.Equal(0, producer.UpstreamNacksSent);
        Assert.Equal(0, producer.UpstreamNackRequests);
    }

    [Fact]
    public void A_restart_sized_gap_asks_the_publisher_for_a_keyframe()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        using var a = new InMemoryPeer(h, "a", OfferA, "r", 40011);
        a.Connect();
        var producer = room.Router.Producers.Single(p => p.Ssrc == VideoSsrcA);
        h.Clock.Advance(TimeSpan.FromSeconds(2)); // past the keyframe throttle
        a.SendRtp(MediaPacket(Vp8, 100, 0, VideoSsrcA, 500, 0));
        a.SendRtp(MediaPacket(Vp8, 5000, 3000, VideoSsrcA, 500, 1));
        Assert.Equal(0, producer.LossTracker!.Count); // 4899 missing: a restart, not loss
        Assert.Equal(1, producer.KeyframeRequestsSent);
        var (rtcp, _) = a.Receive();
        var plis = 0;
        foreach (var compound in rtcp)
        {
            var reader = new RtcpCompoundReader(compound, allowPaddingOnAnyPacket: true);
            while (reader.TryReadNext(out _, out var packet))
                if (PictureLossIndication.TryParse(packet, out var pli) && pli.MediaSsrc == VideoSsrcA) plis++;
        }
        Assert.Equal(1, plis);
    }

    [Fact]
    public void The_packet_path_with_upstream_nacks_and_retransmissions_does_not_allocate()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        using var a = new InMemoryPeer(h, "a", OfferA, "r", 40021);
        using var b = new InMemoryPeer(h, "b", OfferB, "r", 40022);
        a.Connect();
        b.Connect();
        a.Endpoint.Keep = false;
        b.Endpoint.Keep = false;
        var producer = room.Router.Producers.Single(p => p.Ssrc == VideoSsrcA);
        const int Count = 3000;
        var packets = new byte[Count][];
        var retransmissions = new byte[Count][];
        for (var i = 0; i < Count; i++)
        {
            packets[i] = MediaPacket(Vp8, (ushort)(60000 + i), (uint)i * 3000, VideoSsrcA, 1000, (ushort)i); // wraps
            retransmissions[i] = RtxOf(packets[i], (ushort)i);
        }

        void Run(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                if (i % 10 != 3) room.Router.OnRtp(a.Transport, packets[i]);     // 10 % lost on A's uplink
                if (i % 10 == 9 && i >= 16) room.Router.OnRtp(a.Transport, retransmissions[i - 16]); // A answers, later
                if (i % 5 == 0) room.Router.SendTransportFeedback();
                h.Clock.Advance(2 * Ms);
            }
        }

        Run(0, 1000); // warm-up: JIT, first-use allocations
        var nacksBefore = producer.UpstreamNacksSent;
        var sentToA = a.Endpoint.Count;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(1000, Count);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(producer.UpstreamNacksSent - nacksBefore >= 100, $"{producer.UpstreamNacksSent - nacksBefore} NACKs");
        Assert.True(a.Endpoint.Count - sentToA >= producer.UpstreamNacksSent - nacksBefore);
        Assert.Equal(Count / 10 - 1, producer.UpstreamRecovered); // all but the last hole were retransmitted
        Assert.True(b.Endpoint.Count >= Count * 9 / 10);
    }
}
