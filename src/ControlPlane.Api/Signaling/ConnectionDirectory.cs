using System.Collections.Concurrent;
using Redis.Client;

namespace ControlPlane.Api.Signaling;

/// <summary>Where a device is connected: which node, which connection.</summary>
public sealed record Presence(string Node, string ConnectionId)
{
    public override string ToString() => Node + "|" + ConnectionId;

    public static Presence? Parse(string? value)
    {
        var bar = value?.IndexOf('|') ?? -1;
        return bar <= 0 ? null : new Presence(value![..bar], value[(bar + 1)..]);
    }
}

/// <summary>Presence of every connected device across nodes: deviceId → (node, connection).</summary>
public interface IConnectionDirectory
{
    /// <summary>Records the device's new connection; returns the one it replaces, if any.</summary>
    Task<Presence?> RegisterAsync(Guid deviceId, Presence presence, CancellationToken ct = default);

    /// <summary>Forgets the connection if it is still the device's current one; true if it was.</summary>
    Task<bool> UnregisterAsync(Guid deviceId, Presence presence, CancellationToken ct = default);

    Task<Presence?> LookupAsync(Guid deviceId, CancellationToken ct = default);
}

public sealed class InProcessConnectionDirectory : IConnectionDirectory
{
    private readonly ConcurrentDictionary<Guid, Presence> _map = new();

    public Task<Presence?> RegisterAsync(Guid deviceId, Presence presence, CancellationToken ct = default)
    {
        Presence? previous = null;
        _map.AddOrUpdate(deviceId, presence, (_, old) => { previous = old; return presence; });
        return Task.FromResult(previous == presence ? null : previous);
    }

    public Task<bool> UnregisterAsync(Guid deviceId, Presence presence, CancellationToken ct = default) =>
        Task.FromResult(_map.TryRemove(new KeyValuePair<Guid, Presence>(deviceId, presence)));

    public Task<Presence?> LookupAsync(Guid deviceId, CancellationToken ct = default) =>
        Task.FromResult(_map.TryGetValue(deviceId, out var p) ? p : null);
}

/// <summary>presence:{device} → "node|connection" under the prefix.</summary>
public sealed class RedisConnectionDirectory(SignalingRedis redis) : IConnectionDirectory
{
    private static readonly LuaScript CompareAndDelete = new("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """);

    public async Task<Presence?> RegisterAsync(Guid deviceId, Presence presence, CancellationToken ct = default)
    {
        var old = await redis.Client.ExecuteAsync("SET", new object[] { Key(deviceId), presence.ToString(), "GET" }, ct);
        var previous = Presence.Parse(old.AsString());
        return previous == presence ? null : previous;
    }

    public async Task<bool> UnregisterAsync(Guid deviceId, Presence presence, CancellationToken ct = default) =>
        (await redis.Client.EvaluateAsync(CompareAndDelete, new[] { Key(deviceId) }, new RedisArgument[] { presence.ToString() }, ct)).AsInt64() == 1;

    public async Task<Presence?> LookupAsync(Guid deviceId, CancellationToken ct = default) =>
        Presence.Parse(await redis.Client.GetAsync(Key(deviceId), ct));

    private string Key(Guid deviceId) => redis.Key("presence:" + deviceId);
}
