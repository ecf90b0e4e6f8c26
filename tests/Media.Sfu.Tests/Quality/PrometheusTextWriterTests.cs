using Prometheus.Text;

namespace Media.Sfu.Tests.Quality;

public sealed class PrometheusTextWriterTests
{
    [Fact]
    public void Counter_and_gauge_families_are_written_in_the_0_0_4_format()
    {
        var w = new PrometheusTextWriter();
        w.Family("sfu_rtp_packets_total", MetricType.Counter, "RTP packets.")
            .Sample(12, new Label("direction", "in"))
            .Sample(7, new Label("direction", "out"));
        w.Gauge("sfu_transports", "Open transports.", 3);

        Assert.Equal(
            "# HELP sfu_rtp_packets_total RTP packets.\n" +
            "# TYPE sfu_rtp_packets_total counter\n" +
            "sfu_rtp_packets_total{direction=\"in\"} 12\n" +
            "sfu_rtp_packets_total{direction=\"out\"} 7\n" +
            "# HELP sfu_transports Open transports.\n" +
            "# TYPE sfu_transports gauge\n" +
            "sfu_transports 3\n", w.ToString());
        var parsed = PrometheusTextParser.Parse(w.ToString());
        Assert.Equal(["counter", "gauge"], parsed.Select(f => f.Type));
        Assert.Equal(12, parsed.Value("sfu_rtp_packets_total", ("direction", "in")));
    }

