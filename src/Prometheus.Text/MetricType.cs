namespace Prometheus.Text;

/// <summary>The metric types of the text exposition format 0.0.4 that this writer produces.</summary>
public enum MetricType : byte
{
    /// <summary>A value that only goes up (resets only when the process restarts).</summary>
    Counter,
    /// <summary>A value that goes up and down.</summary>
    Gauge,
    /// <summary>Cumulative buckets (<c>_bucket{le=…}</c>), <c>_sum</c> and <c>_count</c>.</summary>
    Histogram,
}

/// <summary>One label of a sample: a name matching <c>[a-zA-Z_][a-zA-Z0-9_]*</c> and any UTF-8 value.</summary>
public readonly record struct Label(string Name, string Value);
