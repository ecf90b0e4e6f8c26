namespace ControlPlane.Api.Coins.SuperLovers;

/// <summary>
/// A device's Super Lover profile (seed 003's users.is_super_lover / super_lover_* columns, kept in their own row
/// until the accounts of seed 003 exist). It also holds the facts the rules need: whether the person was verified
/// (set by a moderator, or later by the accounts feature) and their age (the verified age once verified, else the
/// age declared when becoming a Super Lover).
/// </summary>
public sealed class SuperLoverProfile
{
    public Guid DeviceId { get; set; }
    public bool IsSuperLover { get; set; }
    public string Status { get; set; } = SuperLoverStatuses.Offline;
    public string? Bio { get; set; }
    public string? FullName { get; set; }
    public int? Age { get; set; }
    public string? Gender { get; set; }
    public string? ProfileImageUrl { get; set; }
    public bool IsVerified { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
    public Guid? VerifiedBy { get; set; }
    public int CallCount { get; set; }
    public DateTimeOffset? BecameAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class SuperLoverStatuses
{
    public const string Online = "online";
    public const string Ready = "ready";
    public const string Offline = "offline";
    public static readonly string[] All = { Online, Ready, Offline };
}

/// <summary>One caller's rating of a Super Lover (seed 003 §3.8); a caller's newer rating replaces their older one.</summary>
public sealed class SuperLoverRating
{
    public Guid Id { get; set; }
    public Guid SuperLoverId { get; set; }
    public Guid RaterId { get; set; }
    public int Rating { get; set; }
    public string? Comment { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
