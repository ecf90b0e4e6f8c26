using System.Text.Json;
using ControlPlane.Api.Calls.Media;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Signaling;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Chat;

public enum SignalKind { Offer, Answer, Candidate }

/// <summary>
/// Tells each participant about room events in its own seed's events. Seed 000: matched, offer/answer/candidate,
/// message, reaction, call-ended, peer-disconnected. Seed 004 text: text_match_found, text_message_received,
/// text_partner_typing…, text_room_ended {reason}. Seed 004 voice: voice_match_found, voice_webrtc_signal,
/// voice_partner_muted, voice_room_ended {reason, session}. Events a dialect has no word for are not sent.
/// </summary>
public sealed class RoomNotifier(DeviceMessenger messenger, IOptions<ChatOptions> options, TimeProvider clock)
{
    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The match, in each side's seed events; <c>media</c> tells clients whether their call runs through the SFU ("sfu") or directly ("p2p").</summary>
    public Task MatchedAsync(MatchedPair pair, MediaRoute route = MediaRoute.None)
    {
        var media = route switch { MediaRoute.Sfu => "sfu", MediaRoute.PeerToPeer => "p2p", _ => null };
        var room = pair.Room;
        var bitrate = Math.Min(Positive(room.A.MaxBitrate), Positive(room.B.MaxBitrate));
        return Task.WhenAll(Matched(room.A, room.B, true), Matched(room.B, room.A, false));

        Task Matched(RoomParticipant me, RoomParticipant partner, bool initiator) => me.Dialect switch
        {
            Dialect.OmegooText => messenger.SendAsync(me.DeviceId, "text_match_found", new { roomId = room.Id, partnerId = partner.DeviceId }),
            Dialect.OmegooVoice => messenger.SendAsync(me.DeviceId, "voice_match_found", new
            {
                roomId = room.Id, partnerId = partner.DeviceId, initiator, maxBitrate = bitrate == int.MaxValue ? 64 : bitrate, media,
            }),
            _ => messenger.SendAsync(me.DeviceId, "matched", new
            {
                sessionId = room.Id, peerId = partner.DeviceId, chatType = room.Type.Name(), initiator, timestamp = Now, media,
            }),
        };
    }

    /// <summary>
    /// Announces the end; <paramref name="reasonFor"/> gives each participant's reason, or null to tell it nothing.
    /// Seed 000 has no reasons: whoever ended it (and everyone on a timeout) gets call-ended, the other peer-disconnected.
    /// </summary>
    public Task EndedAsync(RoomSnapshot room, Func<RoomParticipant, string?> reasonFor, Guid? endedBy)
    {
        var now = Now;
        return Task.WhenAll(room.Participants.Select(p => reasonFor(p) is { } reason ? Ended(p, reason) : Task.CompletedTask));

        Task Ended(RoomParticipant p, string reason) => p.Dialect switch
        {
            Dialect.OmegooText => messenger.SendAsync(p.DeviceId, "text_room_ended", new { reason, roomId = room.Id }),
            Dialect.OmegooVoice => messenger.SendAsync(p.DeviceId, "voice_room_ended", new
            {
                reason,
                roomId = room.Id,
                session = new { duration = (now - room.CreatedAt) / 1000, metrics = Metrics(p.Metrics) },
            }),
            _ => messenger.SendAsync(p.DeviceId, p.DeviceId == endedBy || reason == "timeout" ? "call-ended" : "peer-disconnected", new { sessionId = room.Id }),
        };
    }

    /// <summary>A chat message: to the partner, and back to a seed 004 text sender as its delivery receipt.</summary>
    public async Task MessageAsync(RoomSnapshot room, StoredMessage m, string? senderName)
    {
        var sender = room.Self(m.SenderId);
        var partner = room.Partner(m.SenderId);
        var delivered = partner.Dialect switch
        {
            Dialect.OmegooText => await messenger.SendAsync(partner.DeviceId, "text_message_received", TextMessage(room.Id, m, true)),
            Dialect.OmegooVoice => false,
            _ => await messenger.SendAsync(partner.DeviceId, "message", new
            {
                sessionId = room.Id, message = m.Content, from = m.SenderId, sender = senderName, timestamp = m.Timestamp,
            }),
        };
        if (sender.Dialect == Dialect.OmegooText)
            await messenger.SendAsync(sender.DeviceId, "text_message_received", TextMessage(room.Id, m, delivered));
    }

