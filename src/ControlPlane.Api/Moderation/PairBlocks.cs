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

/// <summary>Reads and writes pair blocks; the queue entry of a joining device carries its list.</summary>
public sealed class PairBlocks(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>Newest first, at most this many travel with a queue entry.</summary>
    public const int MaxPerDevice = 500;

    public async Task<Guid[]> ForDeviceAsync(Guid deviceId, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        return await db.Set<PairBlock>().AsNoTracking().Where(b => b.DeviceId == deviceId)
            .OrderByDescending(b => b.CreatedAt).Take(MaxPerDevice).Select(b => b.OtherId).ToArrayAsync(ct);
    }

    public async Task AddAsync(Guid a, Guid b, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO pair_blocks (device_id, other_id, created_at) VALUES ({a}, {b}, {now}), ({b}, {a}, {now}) ON CONFLICT DO NOTHING", ct);
    }
}
