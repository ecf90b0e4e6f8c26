using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ControlPlane.Api.Calls.Quality;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Signaling;
using Media.Sfu.Hosting;
using Prometheus.Text;

namespace ControlPlane.Api.Health;

/// <summary>
/// GET /metrics: the control plane's Prometheus text exposition, plus the in-process SFU's own families (sfu_*).
/// HTTP durations and pairing times are collected from the runtime's meters (ASP.NET Core's http.server.request.duration,
/// matchmaking's signaling.queue_wait) with a MeterListener, so the code that measures does not know about Prometheus.
/// </summary>
public sealed class ControlPlaneMetrics : IDisposable
{
    private static readonly double[] HttpBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] WaitBounds = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Method, string Status), Histogram> _http = new();
    private readonly Histogram _pairing = new(WaitBounds);
    private long _matches;

    public ControlPlaneMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration"
                || instrument.Meter.Name == "ControlPlane.Signaling" && instrument.Name is "signaling.queue_wait" or "signaling.matches")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "signaling.matches") Interlocked.Add(ref _matches, value);
        });
        _listener.Start();
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == "signaling.queue_wait") { _pairing.Observe(value); return; }
        string method = "", status = "";
        foreach (var t in tags)
        {
            if (t.Key == "http.request.method") method = t.Value as string ?? "";
            else if (t.Key == "http.response.status_code") status = t.Value?.ToString() ?? "";
        }
        _http.GetOrAdd((method, status), _ => new Histogram(HttpBounds)).Observe(value);
    }

    public async Task<string> RenderAsync(IServiceProvider services, CancellationToken ct)
    {
        var w = new PrometheusTextWriter();
        w.Gauge("controlplane_hub_connections", "Devices connected to /signaling on this node.", services.GetRequiredService<LocalConnections>().Count);

        var queue = services.GetRequiredService<IMatchQueue>();
        w.Family("controlplane_queue_size", MetricType.Gauge, "Users waiting in each matchmaking queue.");
        foreach (var type in new[] { ChatType.Text, ChatType.Audio, ChatType.Video })
            w.Sample(await queue.CountAsync(type, ct), new Label("chat_type", type.Name()));

        w.Counter("controlplane_matches_total", "Pairs matched by this node.", Interlocked.Read(ref _matches));
        w.Family("controlplane_pairing_seconds", MetricType.Histogram, "Time from joining a queue to being matched.");
        w.Histogram(_pairing.Snapshot());

        var live = services.GetRequiredService<CallQualityMonitor>().Latest;
        w.Gauge("controlplane_calls_live", "Calls on SFU nodes in the latest quality sample.", live.Calls.Count);
        w.Family("controlplane_calls_by_quality", MetricType.Gauge, "Live calls by quality level in the latest sample.");
        foreach (var level in new[] { "good", "fair", "poor" })
            w.Sample(live.Calls.Count(c => c.Level == level), new Label("level", level));

        w.Family("controlplane_http_request_duration_seconds", MetricType.Histogram, "HTTP request durations by method and status code.");
        foreach (var ((method, status), h) in _http.OrderBy(kv => kv.Key.Method, StringComparer.Ordinal).ThenBy(kv => kv.Key.Status, StringComparer.Ordinal))
            w.Histogram(h.Snapshot(), new Label("method", method), new Label("status", status));

        var text = w.ToString();
        // The SFU in this process adds its own families (all sfu_*).
        if (services.GetService<SfuNode>() is { IsRunning: true } sfu) text += sfu.RenderMetrics();
        return text;
    }

    public void Dispose() => _listener.Dispose();
}
