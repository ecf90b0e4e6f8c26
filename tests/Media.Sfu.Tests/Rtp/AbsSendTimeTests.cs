using Media.Sfu.Rtp;

namespace Media.Sfu.Tests.Rtp;

public class AbsSendTimeTests
{
    private const long Nanoseconds = 1_000_000_000;

    [Fact]
    public void Seconds_are_6_18_fixed_point_in_24_bits()
    {
        Assert.Equal(0u, AbsSendTime.FromTimestamp(0, Nanoseconds));
        Assert.Equal(1u << 18, AbsSendTime.FromTimestamp(Nanoseconds, Nanoseconds));
        Assert.Equal((1u << 18) + (1u << 17), AbsSendTime.FromTimestamp(3 * Nanoseconds / 2, Nanoseconds));
        // 1 ms is 262.144 units: truncated.
        Assert.Equal(262u, AbsSendTime.FromTimestamp(Nanoseconds / 1000, Nanoseconds));
        // 64 s wraps to 0.
        Assert.Equal(0u, AbsSendTime.FromTimestamp(64 * Nanoseconds, Nanoseconds));
        Assert.Equal(0xFFFFFFu, AbsSendTime.FromTimestamp(64 * Nanoseconds - 1, Nanoseconds)); // just below the wrap
    }

    [Fact]
    public void Long_uptimes_do_not_overflow()
    {
        // 10 h, 30 days and 200 years of uptime in nanoseconds: timestamp × 2^18 would overflow a long past ~9.8 h.
        foreach (var hours in new long[] { 10, 24 * 30, 24 * 365 * 200 })
        {
            var at = hours * 3600 * Nanoseconds + 250_000_000; // + 0.25 s
            var expected = (uint)((((ulong)hours * 3600 % 64) << 18) + (1u << 16)) & 0xFFFFFF;
            Assert.Equal(expected, AbsSendTime.FromTimestamp(at, Nanoseconds));
            // Differences stay exact across the old overflow point: 20 ms later is 5242 units later (mod 2^24).
            var later = AbsSendTime.FromTimestamp(at + 20_000_000, Nanoseconds);
            Assert.Equal(5242u, (later - expected) & 0xFFFFFF);
        }
    }

    [Fact]
    public void Other_frequencies_give_the_same_time()
    {
        Assert.Equal(AbsSendTime.FromTimestamp(12_345 * Nanoseconds / 1000, Nanoseconds), AbsSendTime.FromTimestamp(12_345 * 10_000, 10_000_000));
    }

    [Fact]
    public void The_value_is_written_big_endian_in_three_bytes()
    {
        Span<byte> v = stackalloc byte[3];
        AbsSendTime.Write(v, 0xABCDEF);
        Assert.Equal(new byte[] { 0xAB, 0xCD, 0xEF }, v.ToArray());
    }
}
