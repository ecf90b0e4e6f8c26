using ControlPlane.Api.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Coins.SuperLovers;

internal sealed class SuperLoverProfileMapping : IEntityTypeConfiguration<SuperLoverProfile>
{
    public void Configure(EntityTypeBuilder<SuperLoverProfile> e)
    {
        e.ToTable("super_lover_profiles", t =>
        {
            t.HasCheckConstraint("ck_super_lover_profiles_status", "status IN ('online', 'ready', 'offline')");
            t.HasCheckConstraint("ck_super_lover_profiles_age", "age IS NULL OR age BETWEEN 0 AND 150");
        });
        e.HasKey(x => x.DeviceId);
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.IsSuperLover).HasColumnName("is_super_lover");
        e.Property(x => x.Status).HasColumnName("status").HasMaxLength(20).IsRequired();
        e.Property(x => x.Bio).HasColumnName("bio").HasMaxLength(500);
        e.Property(x => x.FullName).HasColumnName("full_name").HasMaxLength(100);
        e.Property(x => x.Age).HasColumnName("age");
        e.Property(x => x.Gender).HasColumnName("gender").HasMaxLength(10);
        e.Property(x => x.ProfileImageUrl).HasColumnName("profile_image_url").HasMaxLength(2000);
        e.Property(x => x.IsVerified).HasColumnName("is_verified");
        e.Property(x => x.VerifiedAt).HasColumnName("verified_at");
        e.Property(x => x.VerifiedBy).HasColumnName("verified_by");
        e.Property(x => x.CallCount).HasColumnName("call_count");
        e.Property(x => x.BecameAt).HasColumnName("became_at");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        e.HasIndex(x => new { x.IsSuperLover, x.Status }).HasDatabaseName("ix_super_lover_profiles_listing");
        e.HasOne<Device>().WithOne().HasForeignKey<SuperLoverProfile>(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_super_lover_profiles_devices");
    }
}

internal sealed class SuperLoverRatingMapping : IEntityTypeConfiguration<SuperLoverRating>
{
    public void Configure(EntityTypeBuilder<SuperLoverRating> e)
    {
        e.ToTable("super_lover_ratings", t => t.HasCheckConstraint("ck_super_lover_ratings_rating", "rating BETWEEN 1 AND 5"));
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.SuperLoverId).HasColumnName("super_lover_id");
        e.Property(x => x.RaterId).HasColumnName("rater_id");
        e.Property(x => x.Rating).HasColumnName("rating");
        e.Property(x => x.Comment).HasColumnName("comment").HasMaxLength(1000);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        e.HasIndex(x => new { x.SuperLoverId, x.RaterId }).IsUnique().HasDatabaseName("ux_super_lover_ratings_pair");
        e.HasOne<SuperLoverProfile>().WithMany().HasForeignKey(x => x.SuperLoverId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_super_lover_ratings_profiles");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.RaterId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_super_lover_ratings_devices");
    }
}
