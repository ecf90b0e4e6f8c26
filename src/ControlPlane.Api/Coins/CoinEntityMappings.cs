using ControlPlane.Api.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Coins;

internal sealed class CoinAccountMapping : IEntityTypeConfiguration<CoinAccount>
{
    public void Configure(EntityTypeBuilder<CoinAccount> e)
    {
        e.ToTable("coin_accounts", t => t.HasCheckConstraint("ck_coin_accounts_balance", "balance >= 0"));
        e.HasKey(x => x.DeviceId);
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.Balance).HasColumnName("balance");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        e.HasOne<Device>().WithOne().HasForeignKey<CoinAccount>(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_coin_accounts_devices");
    }
}

internal sealed class CoinTransactionMapping : IEntityTypeConfiguration<CoinTransaction>
{
    public void Configure(EntityTypeBuilder<CoinTransaction> e)
    {
        e.ToTable("coin_transactions", t =>
        {
            t.HasCheckConstraint("ck_coin_transactions_amount", "amount <> 0");
            t.HasCheckConstraint("ck_coin_transactions_balance_after", "balance_after >= 0");
            t.HasCheckConstraint("ck_coin_transactions_type", "transaction_type IN ('earn', 'spend', 'purchase', 'refund', 'transfer')");
        });
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.Type).HasColumnName("transaction_type").HasMaxLength(20).IsRequired();
        e.Property(x => x.Amount).HasColumnName("amount");
        e.Property(x => x.BalanceAfter).HasColumnName("balance_after");
        e.Property(x => x.Description).HasColumnName("description").HasMaxLength(500);
        e.Property(x => x.ReferenceType).HasColumnName("reference_type").HasMaxLength(32);
        e.Property(x => x.ReferenceId).HasColumnName("reference_id").HasMaxLength(255);
        e.Property(x => x.UniqueKey).HasColumnName("unique_key").HasMaxLength(300);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasIndex(x => new { x.DeviceId, x.CreatedAt }).HasDatabaseName("ix_coin_transactions_device_created");
        e.HasIndex(x => x.UniqueKey).IsUnique().HasDatabaseName("ux_coin_transactions_unique_key");
        e.HasOne<CoinAccount>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_coin_transactions_coin_accounts");
    }
}

internal sealed class CoinPackageMapping : IEntityTypeConfiguration<CoinPackage>
{
    public void Configure(EntityTypeBuilder<CoinPackage> e)
    {
        e.ToTable("coin_packages", t => t.HasCheckConstraint("ck_coin_packages_positive", "coins > 0 AND price_cents > 0"));
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.Slug).HasColumnName("slug").HasMaxLength(32).IsRequired();
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(50).IsRequired();
        e.Property(x => x.Coins).HasColumnName("coins");
        e.Property(x => x.PriceCents).HasColumnName("price_cents");
        e.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3).IsRequired();
        e.Property(x => x.IsActive).HasColumnName("is_active");
        e.Property(x => x.StripePriceId).HasColumnName("stripe_price_id").HasMaxLength(255);
        e.Property(x => x.SortOrder).HasColumnName("sort_order");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasIndex(x => x.Slug).IsUnique().HasDatabaseName("ux_coin_packages_slug");
    }
}

internal sealed class IdempotencyRecordMapping : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> e)
    {
        e.ToTable("idempotency_keys");
        e.HasKey(x => new { x.DeviceId, x.Key });
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.Key).HasColumnName("key").HasMaxLength(255);
        e.Property(x => x.RequestHash).HasColumnName("request_hash").IsRequired();
        e.Property(x => x.StatusCode).HasColumnName("status_code");
        e.Property(x => x.ResponseBody).HasColumnName("response_body").IsRequired();
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasIndex(x => x.CreatedAt).HasDatabaseName("ix_idempotency_keys_created");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_idempotency_keys_devices");
    }
}

internal sealed class AdRewardMapping : IEntityTypeConfiguration<AdReward>
{
    public void Configure(EntityTypeBuilder<AdReward> e)
    {
        e.ToTable("ad_rewards");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.AdType).HasColumnName("ad_type").HasMaxLength(20).IsRequired();
        e.Property(x => x.AdProvider).HasColumnName("ad_provider").HasMaxLength(20).IsRequired();
        e.Property(x => x.CoinsEarned).HasColumnName("coins_earned");
        e.Property(x => x.VerifiedTransactionId).HasColumnName("verified_transaction_id").HasMaxLength(255);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasIndex(x => new { x.DeviceId, x.CreatedAt }).HasDatabaseName("ix_ad_rewards_device_created");
        e.HasIndex(x => x.VerifiedTransactionId).IsUnique().HasDatabaseName("ux_ad_rewards_verified_transaction_id");
        e.HasOne<CoinAccount>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_ad_rewards_coin_accounts");
    }
}
