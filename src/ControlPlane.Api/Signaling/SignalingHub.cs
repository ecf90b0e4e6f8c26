using System.Text.Json;
using ControlPlane.Api.Auth;
using ControlPlane.Api.Calls.Direct;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Moderation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Signaling;

/// <summary>
/// The /signaling hub. Method and event names are the seeds' own: seed 000 (join-queue … end-call), seed 004's
/// text (join_text_queue …) and voice (join_voice_queue …) events, and seed 003's events of calls placed through
/// /api/calls (join-room … call-end). Every method takes its payload as raw JSON and
/// validates it (see <see cref="HubPayload"/>); a refusal becomes that seed's error event with a code
/// (<see cref="SignalingErrorFilter"/>) and the connection stays usable.
/// </summary>
[Authorize]
public sealed class SignalingHub(
    HubConnections connections,
    Matchmaker matchmaker,
    ChatRooms chat,
    ReportService reports,
    DirectCallSignaling calls,
    IOptions<SignalingOptions> options) : Hub
{
    private const int MaxDescription = 1000;
    /// <summary>An ICE candidate line is a few hundred characters at most (RFC 8839 §5.1).</summary>
    private const int MaxCandidate = 4096;
    private Guid Device => Context.User!.DeviceId();
    private int MaxSignal => options.Value.MaxSignalChars;

    public override Task OnConnectedAsync() => connections.OnConnectedAsync(Context, Clients.Caller);

    public override Task OnDisconnectedAsync(Exception? exception) => connections.OnDisconnectedAsync(Context);

    // ---- seed 000 ----

    [HubMethodName("join-queue"), EventFamily(EventFamily.Omegle)]
    public Task JoinQueue(JsonElement payload) => matchmaker.JoinAsync(Device, QueueRequests.Parse(payload, null), Dialect.Omegle);

    [HubMethodName("leave-queue"), EventFamily(EventFamily.Omegle)]
    public Task LeaveQueue(JsonElement payload) => NoPayload(payload, () => matchmaker.LeaveAsync(Device, Dialect.Omegle));

    [HubMethodName("send-offer"), EventFamily(EventFamily.Omegle)]
    public Task SendOffer(JsonElement payload) => Relay(payload, SignalKind.Offer);

    [HubMethodName("send-answer"), EventFamily(EventFamily.Omegle)]
    public Task SendAnswer(JsonElement payload) => Relay(payload, SignalKind.Answer);

    [HubMethodName("send-candidate"), EventFamily(EventFamily.Omegle)]
    public Task SendCandidate(JsonElement payload) => Relay(payload, SignalKind.Candidate);

    [HubMethodName("send-message"), EventFamily(EventFamily.Omegle)]
    public Task SendMessage(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var sessionId = p.Id("sessionId");
        var message = RequiredText(p, "message");
        var sender = p.String("sender", 64);
        p.Number("timestamp", 0, double.MaxValue);
        return chat.SendMessageAsync(Device, sessionId, null, message, sender);
    }

    [HubMethodName("send-reaction"), EventFamily(EventFamily.Omegle)]
    public Task SendReaction(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var sessionId = p.Id("sessionId");
        var emoji = p.String("emoji", 32, required: true)!.Trim();
        if (emoji.Any(char.IsControl)) throw new HubError(HubErrorCodes.InvalidPayload, "emoji must not contain control characters");
        var timestamp = (long?)p.Number("timestamp", 0, 1e15);
        return chat.ReactionAsync(Device, sessionId, emoji, timestamp);
    }

    [HubMethodName("end-call"), EventFamily(EventFamily.Omegle)]
    public Task EndCall(JsonElement payload) => chat.LeaveAsync(Device, HubPayload.Of(payload).Id("sessionId"), null);

    // ---- seed 004: text chat ----

    [HubMethodName("join_text_queue"), EventFamily(EventFamily.Text)]
    public Task JoinTextQueue(JsonElement payload) => matchmaker.JoinAsync(Device, QueueRequests.Parse(payload, ChatType.Text), Dialect.OmegooText);

    [HubMethodName("leave_text_queue"), EventFamily(EventFamily.Text)]
    public Task LeaveTextQueue(JsonElement payload) => NoPayload(payload, () => matchmaker.LeaveAsync(Device, Dialect.OmegooText));

    [HubMethodName("send_text_message"), EventFamily(EventFamily.Text)]
    public Task SendTextMessage(JsonElement payload) =>
        chat.SendMessageAsync(Device, null, ChatType.Text, RequiredText(HubPayload.Of(payload), "content"), null);

    [HubMethodName("text_typing_start"), EventFamily(EventFamily.Text)]
    public Task TextTypingStart(JsonElement payload) => NoPayload(payload, () => chat.TypingAsync(Device, true));

    [HubMethodName("text_typing_stop"), EventFamily(EventFamily.Text)]
    public Task TextTypingStop(JsonElement payload) => NoPayload(payload, () => chat.TypingAsync(Device, false));

    [HubMethodName("leave_text_room"), EventFamily(EventFamily.Text)]
    public Task LeaveTextRoom(JsonElement payload) => NoPayload(payload, () => chat.LeaveAsync(Device, null, ChatType.Text));

    [HubMethodName("report_text_chat"), EventFamily(EventFamily.Text)]
    public Task ReportTextChat(JsonElement payload) => Report(payload, ChatType.Text, ReportSources.TextChat);

    [HubMethodName("attempt_text_reconnect"), EventFamily(EventFamily.Text)]
    public Task AttemptTextReconnect(JsonElement payload) => NoPayload(payload, () => chat.ReconnectAsync(Device, ChatType.Text));

    // ---- seed 004: voice chat ----

    [HubMethodName("join_voice_queue"), EventFamily(EventFamily.Voice)]
    public Task JoinVoiceQueue(JsonElement payload) => matchmaker.JoinAsync(Device, QueueRequests.Parse(payload, ChatType.Audio), Dialect.OmegooVoice);

    [HubMethodName("leave_voice_queue"), EventFamily(EventFamily.Voice)]
    public Task LeaveVoiceQueue(JsonElement payload) => NoPayload(payload, () => matchmaker.LeaveAsync(Device, Dialect.OmegooVoice));

    [HubMethodName("voice_webrtc_signal"), EventFamily(EventFamily.Voice)]
    public Task VoiceWebRtcSignal(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var kind = p.String("type", 32, required: true) switch
        {
            "offer" => SignalKind.Offer,
            "answer" => SignalKind.Answer,
            "ice-candidate" => SignalKind.Candidate,
            _ => throw new HubError(HubErrorCodes.InvalidPayload, "type must be offer, answer or ice-candidate"),
        };
        var roomId = p.Id("roomId");
        var target = p.Id("targetId");
        var inner = p.Object("payload", MaxSignal, required: true)!.Value;
        var field = kind == SignalKind.Candidate ? "candidate" : "sdp";
        if (!inner.TryGetProperty(field, out var part) || part.ValueKind == JsonValueKind.Null)
            throw new HubError(HubErrorCodes.InvalidPayload, $"payload.{field} is required");
        var data = kind == SignalKind.Candidate
            ? new HubPayloadPart(part).Candidate("payload.candidate")
            : new HubPayloadPart(part).Description("payload.sdp", kind);
        return chat.SignalAsync(Device, roomId, target, kind, data);
    }

    [HubMethodName("voice_muted"), EventFamily(EventFamily.Voice)]
    public Task VoiceMuted(JsonElement payload) => chat.MuteAsync(Device, HubPayload.Of(payload).Bool("isMuted", required: true)!.Value);

    [HubMethodName("leave_voice_room"), EventFamily(EventFamily.Voice)]
    public Task LeaveVoiceRoom(JsonElement payload) => NoPayload(payload, () => chat.LeaveAsync(Device, null, ChatType.Audio));

    [HubMethodName("report_voice_chat"), EventFamily(EventFamily.Voice)]
    public Task ReportVoiceChat(JsonElement payload) => Report(payload, ChatType.Audio, ReportSources.VoiceChat);

    [HubMethodName("voice_metrics"), EventFamily(EventFamily.Voice)]
    public Task VoiceMetrics(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var ice = p.String("iceConnectionState", 32)?.Trim().ToLowerInvariant();
        var metrics = new
        {
            packetLoss = p.Number("packetLoss", 0, 100),
            jitter = p.Number("jitter", 0, 1e6),
            currentBitrate = p.Number("currentBitrate", 0, 1e6),
            averageBitrate = p.Number("averageBitrate", 0, 1e6),
            iceConnectionState = ice,
            callDuration = p.Number("callDuration", 0, 1e8),
        };
        var state = ice switch { "failed" => IceState.Failed, "connected" or "completed" => IceState.Connected, _ => IceState.Other };
        return chat.MetricsAsync(Device, JsonSerializer.Serialize(metrics), state);
    }

    [HubMethodName("attempt_voice_reconnect"), EventFamily(EventFamily.Voice)]
    public Task AttemptVoiceReconnect(JsonElement payload) => NoPayload(payload, () => chat.ReconnectAsync(Device, ChatType.Audio));

    // ---- seed 003: calls placed through /api/calls (their media always runs on the SFU; see DirectCallSignaling) ----
    // userId in these payloads is advisory: the event acts for the connection's device.

    [HubMethodName("join-room"), EventFamily(EventFamily.Calls)]
    public Task JoinRoom(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var call = CallNamed(p);
        p.String("userId", 64);
        return calls.JoinRoomAsync(Device, call, Context.ConnectionAborted);
    }

    [HubMethodName("webrtc-offer"), EventFamily(EventFamily.Calls)]
    public Task WebRtcOffer(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var call = CallNamed(p);
        var target = p.OptionalId("targetUserId");
        var sdp = p.Description("offer", SignalKind.Offer, MaxSignal);
        return calls.OfferAsync(Device, call, target, sdp, Context.ConnectionAborted);
    }

    [HubMethodName("webrtc-answer"), EventFamily(EventFamily.Calls)]
    public Task WebRtcAnswer(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var call = CallNamed(p);
        var target = p.OptionalId("targetUserId");
        var sdp = p.Description("answer", SignalKind.Answer, MaxSignal);
        return calls.AnswerAsync(Device, call, target, sdp, Context.ConnectionAborted);
    }

    [HubMethodName("ice-candidate"), EventFamily(EventFamily.Calls)]
    public Task IceCandidate(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var call = CallNamed(p);
        var target = p.OptionalId("targetUserId");
        p.Candidate("candidate", MaxCandidate);
        return calls.CandidateAsync(Device, call, target, Context.ConnectionAborted);
    }

    [HubMethodName("call-end"), EventFamily(EventFamily.Calls)]
    public Task CallEnd(JsonElement payload)
    {
        var p = HubPayload.Of(payload);
        var call = CallNamed(p);
        p.String("userId", 64);
        // Not cancelled with the connection: a client may hang up and close the page at once.
        return calls.EndAsync(Device, call, CancellationToken.None);
    }

    /// <summary>Invocations of methods this hub does not have (see <see cref="LenientJsonHubProtocol"/>).</summary>
    [HubMethodName(LenientJsonHubProtocol.UnknownTarget)]
    public Task UnknownEvent(JsonElement name)
    {
        var text = name.ValueKind == JsonValueKind.String ? name.GetString()! : "?";
        throw new HubError(HubErrorCodes.UnknownEvent, $"Unknown event '{(text.Length > 64 ? text[..64] + "…" : text)}'");
    }

    // ---- helpers ----

    private Task Relay(JsonElement payload, SignalKind kind)
    {
        var p = HubPayload.Of(payload);
        var sessionId = p.Id("sessionId");
        var data = new HubPayloadPart(p.Object("data", MaxSignal, required: true)!.Value);
        return chat.SignalAsync(Device, sessionId, null, kind, kind == SignalKind.Candidate ? data.Candidate("data") : data.Description("data", kind));
    }

    /// <summary>Seed 003 names a call by its roomId; its callId is accepted too (both: they must agree).</summary>
    private static CallReference CallNamed(HubPayload p)
    {
        var room = p.OptionalId("roomId");
        var call = p.OptionalId("callId");
        if (room is null && call is null) throw new HubError(HubErrorCodes.InvalidPayload, "roomId is required");
        return new CallReference(room, call);
    }

    private async Task Report(JsonElement payload, ChatType type, string source)
    {
        var p = HubPayload.Of(payload);
        var reported = p.Id("reportedUserId");
        var violation = p.String("violationType", 32, required: true)!.Trim().ToLowerInvariant();
        if (!ReportReasons.Chat.Contains(violation))
            throw new HubError(HubErrorCodes.InvalidPayload, "violationType must be one of " + string.Join(", ", ReportReasons.Chat));
        var description = p.String("description", MaxDescription);
        var id = await reports.SubmitAsync(new ReportInput(Device, reported, null, type, violation, description, source));
        await Clients.Caller.SendAsync("report_submitted", new { success = true, reportId = id });
    }

    /// <summary>Events whose payload is "None" or {} in the seeds: absent, null or an object are fine, anything else is not.</summary>
    private static Task NoPayload(JsonElement payload, Func<Task> action)
    {
        HubPayload.Of(payload, optional: true);
        return action();
    }

    private static string RequiredText(HubPayload p, string name)
    {
        if (!p.Has(name)) throw new HubError(HubErrorCodes.InvalidPayload, $"{name} is required");
        return p.String(name, int.MaxValue)!;
    }
}

