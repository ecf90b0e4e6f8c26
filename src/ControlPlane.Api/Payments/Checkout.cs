using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Payments;

public sealed record CheckoutCreated(PaymentOrder Order, string? PaymentIntent, string? ClientSecret);

/// <summary>What fulfilling a session did: Outcome is fulfilled, already_fulfilled, not_paid, expired, amount_mismatch, …</summary>
public sealed record Fulfilment(PaymentOrder? Order, string Outcome, long CoinsGranted);

/// <summary>
/// Stripe Checkout for coin packages (mode=payment) and premium plans (mode=subscription), and the one place where a
/// paid session turns into coins or premium. Fulfilment trusts only a session object that came from Stripe — inside
/// a signature-verified webhook or fetched from the API with our secret key — never the client's word; it locks the
/// order row, checks the session belongs to the order's device and, for coins, that the amount paid is the price;
/// the ledger's unique key checkout:&lt;session&gt; makes a second fulfilment (webhook and verify racing, or a
/// redelivery) credit nothing.
/// </summary>
public sealed class Checkout(ControlPlaneDb db, StripeClient stripe, CoinLedger ledger, Subscriptions subscriptions,
    IOptions<StripeOptions> options, TimeProvider clock, ILogger<Checkout> log)
{
    public static readonly string[] Plans = { "monthly", "yearly" };

    /// <summary>A package by UUID or by slug (seed 004: basic|premium|mega); 404 PACKAGE_NOT_FOUND when there is no active one.</summary>
    public async Task<CoinPackage> FindPackageAsync(string field, string? idOrSlug, CancellationToken ct)
    {
        var value = idOrSlug?.Trim();
        if (string.IsNullOrEmpty(value)) throw Envelope.Invalid(field, "is required");
        if (value.Length > 64) throw Envelope.Invalid(field, "is too long");
        var q = db.Set<CoinPackage>().AsNoTracking().Where(p => p.IsActive);
        var package = Guid.TryParse(value, out var id)
            ? await q.FirstOrDefaultAsync(p => p.Id == id, ct)
            : await q.FirstOrDefaultAsync(p => p.Slug == value.ToLowerInvariant(), ct);
        return package ?? throw ApiException.NotFound(ErrorCodes.PackageNotFound, $"No coin package '{value}'; GET /api/coins/packages lists them");
    }

    public async Task<CheckoutCreated> CreateCoinCheckoutAsync(Guid deviceId, CoinPackage package, string? clientKey, string route, CancellationToken ct)
    {
        RequireConfigured();
        await ledger.EnsureAccountAsync(deviceId, ct);
        var orderId = await OrderIdAsync(deviceId, clientKey, route, ct);
        var form = Common(deviceId, orderId, PaymentKinds.Coins);
        form.Add(new("mode", "payment"));
        form.Add(new("metadata[package]", package.Slug));
        form.Add(new("payment_intent_data[metadata][order_id]", orderId.ToString()));
        form.Add(new("line_items[0][quantity]", "1"));
        if (package.StripePriceId is { Length: > 0 } price) form.Add(new("line_items[0][price]", price));
        else
        {
            form.Add(new("line_items[0][price_data][currency]", package.Currency));
            form.Add(new("line_items[0][price_data][unit_amount]", package.PriceCents.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            form.Add(new("line_items[0][price_data][product_data][name]", package.Name));
        }
        var order = new PaymentOrder
        {
            Id = orderId, DeviceId = deviceId, Kind = PaymentKinds.Coins, PackageId = package.Id, PackageSlug = package.Slug,
            Coins = package.Coins, AmountCents = package.PriceCents, Currency = package.Currency,
        };
        return await CreateAsync(order, form, ct);
    }

    public async Task<CheckoutCreated> CreatePremiumCheckoutAsync(Guid deviceId, string plan, string? clientKey, string route, CancellationToken ct)
    {
        RequireConfigured();
        var o = options.Value;
        var price = plan == "monthly" ? o.MonthlyPriceId : o.YearlyPriceId;
        if (string.IsNullOrEmpty(price))
            throw new ApiException(503, ErrorCodes.PaymentsNotConfigured, $"The {plan} plan is not configured on this server (STRIPE_{plan.ToUpperInvariant()}_PRICE_ID)");
        if (await subscriptions.IsPremiumAsync(deviceId, ct))
            throw ApiException.Conflict(ErrorCodes.AlreadyPremium, "You already have an active premium subscription");
        var orderId = await OrderIdAsync(deviceId, clientKey, route, ct);
        var form = Common(deviceId, orderId, PaymentKinds.Subscription);
        form.Add(new("mode", "subscription"));
        form.Add(new("metadata[plan]", plan));
        form.Add(new("line_items[0][price]", price));
        form.Add(new("line_items[0][quantity]", "1"));
        form.Add(new("subscription_data[metadata][device_id]", deviceId.ToString()));
        form.Add(new("subscription_data[metadata][plan]", plan));
        form.Add(new("subscription_data[metadata][order_id]", orderId.ToString()));
        var order = new PaymentOrder { Id = orderId, DeviceId = deviceId, Kind = PaymentKinds.Subscription, Plan = plan, Currency = "usd" };
        return await CreateAsync(order, form, ct);
    }

    private async Task<CheckoutCreated> CreateAsync(PaymentOrder order, List<KeyValuePair<string, string>> form, CancellationToken ct)
    {
        JsonElement session;
        try { session = await stripe.CreateCheckoutSessionAsync(form, "omegle-order-" + order.Id, ct); }
        catch (StripeApiException e) { throw ProviderError(e); }
        var sessionId = session.Str("id");
        if (sessionId is null) throw new ApiException(502, ErrorCodes.PaymentProviderError, "The payment provider returned no session");
        order.ProviderSessionId = sessionId;
        order.CheckoutUrl = session.Str("url");
        order.CreatedAt = clock.GetUtcNow();
        if (session.Str("currency") is { Length: 3 } currency) order.Currency = currency;
        // A retry whose first attempt reached Stripe but not our commit gets the same session back (same idempotency
        // key): the order row is then new to us; a retry after a commit never gets here (Idempotency-Key replay).
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO payment_orders (id, device_id, kind, package_id, package_slug, plan, coins, amount_cents, currency, status, provider,
                                        provider_session_id, checkout_url, created_at)
            VALUES ({order.Id}, {order.DeviceId}, {order.Kind}, {order.PackageId}, {order.PackageSlug}, {order.Plan}, {order.Coins}, {order.AmountCents},
                    {order.Currency}, {OrderStatuses.Pending}, {order.Provider}, {order.ProviderSessionId}, {order.CheckoutUrl}, {order.CreatedAt})
            ON CONFLICT (id) DO UPDATE SET provider_session_id = EXCLUDED.provider_session_id, checkout_url = EXCLUDED.checkout_url
            WHERE payment_orders.status = 'pending'
            """, ct);
        log.LogInformation("Checkout {Session} created for device {Device}: {Kind} {What}", sessionId, order.DeviceId, order.Kind, order.PackageSlug ?? order.Plan);
        return new CheckoutCreated(order, session.Id("payment_intent"), session.Str("client_secret"));
    }

    /// <summary>Fetches the order's session from Stripe and fulfils it if paid. The device must own the order.</summary>
    public async Task<Fulfilment> VerifyAsync(PaymentOrder order, CancellationToken ct)
    {
        if (order.Status == OrderStatuses.Paid) return new Fulfilment(order, "already_fulfilled", 0);
        RequireConfigured();
        JsonElement session;
        try { session = await stripe.GetCheckoutSessionAsync(order.ProviderSessionId, ct); }
        catch (StripeApiException e) when (e.IsNotFound) { throw ApiException.NotFound(ErrorCodes.OrderNotFound, "The payment provider does not know this checkout session"); }
        catch (StripeApiException e) { throw ProviderError(e); }
        if (session.Str("id") != order.ProviderSessionId)
            throw new ApiException(502, ErrorCodes.PaymentProviderError, "The payment provider returned a different session");
        return await FulfilAsync(session, ct);
    }

    /// <summary>Turns a Stripe-verified Checkout Session into coins or premium, exactly once.</summary>
    public Task<Fulfilment> FulfilAsync(JsonElement session, CancellationToken ct) => db.InTransactionAsync(async () =>
    {
        var sessionId = session.Str("id");
        if (sessionId is null) return new Fulfilment(null, "ignored:no_session_id", 0);
        var order = (await db.Set<PaymentOrder>()
            .FromSqlInterpolated($"SELECT * FROM payment_orders WHERE provider_session_id = {sessionId} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
        if (order is null)
        {
            log.LogWarning("Checkout session {Session} has no order here; ignored", sessionId);
            return new Fulfilment(null, "ignored:unknown_session", 0);
        }
        if (session.Str("client_reference_id") != order.DeviceId.ToString())
        {
            log.LogError("Checkout session {Session} names device {Named}, its order belongs to {Device}; not fulfilled",
                sessionId, session.Str("client_reference_id"), order.DeviceId);
            return new Fulfilment(order, "ignored:device_mismatch", 0);
        }
        if (order.Status == OrderStatuses.Paid) return new Fulfilment(order, "already_fulfilled", 0);

        var now = clock.GetUtcNow();
        var status = session.Str("status");
        var paymentStatus = session.Str("payment_status");
        var paid = status == "complete" &&
                   (paymentStatus == "paid" || (order.Kind == PaymentKinds.Subscription && paymentStatus == "no_payment_required"));
        if (!paid)
        {
            if (status == "expired" && order.Status == OrderStatuses.Pending)
            {
                order.Status = OrderStatuses.Expired;
                order.CompletedAt = now;
                await db.SaveChangesAsync(ct);
                return new Fulfilment(order, "expired", 0);
            }
            return new Fulfilment(order, "not_paid", 0);
        }

        long granted = 0;
        if (order.Kind == PaymentKinds.Coins)
        {
            if (session.Long("amount_total") != order.AmountCents || !string.Equals(session.Str("currency"), order.Currency, StringComparison.OrdinalIgnoreCase))
            {
                log.LogError("Checkout session {Session} paid {Amount} {Currency}, the order expected {Expected} {ExpectedCurrency}; not fulfilled",
                    sessionId, session.Long("amount_total"), session.Str("currency"), order.AmountCents, order.Currency);
                order.Status = OrderStatuses.Failed;
                order.CompletedAt = now;
                await db.SaveChangesAsync(ct);
                return new Fulfilment(order, "amount_mismatch", 0);
            }
            var credit = await ledger.CreditAsync(new LedgerPosting(order.DeviceId, order.Coins, CoinTransactionTypes.Purchase,
                $"Purchased {order.Coins} coins", "stripe_checkout", sessionId, "checkout:" + sessionId), ct);
            granted = credit.Applied ? order.Coins : 0;
            order.ProviderPaymentId = session.Id("payment_intent");
        }
        else
        {
            var subscriptionId = session.Id("subscription");
            if (subscriptionId is null) return new Fulfilment(order, "ignored:no_subscription", 0);
            JsonElement sub;
            if (session.TryGetProperty("subscription", out var expanded) && expanded.ValueKind == JsonValueKind.Object) sub = expanded;
            else
            {
                try { sub = await stripe.GetSubscriptionAsync(subscriptionId, ct); }
                catch (StripeApiException e) { throw ProviderError(e); }
            }
            await subscriptions.ApplyAsync(sub, now.ToUnixTimeSeconds(), order.DeviceId, ct);
            order.ProviderSubscriptionId = subscriptionId;
        }
        order.Status = OrderStatuses.Paid;
        order.CompletedAt = now;
        await db.SaveChangesAsync(ct);
        log.LogInformation("Order {Order} ({Kind}) of device {Device} fulfilled from session {Session}", order.Id, order.Kind, order.DeviceId, sessionId);
        return new Fulfilment(order, "fulfilled", granted);
    }, ct);

    /// <summary>checkout.session.expired / async_payment_failed: a pending order will not be paid.</summary>
    public async Task<string> CloseAsync(JsonElement session, string status, CancellationToken ct)
    {
        var sessionId = session.Str("id");
        if (sessionId is null) return "ignored:no_session_id";
        var n = await db.Set<PaymentOrder>().Where(o => o.ProviderSessionId == sessionId && o.Status == OrderStatuses.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, status).SetProperty(o => o.CompletedAt, clock.GetUtcNow()), ct);
        return n == 0 ? "ignored:no_pending_order" : "order:" + status;
    }

    public static ApiException ProviderError(StripeApiException e) =>
        new(502, ErrorCodes.PaymentProviderError, "The payment provider refused the request: " + e.Message);

    private void RequireConfigured()
    {
        if (!stripe.IsConfigured) throw new ApiException(503, ErrorCodes.PaymentsNotConfigured, "Payments are not configured on this server (STRIPE_SECRET_KEY)");
    }

    private List<KeyValuePair<string, string>> Common(Guid deviceId, Guid orderId, string kind)
    {
        var o = options.Value;
        return new List<KeyValuePair<string, string>>
        {
            new("success_url", o.SuccessUrl),
            new("cancel_url", o.CancelUrl),
            new("client_reference_id", deviceId.ToString()),
            new("metadata[order_id]", orderId.ToString()),
            new("metadata[device_id]", deviceId.ToString()),
            new("metadata[kind]", kind),
        };
    }

    /// <summary>
    /// With a client Idempotency-Key the order id (and so the Stripe idempotency key and every parameter sent) is a
    /// function of device, route and key: a retry after a half-finished attempt asks Stripe the identical question.
    /// </summary>
    private async Task<Guid> OrderIdAsync(Guid deviceId, string? clientKey, string route, CancellationToken ct)
    {
        if (clientKey is null) return Guid.NewGuid();
        var id = OrderId(deviceId, clientKey, route);
        // The same key long after its stored response expired is a new purchase if that order was settled.
        return await db.Set<PaymentOrder>().AnyAsync(o => o.Id == id && o.Status != OrderStatuses.Pending, ct) ? Guid.NewGuid() : id;
    }

    private static Guid OrderId(Guid deviceId, string clientKey, string route)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{deviceId}\n{route}\n{clientKey}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // UUID version 5 layout (name-based, SHA)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
