using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Matchmaking;

/// <summary>Queue rules (section "Matchmaking"). Seconds are doubles so tests can shorten them.</summary>
public sealed class MatchmakingOptions : IValidatedOptions
{
    /// <summary>After this long in the queue a user's region stops being required.</summary>
    public double RegionRelaxSeconds { get; set; } = 3;

    /// <summary>After this long shared interests stop being required (they are still preferred).</summary>
    public double InterestsRelaxSeconds { get; set; } = 3;

    /// <summary>After this long the language stops being required.</summary>
    public double LanguageRelaxSeconds { get; set; } = 10;

    /// <summary>Premium users queue as if they had joined this much earlier: served first, yet anyone who has
    /// waited longer than this is still ahead of a premium newcomer, so nobody starves.</summary>
    public double PremiumHeadStartSeconds { get; set; } = 10;

    /// <summary>How often waiting users are re-examined (relaxed constraints, late arrivals).</summary>
    public int SweepIntervalMs { get; set; } = 250;

    /// <summary>How many waiting users (in priority order) one match attempt examines.</summary>
    public int ScanLimit { get; set; } = 200;

    /// <summary>join-queue calls allowed per device per <see cref="JoinWindowSeconds"/> (seed 000: 10 a minute).</summary>
    public int JoinLimit { get; set; } = 10;
    public double JoinWindowSeconds { get; set; } = 60;

    /// <summary>How long "the last partner" is remembered so the same two devices are not paired back to back.</summary>
    public double LastPeerMemorySeconds { get; set; } = 3600;

    public long RegionRelaxMs => (long)(RegionRelaxSeconds * 1000);
    public long InterestsRelaxMs => (long)(InterestsRelaxSeconds * 1000);
    public long LanguageRelaxMs => (long)(LanguageRelaxSeconds * 1000);
    public long PremiumHeadStartMs => (long)(PremiumHeadStartSeconds * 1000);

    public IEnumerable<string> Validate()
    {
        if (RegionRelaxSeconds < 0 || InterestsRelaxSeconds < 0 || LanguageRelaxSeconds < 0) yield return "relax times must not be negative";
        if (PremiumHeadStartSeconds is < 0 or > 3600) yield return "PremiumHeadStartSeconds must be between 0 and 3600";
        if (SweepIntervalMs is < 10 or > 60_000) yield return "SweepIntervalMs must be between 10 and 60000";
        if (ScanLimit is < 1 or > 5000) yield return "ScanLimit must be between 1 and 5000";
        if (JoinLimit < 1) yield return "JOIN_QUEUE_LIMIT_PER_MINUTE must be at least 1";
        if (JoinWindowSeconds <= 0) yield return "JoinWindowSeconds must be positive";
        if (LastPeerMemorySeconds < 1) yield return "LastPeerMemorySeconds must be at least 1";
    }
}
