namespace ControlPlane.Api.Auth;

/// <summary>An anonymous device account (seed 000: the client generates a UUID and trades it for tokens).</summary>
public sealed class Device
{
    public Guid Id { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public string Role { get; set; } = Roles.User;
    public DateTimeOffset? BannedAt { get; set; }
    public string? BanReason { get; set; }
}

public static class Roles
{
    public const string User = "user";
    public const string Moderator = "moderator";
    public const string Admin = "admin";
}

/// <summary>One refresh token; only its SHA-256 is stored. Tokens of one login form a family so that
/// reuse of a rotated token revokes the whole family (OAuth 2.0 Security BCP §4.14.2).</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public byte[] TokenHash { get; set; } = Array.Empty<byte>();
    public Guid FamilyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
