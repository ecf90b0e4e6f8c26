namespace Media.Sfu.Quality;

/// <summary>
/// Loss over the last few report intervals (default 5): each interval adds how many packets were expected and
/// how many of them were lost (RFC 3550 A.3), so one noisy second does not swing the score. Fixed memory.
/// </summary>
public sealed class LossWindow
{
    public const int DefaultIntervals = 5;
    private readonly long[] _expected;
    private readonly long[] _lost;
    private int _next;

    public LossWindow(int intervals = DefaultIntervals)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervals);
        _expected = new long[intervals];
        _lost = new long[intervals];
    }

    /// <summary>Adds one interval; negative values (duplicates making "lost" negative) count as zero loss.</summary>
    public void Add(long expected, long lost)
    {
        lock (_expected)
        {
            _expected[_next] = Math.Max(0, expected);
            _lost[_next] = Math.Clamp(lost, 0, Math.Max(0, expected));
            _next = (_next + 1) % _expected.Length;
        }
    }

    public long Expected { get { lock (_expected) return _expected.Sum(); } }

    public long Lost { get { lock (_expected) return _lost.Sum(); } }

    /// <summary>Lost ÷ expected over the window; 0 without data.</summary>
    public double Fraction
    {
        get
        {
            lock (_expected)
            {
                long e = 0, l = 0;
                for (var i = 0; i < _expected.Length; i++) { e += _expected[i]; l += _lost[i]; }
                return e == 0 ? 0 : (double)l / e;
            }
        }
    }
}
