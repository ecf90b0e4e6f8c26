namespace Media.Sfu.Quality;

/// <summary>
/// Checks one incoming stream against its cap. Once per second (on the first packet of a new second) it reads the
/// stream's <see cref="BitrateMeter"/>: above cap × (1 + tolerance) for <c>SustainSeconds</c> seconds in a row
/// starts a violation (counted once per episode); a second at or below the threshold ends it. While a
/// violation lasts and the policy is <see cref="OverCapPolicy.DropOverBudget"/> (and dropping is allowed for the
/// stream), packets beyond a token bucket of cap × (1 + tolerance) bytes per second, one second deep, are refused.
/// No allocation per packet. Not thread-safe: called on the stream's receive path.
/// </summary>
public sealed class BitrateCapMonitor
{
    private readonly TokenBucket _budget;
    private readonly double _thresholdBps;
    private readonly int _sustainSeconds;
    private readonly bool _drops;
    private long _currentSecond = long.MinValue;

    /// <param name="capBps">The cap in bits per second.</param>
    /// <param name="mayDrop">False for streams that must never be policed (video: dropping breaks frames).</param>
    public BitrateCapMonitor(long capBps, OverCapPolicy policy, double tolerance = 0.10, int sustainSeconds = 3, bool mayDrop = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capBps);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sustainSeconds);
        CapBps = capBps;
        Policy = policy;
        _thresholdBps = capBps * (1 + tolerance);
        _sustainSeconds = sustainSeconds;
        _drops = mayDrop && policy == OverCapPolicy.DropOverBudget;
        var bytesPerSecond = _thresholdBps / 8;
        _budget = new TokenBucket(bytesPerSecond, bytesPerSecond);
    }

    public long CapBps { get; }
    public OverCapPolicy Policy { get; }

    /// <summary>Episodes of sustained over-cap bitrate.</summary>
    public long Violations { get; private set; }

    /// <summary>True while a violation lasts.</summary>
    public bool IsOverCap { get; private set; }

    /// <summary>Consecutive evaluated seconds above the threshold.</summary>
    public int SecondsOverCap { get; private set; }

    /// <summary>The windowed bitrate at the last evaluation.</summary>
    public long LastMeasuredBps { get; private set; }

    public long PacketsDropped { get; private set; }
    public long BytesDropped { get; private set; }

    /// <summary>
    /// Called for each packet before it is added to <paramref name="meter"/>. Returns false when the packet must be
    /// dropped (over budget during a violation under <see cref="OverCapPolicy.DropOverBudget"/>).
    /// </summary>
    public bool Admit(long nowUs, int bytes, BitrateMeter meter)
    {
        var second = nowUs >= 0 ? nowUs / 1_000_000 : (nowUs - 999_999) / 1_000_000;
        if (second != _currentSecond)
        {
            if (_currentSecond != long.MinValue) Evaluate(meter.BitsPerSecond(second * 1_000_000));
            _currentSecond = second;
        }
        var withinBudget = _budget.TryTake(bytes, nowUs);
        if (withinBudget || !_drops || !IsOverCap) return true;
        PacketsDropped++;
        BytesDropped += bytes;
        return false;
    }

    private void Evaluate(long bps)
    {
        LastMeasuredBps = bps;
        if (bps <= _thresholdBps)
        {
            SecondsOverCap = 0;
            IsOverCap = false;
            return;
        }
        SecondsOverCap++;
        if (SecondsOverCap >= _sustainSeconds && !IsOverCap)
        {
            IsOverCap = true;
            Violations++;
        }
    }
}
