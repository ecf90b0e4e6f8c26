using System.Security.Cryptography;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Auth;

/// <summary>
/// Opaque refresh tokens that rotate on every use. The first use of a token wins atomically (a conditional
/// UPDATE), and presenting an already-used token revokes its whole family: a stolen token that races the
/// real client ends both sessions instead of silently living on.
/// </summary>
public sealed class RefreshTokens(ControlPlaneDb db, IOptions<AuthOptions> options, TimeProvider clock, ILogger<RefreshTokens> log)
{
    public async Task<string> IssueAsync(Guid deviceId, Guid familyId, CancellationToken ct)
    {
        var raw = RandomNumberGenerator.GetBytes(32);
        var token = Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        db.Set<RefreshToken>().Add(new RefreshToken
        {
            Id = Guid.NewGuid(), DeviceId = deviceId, FamilyId = familyId, TokenHash = Hash(token),
            CreatedAt = now, ExpiresAt = now + options.Value.RefreshLifetime,
        });
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>Consumes a refresh token: returns its device and family, or throws 401 in the API's shape.</summary>
    public async Task<(Guid DeviceId, Guid FamilyId)> ConsumeAsync(string token, CancellationToken ct)
    {
        if (token.Length is 0 or > 256) throw Invalid();
        var hash = Hash(token);
        var now = clock.GetUtcNow();
        var consumed = await db.Set<RefreshToken>()
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.RevokedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        var row = await db.Set<RefreshToken>().AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (row is null) throw Invalid();
        if (consumed == 1) return (row.DeviceId, row.FamilyId);
        if (row.UsedAt is not null && row.RevokedAt is null)
        {
            await db.Set<RefreshToken>().Where(t => t.FamilyId == row.FamilyId && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
            log.LogWarning("Refresh token reuse for device {DeviceId}; token family {FamilyId} revoked", row.DeviceId, row.FamilyId);
            throw ApiException.Unauthorized(ErrorCodes.RefreshTokenReused, "This refresh token was already used; sign in again");
        }
        throw Invalid();
    }

    public Task RevokeAllAsync(Guid deviceId, CancellationToken ct) =>
        db.Set<RefreshToken>().Where(t => t.DeviceId == deviceId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, clock.GetUtcNow()), ct);

    private static ApiException Invalid() =>
        ApiException.Unauthorized(ErrorCodes.RefreshTokenInvalid, "The refresh token is invalid, expired or revoked");

    private static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));
}
