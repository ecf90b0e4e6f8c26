using System.Text.Json;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Payments;

/// <summary>Whether a device has premium right now (matchmaking priority, gender preference).</summary>
public interface IPremiumStatus
{
    Task<bool> IsPremiumAsync(Guid deviceId, CancellationToken ct = default);
}

/// <summary>
/// Premium subscriptions as Stripe reports them. A device is premium while one of its subscriptions is active or
/// trialing and its paid period has not ended: a cancelled subscription stays premium until the end of the period
/// it paid for, and a failed renewal (past_due) ends premium at once.
/// </summary>
public sealed class Subscriptions(ControlPlaneDb db, IOptions<StripeOptions> options, TimeProvider clock, ILogger<Subscriptions> log)
{
    private static readonly string[] PremiumStatuses = { "active", "trialing" };

    public static IQueryable<Subscription> Premium(ControlPlaneDb db, Guid deviceId, DateTimeOffset now) =>
        db.Set<Subscription>().AsNoTracking()
            .Where(s => s.DeviceId == deviceId && PremiumStatuses.Contains(s.Status) && s.CurrentPeriodEnd != null && s.CurrentPeriodEnd > now);

    public Task<bool> IsPremiumAsync(Guid deviceId, CancellationToken ct) => Premium(db, deviceId, clock.GetUtcNow()).AnyAsync(ct);

    public Task<Subscription?> ActiveAsync(Guid deviceId, CancellationToken ct) =>
        Premium(db, deviceId, clock.GetUtcNow()).OrderByDescending(s => s.CurrentPeriodEnd).FirstOrDefaultAsync(ct);

    public Task<List<Subscription>> ListAsync(Guid deviceId, CancellationToken ct) =>
        db.Set<Subscription>().AsNoTracking().Where(s => s.DeviceId == deviceId).OrderByDescending(s => s.CreatedAt).ToListAsync(ct);

    /// <summary>
    /// Records a Stripe subscription object. Unknown subscriptions are attached to <paramref name="deviceHint"/> or the
    /// device named in its metadata (we set subscription_data[metadata][device_id]); a known one keeps its device.
    /// State older than what is stored (<paramref name="asOf"/>, Unix seconds) is ignored: Stripe does not promise order.
    /// </summary>
    public async Task<string> ApplyAsync(JsonElement sub, long asOf, Guid? deviceHint, CancellationToken ct)
    {
        var id = sub.Str("id");
        if (id is null || !id.StartsWith("sub_", StringComparison.Ordinal)) return "ignored:not_a_subscription";
        var existing = await db.Set<Subscription>().AsNoTracking().Where(s => s.StripeSubscriptionId == id).Select(s => (Guid?)s.DeviceId).FirstOrDefaultAsync(ct);
        var device = existing ?? deviceHint ?? (Guid.TryParse(sub.Obj("metadata").Str("device_id"), out var m) ? m : null);
        if (device is null || !await db.Set<Auth.Device>().AnyAsync(d => d.Id == device, ct))
        {
            log.LogWarning("Stripe subscription {Subscription} names no device we know; ignored", id);
            return "ignored:unknown_device";
        }
        var now = clock.GetUtcNow();
        var status = sub.Str("status") ?? "incomplete";
        var changed = await (await db.CommandAsync("""
            INSERT INTO subscriptions (id, device_id, stripe_subscription_id, stripe_customer_id, plan, status, current_period_start,
                                       current_period_end, cancel_at_period_end, canceled_at, synced_at, created_at, updated_at)
            VALUES (@id, @d, @sid, @cust, @plan, @status, @ps, @pe, @cape, @cat, @sync, @now, @now)
            ON CONFLICT (stripe_subscription_id) DO UPDATE SET
                stripe_customer_id = COALESCE(EXCLUDED.stripe_customer_id, subscriptions.stripe_customer_id),
                plan = EXCLUDED.plan, status = EXCLUDED.status,
                current_period_start = COALESCE(EXCLUDED.current_period_start, subscriptions.current_period_start),
                current_period_end = COALESCE(EXCLUDED.current_period_end, subscriptions.current_period_end),
                cancel_at_period_end = EXCLUDED.cancel_at_period_end, canceled_at = EXCLUDED.canceled_at,
                synced_at = EXCLUDED.synced_at, updated_at = EXCLUDED.updated_at
            WHERE subscriptions.synced_at <= EXCLUDED.synced_at
            """, ct))
            .With("id", Guid.NewGuid()).With("d", device.Value).With("sid", id).WithText("cust", sub.Id("customer"))
            .With("plan", PlanOf(sub)).With("status", status)
            .WithTime("ps", sub.Time("current_period_start")).WithTime("pe", sub.Time("current_period_end"))
            .With("cape", sub.Bool("cancel_at_period_end")).WithTime("cat", sub.Time("canceled_at"))
            .With("sync", asOf).With("now", now).ExecuteAsync(ct);
        log.LogInformation("Subscription {Subscription} of device {Device}: {Status}{Stale}", id, device, status, changed == 0 ? " (older than stored; ignored)" : "");
        return changed == 0 ? "ignored:stale" : "subscription:" + status;
    }

