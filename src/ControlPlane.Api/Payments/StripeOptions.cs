using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Payments;

/// <summary>Stripe, reached over its REST API (Stripe.net does not restore here). Seed 000's variables plus ours.</summary>
public sealed class StripeOptions : IValidatedOptions
{
    /// <summary>The API version every request pins (Stripe-Version); the JSON we read is this version's shape.</summary>
    public const string ApiVersion = "2024-06-20";

    /// <summary>STRIPE_SECRET_KEY (sk_… or a restricted rk_…). Unset: payment endpoints answer 503 PAYMENTS_NOT_CONFIGURED.</summary>
    public string? SecretKey { get; set; }
    /// <summary>STRIPE_WEBHOOK_SECRET (whsec_…); comma-separated to accept several while rotating.</summary>
    public string? WebhookSecret { get; set; }
    public string? MonthlyPriceId { get; set; }
    public string? YearlyPriceId { get; set; }
    /// <summary>STRIPE_API_BASE: where the API lives (tests point it at a fake on loopback).</summary>
    public string ApiBase { get; set; } = "https://api.stripe.com";
    /// <summary>STRIPE_SUCCESS_URL: where Checkout sends the buyer; Stripe fills in {CHECKOUT_SESSION_ID}.</summary>
    public string SuccessUrl { get; set; } = "http://localhost:5173/payment/success?session_id={CHECKOUT_SESSION_ID}";
    public string CancelUrl { get; set; } = "http://localhost:5173/payment/cancel";
    /// <summary>How far a webhook's signed timestamp may be from now (Stripe's libraries use 300 s).</summary>
    public int WebhookToleranceSeconds { get; set; } = 300;
    public int TimeoutSeconds { get; set; } = 20;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey);
    public IReadOnlyList<string> WebhookSecrets => SeedEnvironment.List(WebhookSecret);

    public IEnumerable<string> Validate()
    {
        if (IsConfigured && !(SecretKey!.StartsWith("sk_", StringComparison.Ordinal) || SecretKey.StartsWith("rk_", StringComparison.Ordinal)))
            yield return "STRIPE_SECRET_KEY must be a secret (sk_…) or restricted (rk_…) key, never a publishable key";
        if (!Uri.TryCreate(ApiBase, UriKind.Absolute, out var api) || api.Scheme is not ("https" or "http"))
            yield return "STRIPE_API_BASE must be an absolute http(s) URL";
        if (!Uri.TryCreate(SuccessUrl, UriKind.Absolute, out _)) yield return "STRIPE_SUCCESS_URL must be an absolute URL";
        if (!Uri.TryCreate(CancelUrl, UriKind.Absolute, out _)) yield return "STRIPE_CANCEL_URL must be an absolute URL";
        if (WebhookToleranceSeconds is < 1 or > 3600) yield return "STRIPE_WEBHOOK_TOLERANCE must be 1-3600 seconds";
        if (TimeoutSeconds is < 1 or > 120) yield return "Stripe TimeoutSeconds must be 1-120";
        foreach (var price in new[] { MonthlyPriceId, YearlyPriceId })
            if (!string.IsNullOrEmpty(price) && !price.StartsWith("price_", StringComparison.Ordinal))
                yield return $"'{price}' is not a Stripe price id (price_…)";
    }
}
