using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Coins.SuperLovers;

/// <summary>Seed 003 §3.6/3.7: the requirements to become a Super Lover, and their share of what callers pay.</summary>
public sealed class SuperLoverOptions : IValidatedOptions
{
    /// <summary>Coins a device must hold to become a Super Lover (SUPER_LOVER_COINS_REQUIRED). A threshold, not a fee.</summary>
    public int CoinsRequired { get; set; } = 1000;
    public int MinimumAge { get; set; } = 18;
    /// <summary>Whether a moderator (or the accounts feature) must have verified the device first (SUPER_LOVER_REQUIRE_VERIFICATION).</summary>
    public bool RequireVerification { get; set; } = true;
    /// <summary>Percent of each paid call minute and paid message that the Super Lover receives (SUPER_LOVER_SHARE_PERCENT; seed 003: 50 spent, 25 earned).</summary>
    public int SharePercent { get; set; } = 50;

    public IEnumerable<string> Validate()
    {
        if (CoinsRequired < 0) yield return "SUPER_LOVER_COINS_REQUIRED must not be negative";
        if (MinimumAge is < 18 or > 120) yield return "SUPER_LOVER_MINIMUM_AGE must be between 18 and 120";
        if (SharePercent is < 0 or > 100) yield return "SUPER_LOVER_SHARE_PERCENT must be between 0 and 100";
    }

    public long ShareOf(long amount) => amount * SharePercent / 100;
}