    /// <summary>invoice.payment_failed: the renewal was not paid, premium stops now (Stripe's own update follows).</summary>
    public async Task<string> MarkPaymentFailedAsync(string? subscriptionId, long asOf, CancellationToken ct)
    {
        if (subscriptionId is null) return "ignored:no_subscription";
        var n = await (await db.CommandAsync("""
            UPDATE subscriptions SET status = 'past_due', synced_at = @sync, updated_at = @now
            WHERE stripe_subscription_id = @sid AND synced_at <= @sync AND status IN ('active', 'trialing')
            """, ct)).With("sync", asOf).With("now", clock.GetUtcNow()).With("sid", subscriptionId).ExecuteAsync(ct);
        return n == 0 ? "ignored:no_active_subscription" : "subscription:past_due";
    }

    public async Task<Subscription> CancelAsync(Guid deviceId, StripeClient stripe, string idempotencyKey, CancellationToken ct)
    {
        var active = await ActiveAsync(deviceId, ct) ?? throw ApiException.NotFound(ErrorCodes.SubscriptionNotFound, "You have no active subscription");
        JsonElement updated;
        try { updated = await stripe.CancelSubscriptionAtPeriodEndAsync(active.StripeSubscriptionId, idempotencyKey, ct); }
        catch (StripeApiException e) { throw Checkout.ProviderError(e); }
        await ApplyAsync(updated, clock.GetUtcNow().ToUnixTimeSeconds(), deviceId, ct);
        return await db.Set<Subscription>().AsNoTracking().FirstAsync(s => s.Id == active.Id, ct);
    }

    private string PlanOf(JsonElement sub)
    {
        var o = options.Value;
        var price = sub.Obj("items").TryGetProperty("data", out var items) && items.ValueKind == JsonValueKind.Array && items.GetArrayLength() > 0
            ? items[0].Obj("price") : default;
        var priceId = price.Str("id");
        if (priceId is not null && priceId == o.MonthlyPriceId) return "monthly";
        if (priceId is not null && priceId == o.YearlyPriceId) return "yearly";
        if (sub.Obj("metadata").Str("plan") is ("monthly" or "yearly") and var plan) return plan;
        return price.Obj("recurring").Str("interval") switch { "year" => "yearly", "month" => "monthly", _ => "unknown" };
    }
}

/// <summary>The matchmaking-facing <see cref="IPremiumStatus"/>: a singleton that opens its own scope per question.</summary>
public sealed class PremiumStatus(IServiceScopeFactory scopes, TimeProvider clock) : IPremiumStatus
{
    public async Task<bool> IsPremiumAsync(Guid deviceId, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        return await Subscriptions.Premium(db, deviceId, clock.GetUtcNow()).AnyAsync(ct);
    }
}
