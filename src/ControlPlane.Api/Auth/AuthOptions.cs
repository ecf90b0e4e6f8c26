using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Auth;

public sealed class AuthOptions : IValidatedOptions
{
    /// <summary>HS256 key (JWT_SECRET); at least 32 bytes so the MAC key is not the weak link.</summary>
    public string? JwtSecret { get; set; }
    public string Issuer { get; set; } = "omegle.media";
    public string Audience { get; set; } = "omegle.media";
    /// <summary>JWT_EXPIRES_IN as the seed writes it ("7d").</summary>
    public string AccessTokenLifetime { get; set; } = "7d";
    public string RefreshTokenLifetime { get; set; } = "30d";
    /// <summary>Allowed clock difference when checking exp/nbf.</summary>
    public int ClockSkewSeconds { get; set; } = 30;
    /// <summary>Comma-separated device ids that receive the moderator role when they take a token.</summary>
    public string? ModeratorDeviceIds { get; set; }

    public TimeSpan AccessLifetime => SeedEnvironment.TryParseDuration(AccessTokenLifetime, out var t) ? t : TimeSpan.FromDays(7);
    public TimeSpan RefreshLifetime => SeedEnvironment.TryParseDuration(RefreshTokenLifetime, out var t) ? t : TimeSpan.FromDays(30);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrEmpty(JwtSecret)) yield return "JWT_SECRET is required";
        else if (System.Text.Encoding.UTF8.GetByteCount(JwtSecret) < 32) yield return "JWT_SECRET must be at least 32 bytes";
        if (!SeedEnvironment.TryParseDuration(AccessTokenLifetime, out _)) yield return $"JWT_EXPIRES_IN '{AccessTokenLifetime}' is not a duration like 15m, 12h or 7d";
        if (!SeedEnvironment.TryParseDuration(RefreshTokenLifetime, out _)) yield return $"refresh token lifetime '{RefreshTokenLifetime}' is not a duration";
        foreach (var id in SeedEnvironment.List(ModeratorDeviceIds))
            if (!Guid.TryParse(id, out _)) yield return $"moderator device id '{id}' is not a UUID";
        if (string.IsNullOrWhiteSpace(Issuer) || string.IsNullOrWhiteSpace(Audience)) yield return "issuer and audience are required";
    }

    public bool IsModerator(Guid deviceId) =>
        SeedEnvironment.List(ModeratorDeviceIds).Any(s => Guid.TryParse(s, out var g) && g == deviceId);
}
