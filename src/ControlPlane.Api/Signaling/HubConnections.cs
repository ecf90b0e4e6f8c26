using ControlPlane.Api.Auth;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Moderation;
using Microsoft.AspNetCore.SignalR;

namespace ControlPlane.Api.Signaling;

/// <summary>
/// Opening and closing hub connections: a banned device is refused; a device has one connection (a newer one, on
/// any node, closes the older with SESSION_REPLACED); presence is recorded for cross-node delivery. When the
/// device's current connection closes it leaves the queues and its room gets the reconnection window.
/// </summary>
public sealed class HubConnections(
    LocalConnections local,
    IConnectionDirectory directory,
    DeviceMessenger messenger,
    DeviceBans bans,
    Matchmaker matchmaker,
    ChatRooms chat,
    NodeIdentity node,
    TimeProvider clock,
    ILogger<HubConnections> log)
{
    private readonly bool _subscribed = Subscribe(messenger, matchmaker, chat);

    /// <summary>A device whose node died is cleaned up as if its connection had closed.</summary>
    private static bool Subscribe(DeviceMessenger messenger, Matchmaker matchmaker, ChatRooms chat)
    {
        messenger.DeviceUnreachable += async device =>
        {
            await matchmaker.LeaveSilentlyAsync(device);
            await chat.OnDisconnectedAsync(device);
        };
        return true;
    }

    public async Task OnConnectedAsync(HubCallerContext ctx, ISingleClientProxy caller)
    {
        var device = ctx.User!.DeviceId();
        if (await bans.IsBannedAsync(device))
        {
            await caller.SendAsync("error", new { message = "This device is banned", code = HubErrorCodes.DeviceBanned });
            _ = Task.Delay(100).ContinueWith(_ => ctx.Abort(), TaskScheduler.Default);
            return;
        }
        local.Register(new LocalConnections.Handle(device, ctx.ConnectionId, ctx));
        var previous = await directory.RegisterAsync(device, new Presence(node.Id, ctx.ConnectionId));
        if (previous is not null)
        {
            log.LogDebug("Device {Device} reconnected; closing its connection {Old}", device, previous);
            await messenger.KickAsync(device, previous, HubErrorCodes.SessionReplaced, "This device opened a newer connection; this one is closed");
        }
        await caller.SendAsync("connected", new { deviceId = device, timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds() });
    }

    public async Task OnDisconnectedAsync(HubCallerContext ctx)
    {
        if (ctx.User?.Identity?.IsAuthenticated != true) return;
        var device = ctx.User.DeviceId();
        local.Unregister(device, ctx.ConnectionId);
        // Only the device's current connection cleans up; a replaced one leaves the state to its successor.
        if (!await directory.UnregisterAsync(device, new Presence(node.Id, ctx.ConnectionId))) return;
        try
        {
            await matchmaker.LeaveSilentlyAsync(device);
            await chat.OnDisconnectedAsync(device);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Cleaning up after device {Device} disconnected failed", device);
        }
    }
}
