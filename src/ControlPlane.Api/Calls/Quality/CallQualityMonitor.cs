using System.Collections.Concurrent;
using System.Text.Json;
using ControlPlane.Api.Chat;
using Media.Sfu.Hosting;
using Media.Sfu.Quality;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Calls.Quality;

/// <summary>Where live call quality comes from: the SFU in this process (and, with node processes, their control APIs).</summary>
public interface ICallQualitySource
{
    Task<IReadOnlyList<(string Node, RoomQuality Room)>> SnapshotAsync(CancellationToken ct);
}

internal sealed class LocalCallQualitySource(SfuNode node) : ICallQualitySource
{
    public Task<IReadOnlyList<(string Node, RoomQuality Room)>> SnapshotAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<(string, RoomQuality)>>(node.Quality().Rooms.Select(r => ("local", r)).ToList());
}

/// <summary>SFU node processes: each node's /control/quality, polled in parallel; a node that does not answer is skipped this round.</summary>
internal sealed class RemoteCallQualitySource(Media.RedisMediaPlacement placement, ILogger<RemoteCallQualitySource> log) : ICallQualitySource
{
    public async Task<IReadOnlyList<(string Node, RoomQuality Room)>> SnapshotAsync(CancellationToken ct)
    {
        var nodes = await placement.LiveRemoteNodesAsync(ct);
        var snapshots = await Task.WhenAll(nodes.Select(async n =>
        {
            try { return (n.Id, await n.QualityAsync(ct)); }
            catch (Exception e) when (e is Media.MediaNodeException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                log.LogDebug("SFU node {Node} gave no quality snapshot: {Error}", n.Id, e.Message);
                return (n.Id, (SfuQualitySnapshot?)null);
            }
        }));
        return snapshots.Where(s => s.Item2 is not null).SelectMany(s => s.Item2!.Rooms.Select(r => (s.Id, r))).ToList();
    }
}

public sealed class CallQualityOptions : Configuration.IValidatedOptions
{
    /// <summary>QUALITY_SAMPLE_MS: how often live quality is sampled and pushed to moderators.</summary>
    public int SampleMilliseconds { get; set; } = 1000;

    /// <summary>QUALITY_ALERT_SECONDS: a call whose score stays poor this long raises a quality-alert.</summary>
    public int PoorAlertSeconds { get; set; } = 10;

    public IEnumerable<string> Validate()
    {
        if (SampleMilliseconds is < 100 or > 10_000) yield return "QUALITY_SAMPLE_MS must be 100–10000";
        if (PoorAlertSeconds is < 1 or > 3600) yield return "QUALITY_ALERT_SECONDS must be 1–3600";
    }
}

/// <summary>
/// Samples every live call's quality once a second: keeps the latest view (for moderators' REST and the live
/// stream, pushed to the moderators group as live-calls), each call's history (its summary is stored when the call
/// ends), and raises quality-alert once per stretch of poor quality that lasts the alert period.
/// </summary>
public sealed class CallQualityMonitor(
    IServiceProvider services,
    IHubContext<ModeratorHub> moderators,
    IOptions<CallQualityOptions> options,
    TimeProvider clock,
    ILogger<CallQualityMonitor> log) : BackgroundService
{
    private readonly ConcurrentDictionary<string, CallQualityHistory> _histories = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _poorSince = new();
    private readonly ConcurrentDictionary<string, byte> _alerted = new();

    public LiveCallsView Latest { get; private set; } = new(DateTimeOffset.UnixEpoch, []);

    // Resolved on first use, not in the constructor: hosted services are built before configuration is validated,
    // and these reach Redis (a bad REDIS_URL must be reported by validation, not thrown from here).
    private IReadOnlyList<ICallQualitySource>? _sources;
    private IRoomStore? _rooms;
    private IReadOnlyList<ICallQualitySource> Sources => _sources ??= services.GetServices<ICallQualitySource>().ToList();
    private IRoomStore Rooms => _rooms ??= services.GetRequiredService<IRoomStore>();

    /// <summary>Raised for each quality alert (after it is pushed to moderators).</summary>
    public event Action<QualityAlert>? Alert;

    public async Task<LiveCallsView> SampleAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var calls = new List<LiveCallView>();
        foreach (var source in Sources)
        {
            foreach (var (node, room) in await source.SnapshotAsync(ct))
            {
                var metrics = new Dictionary<string, object?>();
                if (Guid.TryParse(room.RoomId, out var id) && await Rooms.GetAsync(id, ct) is { } snapshot)
                    foreach (var p in snapshot.Participants)
                        if (p.Metrics is { } json) metrics[p.DeviceId.ToString()] = ParseMetrics(json);
                var view = QualityViews.Of(node, room, metrics);
                calls.Add(view);
                _histories.GetOrAdd(view.CallId, _ => new CallQualityHistory(view.CallId, node, view.OpenedAt)).Add(view, now);
                await TrackPoorAsync(view, now);
            }
        }
        // Calls that disappeared without being finished here (ended through another control-plane node) are dropped after a minute.
        foreach (var (id, h) in _histories)
            if (now - h.LastSeen > TimeSpan.FromMinutes(1)) Forget(id);
        var latest = new LiveCallsView(now, calls);
        Latest = latest;
        return latest;
    }

    /// <summary>The call ended: its summary (null if it was never sampled), and no more tracking.</summary>
    public object? Finish(string callId)
    {
        if (!_histories.TryGetValue(callId, out var history)) { Forget(callId); return null; }
        var summary = history.Summary(clock.GetUtcNow());
        Forget(callId);
        return summary;
    }

    private void Forget(string callId)
    {
        _histories.TryRemove(callId, out _);
        _poorSince.TryRemove(callId, out _);
        _alerted.TryRemove(callId, out _);
    }

    private async Task TrackPoorAsync(LiveCallView call, DateTimeOffset now)
    {
        if (call.Level != "poor")
        {
            _poorSince.TryRemove(call.CallId, out _);
            _alerted.TryRemove(call.CallId, out _);
            return;
        }
        var since = _poorSince.GetOrAdd(call.CallId, now);
        if (now - since < TimeSpan.FromSeconds(options.Value.PoorAlertSeconds) || !_alerted.TryAdd(call.CallId, 0)) return;
        var alert = new QualityAlert(call.CallId, call.Node, since, call.Mos, $"call quality poor for {(now - since).TotalSeconds:0} s");
        log.LogWarning("Quality alert: call {CallId} on {Node} poor since {Since} (MOS {Mos})", call.CallId, call.Node, since, call.Mos);
        await moderators.Clients.Group(ModeratorHub.Group).SendAsync("quality-alert", alert);
        Alert?.Invoke(alert);
    }

    private static object? ParseMetrics(string json)
    {
        try { using var doc = JsonDocument.Parse(json); return doc.RootElement.Clone(); }
        catch (JsonException) { return null; }
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.SampleMilliseconds));
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                var latest = await SampleAsync(stop);
                await moderators.Clients.Group(ModeratorHub.Group).SendAsync("live-calls", latest, stop);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                log.LogWarning("Sampling call quality failed: {Error}", e.Message);
            }
        }
    }
}
