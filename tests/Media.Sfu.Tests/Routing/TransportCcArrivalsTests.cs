using Media.Sfu.Rtcp;
using Media.Sfu.Routing;

namespace Media.Sfu.Tests.Routing;

public sealed class TransportCcArrivalsTests
{
    private const uint Sender = 0x11223344, Media = 0x55667788;

    private static List<TransportCcPacketStatus> ParseAll(ReadOnlySpan<byte> compound, out int packets)
    {
        var list = new List<TransportCcPacketStatus>();
        packets = 0;
        if (compound.IsEmpty) return list;
        var reader = new RtcpCompoundReader(compound, allowPaddingOnAnyPacket: true);
        while (reader.TryReadNext(out _, out var packet))
        {
            Assert.True(TransportCcFeedback.TryParse(packet, out var feedback));
            foreach (var s in feedback.Packets) list.Add(s);
            packets++;
        }
        Assert.Equal(RtcpCompoundError.None, reader.Error);
        return list;
    }

    [Fact]
    public void Feedback_bytes_for_a_hand_computed_sequence_with_wrap_loss_and_reordering()
    {
        var arrivals = new TransportCcArrivals(extensionId: 3);
        arrivals.OnPacket(65534, 1_000_000);
        arrivals.OnPacket(65535, 1_000_500);
        arrivals.OnPacket(0, 1_001_000);     // wraps
        arrivals.OnPacket(2, 1_003_000);     // 1 is missing
        arrivals.OnPacket(4, 1_004_000);     // 4 before 3
        arrivals.OnPacket(3, 1_004_250);
        arrivals.OnPacket(3, 1_009_000);     // duplicate: the first arrival counts

        var buffer = new byte[1200];
        var length = arrivals.TryWriteFeedback(buffer, Sender, Media, out var packets);

        // V=2 P=1 FMT=15 PT=205 length 7 | SSRCs | base 65534, 7 statuses, reference 15 × 64 ms, count 0
        // chunk D516: 2-bit vector small small small none small small large
        // deltas (250 µs ticks from 960 ms): 160, 2, 2, 8 (seq 2), 5 (seq 3), −1 (seq 4, large) | padding 00 00 03
        Assert.Equal(1, packets);
        Assert.Equal("AFCD0007" + "11223344" + "55667788" + "FFFE" + "0007" + "00000F" + "00" + "D516" + "A0020208" + "05FFFF" + "000003",
            Convert.ToHexString(buffer, 0, length));

        var statuses = ParseAll(buffer.AsSpan(0, length), out _);
        Assert.Equal(new ushort[] { 65534, 65535, 0, 1, 2, 3, 4 }, statuses.Select(s => s.SequenceNumber));
        Assert.False(statuses[3].Received);
        Assert.Equal(new long[] { 1_000_000, 1_000_500, 1_001_000, 1_003_000, 1_004_250, 1_004_000 },
            statuses.Where(s => s.Received).Select(s => s.ArrivalTimeUs));

        // 1 arrives after it was reported missing: too late, ignored. The next feedback starts after 4 and counts on.
        arrivals.OnPacket(1, 1_010_000);
        Assert.Equal(1, arrivals.LatePackets);
        Assert.Equal(0, arrivals.TryWriteFeedback(buffer, Sender, Media, out packets));
        arrivals.OnPacket(5, 1_100_000);
        length = arrivals.TryWriteFeedback(buffer, Sender, Media, out packets);
        Assert.True(TransportCcFeedback.TryParse(buffer.AsSpan(0, length), out var next));
        Assert.Equal(5, next.BaseSequenceNumber);
        Assert.Equal(1, next.PacketStatusCount);
        Assert.Equal(1, next.FeedbackPacketCount);
        Assert.Equal(2, arrivals.FeedbackPacketsWritten);
    }

    [Fact]
    public void Nothing_pending_writes_nothing()
    {
        var arrivals = new TransportCcArrivals(3);
        Assert.Equal(0, arrivals.TryWriteFeedback(new byte[100], Sender, Media, out var packets));
        Assert.Equal(0, packets);
    }

