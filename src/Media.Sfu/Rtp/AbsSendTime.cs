namespace Media.Sfu.Rtp;

/// <summary>
/// The abs-send-time header extension (webrtc.org "abs-send-time"): the send time in seconds as unsigned 6.18 fixed
/// point, 24 bits, so it wraps every 64 s; receivers use only its differences (inter-arrival delay).
/// </summary>
public static class AbsSendTime
{
    public const int Length = 3;

    /// <summary>
    /// The 24-bit value for a monotonic timestamp of the given frequency. Whole seconds and the fraction are converted
    /// apart: multiplying the raw nanosecond timestamp by 2^18 overflows a long after ~9.8 h of uptime.
    /// </summary>
    public static uint FromTimestamp(long timestamp, long frequency)
    {
        var seconds = (ulong)timestamp / (ulong)frequency;
        var remainder = (ulong)timestamp % (ulong)frequency;
        return (uint)(((seconds << 18) + (remainder << 18) / (ulong)frequency) & 0xFFFFFF);
    }

    public static void Write(Span<byte> destination, uint value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
