namespace Prometheus.Text;

/// <summary>
/// A histogram with fixed upper bounds, safe to observe from several threads. Counts are kept per bucket
/// (not cumulative); <see cref="PrometheusTextWriter"/> makes them cumulative and adds the +Inf bucket.
/// </summary>
public sealed class Histogram
{
    private readonly double[] _upperBounds;
    private readonly long[] _counts;   // one per bound, plus the +Inf bucket at the end
    private readonly object _gate = new();
    private double _sum;
    private long _count;

    /// <param name="upperBounds">Finite, strictly increasing bucket bounds (the +Inf bucket is implicit).</param>
    public Histogram(params double[] upperBounds)
    {
        ArgumentNullException.ThrowIfNull(upperBounds);
        for (var i = 0; i < upperBounds.Length; i++)
        {
            if (!double.IsFinite(upperBounds[i])) throw new ArgumentException("bucket bounds must be finite (+Inf is implicit)", nameof(upperBounds));
            if (i > 0 && upperBounds[i] <= upperBounds[i - 1]) throw new ArgumentException("bucket bounds must increase strictly", nameof(upperBounds));
        }
        _upperBounds = (double[])upperBounds.Clone();
        _counts = new long[upperBounds.Length + 1];
    }

    public IReadOnlyList<double> UpperBounds => _upperBounds;

    /// <summary>Counts <paramref name="value"/> in the first bucket whose bound is ≥ it (le = less or equal). NaN is ignored.</summary>
    public void Observe(double value)
    {
        if (double.IsNaN(value)) return;
        var i = Array.BinarySearch(_upperBounds, value);
        if (i < 0) i = ~i;
        lock (_gate)
        {
            _counts[i]++;
            _sum += value;
            _count++;
        }
    }

    public HistogramSnapshot Snapshot()
    {
        lock (_gate) return new HistogramSnapshot(_upperBounds, (long[])_counts.Clone(), _sum, _count);
    }
}

/// <summary>
/// A histogram's state: <paramref name="BucketCounts"/> has one (non-cumulative) count per upper bound plus one for +Inf.
/// </summary>
public sealed record HistogramSnapshot(IReadOnlyList<double> UpperBounds, IReadOnlyList<long> BucketCounts, double Sum, long Count)
{
    /// <summary>Adds two snapshots with the same bounds (e.g. per-shard histograms).</summary>
    public HistogramSnapshot Add(HistogramSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!UpperBounds.SequenceEqual(other.UpperBounds)) throw new ArgumentException("histograms with different bounds cannot be added", nameof(other));
        var counts = new long[BucketCounts.Count];
        for (var i = 0; i < counts.Length; i++) counts[i] = BucketCounts[i] + other.BucketCounts[i];
        return new HistogramSnapshot(UpperBounds, counts, Sum + other.Sum, Count + other.Count);
    }
}
