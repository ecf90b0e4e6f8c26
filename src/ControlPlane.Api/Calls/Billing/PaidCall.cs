using ControlPlane.Api.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Calls.Billing;

/// <summary>A metered call to a Super Lover: what was charged and earned, minute by minute (seed 003 calls.coins_spent).</summary>
public sealed class PaidCall
{
    public Guid CallId { get; set; }
    public Guid CallerId { get; set; }
    public Guid CalleeId { get; set; }
    public int RatePerMinute { get; set; }
    public int CalleeSharePercent { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public int MinutesCharged { get; set; }
    public long CoinsSpent { get; set; }
    public long CalleeEarned { get; set; }
    /// <summary>completed (hung up) or insufficient_coins (ended by billing).</summary>
    public string? EndReason { get; set; }
}

internal sealed class PaidCallMapping : IEntityTypeConfiguration<PaidCall>
{
    public void Configure(EntityTypeBuilder<PaidCall> e)
    {
        e.ToTable("paid_calls", t => t.HasCheckConstraint("ck_paid_calls_parties", "caller_id <> callee_id"));
        e.HasKey(x => x.CallId);
        e.Property(x => x.CallId).HasColumnName("call_id");
        e.Property(x => x.CallerId).HasColumnName("caller_id");
        e.Property(x => x.CalleeId).HasColumnName("callee_id");
        e.Property(x => x.RatePerMinute).HasColumnName("rate_per_minute");
        e.Property(x => x.CalleeSharePercent).HasColumnName("callee_share_percent");
        e.Property(x => x.StartedAt).HasColumnName("started_at");
        e.Property(x => x.EndedAt).HasColumnName("ended_at");
        e.Property(x => x.MinutesCharged).HasColumnName("minutes_charged");
        e.Property(x => x.CoinsSpent).HasColumnName("coins_spent");
        e.Property(x => x.CalleeEarned).HasColumnName("callee_earned");
        e.Property(x => x.EndReason).HasColumnName("end_reason").HasMaxLength(32);
        e.HasIndex(x => new { x.CalleeId, x.StartedAt }).HasDatabaseName("ix_paid_calls_callee");
        e.HasIndex(x => new { x.CallerId, x.CalleeId }).HasDatabaseName("ix_paid_calls_caller_callee");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.CallerId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_paid_calls_caller");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.CalleeId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_paid_calls_callee");
    }
}
