using System.Collections.Concurrent;
using Media.Sfu.Cluster;
using Microsoft.Extensions.Options;
using Service.Tokens;

namespace ControlPlane.Api.Calls.Media;

/// <summary>
/// Placement over the SFU nodes registered in Redis (plus the in-process SFU when it runs): each call goes to the
/// healthy node with the lowest load (the fullest of its limits: rooms, transports, and streams and CPU where the node
/// sets those limits; see <see cref="SfuNodeRecord.Load"/>); ties are broken
/// at random so control-plane nodes placing at once spread their calls. A node whose heartbeat is older than
/// SFU_NODE_STALE_MS, whose record expired, or that is full is left out. The chosen node's published load is
/// raised at once, so placements before its next heartbeat see the call.
/// </summary>
public sealed class RedisMediaPlacement : IMediaPlacement, IDisposable
{
    private readonly SfuNodeRegistry _registry;
    private readonly LocalMediaNode? _local;
    private readonly SfuControlTokens _tokens;
    private readonly TimeProvider _clock;
    private readonly ILogger<RedisMediaPlacement> _log;
    private readonly HttpClient _http;
    private readonly TimeSpan _staleAfter;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<string, RemoteMediaNode> _nodes = new();
    private readonly IMediaCallDirectory? _index;

    /// <param name="index">Where the rooms opened on node processes are indexed per node (see <see cref="NodeLossWatch"/>).</param>
    public RedisMediaPlacement(SfuNodeRegistry registry, LocalMediaNode? local, IOptions<MediaNodeOptions> options, TimeProvider clock, ILogger<RedisMediaPlacement> log,
        IMediaCallDirectory? index = null)
    {
        _registry = registry;
        _index = index;
        _local = local;
        _clock = clock;
        _log = log;
        var o = options.Value;
        _tokens = new SfuControlTokens(o.Secret!);
        _staleAfter = TimeSpan.FromMilliseconds(o.StaleAfterMs);
        _timeout = TimeSpan.FromMilliseconds(o.RequestTimeoutMs);
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(Math.Min(o.RequestTimeoutMs, 2000)),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        }) { Timeout = Timeout.InfiniteTimeSpan }; // each request has its own limit (RemoteMediaNode)
    }

    public async Task<IMediaNode?> PlaceAsync(IReadOnlyCollection<string> exclude, CancellationToken ct = default)
    {
        var candidates = new List<SfuNodeRecord>();
        try { candidates.AddRange(await _registry.ReadAllAsync(ct)); }
        catch (Exception e) when (e is Redis.Client.RedisException or TimeoutException)
        {
            _log.LogWarning("SFU node records could not be read: {Error}", e.Message);
        }
        if (_local?.Record(_clock.GetUtcNow()) is { } local) candidates.Add(local);
        var skip = new HashSet<string>(exclude);
        while (Choose(candidates, skip, _clock.GetUtcNow(), _staleAfter, Random.Shared) is { } chosen)
        {
            if (chosen.NodeId == LocalMediaNode.LocalId) return _local;
            try
            {
                if (await _registry.ReserveAsync(chosen.NodeId, SfuNodeRecord.TransportsPerCall, ct)) return Node(chosen.NodeId, chosen.Url);
            }
            catch (Exception e) when (e is Redis.Client.RedisException or TimeoutException)
            {
                return Node(chosen.NodeId, chosen.Url); // the node itself is the judge of its capacity
            }
            skip.Add(chosen.NodeId); // its record expired since we read it
        }
        return null;
    }

    public async Task<IReadOnlyList<SfuNodeRecord>> NodesAsync(CancellationToken ct = default)
    {
        var nodes = new List<SfuNodeRecord>(await _registry.ReadAllAsync(ct));
        if (_local?.Record(_clock.GetUtcNow()) is { } local) nodes.Add(local);
        return nodes;
    }

    /// <summary>The node processes with a fresh heartbeat (for polling their call quality).</summary>
    public async Task<IReadOnlyList<RemoteMediaNode>> LiveRemoteNodesAsync(CancellationToken ct = default)
    {
        var now = _clock.GetUtcNow();
        return (await _registry.ReadAllAsync(ct)).Where(r => now - r.UpdatedAt <= _staleAfter).Select(r => Node(r.NodeId, r.Url)).ToList();
    }

    public async Task<IMediaNode?> FindAsync(string nodeId, CancellationToken ct = default)
    {
        if (nodeId == LocalMediaNode.LocalId) return _local;
        try
        {
            if (await _registry.ReadAsync(nodeId, ct) is { } record) return Node(record.NodeId, record.Url);
        }
        catch (Exception e) when (e is Redis.Client.RedisException or TimeoutException)
        {
            _log.LogWarning("The record of SFU node {Node} could not be read: {Error}", nodeId, e.Message);
        }
        // A node that stopped heartbeating may still serve its calls (or take their closing): try where it was.
        return _nodes.TryGetValue(nodeId, out var known) ? known : null;
    }

    /// <summary>
    /// The least-loaded node that is not excluded, not stale and not full; among equally loaded ones, a random one.
    /// </summary>
    public static SfuNodeRecord? Choose(IEnumerable<SfuNodeRecord> candidates, IReadOnlySet<string> exclude, DateTimeOffset now, TimeSpan staleAfter, Random random)
    {
        var best = new List<SfuNodeRecord>();
        var bestLoad = double.MaxValue;
        foreach (var c in candidates)
        {
            if (exclude.Contains(c.NodeId) || now - c.UpdatedAt > staleAfter || c.IsFull) continue;
            var load = c.Load;
            if (load < bestLoad - 1e-9) { best.Clear(); bestLoad = load; }
            if (Math.Abs(load - bestLoad) <= 1e-9) best.Add(c);
        }
        return best.Count == 0 ? null : best[random.Next(best.Count)];
    }

    private RemoteMediaNode Node(string id, string url)
    {
        var address = new Uri(url.TrimEnd('/') + "/");
        var node = _nodes.GetOrAdd(id, _ => new RemoteMediaNode(id, address, _http, _tokens, _clock, _timeout, _index, _log));
        if (node.BaseAddress == address) return node;
        // The node restarted elsewhere under the same id.
        node = new RemoteMediaNode(id, address, _http, _tokens, _clock, _timeout, _index, _log);
        _nodes[id] = node;
        return node;
    }

    public void Dispose() => _http.Dispose();
}
