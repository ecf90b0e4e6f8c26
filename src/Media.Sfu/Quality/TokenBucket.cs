namespace Media.Sfu.Quality;

/// <summary>
/// A token bucket in bytes: refills at <see cref="BytesPerSecond"/> up to <see cref="Capacity"/>; a packet passes
/// when its size is available. Times are microseconds on a monotonic clock. Not thread-safe.
/// </summary>
public sealed class TokenBucket
{
    private double _tokens;
    private long _lastUs;
    private bool _started;

    public TokenBucket(double bytesPerSecond, double capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        BytesPerSecond = bytesPerSecond;
        Capacity = capacity;
        _tokens = capacity;
    }

    public double BytesPerSecond { get; }
    public double Capacity { get; }
    public double Tokens => _tokens;

    /// <summary>Refills for the time since the last call, then takes <paramref name="bytes"/> if there are enough.</summary>
    public bool TryTake(int bytes, long nowUs)
    {
        if (_started && nowUs > _lastUs) _tokens = Math.Min(Capacity, _tokens + (nowUs - _lastUs) * BytesPerSecond / 1_000_000.0);
        if (!_started || nowUs > _lastUs) _lastUs = nowUs;
        _started = true;
        if (_tokens < bytes) return false;
        _tokens -= bytes;
        return true;
    }
}
