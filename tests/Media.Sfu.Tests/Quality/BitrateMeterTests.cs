using Media.Sfu.Quality;

namespace Media.Sfu.Tests.Quality;

public sealed class BitrateMeterTests
{
    private const long Second = 1_000_000;

    /// <summary>100-byte packets every 20 ms from <paramref name="fromUs"/> to before <paramref name="toUs"/>: 40 kbps.</summary>
    private static void Feed(BitrateMeter meter, long fromUs, long toUs, int bytes = 100, long stepUs = 20_000)
    {
        for (var t = fromUs; t < toUs; t += stepUs) meter.Add(t, bytes);
    }

    [Fact]
    public void Steady_stream_measures_its_rate_over_the_window()
    {
        var meter = new BitrateMeter();
        Feed(meter, 0, 10 * Second);
        // Window at 10.0 s: seconds 6–9 complete (4 × 5000 bytes) over 4 s.
        Assert.Equal(40_000, meter.BitsPerSecond(10 * Second));
        Feed(meter, 10 * Second, 10 * Second + 500_000);
        // 10.5 s: 4 whole seconds + 25 packets of the current one, over 4.5 s.
        Assert.Equal(40_000, meter.BitsPerSecond(10 * Second + 500_000));
        Assert.Equal(525 * 100, meter.TotalBytes);
    }

    [Fact]
    public void Young_stream_is_measured_from_its_first_packet_but_over_at_least_a_second()
    {
        var meter = new BitrateMeter();
        Feed(meter, Second / 2, Second);
        // 25 packets in the first half second: counted over the 1 s minimum, not overestimated.
        Assert.Equal(20_000, meter.BitsPerSecond(Second));
        Feed(meter, Second, Second + Second / 2);
        // 50 packets since 0.5 s, over 1 s.
        Assert.Equal(40_000, meter.BitsPerSecond(Second + Second / 2));
    }

    [Fact]
    public void Rate_changes_are_followed_and_a_silent_stream_falls_to_zero()
    {
        var meter = new BitrateMeter();
        Feed(meter, 0, 5 * Second);
        Feed(meter, 5 * Second, 10 * Second, bytes: 300); // 120 kbps
        Assert.Equal(120_000, meter.BitsPerSecond(10 * Second));
        // Two silent seconds: 2 of the 4 counted seconds still have traffic.
        Assert.Equal(60_000, meter.BitsPerSecond(12 * Second));
        Assert.Equal(0, meter.BitsPerSecond(15 * Second));
        Assert.Equal(0, new BitrateMeter().BitsPerSecond(Second));
    }

    [Fact]
    public void Buckets_are_reused_without_stale_data_after_a_long_gap()
    {
        var meter = new BitrateMeter(windowSeconds: 3);
        Feed(meter, 0, 3 * Second, bytes: 1000);
        // 100 s later the ring slots hold seconds 0–2; they must not count for seconds 98–100.
        Feed(meter, 100 * Second, 101 * Second);
        // Window at 101.0 s: seconds 99 (silent) and 100 (5000 bytes) → 20 kbps, nothing from seconds 0–2.
        Assert.Equal(20_000, meter.BitsPerSecond(101 * Second));
    }

    [Fact]
    public void Adding_does_not_allocate()
    {
        var meter = new BitrateMeter();
        Feed(meter, 0, Second);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(meter, Second, 100 * Second);
        _ = meter.BitsPerSecond(100 * Second);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Token_bucket_passes_its_rate_and_burst()
    {
        var bucket = new TokenBucket(bytesPerSecond: 1000, capacity: 500);
        Assert.True(bucket.TryTake(500, 0));   // starts full
        Assert.False(bucket.TryTake(1, 0));
        Assert.True(bucket.TryTake(100, 100_000)); // 0.1 s refills 100 bytes
        Assert.False(bucket.TryTake(1, 100_000));
        Assert.True(bucket.TryTake(500, 10 * Second)); // refill stops at capacity
        Assert.False(bucket.TryTake(1, 10 * Second));
        Assert.False(bucket.TryTake(100, 9 * Second)); // time going back refills nothing
    }
}
