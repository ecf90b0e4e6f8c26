using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Auth;

internal sealed class DeviceMapping : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> e)
    {
        e.ToTable("devices");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.LastSeenAt).HasColumnName("last_seen_at");
        e.Property(x => x.Role).HasColumnName("role").HasMaxLength(32).IsRequired();
        e.Property(x => x.BannedAt).HasColumnName("banned_at");
        e.Property(x => x.BanReason).HasColumnName("ban_reason").HasMaxLength(500);
    }
}

internal sealed class RefreshTokenMapping : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> e)
    {
        e.ToTable("refresh_tokens");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.TokenHash).HasColumnName("token_hash").IsRequired();
        e.Property(x => x.FamilyId).HasColumnName("family_id");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
        e.Property(x => x.UsedAt).HasColumnName("used_at");
        e.Property(x => x.RevokedAt).HasColumnName("revoked_at");
        e.HasIndex(x => x.TokenHash).IsUnique().HasDatabaseName("ix_refresh_tokens_token_hash");
        e.HasIndex(x => x.DeviceId).HasDatabaseName("ix_refresh_tokens_device_id");
        e.HasIndex(x => x.FamilyId).HasDatabaseName("ix_refresh_tokens_family_id");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_refresh_tokens_devices");
    }
}