/// <summary>Checks the inner objects of relayed WebRTC signals: a session description or an ICE candidate.</summary>
internal readonly struct HubPayloadPart(JsonElement value)
{
    /// <summary>{type, sdp}: sdp must be a string; a type, if given, must match the event.</summary>
    public JsonElement Description(string name, SignalKind kind)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new HubError(HubErrorCodes.InvalidPayload, $"{name} must be an object {{type, sdp}}");
        if (!value.TryGetProperty("sdp", out var sdp) || sdp.ValueKind != JsonValueKind.String || sdp.GetString()!.Length == 0)
            throw new HubError(HubErrorCodes.InvalidPayload, $"{name}.sdp must be a non-empty string");
        if (value.TryGetProperty("type", out var type) && type.ValueKind != JsonValueKind.Null
            && (type.ValueKind != JsonValueKind.String || type.GetString() != (kind == SignalKind.Offer ? "offer" : "answer")))
            throw new HubError(HubErrorCodes.InvalidPayload, $"{name}.type must be \"{(kind == SignalKind.Offer ? "offer" : "answer")}\"");
        return value;
    }

    /// <summary>{candidate, sdpMLineIndex, sdpMid}: candidate must be a string (empty marks the end of candidates).</summary>
    public JsonElement Candidate(string name)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new HubError(HubErrorCodes.InvalidPayload, $"{name} must be an object {{candidate, sdpMid, sdpMLineIndex}}");
        if (!value.TryGetProperty("candidate", out var c) || c.ValueKind != JsonValueKind.String)
            throw new HubError(HubErrorCodes.InvalidPayload, $"{name}.candidate must be a string");
        if (value.TryGetProperty("sdpMLineIndex", out var i) && i.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
            throw new HubError(HubErrorCodes.InvalidPayload, $"{name}.sdpMLineIndex must be a number");
        return value;
    }
}
