using Media.Sfu.Rtp;

namespace Media.Sfu.Tests.Rtp;

public class NtpTimeTests
{
    // RFC 3550 §6.4.1, figure "Example for round-trip time computation".
    private static readonly DateTime SenderReportTime = new(1995, 11, 10, 11, 33, 25, 125, DateTimeKind.Utc);
    private static readonly DateTime ReceiverReportArrival = new(1995, 11, 10, 11, 33, 36, 500, DateTimeKind.Utc);

    [Fact]
    public void Converts_the_rfc3550_example_time()
    {
        ulong ntp = NtpTime.FromDateTime(SenderReportTime);
        Assert.Equal(0xB44DB705_20000000UL, ntp); // ntp_sec = 0xb44db705, ntp_frac = 0x20000000
        Assert.Equal(0xB7052000u, NtpTime.ToCompact(ntp)); // LSR
        Assert.Equal(0xB7108000u, NtpTime.ToCompact(NtpTime.FromDateTime(ReceiverReportArrival))); // A
        Assert.Equal(ntp, NtpTime.FromTicks(SenderReportTime.Ticks));
    }

    [Fact]
    public void Round_trip_time_matches_the_rfc3550_example()
    {
        uint arrival = NtpTime.ToCompact(NtpTime.FromDateTime(ReceiverReportArrival));
        uint dlsr = NtpTime.CompactFromMicroseconds(5_250_000);
        Assert.Equal(0x00054000u, dlsr);

        Assert.True(NtpTime.TryGetRoundTripTime(arrival, 0xB7052000, dlsr, out uint rtt));
        Assert.Equal(0x00062000u, rtt); // 6.125 s
        Assert.Equal(6_125_000, NtpTime.CompactToMicroseconds(rtt));
        Assert.Equal(TimeSpan.FromMilliseconds(6125), NtpTime.CompactToTimeSpan(rtt));
    }

    [Fact]
    public void Round_trip_time_needs_a_sender_report_and_is_never_negative()
    {
        Assert.False(NtpTime.TryGetRoundTripTime(0x10000, 0, 0, out _));
        Assert.True(NtpTime.TryGetRoundTripTime(0x10000, 0x0FFFF, 0x00010, out uint clamped));
        Assert.Equal(0u, clamped);

        // Modulo 2^32: A just after the compact clock wrapped.
        Assert.True(NtpTime.TryGetRoundTripTime(0x00000100, 0xFFFFFF00, 0x00000100, out uint wrapped));
        Assert.Equal(0x100u, wrapped);
    }

    [Fact]
    public void DateTime_round_trips_within_resolution_including_era_1()
    {
        var times = new[]
        {
            new DateTime(2024, 3, 1, 12, 0, 0, 250, DateTimeKind.Utc),
            new DateTime(2036, 2, 7, 6, 28, 16, DateTimeKind.Utc), // NTP seconds wrap to 0 here
            new DateTime(2040, 1, 1, 0, 0, 0, 1, DateTimeKind.Utc),
        };

        foreach (var time in times)
        {
            var back = NtpTime.ToDateTime(NtpTime.FromDateTime(time));
            Assert.InRange((back - time).Ticks, -1, 1);
        }

        Assert.Equal(0UL, NtpTime.FromDateTime(times[1]) >> 32);
    }

    [Fact]
    public void Compact_durations_convert_both_ways()
    {
        Assert.Equal(0u, NtpTime.CompactFromMicroseconds(-5));
        Assert.Equal(65536u, NtpTime.CompactFromMicroseconds(1_000_000));
        Assert.Equal(32768u, NtpTime.CompactFromTimeSpan(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(uint.MaxValue, NtpTime.CompactFromMicroseconds(long.MaxValue / 4));
        Assert.Equal(500_000, NtpTime.CompactToMicroseconds(32768));
    }
}
