using ControlPlane.Api.Auth;
using ControlPlane.Api.Coins;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Payments;

internal sealed class PaymentOrderMapping : IEntityTypeConfiguration<PaymentOrder>
{
    public void Configure(EntityTypeBuilder<PaymentOrder> e)
    {
        e.ToTable("payment_orders", t =>
        {
            t.HasCheckConstraint("ck_payment_orders_kind", "kind IN ('coins', 'subscription')");
            t.HasCheckConstraint("ck_payment_orders_status", "status IN ('pending', 'paid', 'expired', 'failed')");
        });
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(20).IsRequired();
        e.Property(x => x.PackageId).HasColumnName("package_id");
        e.Property(x => x.PackageSlug).HasColumnName("package_slug").HasMaxLength(32);
        e.Property(x => x.Plan).HasColumnName("plan").HasMaxLength(20);
        e.Property(x => x.Coins).HasColumnName("coins");
        e.Property(x => x.AmountCents).HasColumnName("amount_cents");
        e.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3).IsRequired();
        e.Property(x => x.Status).HasColumnName("status").HasMaxLength(20).IsRequired();
        e.Property(x => x.Provider).HasColumnName("provider").HasMaxLength(20).IsRequired();
        e.Property(x => x.ProviderSessionId).HasColumnName("provider_session_id").HasMaxLength(255).IsRequired();
        e.Property(x => x.ProviderPaymentId).HasColumnName("provider_payment_id").HasMaxLength(255);
        e.Property(x => x.ProviderSubscriptionId).HasColumnName("provider_subscription_id").HasMaxLength(255);
        e.Property(x => x.CheckoutUrl).HasColumnName("checkout_url").HasMaxLength(2000);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.CompletedAt).HasColumnName("completed_at");
        e.HasIndex(x => x.ProviderSessionId).IsUnique().HasDatabaseName("ux_payment_orders_provider_session_id");
        e.HasIndex(x => new { x.DeviceId, x.CreatedAt }).HasDatabaseName("ix_payment_orders_device_created");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_payment_orders_devices");
        e.HasOne<CoinPackage>().WithMany().HasForeignKey(x => x.PackageId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_payment_orders_coin_packages");
    }
}

internal sealed class SubscriptionMapping : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> e)
    {
        e.ToTable("subscriptions");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.DeviceId).HasColumnName("device_id");
        e.Property(x => x.StripeSubscriptionId).HasColumnName("stripe_subscription_id").HasMaxLength(255).IsRequired();
        e.Property(x => x.StripeCustomerId).HasColumnName("stripe_customer_id").HasMaxLength(255);
        e.Property(x => x.Plan).HasColumnName("plan").HasMaxLength(20).IsRequired();
        e.Property(x => x.Status).HasColumnName("status").HasMaxLength(32).IsRequired();
        e.Property(x => x.CurrentPeriodStart).HasColumnName("current_period_start");
        e.Property(x => x.CurrentPeriodEnd).HasColumnName("current_period_end");
        e.Property(x => x.CancelAtPeriodEnd).HasColumnName("cancel_at_period_end");
        e.Property(x => x.CanceledAt).HasColumnName("canceled_at");
        e.Property(x => x.SyncedAt).HasColumnName("synced_at");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        e.HasIndex(x => x.StripeSubscriptionId).IsUnique().HasDatabaseName("ux_subscriptions_stripe_subscription_id");
        e.HasIndex(x => new { x.DeviceId, x.Status }).HasDatabaseName("ix_subscriptions_device_status");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_subscriptions_devices");
    }
}

internal sealed class ProcessedStripeEventMapping : IEntityTypeConfiguration<ProcessedStripeEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedStripeEvent> e)
    {
        e.ToTable("processed_stripe_events");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id").HasMaxLength(255);
        e.Property(x => x.Type).HasColumnName("type").HasMaxLength(100).IsRequired();
        e.Property(x => x.ProcessedAt).HasColumnName("processed_at");
        e.Property(x => x.Outcome).HasColumnName("outcome").HasMaxLength(100).IsRequired();
    }
}
