using System.Text.Json;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Signaling;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Calls.Media;

/// <summary>How a matched room's media travels.</summary>
public enum MediaRoute { None, PeerToPeer, Sfu, Unavailable }

/// <summary>
/// Matched audio and video calls through the SFU. On a match the call is placed on the least-loaded node (a node
/// that refuses is skipped) and opened for exactly the two participants. Then each side speaks the seeds' own
/// signaling, unchanged: the initiator's offer is answered by the SFU; the other side, which waits for an offer,
/// receives one from the SFU and answers it. Candidates from clients need no forwarding: the SFU is ICE-lite and
/// learns each path from the client's connectivity checks (RFC 8445 §2.5), and its own candidates are in its SDP.
/// When the room ends, its transports on the node are closed.
/// </summary>
public sealed class MediaCalls(
    IMediaPlacement placement,
    IMediaCallDirectory directory,
    DeviceMessenger messenger,
    Quality.CallQualityMonitor quality,
    IOptions<CallMediaOptions> options,
    ILogger<MediaCalls> log)
{
    private const int PlacementAttempts = 3;

    /// <summary>Places and opens the call's room; <see cref="MediaRoute.Unavailable"/> when no node takes it and fallback is off.</summary>
    public async Task<(MediaRoute Route, string? NodeId)> OpenAsync(MatchedPair pair, CancellationToken ct = default)
    {
        var room = pair.Room;
        if (room.Type == ChatType.Text) return (MediaRoute.None, null);
        if (!options.Value.UsesSfu) return (MediaRoute.PeerToPeer, null);
        var refused = new List<string>();
        for (var attempt = 0; attempt < PlacementAttempts; attempt++)
        {
            var node = await placement.PlaceAsync(refused, ct);
            if (node is null) break;
            try
            {
                var video = room.Type == ChatType.Video;
                var (audioCap, videoCap) = options.Value.CapsFor(video, pair.Waited.Premium && pair.Joined.Premium, room.A.MaxBitrate, room.B.MaxBitrate);
                var settings = new CallMediaSettings(video, audioCap, videoCap, options.Value.DropsOverCap);
                await node.OpenRoomAsync(room.Id, [room.A.DeviceId, room.B.DeviceId], settings, ct);
                await directory.SetAsync(room.Id, node.Id, ct);
                log.LogInformation("Call {RoomId} ({Type}) placed on SFU node {Node}", room.Id, room.Type.Name(), node.Id);
                return (MediaRoute.Sfu, node.Id);
            }
            catch (Exception e) when (e is MediaNodeException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                log.LogWarning("SFU node {Node} did not take call {RoomId}: {Error}", node.Id, room.Id, e.Message);
                refused.Add(node.Id);
            }
        }
        if (options.Value.P2pFallback)
        {
            log.LogWarning("No SFU node could take call {RoomId}; its peers connect directly (CALL_MEDIA_P2P_FALLBACK)", room.Id);
            return (MediaRoute.PeerToPeer, null);
        }
        log.LogError("No SFU node could take call {RoomId}", room.Id);
        return (MediaRoute.Unavailable, null);
    }

    /// <summary>Sends the SFU's offer to the side that waits for one (B: the seeds make A, who waited, the offerer).</summary>
    public async Task OfferToWaitingSideAsync(RoomSnapshot room, CancellationToken ct = default)
    {
        var entry = await directory.GetAsync(room.Id, ct);
        if (entry is null) return;
        var waiting = room.B;
        try
        {
            var node = await RequireNodeAsync(entry, ct);
            var offer = await node.OfferAsync(room.Id, waiting.DeviceId, room.Type == ChatType.Video, ct);
            await directory.SetPendingOfferAsync(room.Id, waiting.DeviceId, offer.OfferId, ct);
            await SendDescriptionAsync(room, waiting, SignalKind.Offer, offer.Sdp);
        }
        catch (Exception e) when (e is MediaNodeException or HubError or HttpRequestException)
        {
            log.LogWarning("The SFU could not make an offer to {Device} in call {RoomId}: {Error}", waiting.DeviceId, room.Id, e.Message);
            await messenger.SendAsync(waiting.DeviceId, ErrorEvent(waiting.Dialect), new { code = HubErrorCodes.Unavailable, message = "The media server could not start the call" });
        }
    }

    /// <summary>
    /// Handles a client's offer, answer or candidate when its room runs on the SFU; false for rooms whose peers
    /// signal each other directly (the caller then relays).
    /// </summary>
    public async Task<bool> SignalAsync(RoomSnapshot room, Guid device, SignalKind kind, JsonElement data, CancellationToken ct = default)
    {
        var entry = await directory.GetAsync(room.Id, ct);
        if (entry is null) return false;
        if (kind == SignalKind.Candidate) return true;
        var sdp = data.TryGetProperty("sdp", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
        var node = await RequireNodeAsync(entry, ct);
        try
        {
            if (kind == SignalKind.Offer)
            {
                var answer = await node.AnswerAsync(room.Id, device, sdp, ct);
                await directory.SetPendingOfferAsync(room.Id, device, null, ct); // it chose to offer instead of answering ours
                await SendDescriptionAsync(room, room.Self(device), SignalKind.Answer, answer.Sdp);
            }
            else
            {
                if (!entry.PendingOffers.TryGetValue(device, out var offerId))
                    throw new HubError(HubErrorCodes.InvalidPayload, "There is no offer waiting for your answer in this session");
                await node.AcceptAnswerAsync(offerId, device, sdp, ct);
                await directory.SetPendingOfferAsync(room.Id, device, null, ct);
            }
        }
        catch (MediaNodeException e)
        {
            throw e.Status switch
            {
                400 => new HubError(HubErrorCodes.InvalidPayload, "The media server refused the session description: " + e.Message),
                403 or 404 or 409 => new HubError(HubErrorCodes.SessionNotFound, e.Message),
                _ => new HubError(HubErrorCodes.Unavailable, "The media server is unavailable: " + e.Message),
            };
        }
        return true;
    }

    /// <summary>
    /// Closes the room's transports on its node (once, however many nodes end the room). Returns the call's quality
    /// summary as JSON when this node sampled it, for the call record.
    /// </summary>
    public async Task<string?> CloseAsync(Guid roomId, CancellationToken ct = default)
    {
        var entry = await directory.RemoveAsync(roomId, ct);
        if (entry is null) return null;
        var summary = quality.Finish(roomId.ToString());
        try
        {
            if (await placement.FindAsync(entry.NodeId, ct) is { } node) await node.CloseRoomAsync(roomId, ct);
            else log.LogWarning("Call {RoomId} ended but its SFU node {Node} is gone", roomId, entry.NodeId);
        }
        catch (Exception e) when (e is MediaNodeException or HttpRequestException or TaskCanceledException)
        {
            log.LogWarning("Closing call {RoomId} on SFU node {Node} failed: {Error}", roomId, entry.NodeId, e.Message);
        }
        return summary is null ? null : JsonSerializer.Serialize(summary, DeviceMessenger.WireJson);
    }

    private async Task<IMediaNode> RequireNodeAsync(MediaCallEntry entry, CancellationToken ct) =>
        await placement.FindAsync(entry.NodeId, ct)
        ?? throw new HubError(HubErrorCodes.Unavailable, "The media server of this call is no longer available");

    /// <summary>An SDP from the SFU, in the receiving client's own seed events; "from" names the partner, whose media it carries.</summary>
    private Task<bool> SendDescriptionAsync(RoomSnapshot room, RoomParticipant to, SignalKind kind, string sdp)
    {
        var type = kind == SignalKind.Offer ? "offer" : "answer";
        var description = new { type, sdp };
        var from = room.Partner(to.DeviceId).DeviceId;
        return to.Dialect switch
        {
            Dialect.OmegooVoice => messenger.SendAsync(to.DeviceId, "voice_webrtc_signal", new
            {
                type, roomId = room.Id, senderId = from, payload = new { sdp = description }, via = "sfu",
            }),
            _ => kind == SignalKind.Offer
                ? messenger.SendAsync(to.DeviceId, "offer", new { sessionId = room.Id, offer = description, from, via = "sfu" })
                : messenger.SendAsync(to.DeviceId, "answer", new { sessionId = room.Id, answer = description, from, via = "sfu" }),
        };
    }

    private static string ErrorEvent(Dialect dialect) => dialect == Dialect.OmegooVoice ? "voice_chat_error" : "error";
}
