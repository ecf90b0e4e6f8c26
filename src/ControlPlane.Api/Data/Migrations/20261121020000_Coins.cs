using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ControlPlane.Api.Data.Migrations;

/// <summary>
/// Coin ledger, coin packages, idempotency keys, rewarded ads, Super Lovers, paid calls, payment orders, premium
/// subscriptions and processed Stripe events (issue 8). Written by hand: EF Core Design does not restore here.
/// </summary>
[DbContext(typeof(ControlPlaneDb))]
[Migration("20261121020000_Coins")]
public sealed class Coins : Migration
{
    private const string Tz = "timestamp with time zone";

    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("coin_accounts", t => new
        {
            device_id = t.Column<Guid>("uuid", nullable: false),
            balance = t.Column<long>("bigint", nullable: false),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            updated_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_coin_accounts", x => x.device_id);
            t.ForeignKey("fk_coin_accounts_devices", x => x.device_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.CheckConstraint("ck_coin_accounts_balance", "balance >= 0");
        });

        m.CreateTable("coin_transactions", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            device_id = t.Column<Guid>("uuid", nullable: false),
            transaction_type = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            amount = t.Column<long>("bigint", nullable: false),
            balance_after = t.Column<long>("bigint", nullable: false),
            description = t.Column<string>("character varying(500)", maxLength: 500, nullable: true),
            reference_type = t.Column<string>("character varying(32)", maxLength: 32, nullable: true),
            reference_id = t.Column<string>("character varying(255)", maxLength: 255, nullable: true),
            unique_key = t.Column<string>("character varying(300)", maxLength: 300, nullable: true),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_coin_transactions", x => x.id);
            t.ForeignKey("fk_coin_transactions_coin_accounts", x => x.device_id, "coin_accounts", "device_id", onDelete: ReferentialAction.Cascade);
            t.CheckConstraint("ck_coin_transactions_amount", "amount <> 0");
            t.CheckConstraint("ck_coin_transactions_balance_after", "balance_after >= 0");
            t.CheckConstraint("ck_coin_transactions_type", "transaction_type IN ('earn', 'spend', 'purchase', 'refund', 'transfer')");
        });
        m.CreateIndex("ix_coin_transactions_device_created", "coin_transactions", new[] { "device_id", "created_at" });
        m.CreateIndex("ux_coin_transactions_unique_key", "coin_transactions", "unique_key", unique: true);
        // Append-only: the ledger is history. Corrections are new rows (refund), never edits.
        m.Sql("""
            CREATE FUNCTION coin_transactions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'coin_transactions is append-only'; END $$;
            CREATE TRIGGER coin_transactions_no_update BEFORE UPDATE ON coin_transactions
                FOR EACH ROW EXECUTE FUNCTION coin_transactions_append_only();
            """);