    public static object TextMessage(Guid roomId, StoredMessage m, bool delivered) => new
    {
        messageId = m.Id, roomId, senderId = m.SenderId, content = m.Content, timestamp = m.Timestamp, delivered,
    };

    public Task ReactionAsync(RoomSnapshot room, Guid from, string emoji, long timestamp)
    {
        var partner = room.Partner(from);
        return partner.Dialect == Dialect.Omegle
            ? messenger.SendAsync(partner.DeviceId, "reaction", new { sessionId = room.Id, emoji, from, timestamp })
            : Task.CompletedTask;
    }

    /// <summary>Relays an SDP or ICE candidate; <paramref name="data"/> is the description or candidate object.</summary>
    public Task<bool> SignalAsync(RoomSnapshot room, Guid from, SignalKind kind, JsonElement data)
    {
        var partner = room.Partner(from);
        return partner.Dialect switch
        {
            Dialect.OmegooVoice => messenger.SendAsync(partner.DeviceId, "voice_webrtc_signal", new
            {
                type = kind switch { SignalKind.Offer => "offer", SignalKind.Answer => "answer", _ => "ice-candidate" },
                roomId = room.Id,
                senderId = from,
                payload = kind == SignalKind.Candidate ? (object)new { candidate = data } : new { sdp = data },
            }),
            Dialect.OmegooText => Task.FromResult(false),
            _ => kind switch
            {
                SignalKind.Offer => messenger.SendAsync(partner.DeviceId, "offer", new { sessionId = room.Id, offer = data, from }),
                SignalKind.Answer => messenger.SendAsync(partner.DeviceId, "answer", new { sessionId = room.Id, answer = data, from }),
                _ => messenger.SendAsync(partner.DeviceId, "candidate", new { sessionId = room.Id, candidate = data, from }),
            },
        };
    }

    public Task TypingAsync(Guid roomId, Guid from, Guid to, bool typing) =>
        messenger.SendAsync(to, typing ? "text_partner_typing" : "text_partner_stopped_typing",
            new { roomId, userId = from, isTyping = typing, timestamp = Now });

    public Task PartnerDisconnectedAsync(RoomSnapshot room, Guid who)
    {
        var partner = room.Partner(who);
        var payload = new
        {
            roomId = room.Id, partnerId = who, reason = "partner_disconnected", reconnectWindowSeconds = options.Value.ReconnectWindowSeconds,
        };
        return partner.Dialect switch
        {
            Dialect.OmegooText => messenger.SendAsync(partner.DeviceId, "text_partner_disconnected", payload),
            Dialect.OmegooVoice => messenger.SendAsync(partner.DeviceId, "voice_partner_disconnected", payload),
            _ => Task.CompletedTask,
        };
    }

    public Task PartnerReconnectedAsync(RoomSnapshot room, Guid who)
    {
        var partner = room.Partner(who);
        return partner.Dialect switch
        {
            Dialect.OmegooText => messenger.SendAsync(partner.DeviceId, "text_partner_reconnected", new { partnerId = who, roomId = room.Id }),
            Dialect.OmegooVoice => messenger.SendAsync(partner.DeviceId, "voice_partner_reconnected", new { partnerId = who, roomId = room.Id }),
            _ => Task.CompletedTask,
        };
    }

    public Task MutedAsync(RoomSnapshot room, Guid who, bool muted)
    {
        var partner = room.Partner(who);
        return partner.Dialect == Dialect.OmegooVoice
            ? messenger.SendAsync(partner.DeviceId, "voice_partner_muted", new { partnerId = who, isMuted = muted })
            : Task.CompletedTask;
    }

    private static int Positive(int v) => v > 0 ? v : int.MaxValue;

    private static JsonElement? Metrics(string? json)
    {
        if (json is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException) { return null; }
    }
}
