using System.Collections.Concurrent;
using ControlPlane.Api.Signaling;
using Redis.Client;

namespace ControlPlane.Api.Calls.Media;

/// <summary>Where a call's media runs, and the SFU offers its participants have not answered yet.</summary>
public sealed record MediaCallEntry(string NodeId, IReadOnlyDictionary<Guid, string> PendingOffers);

/// <summary>
/// Call id → SFU node, shared by every control-plane node (Redis) or held by this one. A call's entry lives as long
/// as the call; <see cref="RemoveAsync"/> succeeds for exactly one caller, so a room is closed on its node once.
/// Beside the entries, an index node → rooms (<see cref="RoomsOnAsync"/>) lists every call running on a node, so the
/// calls of a node that dies can be found (<see cref="NodeLossWatch"/>): a call's entry adds its room, its removal
/// takes it out; rooms opened on a node process without an entry (direct calls) are indexed by
/// <see cref="TrackRoomAsync"/> when their node opens them.
/// </summary>
public interface IMediaCallDirectory
{
    Task SetAsync(Guid roomId, string nodeId, CancellationToken ct = default);
    Task<MediaCallEntry?> GetAsync(Guid roomId, CancellationToken ct = default);
    Task SetPendingOfferAsync(Guid roomId, Guid participant, string? offerId, CancellationToken ct = default);
    Task<MediaCallEntry?> RemoveAsync(Guid roomId, CancellationToken ct = default);

    /// <summary>Adds a room to the node's index only (no entry); idempotent.</summary>
    Task TrackRoomAsync(string nodeId, Guid roomId, CancellationToken ct = default);

    /// <summary>Takes a room out of the node's index (not its entry); idempotent.</summary>
    Task ForgetRoomAsync(string nodeId, Guid roomId, CancellationToken ct = default);

    /// <summary>The rooms indexed on the node.</summary>
    Task<IReadOnlyCollection<Guid>> RoomsOnAsync(string nodeId, CancellationToken ct = default);

    /// <summary>The nodes with at least one indexed room.</summary>
    Task<IReadOnlyCollection<string>> NodesWithCallsAsync(CancellationToken ct = default);
}

internal sealed class InProcessMediaCallDirectory : IMediaCallDirectory
{
    private sealed class Entry(string node)
    {
        public string Node { get; } = node;
        public ConcurrentDictionary<Guid, string> Offers { get; } = new();
        public MediaCallEntry Snapshot() => new(Node, new Dictionary<Guid, string>(Offers));
    }

    private readonly ConcurrentDictionary<Guid, Entry> _calls = new();
    private readonly Dictionary<string, HashSet<Guid>> _byNode = new(StringComparer.Ordinal);

    public Task SetAsync(Guid roomId, string nodeId, CancellationToken ct = default)
    {
        Entry? old = null;
        _calls.AddOrUpdate(roomId, _ => new Entry(nodeId), (_, e) => { old = e; return new Entry(nodeId); });
        if (old is not null && old.Node != nodeId) Forget(old.Node, roomId);
        Track(nodeId, roomId);
        return Task.CompletedTask;
    }

    public Task<MediaCallEntry?> GetAsync(Guid roomId, CancellationToken ct = default) =>
        Task.FromResult(_calls.TryGetValue(roomId, out var e) ? e.Snapshot() : null);

    public Task SetPendingOfferAsync(Guid roomId, Guid participant, string? offerId, CancellationToken ct = default)
    {
        if (_calls.TryGetValue(roomId, out var e))
        {
            if (offerId is null) e.Offers.TryRemove(participant, out _);
            else e.Offers[participant] = offerId;
        }
        return Task.CompletedTask;
    }

    public Task<MediaCallEntry?> RemoveAsync(Guid roomId, CancellationToken ct = default)
    {
        if (!_calls.TryRemove(roomId, out var e)) return Task.FromResult<MediaCallEntry?>(null);
        Forget(e.Node, roomId);
        return Task.FromResult<MediaCallEntry?>(e.Snapshot());
    }

    public Task TrackRoomAsync(string nodeId, Guid roomId, CancellationToken ct = default)
    {
        Track(nodeId, roomId);
        return Task.CompletedTask;
    }

