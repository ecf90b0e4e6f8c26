using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Coins;

public sealed class CoinOptions : IValidatedOptions
{
    /// <summary>Coins a device receives once, on its first coin access (SIGNUP_BONUS_COINS; seed 003: coins_balance DEFAULT 50).</summary>
    public int SignupBonus { get; set; } = 50;
    /// <summary>Largest amount one /spend may move: anything above is a client bug or an attack.</summary>
    public long MaxSpendAmount { get; set; } = 1_000_000;
    /// <summary>Price of one paid message (COINS_MESSAGE_PRICE; seed 003 §5.3 shows 5).</summary>
    public int MessagePrice { get; set; } = 5;
    /// <summary>How long a stored Idempotency-Key outcome is replayed (IDEMPOTENCY_KEY_TTL).</summary>
    public string IdempotencyKeyTtl { get; set; } = "24h";

    public TimeSpan IdempotencyRetention => SeedEnvironment.TryParseDuration(IdempotencyKeyTtl, out var t) ? t : TimeSpan.FromHours(24);

    public IEnumerable<string> Validate()
    {
        if (SignupBonus is < 0 or > 1_000_000) yield return "SIGNUP_BONUS_COINS must be between 0 and 1000000";
        if (MaxSpendAmount is < 1 or > 1_000_000_000) yield return "MaxSpendAmount must be between 1 and 1000000000";
        if (MessagePrice is < 0 or > 1_000_000) yield return "COINS_MESSAGE_PRICE must be between 0 and 1000000";
        if (!SeedEnvironment.TryParseDuration(IdempotencyKeyTtl, out _)) yield return $"IDEMPOTENCY_KEY_TTL '{IdempotencyKeyTtl}' is not a duration like 24h";
    }
}

public sealed class AdRewardOptions : IValidatedOptions
{
    /// <summary>Coins per rewarded ad (AD_REWARD_COINS; seed 003 §4.5 shows 5). The server decides, not the ad's reward_amount.</summary>
    public int CoinsPerAd { get; set; } = 5;
    public int MaxPerHour { get; set; } = 5;
    public int MaxPerDay { get; set; } = 20;
    /// <summary>
    /// AdMob server-side verification keys (ADMOB_SSV_KEYS): "keyId:base64 SubjectPublicKeyInfo" pairs, comma-separated,
    /// as Google publishes them at gstatic.com/admob/reward/verifier-keys.json ("keyId" and "base64").
    /// When set, a reward is paid only with a valid signature.
    /// </summary>
    public string? VerifierKeys { get; set; }
    /// <summary>Oldest signed reward accepted (ADMOB_SSV_MAX_AGE).</summary>
    public string MaxAge { get; set; } = "1h";

    public bool VerificationRequired => !string.IsNullOrWhiteSpace(VerifierKeys);
    public TimeSpan MaxSignatureAge => SeedEnvironment.TryParseDuration(MaxAge, out var t) ? t : TimeSpan.FromHours(1);

    public IEnumerable<string> Validate()
    {
        if (CoinsPerAd is < 1 or > 100_000) yield return "AD_REWARD_COINS must be between 1 and 100000";
        if (MaxPerHour < 0) yield return "AD_REWARD_MAX_PER_HOUR must not be negative";
        if (MaxPerDay < 0) yield return "AD_REWARD_MAX_PER_DAY must not be negative";
        if (!SeedEnvironment.TryParseDuration(MaxAge, out _)) yield return $"ADMOB_SSV_MAX_AGE '{MaxAge}' is not a duration";
        if (VerificationRequired)
        {
            string? error = null;
            try { _ = AdRewardSignature.ParseKeys(VerifierKeys!); }
            catch (FormatException e) { error = e.Message; }
            if (error is not null) yield return "ADMOB_SSV_KEYS: " + error;
        }
    }
}
