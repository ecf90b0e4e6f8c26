namespace Media.Sfu.Quality;

/// <summary>
/// Bitrate of one stream over a sliding window of one-second buckets (default 5): <see cref="Add"/> is a few
/// arithmetic operations on preallocated arrays, no allocation per packet. Times are microseconds on any monotonic
/// clock. Not thread-safe: one writer; a reader on another thread may see a bucket mid-update (monitoring only).
/// </summary>
public sealed class BitrateMeter
{
    public const int DefaultWindowSeconds = 5;
    private const long MicrosecondsPerSecond = 1_000_000;
    private readonly long[] _second;
    private readonly long[] _bytes;
    private bool _started;
    private long _firstUs;

    public BitrateMeter(int windowSeconds = DefaultWindowSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSeconds, 2);
        _second = new long[windowSeconds];
        _bytes = new long[windowSeconds];
        Array.Fill(_second, long.MinValue);
    }

    public int WindowSeconds => _second.Length;

    /// <summary>Every byte ever added.</summary>
    public long TotalBytes { get; private set; }

    public void Add(long nowUs, int bytes)
    {
        var second = FloorSecond(nowUs);
        var i = (int)((ulong)second % (ulong)_second.Length);
        if (_second[i] != second)
        {
            _second[i] = second;
            _bytes[i] = 0;
        }
        _bytes[i] += bytes;
        TotalBytes += bytes;
        if (!_started)
        {
            _started = true;
            _firstUs = nowUs;
        }
    }

    /// <summary>
    /// Bits per second over the window ending at <paramref name="nowUs"/>: the bytes of the last
    /// <see cref="WindowSeconds"/> − 1 whole seconds plus the current partial one, divided by the time they cover
    /// (from the first packet when the stream is younger than the window; at least one second, so a young
    /// stream is not overestimated).
    /// </summary>
    public long BitsPerSecond(long nowUs)
    {
        if (!_started) return 0;
        var now = FloorSecond(nowUs);
        var oldest = now - (_second.Length - 1);
        long bytes = 0;
        for (var i = 0; i < _second.Length; i++)
            if (_second[i] >= oldest && _second[i] <= now) bytes += _bytes[i];
        var start = Math.Max(oldest * MicrosecondsPerSecond, _firstUs);
        var duration = Math.Max(nowUs - start, MicrosecondsPerSecond);
        return (long)(bytes * 8 * (double)MicrosecondsPerSecond / duration);
    }

    private static long FloorSecond(long us) => us >= 0 ? us / MicrosecondsPerSecond : (us - (MicrosecondsPerSecond - 1)) / MicrosecondsPerSecond;
}
