using System.Collections.Concurrent;
using ControlPlane.Api.Signaling;

namespace ControlPlane.Api.Calls.Media;

/// <summary>Where a call's media runs, and the SFU offers its participants have not answered yet.</summary>
public sealed record MediaCallEntry(string NodeId, IReadOnlyDictionary<Guid, string> PendingOffers);

/// <summary>
/// Call id → SFU node, shared by every control-plane node (Redis) or held by this one. A call's entry lives as long
/// as the call; <see cref="RemoveAsync"/> succeeds for exactly one caller, so a room is closed on its node once.
/// </summary>
public interface IMediaCallDirectory
{
    Task SetAsync(Guid roomId, string nodeId, CancellationToken ct = default);
    Task<MediaCallEntry?> GetAsync(Guid roomId, CancellationToken ct = default);
    Task SetPendingOfferAsync(Guid roomId, Guid participant, string? offerId, CancellationToken ct = default);
    Task<MediaCallEntry?> RemoveAsync(Guid roomId, CancellationToken ct = default);
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

    public Task SetAsync(Guid roomId, string nodeId, CancellationToken ct = default)
    {
        _calls[roomId] = new Entry(nodeId);
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

    public Task<MediaCallEntry?> RemoveAsync(Guid roomId, CancellationToken ct = default) =>
        Task.FromResult(_calls.TryRemove(roomId, out var e) ? e.Snapshot() : null);
}

/// <summary>Keys (under the signaling prefix): mediacall:{roomId}, a hash with "node" and "offer:{participant}" fields.</summary>
internal sealed class RedisMediaCallDirectory(SignalingRedis redis) : IMediaCallDirectory
{
    /// <summary>Longer than any call may run on a node (sessions end after 12 h), so a lost end cannot leak keys forever.</summary>
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(13);

    private string Key(Guid roomId) => redis.Key("mediacall:" + roomId.ToString("N"));

    public async Task SetAsync(Guid roomId, string nodeId, CancellationToken ct = default)
    {
        await redis.Client.HSetAsync(Key(roomId), "node", nodeId, ct);
        await redis.Client.ExpireAsync(Key(roomId), Ttl, ct);
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
        return await redis.Client.DelAsync(key, ct) ? Parse(fields) : null;
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
