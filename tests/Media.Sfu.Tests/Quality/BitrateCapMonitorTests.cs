using Media.Sfu.Quality;

namespace Media.Sfu.Tests.Quality;

public sealed class BitrateCapMonitorTests
{
    private const long Second = 1_000_000;
    private const long Frame = 20_000; // one Opus packet every 20 ms

    private sealed class Stream(BitrateCapMonitor monitor)
    {
        public readonly BitrateMeter Meter = new();
        public long ForwardedBytes;
        public long Now;

        /// <summary>Sends packets of <paramref name="bytes"/> every 20 ms for <paramref name="seconds"/>; returns bytes forwarded in that time.</summary>
        public long Run(double seconds, int bytes)
        {
            long forwarded = 0;
            var end = Now + (long)(seconds * Second);
            for (; Now < end; Now += Frame)
            {
                if (monitor.Admit(Now, bytes, Meter)) forwarded += bytes;
                Meter.Add(Now, bytes);
            }
            ForwardedBytes += forwarded;
            return forwarded;
        }
    }

    [Fact]
    public void Stream_under_its_cap_never_violates()
    {
        var monitor = new BitrateCapMonitor(24_000, OverCapPolicy.DropOverBudget);
        var stream = new Stream(monitor);
        stream.Run(30, 50); // 20 kbps
        Assert.Equal(0, monitor.Violations);
        Assert.False(monitor.IsOverCap);
        Assert.Equal(0, monitor.PacketsDropped);
        Assert.Equal(20_000, monitor.LastMeasuredBps);
    }

    [Fact]
    public void Within_tolerance_is_not_a_violation()
    {
        // 26 kbps against 24 kbps + 10 % = 26.4 kbps.
        var monitor = new BitrateCapMonitor(24_000, OverCapPolicy.ReportOnly);
        new Stream(monitor).Run(20, 65);
        Assert.Equal(0, monitor.Violations);
    }

    [Fact]
    public void Sustained_excess_counts_one_violation_after_the_sustain_time_and_report_only_forwards_everything()
    {
        var monitor = new BitrateCapMonitor(24_000, OverCapPolicy.ReportOnly, tolerance: 0.1, sustainSeconds: 3);
        var stream = new Stream(monitor);
        // 40 kbps from t = 0: evaluated at 1 s, 2 s, 3 s (each 40 kbps > 26.4 kbps).
        stream.Run(2.99, 100);
        Assert.Equal(2, monitor.SecondsOverCap);
        Assert.Equal(0, monitor.Violations);
        stream.Run(0.02, 100); // the packet at 3.00 s triggers the third evaluation
        Assert.Equal(1, monitor.Violations);
        Assert.True(monitor.IsOverCap);
        stream.Run(10, 100);
        Assert.Equal(1, monitor.Violations); // one episode, however long
        Assert.Equal(0, monitor.PacketsDropped);
        Assert.Equal(stream.Meter.TotalBytes, stream.ForwardedBytes);

        // Back under the cap: the 4 s window empties of the excess, the episode ends; a new excess is a new violation.
        stream.Run(10, 25);
        Assert.False(monitor.IsOverCap);
        stream.Run(6, 100);
        Assert.Equal(2, monitor.Violations);
    }

    [Fact]
    public void Drop_over_budget_polices_a_violating_audio_stream_to_cap_plus_tolerance()
    {
        var monitor = new BitrateCapMonitor(24_000, OverCapPolicy.DropOverBudget, tolerance: 0.1, sustainSeconds: 3);
        var stream = new Stream(monitor);
        // 64 kbps Opus against a 24 kbps cap: everything passes until the violation starts at 3 s.
        Assert.Equal(3 * 50 * 160, stream.Run(3, 160));
        Assert.Equal(0, monitor.PacketsDropped);
        var forwarded = stream.Run(20, 160);
        Assert.True(monitor.IsOverCap);
        var bps = forwarded * 8 / 20.0;
        Assert.InRange(bps, 24_000, 26_400 + 160 * 8 / 20.0); // the budget (26.4 kbps) plus at most one packet of burst over 20 s
        Assert.True(monitor.PacketsDropped > 500);
        Assert.Equal(stream.Meter.TotalBytes - stream.ForwardedBytes, monitor.BytesDropped);
        // The measurement is of what the publisher sends, not of what passes.
        Assert.Equal(64_000, monitor.LastMeasuredBps);
    }

    [Fact]
    public void Streams_that_may_not_be_dropped_are_only_reported()
    {
        var monitor = new BitrateCapMonitor(500_000, OverCapPolicy.DropOverBudget, mayDrop: false);
        var stream = new Stream(monitor);
        stream.Run(10, 5000); // 2 Mbps of "video"
        Assert.Equal(1, monitor.Violations);
        Assert.Equal(0, monitor.PacketsDropped);
    }

    [Fact]
    public void Admitting_does_not_allocate()
    {
        var monitor = new BitrateCapMonitor(24_000, OverCapPolicy.DropOverBudget);
        var stream = new Stream(monitor);
        stream.Run(5, 160);
        var before = GC.GetAllocatedBytesForCurrentThread();
        stream.Run(20, 160);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Loss_window_sums_the_last_intervals()
    {
        var window = new LossWindow(intervals: 3);
        Assert.Equal(0, window.Fraction);
        window.Add(100, 10);
        window.Add(100, 0);
        window.Add(50, -3); // duplicates: counted as no loss
        Assert.Equal(10.0 / 250, window.Fraction, 12);
        window.Add(50, 5); // the first interval leaves
        Assert.Equal(200, window.Expected);
        Assert.Equal(5, window.Lost);
        Assert.Equal(0.025, window.Fraction, 12);
    }

    [Fact]
    public void Policy_validation_names_bad_values()
    {
        Assert.Empty(new CallMediaPolicy(24, 800, OverCapPolicy.DropOverBudget).Validate());
        Assert.Contains(new CallMediaPolicy(AudioCapKbps: 4).Validate(), e => e.Contains("audio"));
        Assert.Contains(new CallMediaPolicy(VideoCapKbps: 10).Validate(), e => e.Contains("video"));
        Assert.Contains(new CallMediaPolicy { Tolerance = -0.1 }.Validate(), e => e.Contains("tolerance"));
        Assert.Contains(new CallMediaPolicy { SustainSeconds = 0 }.Validate(), e => e.Contains("sustain"));
        Assert.Contains(new CallMediaPolicy(OverCap: (OverCapPolicy)9).Validate(), e => e.Contains("policy"));
    }
}
