using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Auth;

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>Trades a device id for tokens (creating the device on first sight) and refresh tokens for new pairs.</summary>
public sealed class DeviceSignIn(ControlPlaneDb db, AccessTokens access, RefreshTokens refresh, IOptions<AuthOptions> options,
    TimeProvider clock, ILogger<DeviceSignIn> log)
{
    public async Task<TokenPair> SignInAsync(Guid deviceId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Insert-if-absent in one statement so two first requests from one device cannot race into a duplicate key.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO devices (id, created_at, last_seen_at, role) VALUES ({deviceId}, {now}, {now}, {Roles.User}) ON CONFLICT (id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at",
            ct);
        var device = await db.Set<Device>().AsNoTracking().FirstAsync(d => d.Id == deviceId, ct);
        EnsureNotBanned(device);
        log.LogInformation("Device {DeviceId} signed in", deviceId);
        return await PairAsync(device, Guid.NewGuid(), ct);
    }

    public async Task<TokenPair> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        var (deviceId, family) = await refresh.ConsumeAsync(refreshToken, ct);
        var device = await db.Set<Device>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, ct)
                     ?? throw ApiException.Unauthorized(ErrorCodes.RefreshTokenInvalid, "The device no longer exists");
        EnsureNotBanned(device);
        return await PairAsync(device, family, ct);
    }

    private async Task<TokenPair> PairAsync(Device device, Guid family, CancellationToken ct)
    {
        var role = options.Value.IsModerator(device.Id) && device.Role == Roles.User ? Roles.Moderator : device.Role;
        var (token, expires) = access.Issue(device.Id, role);
        var refreshToken = await refresh.IssueAsync(device.Id, family, ct);
        return new TokenPair(token, refreshToken, (int)(expires - clock.GetUtcNow()).TotalSeconds);
    }

    private static void EnsureNotBanned(Device device)
    {
        if (device.BannedAt is not null)
            throw ApiException.Forbidden(ErrorCodes.DeviceBanned, "This device is banned" + (device.BanReason is { } r ? ": " + r : ""));
    }
}
