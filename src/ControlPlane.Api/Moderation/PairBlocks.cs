using ControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Moderation;

/// <summary>Two devices that must never be paired again (written both ways when one reports the other).</summary>
public sealed class PairBlock
{
    public Guid DeviceId { get; set; }
    public Guid OtherId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class PairBlockMapping : IEntityTypeConfiguration<PairBlock>
{
    public void Configure(EntityTypeBuilder<PairBlock> e)
    {
        e.ToTable("pair_blocks");
        e.HasKey(x => new { x.DeviceId, x.OtherId });
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.OtherId).HasColumnName("other_id");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
    }
}

/// <summary>
/// Reads and writes pair blocks; the queue entry of a joining device carries its list. Lists are cached per device
/// for a minute so joining does not cost a database query each time; a report updates the cache of the node that
/// files it at once. (On another node the reporter's list may be a minute old; the "not the previous partner" rule
/// covers the immediate re-pairing, and the block is checked from both sides.)
/// </summary>
public sealed class PairBlocks(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>Newest first, at most this many travel with a queue entry.</summary>
    public const int MaxPerDevice = 500;
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, (Guid[] List, DateTimeOffset Until)> _cache = new();

    public async Task<Guid[]> ForDeviceAsync(Guid deviceId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(deviceId, out var hit) && hit.Until > now) return hit.List;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        var list = await db.Set<PairBlock>().AsNoTracking().Where(b => b.DeviceId == deviceId)
            .OrderByDescending(b => b.CreatedAt).Take(MaxPerDevice).Select(b => b.OtherId).ToArrayAsync(ct);
        if (_cache.Count > 200_000) Prune(now);
        _cache[deviceId] = (list, now + CacheFor);
        return list;
    }

    public async Task AddAsync(Guid a, Guid b, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO pair_blocks (device_id, other_id, created_at) VALUES ({a}, {b}, {now}), ({b}, {a}, {now}) ON CONFLICT DO NOTHING", ct);
        _cache.TryRemove(a, out _);
        _cache.TryRemove(b, out _);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (k, v) in _cache)
            if (v.Until <= now) _cache.TryRemove(k, out _);
    }
}