        m.CreateTable("coin_packages", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            slug = t.Column<string>("character varying(32)", maxLength: 32, nullable: false),
            name = t.Column<string>("character varying(50)", maxLength: 50, nullable: false),
            coins = t.Column<int>("integer", nullable: false),
            price_cents = t.Column<long>("bigint", nullable: false),
            currency = t.Column<string>("character varying(3)", maxLength: 3, nullable: false),
            is_active = t.Column<bool>("boolean", nullable: false),
            stripe_price_id = t.Column<string>("character varying(255)", maxLength: 255, nullable: true),
            sort_order = t.Column<int>("integer", nullable: false),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_coin_packages", x => x.id);
            t.CheckConstraint("ck_coin_packages_positive", "coins > 0 AND price_cents > 0");
        });
        m.CreateIndex("ux_coin_packages_slug", "coin_packages", "slug", unique: true);
        // Seed 004's package names; operators change prices or add packages with SQL (is_active = false retires one).
        m.Sql("""
            INSERT INTO coin_packages (id, slug, name, coins, price_cents, currency, is_active, sort_order, created_at) VALUES
                ('5b0c4a4e-0001-4c6e-9a52-0c01a0000001', 'basic',   '100 Coins',   100,  499, 'usd', true, 1, '2026-11-21T00:00:00Z'),
                ('5b0c4a4e-0002-4c6e-9a52-0c01a0000002', 'premium', '550 Coins',   550, 1999, 'usd', true, 2, '2026-11-21T00:00:00Z'),
                ('5b0c4a4e-0003-4c6e-9a52-0c01a0000003', 'mega',    '1200 Coins', 1200, 3999, 'usd', true, 3, '2026-11-21T00:00:00Z');
            """);

        m.CreateTable("idempotency_keys", t => new
        {
            device_id = t.Column<Guid>("uuid", nullable: false),
            key = t.Column<string>("character varying(255)", maxLength: 255, nullable: false),
            request_hash = t.Column<byte[]>("bytea", nullable: false),
            status_code = t.Column<int>("integer", nullable: false),
            response_body = t.Column<string>("text", nullable: false),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_idempotency_keys", x => new { x.device_id, x.key });
            t.ForeignKey("fk_idempotency_keys_devices", x => x.device_id, "devices", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_idempotency_keys_created", "idempotency_keys", "created_at");

        m.CreateTable("ad_rewards", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            device_id = t.Column<Guid>("uuid", nullable: false),
            ad_type = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            ad_provider = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            coins_earned = t.Column<int>("integer", nullable: false),
            verified_transaction_id = t.Column<string>("character varying(255)", maxLength: 255, nullable: true),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_ad_rewards", x => x.id);
            t.ForeignKey("fk_ad_rewards_coin_accounts", x => x.device_id, "coin_accounts", "device_id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_ad_rewards_device_created", "ad_rewards", new[] { "device_id", "created_at" });
        m.CreateIndex("ux_ad_rewards_verified_transaction_id", "ad_rewards", "verified_transaction_id", unique: true);

        m.CreateTable("super_lover_profiles", t => new
        {
            device_id = t.Column<Guid>("uuid", nullable: false),
            is_super_lover = t.Column<bool>("boolean", nullable: false),
            status = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            bio = t.Column<string>("character varying(500)", maxLength: 500, nullable: true),
            full_name = t.Column<string>("character varying(100)", maxLength: 100, nullable: true),
            age = t.Column<int>("integer", nullable: true),
            gender = t.Column<string>("character varying(10)", maxLength: 10, nullable: true),
            profile_image_url = t.Column<string>("character varying(2000)", maxLength: 2000, nullable: true),
            is_verified = t.Column<bool>("boolean", nullable: false),
            verified_at = t.Column<DateTimeOffset>(Tz, nullable: true),
            verified_by = t.Column<Guid>("uuid", nullable: true),
            call_count = t.Column<int>("integer", nullable: false),
            became_at = t.Column<DateTimeOffset>(Tz, nullable: true),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            updated_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_super_lover_profiles", x => x.device_id);
            t.ForeignKey("fk_super_lover_profiles_devices", x => x.device_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.CheckConstraint("ck_super_lover_profiles_status", "status IN ('online', 'ready', 'offline')");
            t.CheckConstraint("ck_super_lover_profiles_age", "age IS NULL OR age BETWEEN 0 AND 150");
        });
        m.CreateIndex("ix_super_lover_profiles_listing", "super_lover_profiles", new[] { "is_super_lover", "status" });

        m.CreateTable("super_lover_ratings", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            super_lover_id = t.Column<Guid>("uuid", nullable: false),
            rater_id = t.Column<Guid>("uuid", nullable: false),
            rating = t.Column<int>("integer", nullable: false),
            comment = t.Column<string>("character varying(1000)", maxLength: 1000, nullable: true),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            updated_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_super_lover_ratings", x => x.id);
            t.ForeignKey("fk_super_lover_ratings_profiles", x => x.super_lover_id, "super_lover_profiles", "device_id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_super_lover_ratings_devices", x => x.rater_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.CheckConstraint("ck_super_lover_ratings_rating", "rating BETWEEN 1 AND 5");
        });
        m.CreateIndex("ux_super_lover_ratings_pair", "super_lover_ratings", new[] { "super_lover_id", "rater_id" }, unique: true);

        m.CreateTable("paid_calls", t => new
        {
            call_id = t.Column<Guid>("uuid", nullable: false),
            caller_id = t.Column<Guid>("uuid", nullable: false),
            callee_id = t.Column<Guid>("uuid", nullable: false),
            rate_per_minute = t.Column<int>("integer", nullable: false),
            callee_share_percent = t.Column<int>("integer", nullable: false),
            started_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            ended_at = t.Column<DateTimeOffset>(Tz, nullable: true),
            minutes_charged = t.Column<int>("integer", nullable: false),
            coins_spent = t.Column<long>("bigint", nullable: false),
            callee_earned = t.Column<long>("bigint", nullable: false),
            end_reason = t.Column<string>("character varying(32)", maxLength: 32, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_paid_calls", x => x.call_id);
            t.ForeignKey("fk_paid_calls_caller", x => x.caller_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_paid_calls_callee", x => x.callee_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.CheckConstraint("ck_paid_calls_parties", "caller_id <> callee_id");
        });
        m.CreateIndex("ix_paid_calls_callee", "paid_calls", new[] { "callee_id", "started_at" });
        m.CreateIndex("ix_paid_calls_caller_callee", "paid_calls", new[] { "caller_id", "callee_id" });

        m.CreateTable("payment_orders", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            device_id = t.Column<Guid>("uuid", nullable: false),
            kind = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            package_id = t.Column<Guid>("uuid", nullable: true),
            package_slug = t.Column<string>("character varying(32)", maxLength: 32, nullable: true),
            plan = t.Column<string>("character varying(20)", maxLength: 20, nullable: true),
            coins = t.Column<int>("integer", nullable: false),
            amount_cents = t.Column<long>("bigint", nullable: true),
            currency = t.Column<string>("character varying(3)", maxLength: 3, nullable: false),
            status = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            provider = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            provider_session_id = t.Column<string>("character varying(255)", maxLength: 255, nullable: false),
            provider_payment_id = t.Column<string>("character varying(255)", maxLength: 255, nullable: true),
            provider_subscription_id = t.Column<string>("character varying(255)", maxLength: 255, nullable: true),
            checkout_url = t.Column<string>("character varying(2000)", maxLength: 2000, nullable: true),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            completed_at = t.Column<DateTimeOffset>(Tz, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_payment_orders", x => x.id);
            t.ForeignKey("fk_payment_orders_devices", x => x.device_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_payment_orders_coin_packages", x => x.package_id, "coin_packages", "id", onDelete: ReferentialAction.Restrict);
            t.CheckConstraint("ck_payment_orders_kind", "kind IN ('coins', 'subscription')");
            t.CheckConstraint("ck_payment_orders_status", "status IN ('pending', 'paid', 'expired', 'failed')");
        });
        m.CreateIndex("ux_payment_orders_provider_session_id", "payment_orders", "provider_session_id", unique: true);
        m.CreateIndex("ix_payment_orders_device_created", "payment_orders", new[] { "device_id", "created_at" });

        m.CreateTable("subscriptions", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            device_id = t.Column<Guid>("uuid", nullable: false),
            stripe_subscription_id = t.Column<string>("character varying(255)", maxLength: 255, nullable: false),
            stripe_customer_id = t.Column<string>("character varying(255)", maxLength: 255, nullable: true),
            plan = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            status = t.Column<string>("character varying(32)", maxLength: 32, nullable: false),
            current_period_start = t.Column<DateTimeOffset>(Tz, nullable: true),
            current_period_end = t.Column<DateTimeOffset>(Tz, nullable: true),
            cancel_at_period_end = t.Column<bool>("boolean", nullable: false),
            canceled_at = t.Column<DateTimeOffset>(Tz, nullable: true),
            synced_at = t.Column<long>("bigint", nullable: false),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            updated_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_subscriptions", x => x.id);
            t.ForeignKey("fk_subscriptions_devices", x => x.device_id, "devices", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ux_subscriptions_stripe_subscription_id", "subscriptions", "stripe_subscription_id", unique: true);
        m.CreateIndex("ix_subscriptions_device_status", "subscriptions", new[] { "device_id", "status" });

        m.CreateTable("processed_stripe_events", t => new
        {
            id = t.Column<string>("character varying(255)", maxLength: 255, nullable: false),
            type = t.Column<string>("character varying(100)", maxLength: 100, nullable: false),
            processed_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            outcome = t.Column<string>("character varying(100)", maxLength: 100, nullable: false),
        }, constraints: t => t.PrimaryKey("pk_processed_stripe_events", x => x.id));
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropTable("processed_stripe_events");
        m.DropTable("subscriptions");
        m.DropTable("payment_orders");
        m.DropTable("paid_calls");
        m.DropTable("super_lover_ratings");
        m.DropTable("super_lover_profiles");
        m.DropTable("ad_rewards");
        m.DropTable("idempotency_keys");
        m.DropTable("coin_packages");
        m.DropTable("coin_transactions");
        m.Sql("DROP FUNCTION IF EXISTS coin_transactions_append_only()");
        m.DropTable("coin_accounts");
    }
}
