using Media.Sfu.Cluster;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Calls.Media;

/// <summary>A kind of call whose rooms run on SFU nodes: ends one of its calls when the room's node died.</summary>
public interface IMediaNodeLossHandler
{
    /// <summary>
    /// Ends the call of <paramref name="roomId"/> for both sides if it is one of this kind, still live and on
    /// <paramref name="nodeId"/>; true when this call ended it.
    /// </summary>
    Task<bool> EndCallOnLostNodeAsync(Guid roomId, string nodeId);
}

/// <summary>
/// Ends the calls of SFU node processes that died without a word (SIGKILL, a crash, a network partition). A node
/// that stops gracefully reports its participants as lost (<see cref="MediaParticipantLoss"/>); a dead one only
/// stops heartbeating, and its record goes stale, then expires. Every SFU_NODE_LOSS_SWEEP_MS, the nodes that carry
/// calls (the directory's node index) are checked against their records. A node is lost when its record is missing
/// or stale, has been seen so for a whole interval, and its last heartbeat seen is older than SFU_NODE_STALE_MS
/// plus an interval: a slow heartbeat kills no call. One control-plane process claims a lost node (the others skip
/// it) and ends each of its calls through every <see cref="IMediaNodeLossHandler"/>, then removes them from the
/// directory. The in-process SFU ("local") is never swept: it dies with this process.
/// </summary>
public sealed class NodeLossWatch : IHostedService
{
    /// <summary>The end reason of a direct call whose node was lost (seed 003's calls table).</summary>
    public const string DirectCallEndReason = "media_node_lost";

    private const int ParallelEnds = 8;
    private static readonly TimeSpan MinClaim = TimeSpan.FromSeconds(15);

    private readonly IServiceProvider? _services;
    private IMediaCallDirectory _directory = null!;
    private SfuNodeRegistry _registry = null!;
    private IEnumerable<IMediaNodeLossHandler> _handlers = null!;
    private IOptions<MediaNodeOptions> _options = null!;
    private readonly TimeProvider _clock;
    private readonly ILogger<NodeLossWatch> _log;
    /// <summary>This process in the claims of lost nodes.</summary>
    private readonly string _owner = Environment.MachineName + ":" + Environment.ProcessId + ":" + Guid.NewGuid().ToString("N")[..8];
    private readonly Dictionary<string, Sighting> _seen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _round = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private bool _failing;

    /// <summary>What this process last saw of a node with calls.</summary>
    private sealed class Sighting
    {
        public DateTimeOffset? LastHeartbeat;
        public DateTimeOffset? UnhealthySince;
    }

    /// <summary>
    /// For the host: the parts are resolved at start, not construction, so that invalid settings (a bad REDIS_URL)
    /// are reported by options validation instead of thrown from here.
    /// </summary>
    public NodeLossWatch(IServiceProvider services, TimeProvider clock, ILogger<NodeLossWatch> log)
    {
        _services = services;
        _clock = clock;
        _log = log;
    }

    internal NodeLossWatch(IMediaCallDirectory directory, SfuNodeRegistry registry, IEnumerable<IMediaNodeLossHandler> handlers,
        IOptions<MediaNodeOptions> options, TimeProvider clock, ILogger<NodeLossWatch> log)
    {
        _directory = directory;
        _registry = registry;
        _handlers = handlers;
        _options = options;
        _clock = clock;
        _log = log;
    }

