using System.Collections.Concurrent;
using ControlPlane.Api.Signaling;

namespace ControlPlane.Api.Moderation;

/// <summary>
/// Banned devices as the live services see them (the queue refuses them atomically). The database's
/// devices.banned_at stays the authority: the hub checks it on connect and adds what it finds here.
/// </summary>
public interface IBanList
{
    Task<bool> IsBannedAsync(Guid deviceId, CancellationToken ct = default);
    Task AddAsync(Guid deviceId, CancellationToken ct = default);
}

public sealed class InProcessBanList : IBanList
{
    private readonly ConcurrentDictionary<Guid, byte> _banned = new();
    public bool Contains(Guid deviceId) => _banned.ContainsKey(deviceId);
    public Task<bool> IsBannedAsync(Guid deviceId, CancellationToken ct = default) => Task.FromResult(Contains(deviceId));
    public Task AddAsync(Guid deviceId, CancellationToken ct = default) { _banned[deviceId] = 0; return Task.CompletedTask; }
}

/// <summary>The set "banned" under the prefix; RedisMatchQueue's join script checks it.</summary>
public sealed class RedisBanList(SignalingRedis redis) : IBanList
{
    public Task<bool> IsBannedAsync(Guid deviceId, CancellationToken ct = default) => redis.Client.SIsMemberAsync(redis.Key("banned"), deviceId.ToString(), ct);
    public Task AddAsync(Guid deviceId, CancellationToken ct = default) => redis.Client.SAddAsync(redis.Key("banned"), deviceId.ToString(), ct);
}
