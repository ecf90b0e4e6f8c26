using ControlPlane.Api.Errors;
using ControlPlane.Api.Signaling;

namespace ControlPlane.Api.Calls.Direct;

/// <summary>Which call a seed 003 socket event names: its room (the seed's roomId) or its id; at least one is set.</summary>
public readonly record struct CallReference(Guid? RoomId, Guid? CallId);

/// <summary>
/// Seed 003's client socket events on /signaling (join-room, webrtc-offer, webrtc-answer, ice-candidate, call-end),
/// for calls placed through /api/calls. Each resolves the call the event names, checks that the device takes part in
/// it and that a targetUserId, if given, is its partner, then does what the REST endpoint of the same step does, through
/// <see cref="DirectCalls"/>. Refusals are the REST endpoints' <see cref="ApiException"/>s (same codes), or
/// <see cref="HubError"/>s for what only the socket events have.
/// </summary>
public sealed class DirectCallSignaling(DirectCalls calls)
{
    public async Task JoinRoomAsync(Guid me, CallReference at, CancellationToken ct)
    {
        var call = await FindAsync(me, at, null, ct);
        await calls.JoinRoomAsync(call.Id, me, ct);
    }

    /// <summary>As POST /api/calls/:id/webrtc/offer: the SFU answers, and the sender receives webrtc-answer.</summary>
    public async Task OfferAsync(Guid me, CallReference at, Guid? target, string sdp, CancellationToken ct)
    {
        var call = await FindAsync(me, at, target, ct);
        await calls.OfferAsync(call.Id, me, sdp, null, ct);
    }

    /// <summary>As POST /api/calls/:id/webrtc/answer: answers the SFU's pending offer.</summary>
    public async Task AnswerAsync(Guid me, CallReference at, Guid? target, string sdp, CancellationToken ct)
    {
        var call = await FindAsync(me, at, target, ct);
        await calls.AnswerAsync(call.Id, me, sdp, null, ct);
    }

    /// <summary>
    /// A participant's ICE candidate is checked and dropped. It is never relayed to the partner (it carries the sender's
    /// addresses), and the SFU does not need it: it is ICE-lite, its own candidates are in its SDP, and it learns the
    /// participant's path from the participant's connectivity checks (RFC 8445 §2.5).
    /// </summary>
    public async Task CandidateAsync(Guid me, CallReference at, Guid? target, CancellationToken ct)
    {
        var call = await FindAsync(me, at, target, ct);
        if (!call.IsLive) throw ApiException.Conflict(CallErrorCodes.CallNotActive, $"The call is {call.Status}");
    }

    /// <summary>As POST /api/calls/:id/end; both participants receive call-ended.</summary>
    public async Task EndAsync(Guid me, CallReference at, CancellationToken ct)
    {
        var call = await FindAsync(me, at, null, ct);
        await calls.EndAsync(call.Id, me, ct);
    }

    private async Task<DirectCall> FindAsync(Guid me, CallReference at, Guid? target, CancellationToken ct)
    {
        var call = at.RoomId is { } room ? await calls.GetByRoomAsync(room, me, ct)
            : at.CallId is { } id ? await calls.GetAsync(id, me, ct)
            : throw new HubError(HubErrorCodes.InvalidPayload, "roomId is required");
        if (at is { RoomId: not null, CallId: { } named } && named != call.Id)
            throw new HubError(HubErrorCodes.InvalidPayload, "callId is not the call of roomId");
        if (target is { } t && t != call.PartnerOf(me))
            throw new HubError(HubErrorCodes.InvalidTarget, "targetUserId is not your partner in this call");
        return call;
    }
}