    [Fact]
    public void Label_values_and_help_are_escaped_and_parse_back_to_the_original()
    {
        const string value = "a\\b \"quoted\"\nnext line, {braces} = é";
        const string help = "Help with \\ backslash\nand a newline \"quotes stay\".";
        var w = new PrometheusTextWriter();
        w.Gauge("odd_values", help, 1.5, new Label("v", value), new Label("empty", ""));

        var text = w.ToString();
        Assert.Contains("v=\"a\\\\b \\\"quoted\\\"\\nnext line, {braces} = é\"", text);
        Assert.Contains("# HELP odd_values Help with \\\\ backslash\\nand a newline \"quotes stay\".\n", text);
        var family = PrometheusTextParser.Parse(text).Family("odd_values");
        Assert.Equal(help, family.Help);
        Assert.Equal(value, family.Samples.Single().Label("v"));
        Assert.Equal("", family.Samples.Single().Label("empty"));
        Assert.Equal(1.5, family.Samples.Single().Value);
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_with_inf_sum_and_count()
    {
        var h = new Histogram(0.25, 0.5, 1);
        foreach (var v in new[] { 0.0, 0.25, 0.375, 2, 0.75, 4, double.NaN }) h.Observe(v);
        var w = new PrometheusTextWriter();
        w.Family("sfu_stream_loss_ratio", MetricType.Histogram, "Loss.").Histogram(h.Snapshot(), new Label("direction", "in"));

        Assert.Equal(
            "# HELP sfu_stream_loss_ratio Loss.\n" +
            "# TYPE sfu_stream_loss_ratio histogram\n" +
            "sfu_stream_loss_ratio_bucket{direction=\"in\",le=\"0.25\"} 2\n" +
            "sfu_stream_loss_ratio_bucket{direction=\"in\",le=\"0.5\"} 3\n" +
            "sfu_stream_loss_ratio_bucket{direction=\"in\",le=\"1\"} 4\n" +
            "sfu_stream_loss_ratio_bucket{direction=\"in\",le=\"+Inf\"} 6\n" +
            "sfu_stream_loss_ratio_sum{direction=\"in\"} 7.375\n" +
            "sfu_stream_loss_ratio_count{direction=\"in\"} 6\n", w.ToString());
        Assert.Equal(6, PrometheusTextParser.Parse(w.ToString()).Value("sfu_stream_loss_ratio_count"));
    }

    [Fact]
    public void Special_values_use_go_spelling()
    {
        Assert.Equal("+Inf", PrometheusTextWriter.FormatValue(double.PositiveInfinity));
        Assert.Equal("-Inf", PrometheusTextWriter.FormatValue(double.NegativeInfinity));
        Assert.Equal("NaN", PrometheusTextWriter.FormatValue(double.NaN));
        Assert.Equal("1E+20", PrometheusTextWriter.FormatValue(1e20));
        Assert.Equal("-0.25", PrometheusTextWriter.FormatValue(-0.25));
        var w = new PrometheusTextWriter();
        w.Gauge("g", "", double.NaN);
        Assert.True(double.IsNaN(PrometheusTextParser.Parse(w.ToString()).Value("g")));
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("has-dash")]
    [InlineData("")]
    [InlineData("spa ce")]
    public void Invalid_metric_names_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => new PrometheusTextWriter().Family(name, MetricType.Gauge, ""));
    }

    [Theory]
    [InlineData("__reserved")]
    [InlineData("0digit")]
    [InlineData("colon:no")]
    [InlineData("")]
    public void Invalid_label_names_are_refused(string label)
    {
        var w = new PrometheusTextWriter().Family("ok", MetricType.Gauge, "");
        Assert.Throws<ArgumentException>(() => w.Sample(1, new Label(label, "x")));
    }

    [Fact]
    public void Misuse_is_refused()
    {
        var w = new PrometheusTextWriter();
        Assert.Throws<InvalidOperationException>(() => w.Sample(1));
        w.Family("a_total", MetricType.Counter, "");
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Sample(-1));
        Assert.Throws<ArgumentException>(() => w.Sample(1, new Label("x", "1"), new Label("x", "2")));
        Assert.Throws<ArgumentException>(() => w.Family("a_total", MetricType.Counter, ""));
        Assert.Throws<InvalidOperationException>(() => w.Histogram(new Histogram(1).Snapshot()));
        w.Family("h", MetricType.Histogram, "");
        Assert.Throws<ArgumentException>(() => w.Histogram(new Histogram(1).Snapshot(), new Label("le", "1")));
        Assert.Throws<ArgumentException>(() => new PrometheusTextWriter().Family("h_count", MetricType.Histogram, ""));
        Assert.Throws<ArgumentException>(() => new Histogram(1, 1));
        Assert.Throws<ArgumentException>(() => new Histogram(double.PositiveInfinity));
        Assert.True(w.HasFamily("a_total"));
    }

    [Fact]
    public void Histogram_snapshots_add_per_bucket()
    {
        var a = new Histogram(1, 2);
        var b = new Histogram(1, 2);
        a.Observe(0.5); a.Observe(3);
        b.Observe(1.5);
        var sum = a.Snapshot().Add(b.Snapshot());
        Assert.Equal([1L, 1L, 1L], sum.BucketCounts);
        Assert.Equal(5, sum.Sum);
        Assert.Equal(3, sum.Count);
        Assert.Throws<ArgumentException>(() => a.Snapshot().Add(new Histogram(1).Snapshot()));
    }

    [Fact]
    public void Histogram_is_safe_to_observe_from_several_threads()
    {
        var h = new Histogram(10, 100);
        Parallel.For(0, 4, t => { for (var i = 0; i < 10_000; i++) h.Observe(i % 200); });
        var s = h.Snapshot();
        Assert.Equal(40_000, s.Count);
        Assert.Equal(40_000, s.BucketCounts.Sum());
        Assert.Equal(4 * 50 * 11, s.BucketCounts[0]); // 0..10 in each run of 200
    }

    [Theory]
    [InlineData("m 1")] // no trailing line feed
    [InlineData("m{a=\"1\"} 1\nm{a=\"1\"} 2\n")] // repeated series
    [InlineData("m{a=\"1\",a=\"2\"} 1\n")] // repeated label
    [InlineData("m{a=1} 1\n")] // unquoted value
    [InlineData("m{a=\"\\x\"} 1\n")] // invalid escape
    [InlineData("# TYPE m counter\nm -1\n")] // negative counter
    [InlineData("# TYPE m gauge\n# TYPE m gauge\nm 1\n")] // second TYPE
    [InlineData("a 1\nb 1\na 2\n")] // family not one group
    [InlineData("m 1\n# TYPE m gauge\n")] // TYPE after samples
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")] // not cumulative
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")] // no +Inf
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n")] // +Inf != count
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n")] // no _sum
    [InlineData("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")] // le order
    [InlineData("m 1x\n")] // bad value
    [InlineData("m{__x=\"1\"} 1\n")] // reserved label
    public void The_test_parser_rejects_invalid_expositions(string text)
    {
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse(text));
    }

    [Fact]
    public void The_test_parser_accepts_timestamps_comments_and_untyped_samples()
    {
        var families = PrometheusTextParser.Parse("# a comment\nm{a=\"1\",} 1 1700000000000\n\nother -Inf\n");
        Assert.Equal("untyped", families.Family("m").Type);
        Assert.Equal(double.NegativeInfinity, families.Value("other"));
    }
}
