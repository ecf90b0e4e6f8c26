namespace ControlPlane.Api.Coins;

/// <summary>
/// A device's coin balance. The database enforces balance &gt;= 0 (CHECK), and every change to it is made in the
/// same SQL transaction as the <see cref="CoinTransaction"/> row that explains it, so balance = sum of amounts.
/// </summary>
public sealed class CoinAccount
{
    public Guid DeviceId { get; set; }
    public long Balance { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One append-only ledger row (seed 003 coin_transactions). Amount is signed: credits positive, debits negative.</summary>
public sealed class CoinTransaction
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public string Type { get; set; } = CoinTransactionTypes.Earn;
    public long Amount { get; set; }
    public long BalanceAfter { get; set; }
    public string? Description { get; set; }
    public string? ReferenceType { get; set; }
    public string? ReferenceId { get; set; }
    /// <summary>Set for grants that must happen at most once (signup bonus, a checkout session, a call minute).</summary>
    public string? UniqueKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Seed 003 transaction_type values, plus transfer (coins that came from another device: call/message earnings).</summary>
public static class CoinTransactionTypes
{
    public const string Earn = "earn";
    public const string Spend = "spend";
    public const string Purchase = "purchase";
    public const string Refund = "refund";
    public const string Transfer = "transfer";
    public static readonly string[] All = { Earn, Spend, Purchase, Refund, Transfer };
}

/// <summary>A coin package for sale (seed 003 coin_packages; seed 004 names them basic|premium|mega: the slug).</summary>
public sealed class CoinPackage
{
    public Guid Id { get; set; }
    public string Slug { get; set; } = "";
    public string Name { get; set; } = "";
    public int Coins { get; set; }
    /// <summary>Price in the currency's smallest unit: money is never a floating-point number here.</summary>
    public long PriceCents { get; set; }
    public string Currency { get; set; } = "usd";
    public bool IsActive { get; set; }
    /// <summary>A Stripe Price to charge; without one the checkout sends the amount inline (price_data).</summary>
    public string? StripePriceId { get; set; }
    public int SortOrder { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The stored outcome of a request made with an Idempotency-Key, per device and key.</summary>
public sealed class IdempotencyRecord
{
    public Guid DeviceId { get; set; }
    public string Key { get; set; } = "";
    public byte[] RequestHash { get; set; } = Array.Empty<byte>();
    public int StatusCode { get; set; }
    public string ResponseBody { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A rewarded ad that paid out (seed 003 ad_views); counted for the hourly and daily limits.</summary>
public sealed class AdReward
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public string AdType { get; set; } = "rewarded";
    public string AdProvider { get; set; } = "admob";
    public int CoinsEarned { get; set; }
    /// <summary>The ad network's transaction_id from a verified server-side callback; unique, so a callback pays once.</summary>
    public string? VerifiedTransactionId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