    public Task ForgetRoomAsync(string nodeId, Guid roomId, CancellationToken ct = default)
    {
        Forget(nodeId, roomId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyCollection<Guid>> RoomsOnAsync(string nodeId, CancellationToken ct = default)
    {
        lock (_byNode)
            return Task.FromResult<IReadOnlyCollection<Guid>>(_byNode.TryGetValue(nodeId, out var rooms) ? rooms.ToArray() : []);
    }

    public Task<IReadOnlyCollection<string>> NodesWithCallsAsync(CancellationToken ct = default)
    {
        lock (_byNode) return Task.FromResult<IReadOnlyCollection<string>>(_byNode.Keys.ToArray());
    }

    private void Track(string nodeId, Guid roomId)
    {
        lock (_byNode)
        {
            if (!_byNode.TryGetValue(nodeId, out var rooms)) _byNode[nodeId] = rooms = new HashSet<Guid>();
            rooms.Add(roomId);
        }
    }

    private void Forget(string nodeId, Guid roomId)
    {
        lock (_byNode)
            if (_byNode.TryGetValue(nodeId, out var rooms) && rooms.Remove(roomId) && rooms.Count == 0) _byNode.Remove(nodeId);
    }
}

/// <summary>
/// Keys (under the signaling prefix): mediacall:{roomId}, a hash with "node" and "offer:{participant}" fields;
/// sfu:node-calls:{nodeId}, the set of room ids running on the node; sfu:nodes-with-calls, the set of node ids whose
/// room set is not empty. The two sets change together in one script, so a node with rooms is never missing from
/// the second.
/// </summary>
internal sealed class RedisMediaCallDirectory(SignalingRedis redis) : IMediaCallDirectory
{
    /// <summary>Longer than any call may run on a node (sessions end after 12 h), so a lost end cannot leak keys forever.</summary>
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(13);

    // KEYS: entry, node's room set, nodes-with-calls; ARGV: node, room, ttl ms. Returns the entry's previous node.
    private static readonly LuaScript Set = new("""
        local old = redis.call('HGET', KEYS[1], 'node')
        redis.call('HSET', KEYS[1], 'node', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        redis.call('SADD', KEYS[2], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        redis.call('SADD', KEYS[3], ARGV[1])
        return old
        """);

    // KEYS: node's room set, nodes-with-calls; ARGV: node, room, ttl ms.
    private static readonly LuaScript Track = new("""
        redis.call('SADD', KEYS[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        redis.call('SADD', KEYS[2], ARGV[1])
        return 1
        """);

    // KEYS: node's room set, nodes-with-calls; ARGV: node, room (empty: only drop the node if its set is gone).
    private static readonly LuaScript Forget = new("""
        if ARGV[2] ~= '' then redis.call('SREM', KEYS[1], ARGV[2]) end
        if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
        return 1
        """);

    private string Key(Guid roomId) => redis.Key("mediacall:" + roomId.ToString("N"));
    private string NodeKey(string nodeId) => redis.Key("sfu:node-calls:" + nodeId);
    private string NodesKey => redis.Key("sfu:nodes-with-calls");
    private static long TtlMs => (long)Ttl.TotalMilliseconds;

    public async Task SetAsync(Guid roomId, string nodeId, CancellationToken ct = default)
    {
        var old = (await redis.Client.EvaluateAsync(Set, [Key(roomId), NodeKey(nodeId), NodesKey], [nodeId, roomId.ToString("N"), TtlMs], ct)).AsString();
        if (old is { Length: > 0 } && old != nodeId) await ForgetRoomAsync(old, roomId, ct);
    }

    public async Task<MediaCallEntry?> GetAsync(Guid roomId, CancellationToken ct = default) =>
        Parse(await redis.Client.HGetAllAsync(Key(roomId), ct));

    public async Task SetPendingOfferAsync(Guid roomId, Guid participant, string? offerId, CancellationToken ct = default)
    {
        if (offerId is null) await redis.Client.HDelAsync(Key(roomId), "offer:" + participant.ToString("N"), ct);
        else await redis.Client.HSetAsync(Key(roomId), "offer:" + participant.ToString("N"), offerId, ct);
    }

    public async Task<MediaCallEntry?> RemoveAsync(Guid roomId, CancellationToken ct = default)
    {
        // GETDEL-like for a hash: read everything and delete in one transaction; only the caller whose DEL removed it wins.
        var key = Key(roomId);
        var fields = await redis.Client.HGetAllAsync(key, ct);
        if (fields.Count == 0) return null;
        if (!await redis.Client.DelAsync(key, ct)) return null;
        var entry = Parse(fields);
        if (entry is not null) await ForgetRoomAsync(entry.NodeId, roomId, ct);
        return entry;
    }

    public Task TrackRoomAsync(string nodeId, Guid roomId, CancellationToken ct = default) =>
        redis.Client.EvaluateAsync(Track, [NodeKey(nodeId), NodesKey], [nodeId, roomId.ToString("N"), TtlMs], ct);

    public Task ForgetRoomAsync(string nodeId, Guid roomId, CancellationToken ct = default) =>
        redis.Client.EvaluateAsync(Forget, [NodeKey(nodeId), NodesKey], [nodeId, roomId.ToString("N")], ct);

    public async Task<IReadOnlyCollection<Guid>> RoomsOnAsync(string nodeId, CancellationToken ct = default)
    {
        var members = await redis.Client.SMembersAsync(NodeKey(nodeId), ct);
        var rooms = new List<Guid>(members.Length);
        foreach (var m in members) if (Guid.TryParseExact(m, "N", out var room)) rooms.Add(room);
        return rooms;
    }

    public async Task<IReadOnlyCollection<string>> NodesWithCallsAsync(CancellationToken ct = default)
    {
        var ids = await redis.Client.SMembersAsync(NodesKey, ct);
        var nodes = new List<string>(ids.Length);
        foreach (var id in ids)
        {
            // A room set that expired (its calls' ends were lost) leaves its node here: prune it, atomically with Track.
            if (await redis.Client.ExistsAsync(NodeKey(id), ct)) nodes.Add(id);
            else await redis.Client.EvaluateAsync(Forget, [NodeKey(id), NodesKey], [id, ""], ct);
        }
        return nodes;
    }

    private static MediaCallEntry? Parse(Dictionary<string, string> fields)
    {
        if (!fields.TryGetValue("node", out var node)) return null;
        var offers = new Dictionary<Guid, string>();
        foreach (var (k, v) in fields)
            if (k.StartsWith("offer:", StringComparison.Ordinal) && Guid.TryParse(k.AsSpan(6), out var p)) offers[p] = v;
        return new MediaCallEntry(node, offers);
    }
}
