using ControlPlane.Api.Signaling;

namespace ControlPlane.Api.Calls.Direct;

/// <summary>
/// The /signaling events of calls placed through /api/calls, sent to a device wherever it is connected. Names follow
/// seed 003's Socket.IO list (webrtc-offer, webrtc-answer, user-joined, call-ended) plus the incoming-call notification
/// and the billing warning. Times are Unix milliseconds, like every hub event.
/// </summary>
public sealed class DirectCallEvents(DeviceMessenger messenger, TimeProvider clock)
{
    public const string IncomingCall = "incoming-call";
    public const string CallAccepted = "call-accepted";
    public const string CallRejected = "call-rejected";
    public const string CallEnded = "call-ended";
    public const string BalanceLow = "call-balance-low";
    public const string WebRtcOffer = "webrtc-offer";
    public const string WebRtcAnswer = "webrtc-answer";
    public const string UserJoined = "user-joined";

    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>To the receiver; true when it reached a connection.</summary>
    public Task<bool> IncomingAsync(DirectCall c) => messenger.SendAsync(c.ReceiverId, IncomingCall, new
    {
        callId = c.Id, roomId = c.RoomId, callerId = c.CallerId, callType = c.CallType, rate = c.RatePerMinute, isPaid = c.IsPaid,
        expiresAt = c.RingExpiresAt.ToUnixTimeMilliseconds(), timestamp = Now,
    });

    public Task AcceptedAsync(DirectCall c) => messenger.SendAsync(c.CallerId, CallAccepted, new
    {
        callId = c.Id, roomId = c.RoomId, receiverId = c.ReceiverId, callType = c.CallType, rate = c.RatePerMinute, timestamp = Now,
    });

    public Task RejectedAsync(DirectCall c) => messenger.SendAsync(c.CallerId, CallRejected, new
    {
        callId = c.Id, roomId = c.RoomId, receiverId = c.ReceiverId, timestamp = Now,
    });

    /// <summary>To both participants, whatever ended the call.</summary>
    public Task EndedAsync(DirectCall c)
    {
        var payload = new
        {
            callId = c.Id, roomId = c.RoomId, status = c.Status, reason = c.EndReason, endedBy = c.EndedBy,
            duration = c.DurationSeconds, coinsSpent = c.CoinsSpent, coinsEarned = c.CoinsEarned, timestamp = Now,
        };
        return Task.WhenAll(messenger.SendAsync(c.CallerId, CallEnded, payload), messenger.SendAsync(c.ReceiverId, CallEnded, payload));
    }

    /// <summary>To the caller: the balance cannot pay the next minute, the call ends at endsAt unless they top up.</summary>
    public Task BalanceLowAsync(Guid callId, Guid callerId, long balance, int rate, DateTimeOffset endsAt) =>
        messenger.SendAsync(callerId, BalanceLow, new
        {
            callId, balance, rate, endsAt = endsAt.ToUnixTimeMilliseconds(),
            secondsLeft = Math.Max(0, (int)Math.Ceiling((endsAt - clock.GetUtcNow()).TotalSeconds)), timestamp = Now,
        });

    /// <summary>An SDP from the SFU; fromUserId names the partner, whose media it carries (seed 003's shape).</summary>
    public Task OfferAsync(DirectCall c, Guid to, string sdp) => messenger.SendAsync(to, WebRtcOffer, new
    {
        callId = c.Id, roomId = c.RoomId, offer = new { type = "offer", sdp }, fromUserId = c.PartnerOf(to), via = "sfu",
    });

    public Task AnswerAsync(DirectCall c, Guid to, string sdp) => messenger.SendAsync(to, WebRtcAnswer, new
    {
        callId = c.Id, roomId = c.RoomId, answer = new { type = "answer", sdp }, fromUserId = c.PartnerOf(to), via = "sfu",
    });

    /// <summary>To the partner of a participant whose media joined the room.</summary>
    public Task JoinedAsync(DirectCall c, Guid joined) => messenger.SendAsync(c.PartnerOf(joined), UserJoined, new
    {
        callId = c.Id, roomId = c.RoomId, userId = joined, timestamp = Now,
    });
}
