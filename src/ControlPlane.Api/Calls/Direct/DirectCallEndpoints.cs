using ControlPlane.Api.Auth;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Data;
using ControlPlane.Api.Hosting;

namespace ControlPlane.Api.Calls.Direct;

public sealed record InitiateCallRequest(string? ReceiverId, string? CallType) : IIdempotentRequest;
/// <summary>Seed 003 sends the duration the client measured; the server measures its own (billing never trusts the client).</summary>
public sealed record EndCallRequest(int? Duration);
public sealed record SessionDescriptionRequest(string? Sdp, string? RoomId);

/// <summary>Seed 003 §6: /api/calls/* — initiate, accept, reject, end, history, webrtc/offer, webrtc/answer (plus GET one call).</summary>
public static class DirectCallEndpoints
{
    public static RouteGroupBuilder MapDirectCalls(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/calls").WithTags("Calls").RequireAuthorization();

        g.MapPost("/initiate", async (InitiateCallRequest? body, HttpContext http, DirectCalls calls, ILogger<DirectCalls> log, CancellationToken ct) =>
        {
            var receiver = Envelope.Uuid("receiverId", body?.ReceiverId);
            var type = Envelope.Token("callType", body?.CallType, 10);
            if (type is not (CallTypes.Audio or CallTypes.Video)) throw Envelope.Invalid("callType", "must be audio or video");
            var started = await calls.InitiateAsync(http.RequestServices, http.User.DeviceId(), receiver, type, ct);
            var call = started.Call;
            // The receiver hears of the call only once it is committed (an Idempotency-Key request commits after this handler).
            SuccessfulResponse.Then(http, () => calls.RingAsync(call), log);
            return Envelope.Ok(new
            {
                callId = call.Id, roomId = call.RoomId, coinsSpent = 0, newBalance = started.CallerBalance,
                receiverId = call.ReceiverId, callType = call.CallType, isPaid = call.IsPaid, rate = call.RatePerMinute,
                ringExpiresAt = call.RingExpiresAt,
            }, "Call initiated successfully");
        }).Idempotent();

        g.MapPost("/{callId}/accept", async (string callId, HttpContext http, DirectCalls calls, CancellationToken ct) =>
        {
            var accepted = await calls.AcceptAsync(Envelope.Uuid("callId", callId), http.User.DeviceId(), ct);
            return Envelope.Ok(new
            {
                callId = accepted.Call.Id, roomId = accepted.Call.RoomId, callType = accepted.Call.CallType,
                isPaid = accepted.Call.IsPaid, rate = accepted.Call.RatePerMinute,
                offer = accepted.SfuOffer is { } sdp ? new { type = "offer", sdp } : null,
            }, "Call accepted");
        });

        g.MapPost("/{callId}/reject", async (string callId, HttpContext http, DirectCalls calls, CancellationToken ct) =>
        {
            await calls.RejectAsync(Envelope.Uuid("callId", callId), http.User.DeviceId(), ct);
            return Envelope.Ok("Call rejected");
        });

        g.MapPost("/{callId}/end", async (string callId, EndCallRequest? body, HttpContext http, DirectCalls calls, CancellationToken ct) =>
        {
            if (body?.Duration is < 0 or > 86_400) throw Envelope.Invalid("duration", "must be between 0 and 86400 seconds");
            var c = await calls.EndAsync(Envelope.Uuid("callId", callId), http.User.DeviceId(), ct);
            return Envelope.Ok(new
            {
                callId = c.Id, status = c.Status, reason = c.EndReason, duration = c.DurationSeconds,
                coinsSpent = c.CoinsSpent, coinsEarned = c.CoinsEarned,
            }, "Call ended successfully");
        });

        g.MapGet("/history", async (int? page, int? limit, HttpContext http, ControlPlaneDb db, CancellationToken ct) =>
        {
            var (p, l) = Envelope.Paging(page, limit, 20);
            var me = http.User.DeviceId();
            var (rows, total) = await DirectCalls.HistoryAsync(db, me, p, l, ct);
            return Envelope.Ok(new { calls = rows.Select(c => View(c, me)), pagination = Envelope.Pagination(p, l, total) },
                "Call history retrieved successfully");
        });

        g.MapGet("/{callId}", async (string callId, HttpContext http, DirectCalls calls, CancellationToken ct) =>
        {
            var me = http.User.DeviceId();
            return Envelope.Ok(new { call = View(await calls.GetAsync(Envelope.Uuid("callId", callId), me, ct), me) }, "Call retrieved successfully");
        });

        g.MapPost("/{callId}/webrtc/offer", async (string callId, SessionDescriptionRequest? body, HttpContext http, DirectCalls calls, CancellationToken ct) =>
        {
            var (call, answer) = await calls.OfferAsync(Envelope.Uuid("callId", callId), http.User.DeviceId(), body?.Sdp, body?.RoomId, ct);
            // Additive to the seed: the SFU's answer comes back here as well as in the webrtc-answer event.
            return Envelope.Ok(new { callId = call.Id, roomId = call.RoomId, answer = new { type = "answer", sdp = answer } }, "Offer sent successfully");
        });

        g.MapPost("/{callId}/webrtc/answer", async (string callId, SessionDescriptionRequest? body, HttpContext http, DirectCalls calls, CancellationToken ct) =>
        {
            var call = await calls.AnswerAsync(Envelope.Uuid("callId", callId), http.User.DeviceId(), body?.Sdp, body?.RoomId, ct);
            return Envelope.Ok(new { callId = call.Id, roomId = call.RoomId }, "Answer sent successfully");
        });

        return g;
    }

    private static object View(DirectCall c, Guid me) => new
    {
        id = c.Id, callerId = c.CallerId, receiverId = c.ReceiverId, direction = c.CallerId == me ? "outgoing" : "incoming",
        callType = c.CallType, status = c.Status, endReason = c.EndReason, isPaid = c.IsPaid, rate = c.RatePerMinute,
        duration = c.DurationSeconds, coinsSpent = c.CoinsSpent, coinsEarned = c.CoinsEarned, roomId = c.RoomId,
        createdAt = c.CreatedAt, startedAt = c.StartedAt, endedAt = c.EndedAt,
    };
}
