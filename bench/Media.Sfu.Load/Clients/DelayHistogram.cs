namespace Media.Sfu.Load.Clients;

/// <summary>Forwarding delays in 10 µs buckets up to 200 ms (one per load thread, merged at the end).</summary>
public sealed class DelayHistogram
{
    public const long BucketNs = 10_000;
    private const int Buckets = 20_000;
    private readonly long[] _counts = new long[Buckets + 1];

    public long Count { get; private set; }
    public long Negative { get; private set; }
    public long MaxNs { get; private set; }

    public void Add(long delayNs)
    {
        if (delayNs < 0) { Negative++; delayNs = 0; }
        var bucket = delayNs / BucketNs;
        _counts[bucket >= Buckets ? Buckets : bucket]++;
        Count++;
        if (delayNs > MaxNs) MaxNs = delayNs;
    }

    public void Merge(DelayHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        Negative += other.Negative;
        MaxNs = Math.Max(MaxNs, other.MaxNs);
    }

    /// <summary>The upper edge of the bucket holding quantile <paramref name="q"/>, in milliseconds.</summary>
    public double QuantileMs(double q)
    {
        if (Count == 0) return double.NaN;
        var rank = (long)Math.Ceiling(q * Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return (i + 1) * BucketNs / 1e6;
        }
        return MaxNs / 1e6;
    }
}
