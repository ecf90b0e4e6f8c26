using System.Globalization;
using System.Text;

namespace Prometheus.Text;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: per metric family one <c># HELP</c> and one
/// <c># TYPE</c> line, then its samples (<c>name{label="value",…} value</c>), each line ending in <c>\n</c>.
/// Label values escape <c>\</c>, <c>"</c> and newlines; HELP text escapes <c>\</c> and newlines. A family is
/// declared once; its samples follow it without other families in between. Invalid names throw
/// <see cref="ArgumentException"/>: they are programming errors, not data.
/// </summary>
public sealed class PrometheusTextWriter
{
    /// <summary>The Content-Type of a scrape response in this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly TextWriter _output;
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private string? _family;
    private MetricType _type;

    public PrometheusTextWriter(TextWriter output)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
    }

    /// <summary>Writes into a string; read it with <see cref="ToString"/>.</summary>
    public PrometheusTextWriter() : this(new StringWriter(new StringBuilder(), CultureInfo.InvariantCulture) { NewLine = "\n" })
    {
    }

    /// <summary>Whether a family of that name was written already (so two sources can share one exposition).</summary>
    public bool HasFamily(string name) => _families.Contains(name);

    /// <summary>Starts a metric family: its HELP and TYPE lines. Samples written next belong to it.</summary>
    public PrometheusTextWriter Family(string name, MetricType type, string help)
    {
        if (!PrometheusNames.IsValidMetricName(name)) throw new ArgumentException($"'{name}' is not a valid metric name", nameof(name));
        if (type == MetricType.Histogram && (name.EndsWith("_bucket", StringComparison.Ordinal) || name.EndsWith("_sum", StringComparison.Ordinal) || name.EndsWith("_count", StringComparison.Ordinal)))
            throw new ArgumentException($"a histogram family name must not end in _bucket, _sum or _count: '{name}'", nameof(name));
        if (!_families.Add(name)) throw new ArgumentException($"metric family '{name}' was already written", nameof(name));
        _family = name;
        _type = type;
        _output.Write("# HELP ");
        _output.Write(name);
        _output.Write(' ');
        WriteEscaped(help ?? "", escapeQuote: false);
        _output.Write('\n');
        _output.Write("# TYPE ");
        _output.Write(name);
        _output.Write(type switch { MetricType.Counter => " counter\n", MetricType.Gauge => " gauge\n", _ => " histogram\n" });
        return this;
    }

    /// <summary>One sample of the current counter or gauge family.</summary>
    public PrometheusTextWriter Sample(double value, params ReadOnlySpan<Label> labels)
    {
        if (_family is null || _type == MetricType.Histogram) throw new InvalidOperationException("Sample needs a counter or gauge family first");
        if (_type == MetricType.Counter && (value < 0 || double.IsNaN(value))) throw new ArgumentOutOfRangeException(nameof(value), "a counter is never negative");
        WriteLine(_family, "", labels, null, value);
        return this;
    }

    /// <summary>One histogram of the current histogram family: cumulative buckets, +Inf, _sum and _count.</summary>
    public PrometheusTextWriter Histogram(HistogramSnapshot histogram, params ReadOnlySpan<Label> labels)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (_family is null || _type != MetricType.Histogram) throw new InvalidOperationException("Histogram needs a histogram family first");
        if (histogram.BucketCounts.Count != histogram.UpperBounds.Count + 1)
            throw new ArgumentException("a histogram has one count per bound plus the +Inf bucket", nameof(histogram));
        foreach (var label in labels)
            if (label.Name == "le") throw new ArgumentException("'le' is the bucket label of a histogram", nameof(labels));
        long cumulative = 0;
        for (var i = 0; i < histogram.UpperBounds.Count; i++)
        {
            cumulative += histogram.BucketCounts[i];
            WriteLine(_family, "_bucket", labels, FormatValue(histogram.UpperBounds[i]), cumulative);
        }
        cumulative += histogram.BucketCounts[^1];
        WriteLine(_family, "_bucket", labels, "+Inf", cumulative);
        WriteLine(_family, "_sum", labels, null, histogram.Sum);
        WriteLine(_family, "_count", labels, null, cumulative);
        return this;
    }

    /// <summary>A counter family with a single sample.</summary>
    public PrometheusTextWriter Counter(string name, string help, double value, params ReadOnlySpan<Label> labels) =>
        Family(name, MetricType.Counter, help).Sample(value, labels);

    /// <summary>A gauge family with a single sample.</summary>
    public PrometheusTextWriter Gauge(string name, string help, double value, params ReadOnlySpan<Label> labels) =>
        Family(name, MetricType.Gauge, help).Sample(value, labels);

    public void Flush() => _output.Flush();

    public override string ToString() => _output.ToString() ?? "";

    private void WriteLine(string family, string suffix, ReadOnlySpan<Label> labels, string? le, double value)
    {
        _output.Write(family);
        _output.Write(suffix);
        if (labels.Length > 0 || le is not null)
        {
            _output.Write('{');
            for (var i = 0; i < labels.Length; i++)
            {
                var name = labels[i].Name;
                if (!PrometheusNames.IsValidLabelName(name)) throw new ArgumentException($"'{name}' is not a valid label name", nameof(labels));
                for (var j = 0; j < i; j++)
                    if (labels[j].Name == name) throw new ArgumentException($"label '{name}' appears twice", nameof(labels));
                if (i > 0) _output.Write(',');
                _output.Write(name);
                _output.Write("=\"");
                WriteEscaped(labels[i].Value ?? "", escapeQuote: true);
                _output.Write('"');
            }
            if (le is not null)
            {
                if (labels.Length > 0) _output.Write(',');
                _output.Write("le=\"");
                _output.Write(le);
                _output.Write('"');
            }
            _output.Write('}');
        }
        _output.Write(' ');
        _output.Write(FormatValue(value));
        _output.Write('\n');
    }

    /// <summary>Go-compatible float text: +Inf, -Inf, NaN, otherwise the shortest round-trip form.</summary>
    public static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private void WriteEscaped(string text, bool escapeQuote)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': _output.Write("\\\\"); break;
                case '\n': _output.Write("\\n"); break;
                case '"' when escapeQuote: _output.Write("\\\""); break;
                default: _output.Write(c); break;
            }
        }
    }
}
