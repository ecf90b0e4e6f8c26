namespace Media.Sfu.Routing;

/// <summary>Microseconds from a <see cref="TimeProvider"/> timestamp without overflow.</summary>
internal static class MediaClock
{
    // ticks × 1e6 overflows a long after ~2.5 h of uptime at 1 GHz (Stopwatch on Linux), so divide instead.
    public static long Microseconds(long ticks, long frequency) =>
        frequency == 1_000_000 ? ticks
        : frequency % 1_000_000 == 0 ? ticks / (frequency / 1_000_000)
        : (long)((Int128)ticks * 1_000_000 / frequency);

    public static long Now(TimeProvider clock) => Microseconds(clock.GetTimestamp(), clock.TimestampFrequency);
}
