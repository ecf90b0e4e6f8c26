using Media.Sfu.Rtp;

namespace Media.Sfu.Tests.Rtp;

public class RtpReceiveStatisticsTests
{
    private static RtpSequenceStatus Feed(RtpReceiveStatistics stats, ushort seq, long arrivalUs = 0, uint ts = 0, int bytes = 100) =>
        stats.OnPacket(seq, ts, arrivalUs, bytes);

    [Fact]
    public void In_order_stream_after_probation_has_no_loss()
    {
        var stats = new RtpReceiveStatistics(0x1234, 90000);

        // A.1: the first packet only starts probation; the second sequential one validates the source and
        // becomes base_seq, so it is the first one counted.
        Assert.Equal(RtpSequenceStatus.Probation, Feed(stats, 100));
        Assert.False(stats.IsValid);
        Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, 101));
        Assert.True(stats.IsValid);
        for (ushort seq = 102; seq <= 109; seq++)
        {
            Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, seq));
        }

        Assert.Equal(101, stats.BaseSequenceNumber);
        Assert.Equal(109u, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(9, stats.ExpectedPackets);
        Assert.Equal(9, stats.ReceivedPackets);
        Assert.Equal(0, stats.CumulativeLost);
        Assert.Equal(10, stats.TotalPackets);
        Assert.Equal(1000, stats.TotalBytes);
    }

    [Fact]
    public void Wrap_at_65535_counts_a_cycle()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        ushort seq = 65530;
        for (int i = 0; i < 12; i++, seq++)
        {
            Feed(stats, seq); // 65530 .. 65535, 0 .. 5
        }

        Assert.Equal(1, stats.Cycles);
        Assert.Equal(65531, stats.BaseSequenceNumber);
        Assert.Equal(65536u + 5, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(65541 - 65531 + 1, stats.ExpectedPackets);
        Assert.Equal(11, stats.ReceivedPackets);
        Assert.Equal(0, stats.CumulativeLost);
    }

    [Fact]
    public void Probation_passes_across_the_wrap()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        Assert.Equal(RtpSequenceStatus.Probation, Feed(stats, 65535));
        Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, 0));
        Assert.Equal(0u, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(0, stats.Cycles);
    }

    [Fact]
    public void Fraction_lost_is_per_interval_and_cumulative_lost_accumulates()
    {
        var stats = new RtpReceiveStatistics(7, 90000);
        foreach (ushort seq in new ushort[] { 0, 1, 2, 3, 5, 6, 9, 10 })
        {
            Feed(stats, seq);
        }

        // base 1, highest 10: expected 10, received 7 (1,2,3,5,6,9,10), lost 3; fraction = (3 << 8) / 10 = 76.
        Assert.True(stats.TryTakeSnapshot(0, out var first));
        Assert.Equal(7u, first.Ssrc);
        Assert.Equal(10, first.ExpectedInInterval);
        Assert.Equal(7, first.ReceivedInInterval);
        Assert.Equal(76, first.FractionLost);
        Assert.Equal(3, first.CumulativeLost);
        Assert.Equal(10u, first.ExtendedHighestSequenceNumber);

        for (ushort seq = 11; seq <= 20; seq++)
        {
            Feed(stats, seq);
        }

        Assert.True(stats.TryTakeSnapshot(0, out var second));
        Assert.Equal(10, second.ExpectedInInterval);
        Assert.Equal(0, second.FractionLost);
        Assert.Equal(3, second.CumulativeLost);

        Feed(stats, 22);
        Feed(stats, 24);
        // Interval 21..24: expected 4, received 2, fraction = (2 << 8) / 4 = 128.
        Assert.True(stats.TryTakeSnapshot(0, out var third));
        Assert.Equal(128, third.FractionLost);
        Assert.Equal(5, third.CumulativeLost);
        Assert.Equal(24u, third.ExtendedHighestSequenceNumber);
    }

    [Fact]
    public void Reordered_packet_is_counted_and_repairs_the_loss()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        foreach (ushort seq in new ushort[] { 0, 1, 2, 3, 5 })
        {
            Assert.NotEqual(RtpSequenceStatus.Reordered, Feed(stats, seq));
        }

        // Expected 5 (1..5), received 4: fraction (1 << 8) / 5 = 51.
        Assert.True(stats.TryTakeSnapshot(0, out var before));
        Assert.Equal(51, before.FractionLost);
        Assert.Equal(1, before.CumulativeLost);

        Assert.Equal(RtpSequenceStatus.Reordered, Feed(stats, 4));
        Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, 6));
        Assert.Equal(6u, stats.ExtendedHighestSequenceNumber);

        // Interval: expected 1 (6), received 2 (4 and 6): lost −1 gives fraction 0 (A.3), cumulative back to 0.
        Assert.True(stats.TryTakeSnapshot(0, out var after));
        Assert.Equal(1, after.ExpectedInInterval);
        Assert.Equal(2, after.ReceivedInInterval);
        Assert.Equal(0, after.FractionLost);
        Assert.Equal(0, after.CumulativeLost);
    }

    [Fact]
    public void Reordering_across_the_wrap_does_not_count_a_cycle()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        foreach (ushort seq in new ushort[] { 65533, 65534, 0, 65535, 1 })
        {
            Feed(stats, seq);
        }

        Assert.Equal(1, stats.Cycles);
        Assert.Equal(65537u, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(4, stats.ReceivedPackets);
        Assert.Equal(0, stats.CumulativeLost);
    }

    [Fact]
    public void Duplicates_are_detected_and_not_counted()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        var statuses = new List<RtpSequenceStatus>();
        foreach (ushort seq in new ushort[] { 0, 1, 2, 3, 3, 4, 2 })
        {
            statuses.Add(Feed(stats, seq));
        }

        Assert.Equal(
            new[]
            {
                RtpSequenceStatus.Probation, RtpSequenceStatus.InOrder, RtpSequenceStatus.InOrder, RtpSequenceStatus.InOrder,
                RtpSequenceStatus.Duplicate, RtpSequenceStatus.InOrder, RtpSequenceStatus.Duplicate,
            },
            statuses);
        Assert.Equal(2, stats.DuplicatePackets);
        Assert.Equal(4, stats.ReceivedPackets);
        Assert.Equal(4, stats.ExpectedPackets);
        Assert.Equal(0, stats.CumulativeLost);
        Assert.Equal(7, stats.TotalPackets);
    }

    [Fact]
    public void Late_packet_older_than_base_makes_loss_negative()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        Feed(stats, 99);
        Feed(stats, 100); // base
        Assert.Equal(RtpSequenceStatus.Reordered, Feed(stats, 98));
        // A.3: expected 1, received 2; the report block carries −1.
        Assert.Equal(-1, stats.CumulativeLost);
    }

    [Fact]
    public void Gap_beyond_max_dropout_resyncs_on_two_sequential_packets()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        for (ushort seq = 0; seq <= 10; seq++)
        {
            Feed(stats, seq);
        }

        Assert.Equal(RtpSequenceStatus.Dropout, Feed(stats, 5000));
        Assert.Equal(10u, stats.ExtendedHighestSequenceNumber); // not accepted
        Assert.Equal(RtpSequenceStatus.Restarted, Feed(stats, 5001));

        Assert.Equal(5001, stats.BaseSequenceNumber);
        Assert.Equal(5001u, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(1, stats.ReceivedPackets);
        Assert.Equal(1, stats.ExpectedPackets);
        Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, 5002));
        Assert.Equal(0, stats.CumulativeLost);
    }

    [Fact]
    public void Stray_jump_then_normal_sequence_continues_without_loss()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        for (ushort seq = 0; seq <= 10; seq++)
        {
            Feed(stats, seq);
        }

        Assert.Equal(RtpSequenceStatus.Dropout, Feed(stats, 40000));
        Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, 11));
        Assert.Equal(11u, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(0, stats.CumulativeLost);
        Assert.Equal(11, stats.ReceivedPackets);
    }

    [Fact]
    public void Gap_just_below_max_dropout_is_loss_not_resync()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        Feed(stats, 0);
        Feed(stats, 1);
        Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, 1 + 2999));
        // expected 3000 (1..3000), received 2
        Assert.Equal(2998, stats.CumulativeLost);
    }

    [Fact]
    public void Packet_further_behind_than_max_misorder_is_a_dropout()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        for (ushort seq = 0; seq <= 1000; seq++)
        {
            if (seq is not 901 and not 900)
            {
                Feed(stats, seq);
            }
        }

        Assert.Equal(RtpSequenceStatus.Reordered, Feed(stats, 901)); // 99 behind: within MAX_MISORDER
        Assert.Equal(RtpSequenceStatus.Dropout, Feed(stats, 900)); // 100 behind: treated as a jump
        Assert.Equal(1, stats.CumulativeLost);
    }

    [Fact]
    public void Probation_restarts_on_a_non_sequential_packet()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        Assert.Equal(RtpSequenceStatus.Probation, Feed(stats, 10));
        Assert.Equal(RtpSequenceStatus.Probation, Feed(stats, 20));
        Assert.False(stats.IsValid);
        Assert.False(stats.TryTakeSnapshot(0, out _));
        Assert.Equal(0, stats.ExpectedPackets);

        Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, 21));
        Assert.True(stats.IsValid);
        Assert.Equal(21, stats.BaseSequenceNumber);
        Assert.Equal(1, stats.ReceivedPackets);
        Assert.Equal(3, stats.TotalPackets);
    }

    [Fact]
    public void Jitter_follows_rfc3550_a8_for_a_hand_computed_pattern()
    {
        // 8 kHz clock, 20 ms packets (160 ticks). Arrivals 0, 20, 45, 60, 80, 100 ms; packet 0 is in probation,
        // so transit starts at packet 1 (all values in timestamp units, J += (|D| − J) / 16):
        //   D(1,2) = 25 ms·8 − 160 =  40 → J = 40/16                     = 2.5
        //   D(2,3) = 15 ms·8 − 160 = −40 → J = 2.5 + (40 − 2.5)/16        = 4.84375
        //   D(3,4) = 20 ms·8 − 160 =   0 → J = 4.84375 · 15/16            = 4.541015625
        //   D(4,5) =                   0 → J = 4.541015625 · 15/16        = 4.2572021484375
        // The RTP timestamps start just below 2^32 so the series wraps.
        var stats = new RtpReceiveStatistics(1, 8000);
        long[] arrivalsMs = { 0, 20, 45, 60, 80, 100 };
        uint ts = 0xFFFFFF00;
        for (int i = 0; i < arrivalsMs.Length; i++)
        {
            Feed(stats, (ushort)(1000 + i), arrivalsMs[i] * 1000, ts);
            ts += 160;
        }

        const double expected = 4.2572021484375;
        Assert.Equal(4u, stats.Jitter);
        Assert.Equal(expected / 8.0, stats.JitterMilliseconds, 12);
        Assert.True(stats.TryTakeSnapshot(0, out var snapshot));
        Assert.Equal(4u, snapshot.Jitter);
        Assert.Equal(expected * 1000 / 8000, snapshot.JitterMilliseconds, 12);
    }

    [Fact]
    public void Duplicates_do_not_affect_jitter()
    {
        var stats = new RtpReceiveStatistics(1, 8000);
        Feed(stats, 0, 0, 0);
        Feed(stats, 1, 20_000, 160);
        Feed(stats, 2, 40_000, 320);
        Feed(stats, 2, 95_000, 320); // duplicate arriving late: would give D = 440 if used
        Feed(stats, 3, 60_000, 480);
        Assert.Equal(0u, stats.Jitter);
    }

    [Fact]
    public void Cumulative_lost_is_clamped_to_24_bits()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        Feed(stats, 0);
        Feed(stats, 1);
        ushort seq = 1;
        for (int i = 0; i < 3000; i++)
        {
            seq += 2999;
            Assert.Equal(RtpSequenceStatus.InOrder, Feed(stats, seq));
        }

        long extended = 1 + 3000L * 2999;
        Assert.Equal((uint)extended, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(extended, stats.ExpectedPackets);
        Assert.True(extended - stats.ReceivedPackets > 0x7FFFFF);
        Assert.Equal(0x7FFFFF, stats.CumulativeLost);
    }

    [Fact]
    public void Snapshot_carries_lsr_and_dlsr_from_the_last_sender_report()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        Feed(stats, 0);
        Feed(stats, 1);
        Assert.True(stats.TryTakeSnapshot(0, out var none));
        Assert.Equal(0u, none.LastSenderReport);
        Assert.Equal(0u, none.DelaySinceLastSenderReport);

        // RFC 3550 §6.4.1 example: SR with NTP 0xB44DB705:20000000, RR sent 5.25 s later.
        stats.OnSenderReport(0xB44DB70520000000, arrivalTimeUs: 1_000_000);
        Assert.True(stats.TryTakeSnapshot(6_250_000, out var snapshot));
        Assert.Equal(0xB7052000u, snapshot.LastSenderReport);
        Assert.Equal(0x00054000u, snapshot.DelaySinceLastSenderReport);
    }
}
