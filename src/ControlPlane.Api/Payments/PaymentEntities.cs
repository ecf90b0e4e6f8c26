namespace ControlPlane.Api.Payments;

/// <summary>
/// One purchase attempt (seed 004 "payment order"): a Stripe Checkout Session for a coin package or a premium plan.
/// It is fulfilled at most once, by a verified webhook or a verified retrieval of the session from Stripe.
/// </summary>
public sealed class PaymentOrder
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public string Kind { get; set; } = PaymentKinds.Coins;
    public Guid? PackageId { get; set; }
    public string? PackageSlug { get; set; }
    public string? Plan { get; set; }
    public int Coins { get; set; }
    /// <summary>Expected charge in the currency's smallest unit; null for subscriptions (the Price decides).</summary>
    public long? AmountCents { get; set; }
    public string Currency { get; set; } = "usd";
    public string Status { get; set; } = OrderStatuses.Pending;
    public string Provider { get; set; } = "stripe";
    public string ProviderSessionId { get; set; } = "";
    public string? ProviderPaymentId { get; set; }
    public string? ProviderSubscriptionId { get; set; }
    public string? CheckoutUrl { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

public static class PaymentKinds
{
    public const string Coins = "coins";
    public const string Subscription = "subscription";
}

public static class OrderStatuses
{
    public const string Pending = "pending";
    public const string Paid = "paid";
    public const string Expired = "expired";
    public const string Failed = "failed";
}

/// <summary>A premium subscription as Stripe last told us (seed 000 /subscriptions).</summary>
public sealed class Subscription
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public string StripeSubscriptionId { get; set; } = "";
    public string? StripeCustomerId { get; set; }
    public string Plan { get; set; } = "monthly";
    /// <summary>Stripe's status: active, trialing, past_due, canceled, unpaid, incomplete, incomplete_expired, paused.</summary>
    public string Status { get; set; } = "incomplete";
    public DateTimeOffset? CurrentPeriodStart { get; set; }
    public DateTimeOffset? CurrentPeriodEnd { get; set; }
    public bool CancelAtPeriodEnd { get; set; }
    public DateTimeOffset? CanceledAt { get; set; }
    /// <summary>Unix time of the Stripe state this row reflects (event.created or retrieval time): older news never overwrites newer.</summary>
    public long SyncedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A Stripe event id already processed; inserted in the same transaction as its effects.</summary>
public sealed class ProcessedStripeEvent
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public DateTimeOffset ProcessedAt { get; set; }
    public string Outcome { get; set; } = "";
}
