using System.Text.Json;
using ControlPlane.Api.Calls.Media;
using ControlPlane.Api.Calls.Sessions;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Signaling;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Chat;

/// <summary>Why a room ended; each participant is told its own side of it (see <see cref="ChatRooms.ReasonFor"/>).</summary>
/// <summary>Why a room ended. <see cref="MediaNodeLost"/>: the SFU node carrying its media died (clients hear connection_failed).</summary>
public enum EndCause { UserLeft, Disconnected, Timeout, Reported, ConnectionFailed, Banned, MediaNodeLost }

/// <summary>
/// What happens inside a room once two users are paired: messages (validated, rate limited, the last 30 kept),
/// reactions, relayed WebRTC signals, typing, mute and call metrics, leaving, dropped connections with the
/// reconnection window, and ending (announced once, recorded as a session).
/// </summary>
public sealed class ChatRooms(
    IRoomStore rooms,
    IRateLimiter limiter,
    RoomNotifier notify,
    DeviceMessenger messenger,
    TypingIndicators typing,
    SessionLog sessions,
    MediaCalls media,
    IOptions<ChatOptions> options,
    TimeProvider clock,
    ILogger<ChatRooms> log)
{
    private ChatOptions O => options.Value;
    public long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public Task<RoomSnapshot?> FindAsync(Guid device) => rooms.FindByDeviceAsync(device);

    /// <summary>The device's room, which must be <paramref name="sessionId"/> (when given) and of <paramref name="type"/> (when given).</summary>
    public async Task<RoomSnapshot> RequireAsync(Guid device, Guid? sessionId, ChatType? type)
    {
        var room = await rooms.FindByDeviceAsync(device);
        if (room is null || (sessionId is { } s && room.Id != s) || (type is { } t && room.Type != t)) throw NotFound(sessionId, type);
        return room;
    }

    public static HubError NotFound(Guid? sessionId, ChatType? type) => sessionId is not null
        ? new HubError(HubErrorCodes.SessionNotFound, "No active session with this id for this device")
        : new HubError(HubErrorCodes.NoActiveRoom, type switch
        {
            ChatType.Text => "No active text chat room",
            ChatType.Audio => "No active voice room",
            _ => "No active room",
        });

    public async Task SendMessageAsync(Guid device, Guid? sessionId, ChatType? type, string? raw, string? senderName)
    {
        var content = MessageText.Clean(raw, O.MaxMessageLength);
        var now = Now;
        await AcquireMessageSlotAsync(device, now);
        var m = new StoredMessage(NewMessageId(now), device, content, now);
        var room = await rooms.TouchAsync(device, sessionId, type, now, m, O.RecentMessages) ?? throw NotFound(sessionId, type);
        await notify.MessageAsync(room, m, senderName);
        if (typing.Stop(device) is { } t) await notify.TypingAsync(t.RoomId, device, t.Partner, false);
    }

    public async Task ReactionAsync(Guid device, Guid sessionId, string emoji, long? timestamp)
    {
        var now = Now;
        await AcquireMessageSlotAsync(device, now);
        var room = await rooms.TouchAsync(device, sessionId, null, now, null, O.RecentMessages) ?? throw NotFound(sessionId, null);
        await notify.ReactionAsync(room, device, emoji, timestamp ?? now);
    }

    /// <summary>An offer, answer or candidate: to the call's SFU node when it has one, otherwise relayed to the partner.</summary>
    public async Task SignalAsync(Guid device, Guid roomId, Guid? target, SignalKind kind, JsonElement data)
    {
        var room = await rooms.TouchAsync(device, roomId, null, Now, null, O.RecentMessages) ?? throw NotFound(roomId, null);
        if (target is { } t && room.Partner(device).DeviceId != t)
            throw new HubError(HubErrorCodes.InvalidTarget, "Invalid target user: not your partner in this room");
        if (await media.SignalAsync(room, device, kind, data)) return;
        await notify.SignalAsync(room, device, kind, data);
    }

    public async Task TypingAsync(Guid device, bool isTyping)
    {
        var room = await RequireAsync(device, null, ChatType.Text);
        var partner = room.Partner(device);
        if (isTyping)
        {
            // Only seed 004 text clients have typing events; nothing to track for a partner that cannot show them.
            if (partner.Dialect == Dialect.OmegooText && typing.Start(device, room.Id, partner.DeviceId, Now + (long)(O.TypingClearSeconds * 1000)))
                await notify.TypingAsync(room.Id, device, partner.DeviceId, true);
        }
        else if (typing.Stop(device) is { } t)
            await notify.TypingAsync(t.RoomId, device, t.Partner, false);
    }

    /// <summary>Typing indicators whose time ran out (called by the sweeper).</summary>
    public Task ClearExpiredTypingAsync() =>
        typing.IsEmpty ? Task.CompletedTask
            : Task.WhenAll(typing.TakeExpired(Now).Select(e => notify.TypingAsync(e.Typing.RoomId, e.Device, e.Typing.Partner, false)));

    public async Task MuteAsync(Guid device, bool muted)
    {
        var room = await rooms.TouchAsync(device, null, ChatType.Audio, Now, null, O.RecentMessages) ?? throw NotFound(null, ChatType.Audio);
        await notify.MutedAsync(room, device, muted);
    }

    public async Task MetricsAsync(Guid device, string json, IceState ice)
    {
        var now = Now;
        _ = await rooms.TouchAsync(device, null, ChatType.Audio, now, null, O.RecentMessages) ?? throw NotFound(null, ChatType.Audio);
        await rooms.UpdateParticipantAsync(device, new ParticipantChange.Metrics(json, ice, now, now + O.ReconnectWindowMs));
    }

    /// <summary>Leaves the room (end-call, leave_text_room, leave_voice_room).</summary>
    public async Task LeaveAsync(Guid device, Guid? sessionId, ChatType? type)
    {
        var room = await RequireAsync(device, sessionId, type);
        await EndAsync(room.Id, EndCause.UserLeft, device);
    }

    /// <summary>Ends the device's room, if any, before it queues again ("next").</summary>
    public async Task LeaveCurrentAsync(Guid device)
    {
        if (await rooms.FindByDeviceAsync(device) is { } room) await EndAsync(room.Id, EndCause.UserLeft, device);
    }

    /// <summary>Ends a room exactly once and tells both sides; null when someone else ended it first.</summary>
    public async Task<EndedRoom?> EndAsync(Guid roomId, EndCause cause, Guid? by)
    {
        var ended = await rooms.EndAsync(roomId);
        if (ended is null) return null;
        var room = ended.Room;
        foreach (var p in room.Participants) typing.Stop(p.DeviceId);
        var now = Now;
        var closing = media.CloseAsync(room.Id);
        await notify.EndedAsync(room, p => ReasonFor(cause, p.DeviceId, by), by);
        sessions.Ended(room, CauseName(cause), by, now, await closing);
        return ended;
    }

    /// <summary>The seed 004 reason each participant is given; null means it is not told (it is the one who vanished).</summary>
    public static string? ReasonFor(EndCause cause, Guid who, Guid? by) => cause switch
    {
        EndCause.UserLeft => who == by ? "user_left" : "partner_left",
        EndCause.Disconnected or EndCause.Banned => who == by ? null : "partner_disconnected",
        EndCause.Timeout => "timeout",
        EndCause.Reported => "reported",
        _ => "connection_failed",
    };

    public static string CauseName(EndCause cause) => cause switch
    {
        EndCause.UserLeft => "user_left",
        EndCause.Disconnected => "partner_disconnected",
        EndCause.Timeout => "timeout",
        EndCause.Reported => "reported",
        EndCause.Banned => "banned",
        EndCause.MediaNodeLost => "media_node_lost",
        _ => "connection_failed",
    };

    /// <summary>
    /// The device's last connection closed. A seed 004 participant keeps its place for the reconnection window
    /// (the partner is told it dropped); seed 000 has no way back, so its room ends at once.
    /// </summary>
    public async Task OnDisconnectedAsync(Guid device)
    {
        if (typing.Stop(device) is { } t) await notify.TypingAsync(t.RoomId, device, t.Partner, false);
        var room = await rooms.FindByDeviceAsync(device);
        if (room is null) return;
        if (room.Self(device).Dialect == Dialect.Omegle)
        {
            await EndAsync(room.Id, EndCause.Disconnected, device);
            return;
        }
        var now = Now;
        var updated = await rooms.UpdateParticipantAsync(device, new ParticipantChange.Disconnected(now, now + O.ReconnectWindowMs));
        if (updated is not null) await notify.PartnerDisconnectedAsync(updated, device);
    }

    /// <summary>attempt_text_reconnect / attempt_voice_reconnect: back into the room within the window, or a failure event.</summary>
    public async Task ReconnectAsync(Guid device, ChatType type)
    {
        var prefix = type == ChatType.Text ? "text" : "voice";
        var room = await rooms.FindByDeviceAsync(device);
        var now = Now;
        if (room is not null && room.Type == type && room.Self(device).DisconnectedAt is { } at && at + O.ReconnectWindowMs <= now)
        {
            await EndAsync(room.Id, EndCause.Disconnected, device);
            room = null;
        }
        var updated = room is not null && room.Type == type
            ? await rooms.UpdateParticipantAsync(device, new ParticipantChange.Reconnected())
            : null;
        if (updated is null || updated.Id != room!.Id)
        {
            await messenger.SendAsync(device, prefix + "_reconnect_failed", new { reason = "Session expired or room no longer exists" });
            return;
        }
        var partner = updated.Partner(device).DeviceId;
        if (type == ChatType.Text)
        {
            var messages = await rooms.RecentMessagesAsync(updated.Id);
            await messenger.SendAsync(device, "text_reconnected", new
            {
                roomId = updated.Id,
                partnerId = partner,
                messages = messages.Select(m => RoomNotifier.TextMessage(updated.Id, m, true)).ToArray(),
            });
        }
        else
        {
            await messenger.SendAsync(device, "voice_reconnected", new
            {
                roomId = updated.Id,
                partnerId = partner,
                metrics = new { callDuration = (now - updated.CreatedAt) / 1000, reconnectAttempts = updated.Self(device).ReconnectAttempts },
            });
        }
        // A voice reconnect also means "renegotiate", so the partner hears of it even if the socket never dropped.
        if (room.Self(device).DisconnectedAt is not null || type == ChatType.Audio)
            await notify.PartnerReconnectedAsync(updated, device);
    }

    /// <summary>Ends rooms whose reconnection or ICE window ran out, and idle text and voice rooms (called by the sweeper).</summary>
    public async Task<int> SweepAsync()
    {
        var now = Now;
        var ended = 0;
        foreach (var id in await rooms.DueAsync(now, now - O.IdleTimeoutMs, 1000))
        {
            try
            {
                var room = await rooms.GetAsync(id);
                if (room is null) { await rooms.ScheduleAsync(id, null); continue; }
                var window = O.ReconnectWindowMs;
                if (room.Type != ChatType.Video && room.LastActivityAt <= now - O.IdleTimeoutMs)
                    ended += await EndAsync(id, EndCause.Timeout, null) is null ? 0 : 1;
                else if (room.Participants.FirstOrDefault(p => p.DisconnectedAt + window <= now) is { } gone)
                    ended += await EndAsync(id, EndCause.Disconnected, gone.DeviceId) is null ? 0 : 1;
                else if (room.Participants.Any(p => p.IceFailedAt + window <= now))
                    ended += await EndAsync(id, EndCause.ConnectionFailed, null) is null ? 0 : 1;
                else
                    await rooms.ScheduleAsync(id, room.NextDeadline(window));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Sweeping room {Room} failed", id);
            }
        }
        return ended;
    }

    private async Task AcquireMessageSlotAsync(Guid device, long now)
    {
        var d = await limiter.TryAcquireAsync("msg:" + device, O.MessageLimit, (long)(O.MessageWindowSeconds * 1000), now);
        if (!d.Allowed)
            throw new HubError(HubErrorCodes.RateLimited, $"Rate limit exceeded: at most {O.MessageLimit} messages per {O.MessageWindowSeconds:0.#} s", d.RetryAfterMs);
    }

    /// <summary>Seed 004's message id shape: msg_{unix ms}_{random}.</summary>
    private static string NewMessageId(long now) => $"msg_{now}_{Guid.NewGuid().ToString("N")[..10]}";
}

/// <summary>Runs the room sweep and typing expiry on every node (ending is atomic, so only one node announces an end).</summary>
internal sealed class RoomSweeper(IServiceProvider services, IOptions<ChatOptions> options, ILogger<RoomSweeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        // Resolved here, not in the constructor: hosted services are built before configuration is validated.
        await Task.Yield();
        var chat = services.GetRequiredService<ChatRooms>();
        var typingTick = TimeSpan.FromMilliseconds(100);
        var sweepEvery = TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs);
        var lastSweep = DateTime.UtcNow;
        using var timer = new PeriodicTimer(typingTick);
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                await chat.ClearExpiredTypingAsync();
                if (DateTime.UtcNow - lastSweep >= sweepEvery)
                {
                    lastSweep = DateTime.UtcNow;
                    await chat.SweepAsync();
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                log.LogWarning("Room sweep failed: {Error}", e.Message);
            }
        }
    }
}
