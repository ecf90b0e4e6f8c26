using System.Text.RegularExpressions;
using ControlPlane.Api.Auth;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Api.Payments;

public sealed record CreateCheckoutRequest(string? Plan) : IIdempotentRequest;
public sealed record CreateOrderRequest(long? Amount, string? CoinPackage, string? PaymentMethod) : IIdempotentRequest;
public sealed record VerifyOrderRequest(string? OrderId, string? SessionId) : IIdempotentRequest;

/// <summary>
/// Seed 000 §5–6 (/payments/*, /subscriptions/*, /users/premium-status) and seed 004 (/api/payment/*). Coin purchases of
/// seed 003 (/api/coins/purchase) and seed 004 (/api/payment/create-order) are one implementation: <see cref="Checkout"/>.
/// </summary>
public static partial class PaymentEndpoints
{
    [GeneratedRegex("^cs_[A-Za-z0-9_]{1,250}$")]
    private static partial Regex SessionIdPattern();

    public static void MapPayments(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/payments").WithTags("Payments");

        payments.MapPost("/create-checkout", async (CreateCheckoutRequest? body, HttpContext http, Checkout checkout, CancellationToken ct) =>
        {
            var plan = Envelope.Token("plan", body?.Plan, 20);
            if (!Checkout.Plans.Contains(plan)) throw Envelope.Invalid("plan", "must be monthly or yearly");
            var created = await checkout.CreatePremiumCheckoutAsync(http.User.DeviceId(), plan, ClientKey(http), http.Request.Path, ct);
            return Results.Ok(new { sessionId = created.Order.ProviderSessionId, url = created.Order.CheckoutUrl, orderId = created.Order.Id });
        }).RequireAuthorization().Idempotent();

        // Public: Stripe calls it; the signature over the raw body is the authentication.
        payments.MapPost("/webhook", async (HttpRequest request, StripeWebhooks webhooks, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            var outcome = await webhooks.HandleAsync(buffer.ToArray(), request.Headers["Stripe-Signature"].ToString(), ct);
            return Results.Ok(new { received = true, duplicate = outcome.Duplicate, outcome = outcome.Outcome });
        }).AllowAnonymous();

        payments.MapPost("/cancel-subscription", async (HttpContext http, Subscriptions subscriptions, StripeClient stripe, CancellationToken ct) =>
        {
            if (!stripe.IsConfigured) throw new ApiException(503, ErrorCodes.PaymentsNotConfigured, "Payments are not configured on this server (STRIPE_SECRET_KEY)");
            var sub = await subscriptions.CancelAsync(http.User.DeviceId(), stripe, "omegle-cancel-" + Guid.NewGuid(), ct);
            return Results.Ok(new
            {
                success = true, message = "Subscription cancelled",
                cancelAtPeriodEnd = sub.CancelAtPeriodEnd, currentPeriodEnd = sub.CurrentPeriodEnd,
            });
        }).RequireAuthorization().Idempotent();

        payments.MapGet("/verify", async (HttpContext http, Checkout checkout, Subscriptions subscriptions, ControlPlaneDb db, CancellationToken ct) =>
        {
            var sessionId = http.Request.Query["session_id"].ToString();
            if (string.IsNullOrEmpty(sessionId)) throw Envelope.Invalid("session_id", "is required");
            if (!SessionIdPattern().IsMatch(sessionId)) throw Envelope.Invalid("session_id", "is not a Stripe Checkout Session id (cs_…)");
            var device = http.User.DeviceId();
            var order = await db.Set<PaymentOrder>().AsNoTracking().FirstOrDefaultAsync(o => o.ProviderSessionId == sessionId && o.DeviceId == device, ct)
                        ?? throw ApiException.NotFound(ErrorCodes.OrderNotFound, "No checkout session with this id was created by this device");
            var result = await checkout.VerifyAsync(order, ct);
            RequirePaid(result);
            return Results.Ok(new
            {
                success = true, isPremium = await subscriptions.IsPremiumAsync(device, ct),
                kind = result.Order!.Kind, status = result.Order.Status, coinsGranted = result.CoinsGranted,
            });
        }).RequireAuthorization();

        var subs = app.MapGroup("/subscriptions").WithTags("Payments").RequireAuthorization();
        subs.MapGet("/my", async (HttpContext http, Subscriptions subscriptions, CancellationToken ct) =>
            Results.Ok(new { subscriptions = (await subscriptions.ListAsync(http.User.DeviceId(), ct)).Select(View) }));
        subs.MapGet("/active", async (HttpContext http, Subscriptions subscriptions, CancellationToken ct) =>
            Results.Ok(new { subscription = await subscriptions.ActiveAsync(http.User.DeviceId(), ct) is { } s ? View(s) : null }));

        app.MapGet("/users/premium-status", async (HttpContext http, Subscriptions subscriptions, CancellationToken ct) =>
            Results.Ok(new { isPremium = await subscriptions.IsPremiumAsync(http.User.DeviceId(), ct) }))
            .WithTags("Payments").RequireAuthorization();

        var orders = app.MapGroup("/api/payment").WithTags("Payments").RequireAuthorization();

        orders.MapPost("/create-order", async (CreateOrderRequest? body, HttpContext http, Checkout checkout, CancellationToken ct) =>
        {
            var method = Envelope.Token("paymentMethod", body?.PaymentMethod, 20, "stripe");
            if (method != "stripe")
                throw ApiException.BadRequest(ErrorCodes.PaymentMethodUnsupported, $"Payment method '{method}' is not offered here; use stripe",
                    new[] { new FieldError("paymentMethod", "only stripe") });
            var package = await checkout.FindPackageAsync("coinPackage", body?.CoinPackage, ct);
            if (body!.Amount is { } amount && amount != package.Coins)
                throw Envelope.Invalid("amount", $"the {package.Slug} package is {package.Coins} coins");
            var created = await checkout.CreateCoinCheckoutAsync(http.User.DeviceId(), package, ClientKey(http), http.Request.Path, ct);
            var o = created.Order;
            return Envelope.Ok(new
            {
                orderId = o.Id, sessionId = o.ProviderSessionId, url = o.CheckoutUrl, coinPackage = package.Slug, coins = o.Coins,
                amount = Money(o.AmountCents), currency = o.Currency, paymentMethod = "stripe", status = o.Status,
            }, "Order created");
        }).Idempotent();

        orders.MapPost("/verify", async (VerifyOrderRequest? body, HttpContext http, Checkout checkout, Subscriptions subscriptions,
            CoinLedger ledger, ControlPlaneDb db, CancellationToken ct) =>
        {
            var device = http.User.DeviceId();
            var q = db.Set<PaymentOrder>().AsNoTracking().Where(o => o.DeviceId == device);
            PaymentOrder? order;
            if (!string.IsNullOrWhiteSpace(body?.OrderId))
            {
                var orderId = Envelope.Uuid("orderId", body.OrderId);
                order = await q.FirstOrDefaultAsync(o => o.Id == orderId, ct);
            }
            else if (!string.IsNullOrWhiteSpace(body?.SessionId))
            {
                if (!SessionIdPattern().IsMatch(body.SessionId)) throw Envelope.Invalid("sessionId", "is not a Stripe Checkout Session id (cs_…)");
                order = await q.FirstOrDefaultAsync(o => o.ProviderSessionId == body.SessionId, ct);
            }
            else throw Envelope.Invalid("orderId", "orderId or sessionId is required");
            if (order is null) throw ApiException.NotFound(ErrorCodes.OrderNotFound, "No such order for this device");
            var result = await checkout.VerifyAsync(order, ct);
            RequirePaid(result);
            var o = result.Order!;
            return Envelope.Ok(new
            {
                orderId = o.Id, kind = o.Kind, status = o.Status, coins = o.Coins, coinsGranted = result.CoinsGranted,
                newBalance = await ledger.EnsureAccountAsync(device, ct), isPremium = await subscriptions.IsPremiumAsync(device, ct),
            }, "Payment verified");
        }).Idempotent();

        orders.MapGet("/history", async (int? page, int? limit, HttpContext http, ControlPlaneDb db, CancellationToken ct) =>
        {
            var (p, l) = Envelope.Paging(page, limit, 20);
            var device = http.User.DeviceId();
            var q = db.Set<PaymentOrder>().AsNoTracking().Where(o => o.DeviceId == device);
            var total = await q.LongCountAsync(ct);
            var rows = await q.OrderByDescending(o => o.CreatedAt).ThenBy(o => o.Id).Skip((p - 1) * l).Take(l).ToListAsync(ct);
            return Envelope.Ok(new
            {
                payments = rows.Select(o => new
                {
                    orderId = o.Id, kind = o.Kind, coinPackage = o.PackageSlug, plan = o.Plan, coins = o.Coins, amount = Money(o.AmountCents),
                    currency = o.Currency, paymentMethod = o.Provider, status = o.Status, sessionId = o.ProviderSessionId,
                    createdAt = o.CreatedAt, completedAt = o.CompletedAt,
                }),
                pagination = Envelope.Pagination(p, l, total),
            }, "Payment history retrieved successfully");
        });
    }

    internal static string? ClientKey(HttpContext http) =>
        http.Request.Headers[IdempotencyFilter.Header] is { Count: 1 } v ? v[0] : null;

    internal static decimal? Money(long? cents) => cents is { } c ? c / 100m : null;

    private static void RequirePaid(Fulfilment result)
    {
        if (result.Order is { Status: OrderStatuses.Paid }) return;
        var status = result.Order?.Status ?? "unknown";
        throw ApiException.Conflict(ErrorCodes.PaymentNotCompleted,
            status == OrderStatuses.Pending ? "The payment is not completed yet" : $"The payment did not complete (order {status})");
    }

    private static object View(Subscription s) => new
    {
        id = s.StripeSubscriptionId, plan = s.Plan, status = s.Status,
        currentPeriodStart = s.CurrentPeriodStart, currentPeriodEnd = s.CurrentPeriodEnd, cancelAtPeriodEnd = s.CancelAtPeriodEnd,
    };
}
