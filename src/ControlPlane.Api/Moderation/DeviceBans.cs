using ControlPlane.Api.Auth;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Data;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Signaling;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Api.Moderation;

/// <summary>
/// Bans a device everywhere at once: the database (so /auth/token and /auth/refresh answer 403 DEVICE_BANNED and
/// its refresh tokens die), the live ban set (so no queue takes it), its queue place and room (the partner is told
/// it disconnected), and its hub connection on whichever node holds it (moderation-alert, error DEVICE_BANNED, close).
/// </summary>
public sealed class DeviceBans(
    IServiceScopeFactory scopes,
    IBanList bans,
    IMatchQueue queue,
    ChatRooms chat,
    IConnectionDirectory directory,
    DeviceMessenger messenger,
    TimeProvider clock,
    ILogger<DeviceBans> log)
{
    public async Task BanAsync(Guid deviceId, string reason)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
            var now = clock.GetUtcNow();
            await db.Set<Device>().Where(d => d.Id == deviceId && d.BannedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.BannedAt, now).SetProperty(d => d.BanReason, reason));
            await scope.ServiceProvider.GetRequiredService<RefreshTokens>().RevokeAllAsync(deviceId, CancellationToken.None);
        }
        await bans.AddAsync(deviceId);
        await queue.LeaveAsync(deviceId);
        if (await chat.FindAsync(deviceId) is { } room) await chat.EndAsync(room.Id, EndCause.Banned, deviceId);
        if (await directory.LookupAsync(deviceId) is { } where)
        {
            await messenger.SendAsync(deviceId, "moderation-alert", new { type = "violation", message = "This device has been banned: " + reason });
            await messenger.KickAsync(deviceId, where, HubErrorCodes.DeviceBanned, "This device is banned");
        }
        log.LogInformation("Device {DeviceId} banned: {Reason}", deviceId, reason);
    }

    /// <summary>Checked when a hub connection opens: a banned device (by the database) is refused, and the live set learns of it.</summary>
    public async Task<bool> IsBannedAsync(Guid deviceId)
    {
        if (await bans.IsBannedAsync(deviceId)) return true;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        var banned = await db.Set<Device>().AsNoTracking().AnyAsync(d => d.Id == deviceId && d.BannedAt != null);
        if (banned) await bans.AddAsync(deviceId);
        return banned;
    }
}