    public Task StartAsync(CancellationToken ct)
    {
        if (_services is not null)
        {
            _directory = _services.GetRequiredService<IMediaCallDirectory>();
            _registry = _services.GetRequiredService<SfuNodeRegistry>();
            _handlers = _services.GetServices<IMediaNodeLossHandler>();
            _options = _services.GetRequiredService<IOptions<MediaNodeOptions>>();
        }
        var every = TimeSpan.FromMilliseconds(_options.Value.LossSweepMs);
        _loop = Task.Run(() => LoopAsync(every, _stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task LoopAsync(TimeSpan every, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(every, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) await SweepAsync(ct);
        }
        catch (Exception) when (ct.IsCancellationRequested) { }
    }

    /// <summary>
    /// One round: returns the nodes this process found lost and ended the calls of. Never throws for Redis failing
    /// (the round is skipped, logged once per outage).
    /// </summary>
    public async Task<IReadOnlyList<string>> SweepAsync(CancellationToken ct = default)
    {
        await _round.WaitAsync(ct);
        try
        {
            var lost = await RoundAsync(ct);
            if (_failing)
            {
                _failing = false;
                _log.LogInformation("Looking for lost SFU nodes again");
            }
            return lost;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // After an outage a node must be seen failing for a whole interval again: its heartbeats could not land either.
            _seen.Clear();
            if (!_failing)
            {
                _failing = true;
                _log.LogWarning("Looking for lost SFU nodes failed; retrying every round until it works: {Error}", e.Message);
            }
            return [];
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task<IReadOnlyList<string>> RoundAsync(CancellationToken ct)
    {
        var o = _options.Value;
        var interval = TimeSpan.FromMilliseconds(o.LossSweepMs);
        var staleAfter = TimeSpan.FromMilliseconds(o.StaleAfterMs);
        var now = _clock.GetUtcNow();
        var nodes = await _directory.NodesWithCallsAsync(ct);
        foreach (var gone in _seen.Keys.Where(n => !nodes.Contains(n)).ToList()) _seen.Remove(gone);

        var lost = new List<string>();
        foreach (var node in nodes)
        {
            if (node == LocalMediaNode.LocalId) continue;
            var record = await _registry.ReadAsync(node, ct);
            if (!_seen.TryGetValue(node, out var seen)) _seen[node] = seen = new Sighting();
            if (record is not null) seen.LastHeartbeat = record.UpdatedAt;
            if (record is not null && now - record.UpdatedAt <= staleAfter)
            {
                seen.UnhealthySince = null;
                continue;
            }
            seen.UnhealthySince ??= now;
            if (now - seen.UnhealthySince < interval) continue;
            if (seen.LastHeartbeat is { } last && now - last <= staleAfter + interval) continue;
            var claimFor = interval * 5 > MinClaim ? interval * 5 : MinClaim;
            if (!await _registry.ClaimNodeLossAsync(node, _owner, claimFor, ct)) continue; // another control-plane process acts
            await EndCallsAsync(node, seen.LastHeartbeat, ct);
            lost.Add(node);
        }
        return lost;
    }

    private async Task EndCallsAsync(string node, DateTimeOffset? lastHeartbeat, CancellationToken ct)
    {
        var rooms = await _directory.RoomsOnAsync(node, ct);
        if (rooms.Count == 0) return;
        _log.LogWarning("SFU node {Node} is lost (last heartbeat {LastHeartbeat}); ending its {RoomCount} calls",
            node, lastHeartbeat?.ToString("O") ?? "not seen", rooms.Count);
        var ended = 0;
        await Parallel.ForEachAsync(rooms, new ParallelOptions { MaxDegreeOfParallelism = ParallelEnds, CancellationToken = ct }, async (room, token) =>
        {
            if (await EndCallAsync(room, node, token)) Interlocked.Increment(ref ended);
        });
        _log.LogInformation("SFU node {Node} lost: {Ended} of its {RoomCount} calls ended here, the others were over already", node, ended, rooms.Count);
    }

    /// <summary>True when a handler ended the call. A failing handler leaves the room indexed: the next round retries it.</summary>
    private async Task<bool> EndCallAsync(Guid room, string node, CancellationToken ct)
    {
        var ended = false;
        var failed = false;
        foreach (var handler in _handlers)
        {
            try { ended |= await handler.EndCallOnLostNodeAsync(room, node); }
            catch (Exception e)
            {
                failed = true;
                _log.LogWarning(e, "Ending call {RoomId} of lost SFU node {Node} failed", room, node);
            }
        }
        if (failed) return ended;
        // Ending a call removes its entry; one that was over already (its end lost) may have left it behind.
        if (await _directory.GetAsync(room, ct) is { } entry && entry.NodeId == node) await _directory.RemoveAsync(room, ct);
        await _directory.ForgetRoomAsync(node, room, ct);
        return ended;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        _stop.Cancel();
        await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, ct));
    }
}
