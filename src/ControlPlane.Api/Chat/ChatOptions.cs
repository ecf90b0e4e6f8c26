using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Chat;

/// <summary>Room rules from seed 004 (section "Chat"). Seconds are doubles so tests can shorten them.</summary>
public sealed class ChatOptions : IValidatedOptions
{
    /// <summary>Grace period after a dropped connection before the room ends (CHAT_RECONNECT_WINDOW_SECONDS).</summary>
    public double ReconnectWindowSeconds { get; set; } = 30;

    /// <summary>A room without messages for this long ends with reason "timeout" (CHAT_IDLE_TIMEOUT_SECONDS).</summary>
    public double IdleTimeoutSeconds { get; set; } = 30 * 60;

    /// <summary>A typing indicator nobody stopped is cleared after this long.</summary>
    public double TypingClearSeconds { get; set; } = 3;

    /// <summary>Messages per user per window (seed 004: 10 per 10 s).</summary>
    public int MessageLimit { get; set; } = 10;
    public double MessageWindowSeconds { get; set; } = 10;

    /// <summary>Reports per user per window (seed 004: 3 per 5 minutes), hub and REST together.</summary>
    public int ReportLimit { get; set; } = 3;
    public double ReportWindowSeconds { get; set; } = 300;

    /// <summary>Messages kept per room for report evidence (seed 004: the last 30).</summary>
    public int RecentMessages { get; set; } = 30;

    /// <summary>Longest message after trimming and stripping HTML (seed 004: 1000 characters).</summary>
    public int MaxMessageLength { get; set; } = 1000;

    /// <summary>How often rooms are checked for expired reconnection windows and idleness.</summary>
    public int SweepIntervalMs { get; set; } = 500;

    public long ReconnectWindowMs => (long)(ReconnectWindowSeconds * 1000);
    public long IdleTimeoutMs => (long)(IdleTimeoutSeconds * 1000);

    public IEnumerable<string> Validate()
    {
        if (ReconnectWindowSeconds is <= 0 or > 3600) yield return "CHAT_RECONNECT_WINDOW_SECONDS must be between 0 and 3600";
        if (IdleTimeoutSeconds <= 0) yield return "CHAT_IDLE_TIMEOUT_SECONDS must be positive";
        if (TypingClearSeconds <= 0) yield return "TypingClearSeconds must be positive";
        if (MessageLimit < 1 || MessageWindowSeconds <= 0) yield return "the message rate limit must allow at least 1 message in a positive window";
        if (ReportLimit < 1 || ReportWindowSeconds <= 0) yield return "the report rate limit must allow at least 1 report in a positive window";
        if (RecentMessages is < 1 or > 1000) yield return "RecentMessages must be between 1 and 1000";
        if (MaxMessageLength is < 1 or > 100_000) yield return "MaxMessageLength must be between 1 and 100000";
        if (SweepIntervalMs is < 10 or > 60_000) yield return "SweepIntervalMs must be between 10 and 60000";
    }
}
