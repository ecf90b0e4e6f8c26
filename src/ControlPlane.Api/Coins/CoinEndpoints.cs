using ControlPlane.Api.Auth;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using ControlPlane.Api.Payments;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Coins;

public sealed record SpendRequest(long? Amount, string? Action, string? ReferenceId) : IIdempotentRequest;
public sealed record PurchaseRequest(string? PackageId, string? PaymentMethod) : IIdempotentRequest;
/// <summary>Verification: the AdMob server-side verification query string (required when ADMOB_SSV_KEYS is set).</summary>
public sealed record EarnAdRequest(string? AdType, string? AdProvider, string? Verification) : IIdempotentRequest;

/// <summary>Seed 003 §4: /api/coins/* (balance, transactions, packages, purchase, earn-ad, spend), plus the AdMob SSV callback.</summary>
public static class CoinEndpoints
{
    public static RouteGroupBuilder MapCoinEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/coins").WithTags("Coins").RequireAuthorization();

        g.MapGet("/balance", async (HttpContext http, CoinLedger ledger, CancellationToken ct) =>
        {
            var b = await ledger.GetBalanceAsync(http.User.DeviceId(), ct);
            return Envelope.Ok(new { balance = b.Balance, totalEarned = b.TotalEarned, totalSpent = b.TotalSpent }, "Balance retrieved successfully");
        });

        g.MapGet("/transactions", async (int? page, int? limit, HttpContext http, CoinLedger ledger, ControlPlaneDb db, CancellationToken ct) =>
        {
            var (p, l) = Envelope.Paging(page, limit, 20);
            var device = http.User.DeviceId();
            await ledger.EnsureAccountAsync(device, ct);
            var q = db.Set<CoinTransaction>().AsNoTracking().Where(t => t.DeviceId == device);
            var total = await q.LongCountAsync(ct);
            var rows = await q.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Skip((p - 1) * l).Take(l).ToListAsync(ct);
            return Envelope.Ok(new
            {
                // amount is the size of the movement (seed 003); type says its direction; balanceAfter is the running balance.
                transactions = rows.Select(t => new
                {
                    id = t.Id, type = t.Type, amount = Math.Abs(t.Amount), description = t.Description,
                    referenceType = t.ReferenceType, referenceId = t.ReferenceId, balanceAfter = t.BalanceAfter, createdAt = t.CreatedAt,
                }),
                pagination = Envelope.Pagination(p, l, total),
            }, "Transactions retrieved successfully");
        });

        g.MapGet("/packages", async (ControlPlaneDb db, CancellationToken ct) =>
        {
            var rows = await db.Set<CoinPackage>().AsNoTracking().Where(p => p.IsActive).OrderBy(p => p.SortOrder).ThenBy(p => p.Coins).ToListAsync(ct);
            return Envelope.Ok(new
            {
                packages = rows.Select(p => new { id = p.Id, slug = p.Slug, name = p.Name, coins = p.Coins, price = p.PriceCents / 100m, currency = p.Currency, isActive = p.IsActive }),
            }, "Packages retrieved successfully");
        });

        g.MapPost("/purchase", async (PurchaseRequest? body, HttpContext http, Checkout checkout, CancellationToken ct) =>
        {
            var method = Envelope.Token("paymentMethod", body?.PaymentMethod, 20, "stripe");
            if (method != "stripe")
                throw ApiException.BadRequest(ErrorCodes.PaymentMethodUnsupported, $"Payment method '{method}' is not offered here; use stripe",
                    new[] { new FieldError("paymentMethod", "only stripe") });
            var package = await checkout.FindPackageAsync("packageId", body?.PackageId, ct);
            var created = await checkout.CreateCoinCheckoutAsync(http.User.DeviceId(), package, PaymentEndpoints.ClientKey(http), http.Request.Path, ct);
            // Seed 003 names a PaymentIntent; Checkout creates it when the buyer pays, so the session is what the client opens.
            return Envelope.Ok(new
            {
                orderId = created.Order.Id, sessionId = created.Order.ProviderSessionId, url = created.Order.CheckoutUrl,
                paymentIntent = created.PaymentIntent, clientSecret = created.ClientSecret,
                coins = package.Coins, price = package.PriceCents / 100m, currency = created.Order.Currency,
            }, "Checkout session created");
        }).Idempotent();

        g.MapPost("/earn-ad", async (EarnAdRequest? body, HttpContext http, AdRewards ads, CancellationToken ct) =>
        {
            var adType = Envelope.Token("adType", body?.AdType, 20, "rewarded");
            if (adType != "rewarded") throw Envelope.Invalid("adType", "only rewarded ads pay coins");
            var provider = Envelope.Token("adProvider", body?.AdProvider, 20, "admob");
            var device = http.User.DeviceId();
            VerifiedAdReward? verified = null;
            if (ads.VerificationRequired)
            {
                verified = ads.VerifyOrThrow(body?.Verification);
                if (verified.UserId != device.ToString())
                    throw ApiException.Forbidden(ErrorCodes.AdVerificationFailed, "The signed reward was issued to another user");
            }
            var r = await ads.EarnAsync(device, adType, provider, verified, ct);
            return Envelope.Ok(new { coinsEarned = r.CoinsEarned, newBalance = r.NewBalance }, "Coins earned successfully");
        }).Idempotent();

        g.MapPost("/spend", async (SpendRequest? body, HttpContext http, CoinLedger ledger, IOptions<CoinOptions> options, CancellationToken ct) =>
        {
            if (body?.Amount is not { } amount) throw Envelope.Invalid("amount", "is required");
            var max = options.Value.MaxSpendAmount;
            if (amount < 1 || amount > max) throw Envelope.Invalid("amount", $"must be a whole number of coins from 1 to {max}");
            var action = Envelope.Token("action", body.Action, 32);
            var reference = Envelope.Text("referenceId", body.ReferenceId, 128);
            var r = await ledger.DebitAsync(new LedgerPosting(http.User.DeviceId(), amount, CoinTransactionTypes.Spend, $"Spent on {action}", action, reference), ct);
            if (r.Outcome == LedgerOutcome.InsufficientCoins)
                throw new ApiException(402, ErrorCodes.InsufficientCoins, $"Not enough coins: this costs {amount}, the balance is {r.Balance}");
            return Envelope.Ok(new { coinsSpent = amount, newBalance = r.Balance, transactionId = r.TransactionId }, "Coins spent successfully");
        }).Idempotent();

        // AdMob calls this itself (server-side verification), with user_id set by the app to the device id.
        app.MapGet("/api/coins/earn-ad/callback", async (HttpContext http, AdRewards ads, CancellationToken ct) =>
        {
            if (!ads.VerificationRequired) throw ApiException.NotFound(ErrorCodes.NotFound, "Server-side ad verification is not configured");
            var verified = ads.VerifyOrThrow(http.Request.QueryString.Value);
            if (!Guid.TryParseExact(verified.UserId, "D", out var device))
                throw ApiException.BadRequest(ErrorCodes.AdVerificationFailed, "user_id must be the device id");
            var r = await ads.EarnAsync(device, "rewarded", "admob", verified, ct);
            return Envelope.Ok(new { coinsEarned = r.CoinsEarned }, "Coins earned successfully");
        }).WithTags("Coins").AllowAnonymous();

        return g;
    }
}
