namespace ControlPlane.Api.Configuration;

/// <summary>
/// Maps the environment variable names the seeds document (seed 000's .env list) onto configuration keys,
/// so an operator can use either DATABASE_URL or Database__Url.
/// </summary>
public static class SeedEnvironment
{
    private static readonly (string Env, string Key)[] Direct = new (string Env, string Key)[]
    {
        ("DATABASE_URL", "Database:Url"),
        ("REDIS_URL", "Redis:Url"),
        ("JWT_SECRET", "Auth:JwtSecret"),
        ("JWT_EXPIRES_IN", "Auth:AccessTokenLifetime"),
        ("JWT_ISSUER", "Auth:Issuer"),
        ("REFRESH_TOKEN_EXPIRES_IN", "Auth:RefreshTokenLifetime"),
        ("MODERATOR_DEVICE_IDS", "Auth:ModeratorDeviceIds"),
        ("TURN_SECRET", "Turn:Secrets"),
        ("TURN_SERVER_URL", "Turn:Urls"),
        ("TURN_TTL", "Turn:TtlSeconds"),
        ("TURN_REALM", "Turn:Realm"),
        ("LOG_LEVEL", "Logging:Level"),
        ("CORS_ORIGINS", "Cors:Origins"),
        ("STRIPE_SECRET_KEY", "Stripe:SecretKey"),
        ("STRIPE_WEBHOOK_SECRET", "Stripe:WebhookSecret"),
        ("STRIPE_MONTHLY_PRICE_ID", "Stripe:MonthlyPriceId"),
        ("STRIPE_YEARLY_PRICE_ID", "Stripe:YearlyPriceId"),
        ("STRIPE_API_BASE", "Stripe:ApiBase"),
        ("STRIPE_SUCCESS_URL", "Stripe:SuccessUrl"),
        ("STRIPE_CANCEL_URL", "Stripe:CancelUrl"),
        ("STRIPE_WEBHOOK_TOLERANCE", "Stripe:WebhookToleranceSeconds"),
        ("SIGNUP_BONUS_COINS", "Coins:SignupBonus"),
        ("COINS_MESSAGE_PRICE", "Coins:MessagePrice"),
        ("COINS_MAX_SPEND", "Coins:MaxSpendAmount"),
        ("IDEMPOTENCY_KEY_TTL", "Coins:IdempotencyKeyTtl"),
        ("AD_REWARD_COINS", "AdRewards:CoinsPerAd"),
        ("AD_REWARD_MAX_PER_HOUR", "AdRewards:MaxPerHour"),
        ("AD_REWARD_MAX_PER_DAY", "AdRewards:MaxPerDay"),
        ("ADMOB_SSV_KEYS", "AdRewards:VerifierKeys"),
        ("ADMOB_SSV_MAX_AGE", "AdRewards:MaxAge"),
        ("SUPER_LOVER_COINS_REQUIRED", "SuperLover:CoinsRequired"),
        ("SUPER_LOVER_MINIMUM_AGE", "SuperLover:MinimumAge"),
        ("SUPER_LOVER_REQUIRE_VERIFICATION", "SuperLover:RequireVerification"),
        ("SUPER_LOVER_SHARE_PERCENT", "SuperLover:SharePercent"),
        ("PAID_CALL_COINS_PER_MINUTE", "CallBilling:RatePerMinute"),
        ("CALL_RING_TIMEOUT_SECONDS", "Calls:RingTimeoutSeconds"),
        ("CALL_MEDIA_JOIN_TIMEOUT_SECONDS", "Calls:MediaJoinTimeoutSeconds"),
        ("CALL_INITIATE_LIMIT_PER_MINUTE", "Calls:InitiateLimitPerMinute"),
        ("CALL_MEDIA_OFFER_LIMIT_PER_MINUTE", "Calls:MediaOfferLimitPerMinute"),
        ("SFU_ENABLED", "Sfu:Enabled"),
        ("CALL_MEDIA_MODE", "CallMedia:Mode"),
        ("CALL_MEDIA_P2P_FALLBACK", "CallMedia:P2pFallback"),
        ("CALL_AUDIO_CAP_KBPS", "CallMedia:AudioCallAudioCapKbps"),
        ("CALL_VIDEO_AUDIO_CAP_KBPS", "CallMedia:VideoCallAudioCapKbps"),
        ("CALL_PREMIUM_AUDIO_CAP_KBPS", "CallMedia:PremiumAudioCapKbps"),
        ("CALL_AUDIO_CEILING_KBPS", "CallMedia:AudioCeilingKbps"),
        ("CALL_VIDEO_CAP_KBPS", "CallMedia:VideoCapKbps"),
        ("CALL_PREMIUM_VIDEO_CAP_KBPS", "CallMedia:PremiumVideoCapKbps"),
        ("CALL_OVER_CAP_POLICY", "CallMedia:OverCapPolicy"),
        ("QUALITY_SAMPLE_MS", "CallQuality:SampleMilliseconds"),
        ("QUALITY_ALERT_SECONDS", "CallQuality:PoorAlertSeconds"),
        ("SFU_NODE_SECRET", "SfuNodes:Secret"),
        ("SFU_NODE_STALE_MS", "SfuNodes:StaleAfterMs"),
        ("SFU_NODE_REQUEST_TIMEOUT_MS", "SfuNodes:RequestTimeoutMs"),
        ("SFU_NODE_LOSS_SWEEP_MS", "SfuNodes:LossSweepMs"),
        ("SIGNALING_NODE_ID", "Signaling:NodeId"),
        ("REDIS_KEY_PREFIX", "Signaling:RedisKeyPrefix"),
        ("JOIN_QUEUE_LIMIT_PER_MINUTE", "Matchmaking:JoinLimit"),
        ("MATCH_RELAX_SECONDS", "Matchmaking:RegionRelaxSeconds"),
        ("PREMIUM_HEAD_START_SECONDS", "Matchmaking:PremiumHeadStartSeconds"),
        ("CHAT_RECONNECT_WINDOW_SECONDS", "Chat:ReconnectWindowSeconds"),
        ("CHAT_IDLE_TIMEOUT_SECONDS", "Chat:IdleTimeoutSeconds"),
        ("RETENTION_DAYS", "Retention:Days"),
    }.Concat(Media.Sfu.Hosting.SfuOptions.EnvironmentNames).ToArray();

    public static Dictionary<string, string?> Read(Func<string, string?> env)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (name, key) in Direct)
            if (env(name) is { Length: > 0 } v) values[key] = v;
        var host = env("HOST") is { Length: > 0 } h ? h : "127.0.0.1";
        if (env("PORT") is { Length: > 0 } port) values["Urls"] = $"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}";
        else if (env("HOST") is { Length: > 0 }) values["Urls"] = $"http://{host}:3333";
        return values;
    }

    /// <summary>Splits a comma-separated list, trimming blanks.</summary>
    public static List<string> List(string? value) =>
        string.IsNullOrWhiteSpace(value) ? new() : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>Durations as the seeds write them: "7d", "15m", "3600s", "12h", or plain seconds.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        var unit = char.IsLetter(text[^1]) ? char.ToLowerInvariant(text[^1]) : 's';
        var number = char.IsLetter(text[^1]) ? text[..^1] : text;
        if (!long.TryParse(number, out var n) || n <= 0 || n > 10_000_000) return false;
        value = unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.Zero,
        };
        return value > TimeSpan.Zero;
    }
}
