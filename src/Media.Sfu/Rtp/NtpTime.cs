namespace Media.Sfu.Rtp;

/// <summary>
/// NTP timestamps as used by RTCP (RFC 3550 §4): 64-bit fixed point seconds since 1900-01-01 UTC, and the
/// "compact" middle 32 bits (16.16 seconds) carried in LSR/DLSR for round-trip time (RFC 3550 §6.4.1).
/// </summary>
public static class NtpTime
{
    /// <summary>Compact units per second (1/65536 s resolution).</summary>
    public const uint CompactUnitsPerSecond = 65536;

    private static readonly long EraZeroTicks = new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private const long TicksPerNtpEra = (1L << 32) * TimeSpan.TicksPerSecond;

    /// <summary>64-bit NTP timestamp of a UTC time (seconds wrap modulo 2^32 after 2036, RFC 4330 §3).</summary>
    public static ulong FromDateTime(DateTime utc) => FromTicks(utc.Ticks);

    /// <summary>64-bit NTP timestamp from <see cref="DateTime.Ticks"/> of a UTC time.</summary>
    public static ulong FromTicks(long utcTicks)
    {
        long sinceEra = utcTicks - EraZeroTicks;
        ulong seconds = (ulong)(sinceEra / TimeSpan.TicksPerSecond);
        long remainder = sinceEra % TimeSpan.TicksPerSecond;
        if (remainder < 0)
        {
            remainder += TimeSpan.TicksPerSecond;
            seconds--;
        }

        ulong fraction = ((ulong)remainder << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    /// <summary>
    /// UTC time of a 64-bit NTP timestamp. Seconds with the top bit clear are taken as era 1 (from 2036-02-07),
    /// following RFC 4330 §3, so timestamps from 1968 to 2104 round-trip.
    /// </summary>
    public static DateTime ToDateTime(ulong ntp)
    {
        uint seconds = (uint)(ntp >> 32);
        ulong fractionTicks = ((ntp & 0xFFFFFFFF) * TimeSpan.TicksPerSecond) >> 32;
        long ticks = EraZeroTicks + seconds * TimeSpan.TicksPerSecond + (long)fractionTicks;
        if ((seconds & 0x80000000) == 0)
        {
            ticks += TicksPerNtpEra;
        }

        return new DateTime(ticks, DateTimeKind.Utc);
    }

    /// <summary>The middle 32 bits of a 64-bit timestamp: what an SR's receiver reports back as LSR.</summary>
    public static uint ToCompact(ulong ntp) => (uint)(ntp >> 16);

    /// <summary>A duration in compact units (e.g. DLSR), saturating at <see cref="uint.MaxValue"/>; negative gives 0.</summary>
    public static uint CompactFromMicroseconds(long microseconds)
    {
        if (microseconds <= 0)
        {
            return 0;
        }

        // 65536 / 1e6 = 1024 / 15625; split to avoid overflow for long durations.
        ulong whole = (ulong)(microseconds / 1_000_000) << 16;
        ulong part = (ulong)(microseconds % 1_000_000) * 1024 / 15625;
        ulong value = whole + part;
        return value > uint.MaxValue ? uint.MaxValue : (uint)value;
    }

    public static uint CompactFromTimeSpan(TimeSpan duration) => CompactFromMicroseconds(duration.Ticks / 10);

    public static long CompactToMicroseconds(uint compact) => (long)((ulong)compact * 15625 / 1024);

    public static TimeSpan CompactToTimeSpan(uint compact) => TimeSpan.FromTicks((long)((ulong)compact * TimeSpan.TicksPerSecond >> 16));

    /// <summary>
    /// Round-trip time from a report block (RFC 3550 §6.4.1): arrival − LSR − DLSR, all in compact units,
    /// with modulo 2^32 arithmetic. Returns false when LSR is 0 (the receiver has not seen an SR).
    /// A negative result (clock or rounding inconsistency) is reported as 0.
    /// </summary>
    public static bool TryGetRoundTripTime(uint arrivalCompact, uint lastSenderReport, uint delaySinceLastSenderReport,
        out uint roundTripCompact)
    {
        roundTripCompact = 0;
        if (lastSenderReport == 0)
        {
            return false;
        }

        int rtt = (int)(arrivalCompact - lastSenderReport - delaySinceLastSenderReport);
        roundTripCompact = rtt > 0 ? (uint)rtt : 0;
        return true;
    }
}
