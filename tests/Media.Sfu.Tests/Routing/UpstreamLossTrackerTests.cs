using Media.Sfu.Rtcp;
using Media.Sfu.Routing;

namespace Media.Sfu.Tests.Routing;

public sealed class UpstreamLossTrackerTests
{
    private const long Ms = 1000; // the tracker's clock is in microseconds
    private const long Rtt = 100 * Ms;

    private static ushort[] Due(UpstreamLossTracker t, long nowUs, out int failed, long? rttUs = Rtt, int maxItems = 128)
    {
        var due = new ushort[512];
        var n = t.CollectDue(nowUs, t.RetryInterval(rttUs), due, maxItems, out failed);
        return due[..n];
    }

    private static ushort[] Due(UpstreamLossTracker t, long nowUs, long? rttUs = Rtt) => Due(t, nowUs, out _, rttUs);

    private static UpstreamLossTracker Feed(UpstreamNackSettings? settings, long nowUs, params int[] sequence)
    {
        var t = new UpstreamLossTracker(settings);
        foreach (var s in sequence) t.OnPacket((ushort)s, nowUs);
        return t;
    }

    [Fact]
    public void A_forward_gap_is_requested_on_the_first_pass_after_the_reorder_allowance()
    {
        var t = new UpstreamLossTracker();
        Assert.Equal(default, t.OnPacket(10, 0));
        Assert.Equal(default, t.OnPacket(11, 0));
        Assert.Equal(new UpstreamLossOutcome(2, false, 0, false), t.OnPacket(14, 0));
        Assert.Equal(2, t.Count);
        Assert.True(t.IsMissing(12));
        Assert.True(t.IsMissing(13));
        Assert.False(t.IsMissing(11));

        Assert.Empty(Due(t, 9 * Ms));               // within the 10 ms allowance: may still come reordered
        Assert.Equal([12, 13], Due(t, 10 * Ms));
        Assert.Empty(Due(t, 20 * Ms));              // asked; the next request waits a round trip
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void Gaps_across_the_sequence_wrap_are_tracked_in_order()
    {
        var t = Feed(null, 0, 65533, 65534, 1);
        Assert.Equal(65536L * 2 + 1, t.ExtendedHighestSequence); // started in cycle 1, now in cycle 2
        Assert.True(t.IsMissing(65535));
        Assert.True(t.IsMissing(0));
        Assert.Equal([65535, 0], Due(t, 50 * Ms));

        var buffer = new byte[64];
        Assert.True(GenericNack.TryWrite(buffer, 0x01020304, 0x0A0B0C0D, Due(t, 200 * Ms), out var n));
        // V=2 FMT=1 PT=205 length 3 | sender | media | PID 65535, BLP bit 0 (= 65535 + 1 = 0)
        Assert.Equal("81CD0003" + "01020304" + "0A0B0C0D" + "FFFF0001", Convert.ToHexString(buffer, 0, n));
    }

    [Fact]
    public void A_reordered_packet_within_the_allowance_is_never_requested()
    {
        var t = Feed(null, 0, 1, 2, 4);
        var outcome = t.OnPacket(3, 5 * Ms);
        Assert.True(outcome.Recovered);
        Assert.Equal(0, t.Count);
        Assert.Empty(Due(t, 6 * Ms));
        Assert.Empty(Due(t, 500 * Ms));
        // Arriving again it is a plain duplicate: not recovered twice.
        Assert.False(t.OnPacket(3, 7 * Ms).Recovered);
    }

    [Fact]
    public void Duplicates_create_no_gap_and_no_recovery()
    {
        var t = Feed(null, 0, 100, 101, 101, 102, 101, 100, 103);
        Assert.Equal(0, t.Count);
        Assert.Equal(65536L + 103, t.ExtendedHighestSequence);
        Assert.Equal(default, t.OnPacket(103, 0));
        Assert.Equal(default, t.OnPacket(102, 0, retransmission: true));
        Assert.Empty(Due(t, Ms * 1000));
    }

    [Fact]
    public void A_retransmission_removes_its_entry_and_counts_as_recovered()
    {
        var t = Feed(null, 0, 1, 5);
        Assert.Equal([2, 3, 4], Due(t, 20 * Ms));
        Assert.True(t.OnPacket(3, 40 * Ms, retransmission: true).Recovered);
        Assert.False(t.IsMissing(3));
        Assert.Equal(2, t.Count);
        Assert.Equal([2, 4], Due(t, 120 * Ms));
        // An RTX packet never moves the stream on, whatever number it carries.
        Assert.Equal(default, t.OnPacket(50, 130 * Ms, retransmission: true));
        Assert.Equal(65536L + 5, t.ExtendedHighestSequence);
        Assert.True(t.OnPacket(2, 140 * Ms, retransmission: true).Recovered);
        Assert.True(t.OnPacket(4, 140 * Ms).Recovered); // late original
        Assert.Equal(0, t.Count);
    }

    [Fact]
    public void Requests_repeat_every_round_trip_and_give_up_after_max_requests()
    {
        var t = Feed(null, 0, 1, 3);
        var requestTimes = new List<long>();
        var failedTotal = 0;
        for (var now = 0L; now <= 2000 * Ms; now += 10 * Ms)
        {
            if (Due(t, now, out var failed, rttUs: 60 * Ms) is [2]) requestTimes.Add(now / Ms);
            failedTotal += failed;
            if (failed > 0) Assert.Equal(0, t.Count);
        }
        // First at 10 ms, then every 60 ms; after the 10th request one more RTT, then dropped as failed (610 ms < 1 s).
        Assert.Equal([10, 70, 130, 190, 250, 310, 370, 430, 490, 550], requestTimes);
        Assert.Equal(1, failedTotal);
    }

    [Fact]
    public void Entries_older_than_max_age_are_given_up_and_short_rtts_use_the_floor()
    {
        var t = Feed(null, 0, 1, 3);
        var requests = 0;
        var failedAt = -1L;
        for (var now = 0L; now <= 1500 * Ms; now += 5 * Ms)
        {
            // RTT 1 ms: the 20 ms floor applies, so at most 10 requests fit before 200 ms … then give up after 220 ms.
            requests += Due(t, now, out var failed, rttUs: 1 * Ms).Length;
            if (failed > 0 && failedAt < 0) failedAt = now / Ms;
        }
        Assert.Equal(10, requests);
        Assert.Equal(210, failedAt); // 10th request at 190 ms, one floor interval later

        // With a long RTT the age limit ends it first: requests at 10, 410, 810 ms; dropped at 1000 ms.
        t = Feed(null, 0, 1, 3);
        var times = new List<long>();
        failedAt = -1;
        for (var now = 0L; now <= 1500 * Ms; now += 10 * Ms)
        {
            if (Due(t, now, out var failed, rttUs: 400 * Ms).Length > 0) times.Add(now / Ms);
            if (failed > 0 && failedAt < 0) failedAt = now / Ms;
        }
        Assert.Equal([10, 410, 810], times);
        Assert.Equal(1000, failedAt);
    }

    [Fact]
    public void Unknown_rtt_waits_the_default_round_trip()
    {
        var t = new UpstreamLossTracker();
        Assert.Equal(100 * Ms, t.RetryInterval(null));
        Assert.Equal(100 * Ms, t.RetryInterval(0));
        Assert.Equal(20 * Ms, t.RetryInterval(3 * Ms));
        Assert.Equal(250 * Ms, t.RetryInterval(250 * Ms));
        var custom = new UpstreamLossTracker(new UpstreamNackSettings(DefaultRoundTrip: TimeSpan.FromMilliseconds(70), MinRetryInterval: TimeSpan.FromMilliseconds(30)));
        Assert.Equal(70 * Ms, custom.RetryInterval(null));
        Assert.Equal(30 * Ms, custom.RetryInterval(5 * Ms));
    }

    [Fact]
    public void A_huge_forward_jump_resets_and_asks_for_a_keyframe()
    {
        var t = Feed(null, 0, 100, 103);
        Assert.Equal(2, t.Count);
        // A gap of exactly MaxGap (1000) is still loss; the table (1000) drops 101 and 102 to make room.
        var loss = t.OnPacket(1104, 0);
        Assert.Equal(new UpstreamLossOutcome(1000, false, 2, true), loss);
        Assert.Equal(1000, t.Count);
        Assert.False(t.IsMissing(102));
        Assert.True(t.IsMissing(103 + 1));
        // … 1001 missing is a restart: everything tracked is given up, nothing new tracked.
        var restart = t.OnPacket(2106, Ms);
        Assert.Equal(new UpstreamLossOutcome(0, false, 1000, true), restart);
        Assert.Equal(0, t.Count);
        Assert.Equal(65536L + 2106, t.ExtendedHighestSequence);
        Assert.Equal(new UpstreamLossOutcome(1, false, 0, false), t.OnPacket(2108, Ms));
    }

    [Fact]
    public void A_far_backward_jump_restarts_only_when_two_sequential_packets_confirm_it()
    {
        var t = Feed(null, 0, 30000, 30002);
        Assert.Equal(default, t.OnPacket(5, 0));         // a stray: ignored
        Assert.Equal(default, t.OnPacket(30003 - 1, 0));  // duplicate of 30002 clears nothing
        Assert.Equal(default, t.OnPacket(20000, 0));
        var restart = t.OnPacket(20001, 0);
        Assert.True(restart.KeyframeNeeded);
        Assert.Equal(1, restart.Failed);                  // 30001 given up
        Assert.Equal(0, t.Count);
        Assert.Equal(new UpstreamLossOutcome(1, false, 0, false), t.OnPacket(20003, 0));
        Assert.True(t.IsMissing(20002));
    }

    [Fact]
    public void A_full_table_drops_the_oldest_and_asks_for_a_keyframe()
    {
        var settings = new UpstreamNackSettings(Capacity: 10);
        var t = Feed(settings, 0, 0);
        var outcome = t.OnPacket(16, 0); // 1..15 missing, room for 10
        Assert.Equal(new UpstreamLossOutcome(15, false, 5, true), outcome);
        Assert.Equal(10, t.Count);
        for (var s = 1; s <= 5; s++) Assert.False(t.IsMissing((ushort)s));
        for (var s = 6; s <= 15; s++) Assert.True(t.IsMissing((ushort)s));
        Assert.Equal([6, 7, 8, 9, 10, 11, 12, 13, 14, 15], Due(t, 20 * Ms));
    }

    [Fact]
    public void Recovered_entries_free_their_room_before_anything_is_dropped()
    {
        var t = Feed(new UpstreamNackSettings(Capacity: 4), 0, 0, 5); // 1 2 3 4
        Assert.True(t.OnPacket(2, 0).Recovered);
        Assert.True(t.OnPacket(3, 0).Recovered);
        var outcome = t.OnPacket(8, 0);                                // 6 7 fit after compaction
        Assert.Equal(new UpstreamLossOutcome(2, false, 0, false), outcome);
        Assert.Equal([1, 4, 6, 7], Due(t, 20 * Ms));
        Assert.True(t.OnPacket(1, 30 * Ms).Recovered);                 // the head: trimmed at once
        Assert.True(t.OnPacket(7, 30 * Ms).Recovered);
        Assert.Equal(new UpstreamLossOutcome(2, false, 0, false), t.OnPacket(11, 40 * Ms)); // 9 10
        Assert.Equal(4, t.Count);
        Assert.Equal([9, 10], Due(t, 60 * Ms)); // 4 and 6 were asked at 20 ms: not again before 120 ms
        Assert.Equal([4, 6], Due(t, 130 * Ms));
    }

    [Fact]
    public void Numbers_skipped_by_a_codec_without_nack_are_not_tracked()
    {
        var t = new UpstreamLossTracker();
        t.OnPacket(1, 0);
        Assert.Equal(default, t.OnPacket(5, 0, trackGaps: false));
        Assert.Equal(0, t.Count);
        Assert.Equal(65536L + 5, t.ExtendedHighestSequence);
        Assert.Equal(1, t.OnPacket(7, 0).Missing);
    }

    [Fact]
    public void A_nack_packs_due_numbers_into_pid_blp_pairs_bit_exact()
    {
        // 99 then 117: 100…116 missing (PID 100 + all 16 BLP bits); 118 then 121: 119, 120 (19 after 100: a new pair,
        // 120 its bit 0); 121 then 140: 122…139, of which 122…135 are bits 2…15 of PID 119, 136 a new pair with 137…139.
        var t = Feed(null, 0, 99, 117, 118, 121, 140);
        var due = Due(t, 20 * Ms);
        Assert.Equal(17 + 2 + 18, due.Length);
        var buffer = new byte[100];
        Assert.True(GenericNack.TryWrite(buffer, 1, 0x2712358D, due, out var n));
        Assert.Equal("81CD0005" + "00000001" + "2712358D" + "0064FFFF" + "0077FFFD" + "00880007",
            Convert.ToHexString(buffer, 0, n));
        Assert.True(GenericNack.TryParse(buffer.AsSpan(0, n), out var nack));
        var lost = new List<int>();
        foreach (var s in nack.LostSequenceNumbers) lost.Add(s);
        Assert.Equal(due.Select(s => (int)s), lost);
    }

    [Fact]
    public void Numbers_beyond_the_item_budget_wait_for_the_next_pass()
    {
        // 0 then 100: 1…99 missing. Two PID/BLP pairs per NACK cover 17 numbers each.
        var t = Feed(null, 0, 0, 100);
        var first = Due(t, 20 * Ms, out _, maxItems: 2);
        Assert.Equal(Enumerable.Range(1, 34).Select(i => (ushort)i), first);
        var second = Due(t, 30 * Ms, out _, maxItems: 2);
        Assert.Equal(Enumerable.Range(35, 34).Select(i => (ushort)i), second);
        // A full destination stops too.
        var small = new ushort[5];
        Assert.Equal(5, t.CollectDue(40 * Ms, Rtt, small, 128, out _));
        Assert.Equal([69, 70, 71, 72, 73], small);
    }

    [Fact]
    public void Randomized_streams_never_overflow_and_never_request_a_received_number()
    {
        var rng = new Random(4585);
        long requestedAll = 0, recoveredAll = 0, failedAll = 0, keyframes = 0;
        for (var run = 0; run < 40; run++)
        {
            var settings = new UpstreamNackSettings(Capacity: rng.Next(1, 300), MaxGap: rng.Next(5, 400), MaxRequests: rng.Next(1, 12));
            var t = new UpstreamLossTracker(settings);
            var received = new HashSet<long>();
            long high = rng.Next(0, 65536);   // our own extended numbering of what is sent
            long now = 0;
            long missing = 0, recovered = 0, failed = 0;
            var sent = new List<long>();
            for (var step = 0; step < 4000; step++)
            {
                now += rng.Next(0, 3) * Ms;
                var r = rng.Next(100);
                long ext;
                var rtx = false;
                if (r < 60) ext = ++high;                                          // in order
                else if (r < 75) ext = high += rng.Next(2, 30);                    // loss
                else if (r < 77) ext = high += rng.Next(settings.MaxGap, 3000);    // a restart-sized jump
                else if (r < 90 && sent.Count > 0)
                {
                    // A retransmission or late copy of something sent; further back than MaxGap the tracker takes an
                    // original for a restart (by design), which a real sender never replays.
                    ext = sent[rng.Next(Math.Max(0, sent.Count - 300), sent.Count)];
                    rtx = rng.Next(2) == 0;
                    if (!rtx && high - ext > settings.MaxGap) ext = ++high;
                }
                else ext = high - rng.Next(0, Math.Min(40, settings.MaxGap));      // reordered / duplicate / never-sent old
                if (ext > high) high = ext;
                var outcome = t.OnPacket((ushort)ext, now, rtx);
                received.Add(ext);
                sent.Add(ext);
                missing += outcome.Missing;
                recovered += outcome.Recovered ? 1 : 0;
                failed += outcome.Failed;
                keyframes += outcome.KeyframeNeeded ? 1 : 0;
                Assert.InRange(t.Count, 0, t.Capacity);
                Assert.False(t.IsMissing((ushort)ext));

                if (step % 7 == 0)
                {
                    var due = Due(t, now, out var gaveUp, rttUs: rng.Next(0, 200) * Ms, maxItems: rng.Next(1, 20));
                    failed += gaveUp;
                    requestedAll += due.Length;
                    foreach (var seq in due)
                    {
                        var asked = high + (short)(seq - (ushort)high);
                        Assert.DoesNotContain(asked, received);
                        Assert.True(asked < high);
                    }
                }
                Assert.Equal(missing, recovered + failed + t.Count);
            }
            recoveredAll += recovered;
            failedAll += failed;
        }
        // Every path was taken: requests, recoveries, give-ups and overflows or restarts.
        Assert.True(requestedAll > 1000 && recoveredAll > 1000 && failedAll > 1000 && keyframes > 10,
            $"{requestedAll} requested, {recoveredAll} recovered, {failedAll} failed, {keyframes} keyframes");
    }

    [Fact]
    public void Tracking_and_collecting_do_not_allocate()
    {
        var t = new UpstreamLossTracker();
        var due = new ushort[512];
        void Run(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                if (i % 5 == 0) continue;                             // 20 % lost
                t.OnPacket((ushort)(i * 1), i * 1000L);
                if (i % 11 == 0) t.OnPacket((ushort)(i - 10), i * 1000L, retransmission: true);
                if (i % 20 == 0) t.CollectDue(i * 1000L, t.RetryInterval(50_000), due, 128, out _);
            }
        }
        Run(0, 70_000); // warm-up, wraps once
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(70_000, 200_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