    [Fact]
    public void A_backlog_longer_than_the_ring_keeps_the_newest_packets()
    {
        var arrivals = new TransportCcArrivals(3);
        for (var i = 0; i < TransportCcArrivals.Capacity + 500; i++) arrivals.OnPacket((ushort)i, 1_000_000 + i * 100L);
        var buffer = new byte[65536];
        var length = arrivals.TryWriteFeedback(buffer, Sender, Media, out _);
        var statuses = ParseAll(buffer.AsSpan(0, length), out _);
        Assert.Equal(TransportCcArrivals.Capacity, statuses.Count(s => s.Received));
        Assert.Equal((ushort)500, statuses[0].SequenceNumber);
    }

    [Fact]
    public void Recording_and_writing_do_not_allocate()
    {
        var arrivals = new TransportCcArrivals(3);
        var buffer = new byte[1200];
        arrivals.OnPacket(0, 0);
        arrivals.TryWriteFeedback(buffer, Sender, Media, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 100; round++)
        {
            for (var i = 0; i < 30; i++) arrivals.OnPacket((ushort)(1 + round * 30 + i), round * 100_000L + i * 3000);
            arrivals.TryWriteFeedback(buffer, Sender, Media, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Random streams (losses, reordering, duplicates, the 16-bit wrap, feedback at random moments and into random
    /// buffer sizes): every feedback parses, stays inside its buffer, reports each packet at most once with its first
    /// arrival floored to 250 µs, and reports everything when the buffer is large enough.
    /// </summary>
    [Fact]
    public void Randomized_streams_round_trip_through_feedback()
    {
        var random = new Random(20261121);
        for (var trial = 0; trial < 300; trial++)
        {
            var arrivals = new TransportCcArrivals(5);
            long ext = random.Next(0, 65536) + 65536L * random.Next(0, 3);
            long now = random.NextInt64(0, 100_000_000_000); // within the 24-bit reference time (~12 days)
            var firstArrival = new Dictionary<long, long>();
            var reported = new Dictionary<long, long>();
            long unreportedFrom = long.MinValue;
            var sent = new List<(long Ext, long At)>();
            var bigBuffer = random.Next(2) == 0;
            for (var step = 0; step < 400; step++)
            {
                ext += random.Next(10) == 0 ? random.Next(2, 6) : 1; // gaps = losses
                now += random.Next(0, 30_000);
                sent.Add((ext, now));
                if (random.Next(8) == 0 && sent.Count >= 2) // swap the last two: reordering
                    (sent[^1], sent[^2]) = ((sent[^2].Ext, sent[^1].At), (sent[^1].Ext, sent[^2].At));
                if (random.Next(20) == 0) sent.Add(sent[^1] with { At = now + 1000 }); // duplicate
                if (random.Next(25) != 0 && step != 399) continue;

                foreach (var (e, at) in sent)
                {
                    arrivals.OnPacket((ushort)e, at);
                    if (unreportedFrom == long.MinValue) unreportedFrom = e;
                    if (e >= unreportedFrom) firstArrival.TryAdd(e, at);
                }
                sent.Clear();
                var buffer = new byte[bigBuffer ? 65536 : random.Next(0, 300)];
                var length = arrivals.TryWriteFeedback(buffer, Sender, Media, out var packets);
                Assert.InRange(length, 0, buffer.Length);
                var statuses = ParseAll(buffer.AsSpan(0, length), out var parsed);
                Assert.Equal(packets, parsed);
                foreach (var s in statuses.Where(s => s.Received))
                {
                    // Map the 16-bit number back to the pending range.
                    var e = unreportedFrom + (ushort)(s.SequenceNumber - (ushort)unreportedFrom);
                    Assert.True(firstArrival.TryGetValue(e, out var at), $"trial {trial}: {e} reported but not sent");
                    Assert.True(reported.TryAdd(e, s.ArrivalTimeUs), $"trial {trial}: {e} reported twice");
                    Assert.Equal(Math.Floor(at / 250.0) * 250, s.ArrivalTimeUs);
                }
                if (bigBuffer)
                    foreach (var e in firstArrival.Keys.Where(k => k >= unreportedFrom))
                        Assert.True(reported.ContainsKey(e), $"trial {trial}: {e} never reported");
                if (firstArrival.Count > 0) unreportedFrom = Math.Max(unreportedFrom, firstArrival.Keys.Max() + 1);
            }
        }
    }
}
