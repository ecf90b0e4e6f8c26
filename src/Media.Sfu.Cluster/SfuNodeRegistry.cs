using System.Text.Json;
using Redis.Client;

namespace Media.Sfu.Cluster;

/// <summary>A call participant's transport ended on its own, as a node reports it on the participant-lost channel.</summary>
public sealed record ParticipantLostMessage(string NodeId, string RoomId, string Participant, string Reason);

/// <summary>
/// The SFU nodes' shared directory in Redis, under the deployment's key prefix (REDIS_KEY_PREFIX):
/// <list type="bullet">
/// <item><c>{prefix}sfu:node:{id}</c> — a hash (<see cref="SfuNodeRecord"/>) with a TTL of a few heartbeats: a node
/// that stops writing it disappears by itself;</item>
/// <item><c>{prefix}sfu:nodes</c> — the set of node ids, so readers need not SCAN (members whose hash is gone are pruned);</item>
/// <item><c>{prefix}sfu:participant-lost</c> — the channel on which nodes publish <see cref="ParticipantLostMessage"/>;</item>
/// <item><c>{prefix}sfu:node-lost:{id}</c> — the claim of the control-plane process that ends the calls of a node
/// found dead (<see cref="ClaimNodeLossAsync"/>), so only one of them acts.</item>
/// </list>
/// </summary>
public sealed class SfuNodeRegistry(IRedisClient redis, string prefix)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // One round trip, and the record never exists without its TTL.
    private static readonly LuaScript Write = new("""
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[2], redis.call('HGET', KEYS[1], 'id'))
        return 1
        """);

    // Counts a call placed between two heartbeats, so the next placement (from any control-plane node) sees it;
    // only while the record exists, so a vanished node is not brought back without a TTL.
    private static readonly LuaScript Reserve = new("""
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        redis.call('HINCRBY', KEYS[1], 'transports', ARGV[1])
        return redis.call('HINCRBY', KEYS[1], 'rooms', 1)
        """);

    // Taken when free, kept (and extended) by its holder, refused to everyone else until it lapses.
    private static readonly LuaScript Claim = new("""
        local holder = redis.call('GET', KEYS[1])
        if holder == false then
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1
        end
        if holder == ARGV[1] then
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
        end
        return 0
        """);

    public IRedisClient Redis { get; } = redis;
    public string Prefix { get; } = prefix;
    public string IndexKey => Prefix + "sfu:nodes";
    public string ParticipantLostChannel => Prefix + "sfu:participant-lost";
    public string RecordKey(string nodeId) => Prefix + "sfu:node:" + nodeId;
    public string NodeLossClaimKey(string nodeId) => Prefix + "sfu:node-lost:" + nodeId;

    public async Task WriteAsync(SfuNodeRecord record, TimeSpan ttl, CancellationToken ct = default)
    {
        var args = new List<RedisArgument> { (long)Math.Ceiling(ttl.TotalMilliseconds) };
        foreach (var (k, v) in record.ToFields()) { args.Add(k); args.Add(v); }
        await Redis.EvaluateAsync(Write, [RecordKey(record.NodeId), IndexKey], args, ct);
    }

    /// <summary>A node leaving on purpose: gone from placement at once.</summary>
    public async Task RemoveAsync(string nodeId, CancellationToken ct = default)
    {
        await Redis.DelAsync(RecordKey(nodeId), ct);
        await Redis.SRemAsync(IndexKey, nodeId, ct);
    }

    public async Task<SfuNodeRecord?> ReadAsync(string nodeId, CancellationToken ct = default)
    {
        var fields = await Redis.HGetAllAsync(RecordKey(nodeId), ct);
        return fields.Count > 0 && SfuNodeRecord.TryParse(fields, out var r) ? r : null;
    }

    /// <summary>Every node whose record still exists (its TTL has not run out); prunes ids whose record has.</summary>
    public async Task<IReadOnlyList<SfuNodeRecord>> ReadAllAsync(CancellationToken ct = default)
    {
        var ids = await Redis.SMembersAsync(IndexKey, ct);
        var records = new List<SfuNodeRecord>(ids.Length);
        foreach (var id in ids)
        {
            var record = await ReadAsync(id, ct);
            if (record is not null) records.Add(record);
            else await Redis.SRemAsync(IndexKey, id, ct);
        }
        return records;
    }

    /// <summary>Adds a just-placed call to the node's published load until its next heartbeat; false if the node is gone.</summary>
    public async Task<bool> ReserveAsync(string nodeId, int transports, CancellationToken ct = default) =>
        (await Redis.EvaluateAsync(Reserve, [RecordKey(nodeId)], [transports], ct)).AsInt64() >= 0;

    /// <summary>
    /// Claims the ending of a dead node's calls for <paramref name="owner"/> (one control-plane process): true when
    /// the claim was free or is already the owner's (then it lasts <paramref name="ttl"/> longer), false when another
    /// owner holds it. It lapses after <paramref name="ttl"/>, so calls are not left behind by a holder that died.
    /// </summary>
    public async Task<bool> ClaimNodeLossAsync(string nodeId, string owner, TimeSpan ttl, CancellationToken ct = default) =>
        (await Redis.EvaluateAsync(Claim, [NodeLossClaimKey(nodeId)], [owner, (long)Math.Ceiling(ttl.TotalMilliseconds)], ct)).AsInt64() == 1;

    public Task<long> PublishParticipantLostAsync(ParticipantLostMessage message, CancellationToken ct = default) =>
        Redis.PublishAsync(ParticipantLostChannel, JsonSerializer.Serialize(message, Json), ct);

    public Task<IAsyncDisposable> SubscribeParticipantLostAsync(Func<ParticipantLostMessage, Task> handler, CancellationToken ct = default) =>
        Redis.SubscribeAsync(ParticipantLostChannel, async m =>
        {
            ParticipantLostMessage? message;
            try { message = JsonSerializer.Deserialize<ParticipantLostMessage>(m.Payload, Json); }
            catch (JsonException) { return; } // not ours
            if (message is { RoomId.Length: > 0, Participant.Length: > 0 }) await handler(message);
        }, ct);
}
