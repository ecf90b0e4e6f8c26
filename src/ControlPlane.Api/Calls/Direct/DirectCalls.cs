using System.Collections.Concurrent;
using ControlPlane.Api.Auth;
using ControlPlane.Api.Calls.Billing;
using ControlPlane.Api.Calls.Media;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Coins.SuperLovers;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using ControlPlane.Api.Moderation;
using ControlPlane.Api.Signaling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Calls.Direct;

public sealed record InitiatedCall(DirectCall Call, long CallerBalance);

/// <summary>An accepted call; SfuOffer is the SFU's offer to the receiver (null if the node could not make one).</summary>
public sealed record AcceptedCall(DirectCall Call, string? SfuOffer);

/// <summary>
/// Calls from one user to another (seed 003 §6). The state lives in PostgreSQL (the calls table): every transition
/// locks the call's row, checks who may make it and from which status, and commits, so any number of API nodes may
/// serve one call and two racing requests cannot both win. Illegal transitions are 409s.
///
/// initiated/ringing → answered (receiver accepts: the call's room opens on an SFU node; a call to a Super Lover
/// starts billing) → ended; ringing → rejected (receiver) or missed (caller cancels, or the ringing timeout).
/// Media always goes through the SFU: each participant sends an offer (the SFU answers) or answers the SFU's offer.
/// An answered call ends when a participant hangs up, when billing finds the caller cannot pay the next minute
/// (<see cref="ICallTermination"/>), when a participant's media transport dies, or when a participant never joins media.
/// </summary>
public sealed class DirectCalls : IAsyncDisposable
{
    private const int PlacementAttempts = 3;
    private const int MaxSdpLength = 100_000;
    /// <summary>Timers may run a little early on a coarse clock; a ringing call this close to its end counts as expired.</summary>
    private static readonly TimeSpan TimerTolerance = TimeSpan.FromMilliseconds(100);

    private readonly IServiceScopeFactory _scopes;
    private readonly IMediaPlacement _placement;
    private readonly IPaidCallLifecycle _billing;
    private readonly IRateLimiter _limiter;
    private readonly DirectCallEvents _events;
    private readonly TimeProvider _clock;
    private readonly DirectCallOptions _options;
    private readonly CallBillingOptions _rates;
    private readonly ILogger<DirectCalls> _log;
    private readonly ISfuOfferCopies _offerCopies;
    private readonly ConcurrentDictionary<(Guid Call, TimerKind Kind), ITimer> _timers = new();
    private readonly ConcurrentDictionary<Task, byte> _work = new();

    private enum TimerKind { Ring, MediaJoin }

    public DirectCalls(IServiceScopeFactory scopes, IMediaPlacement placement, IPaidCallLifecycle billing, IRateLimiter limiter, DirectCallEvents events,
        TimeProvider clock, IOptions<DirectCallOptions> options, IOptions<CallBillingOptions> rates, ILogger<DirectCalls> log,
        ISfuOfferCopies offerCopies)
    {
        _offerCopies = offerCopies;
        _scopes = scopes;
        _placement = placement;
        _billing = billing;
        _limiter = limiter;
        _events = events;
        _clock = clock;
        _options = options.Value;
        _rates = rates.Value;
        _log = log;
    }

    public DirectCallOptions Options => _options;

    // ---- initiate -------------------------------------------------------------------------------------------------

    /// <summary>
    /// Records a new call on the request's DbContext (inside the Idempotency-Key transaction when there is one).
    /// The receiver is told by <see cref="RingAsync"/>, which the endpoint runs once that transaction has committed.
    /// </summary>
    public async Task<InitiatedCall> InitiateAsync(IServiceProvider request, Guid callerId, Guid receiverId, string callType, CancellationToken ct)
    {
        if (callerId == receiverId) throw Envelope.Invalid("receiverId", "you cannot call yourself");
        await RequireWithinLimitAsync("call:" + callerId, _options.InitiateLimitPerMinute, "calls", ct);
        var db = request.GetRequiredService<ControlPlaneDb>();
        var receiver = await db.Set<Device>().AsNoTracking().Where(d => d.Id == receiverId).Select(d => new { d.BannedAt }).FirstOrDefaultAsync(ct);
        if (receiver is null || receiver.BannedAt is not null)
            throw ApiException.NotFound(CallErrorCodes.ReceiverNotFound, "There is no user with that id to call");
        if (await db.Set<PairBlock>().AnyAsync(b => (b.DeviceId == callerId && b.OtherId == receiverId) || (b.DeviceId == receiverId && b.OtherId == callerId), ct))
            throw ApiException.Forbidden(CallErrorCodes.CallBlocked, "You cannot call this user");

        var profile = await request.GetRequiredService<SuperLoverDirectory>().FindAsync(receiverId, ct);
        var paid = profile is { IsSuperLover: true };
        if (paid && profile!.Status == SuperLoverStatuses.Offline)
            throw ApiException.Conflict(CallErrorCodes.ReceiverUnavailable, "This Super Lover is offline");
        var rate = paid ? _rates.RatePerMinute : 0;
        var balance = await request.GetRequiredService<CoinLedger>().EnsureAccountAsync(callerId, ct);
        if (balance < rate)
            throw new ApiException(402, ErrorCodes.InsufficientCoins, $"A call to this Super Lover costs {rate} coins per minute; your balance is {balance}");

        return await db.InTransactionAsync(async () =>
        {
            // Both devices' busy checks and the insert are serialised per device, on every node.
            foreach (var device in new[] { callerId, receiverId }.Order())
                await (await db.CommandAsync("SELECT pg_advisory_xact_lock(hashtextextended(@k, 0))", ct)).With("k", "call:" + device).ExecuteAsync(ct);
            var now = _clock.GetUtcNow();
            var busy = await db.Set<DirectCall>().AsNoTracking()
                .Where(c => (c.CallerId == callerId || c.ReceiverId == callerId || c.CallerId == receiverId || c.ReceiverId == receiverId)
                    && (c.Status == CallStatuses.Answered || ((c.Status == CallStatuses.Initiated || c.Status == CallStatuses.Ringing) && c.RingExpiresAt > now)))
                .Select(c => new { c.CallerId, c.ReceiverId }).ToListAsync(ct);
            if (busy.Any(c => c.CallerId == callerId || c.ReceiverId == callerId))
                throw ApiException.Conflict(CallErrorCodes.CallerBusy, "You are already in a call; end it first");
            if (busy.Count > 0) throw ApiException.Conflict(CallErrorCodes.ReceiverBusy, "This user is in another call");

            var call = new DirectCall
            {
                Id = Guid.NewGuid(), CallerId = callerId, ReceiverId = receiverId, CallType = callType, Status = CallStatuses.Initiated,
                IsPaid = paid, RatePerMinute = rate, RoomId = Guid.NewGuid(), CreatedAt = now, RingExpiresAt = now + _options.RingTimeout,
            };
            db.Add(call);
            await db.SaveChangesAsync(ct);
            db.Entry(call).State = EntityState.Detached;
            return new InitiatedCall(call, balance);
        }, ct);
    }

    /// <summary>After the call is committed: arms the ringing timeout and notifies the receiver (then the call is ringing).</summary>
    public async Task RingAsync(DirectCall call)
    {
        ArmTimer(call.Id, TimerKind.Ring, call.RingExpiresAt - _clock.GetUtcNow());
        if (!await _events.IncomingAsync(call)) return; // not connected: stays initiated, still answerable until the timeout
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        await (await db.CommandAsync("UPDATE calls SET status = 'ringing' WHERE id = @id AND status = 'initiated'", default)).With("id", call.Id).ExecuteAsync(default);
        call.Status = CallStatuses.Ringing;
    }

    // ---- accept / reject / end ------------------------------------------------------------------------------------

    public async Task<AcceptedCall> AcceptAsync(Guid callId, Guid me, CancellationToken ct)
    {
        DirectCall call;
        IMediaNode node;
        PaidCallStart? refused = null;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var c = RequireParticipant(await LockAsync(db, callId, ct), me);
            if (me != c.ReceiverId) throw ApiException.Forbidden(CallErrorCodes.NotCallReceiver, "Only the person being called can accept the call");
            if (!c.IsRinging) throw ApiException.Conflict(CallErrorCodes.CallNotRinging, $"The call is {c.Status}; only a ringing call can be accepted");
            var now = _clock.GetUtcNow();
            if (c.RingExpiresAt - now <= TimerTolerance)
            {
                await tx.RollbackAsync(ct);
                await ExpireRingingAsync(callId);
                throw ApiException.Conflict(CallErrorCodes.CallNotRinging, "The call was not answered in time");
            }
            // Not cancelled with the request: a room opened on a node must be recorded or closed, never left behind.
            node = await PlaceAsync(c, CancellationToken.None)
                ?? throw new ApiException(503, CallErrorCodes.MediaUnavailable, "No media server can take the call right now; try again");
            c.Status = CallStatuses.Answered;
            c.StartedAt = now;
            c.MediaNode = node.Id;
            // Billing starts under the row's lock: a hang-up racing this accept waits, then finds billing to stop.
            PaidCallStart? start = null;
            if (c.IsPaid)
            {
                start = await _billing.CallStartedAsync(c.Id, c.CallerId, c.ReceiverId, CancellationToken.None);
                if (!start.Started && start.Status != PaidCallStartStatus.AlreadyStarted)
                {
                    refused = start;
                    c.Status = CallStatuses.Ended;
                    c.EndReason = start.Status == PaidCallStartStatus.InsufficientCoins ? CallEndReasons.InsufficientCoins : CallEndReasons.CalleeUnavailable;
                    c.EndedAt = now;
                }
            }
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
                await tx.CommitAsync(CancellationToken.None);
            }
            catch
            {
                if (start is { Started: true }) await _billing.CallEndedAsync(c.Id, CancellationToken.None);
                await CloseRoomQuietlyAsync(node, c.RoomId);
                throw;
            }
            call = c;
        }
        CancelTimer(callId, TimerKind.Ring);
        if (refused is not null)
        {
            // Answered and over at once: it never ran, nothing was charged.
            await CloseRoomQuietlyAsync(node, call.RoomId);
            await _events.EndedAsync(call);
            throw refused.Status == PaidCallStartStatus.InsufficientCoins
                ? new ApiException(402, ErrorCodes.InsufficientCoins, $"The caller can no longer pay for the call ({refused.RatePerMinute} coins per minute); the call has ended")
                : ApiException.Conflict(CallErrorCodes.ReceiverUnavailable, "Set your Super Lover status to online or ready to take paid calls; the call has ended");
        }
        _log.LogInformation("Call {CallId} answered: {Caller} → {Receiver} on SFU node {Node}{Paid}", call.Id, call.CallerId, call.ReceiverId, node.Id,
            call.IsPaid ? $" at {call.RatePerMinute} coins/minute" : "");
        ArmTimer(call.Id, TimerKind.MediaJoin, _options.MediaJoinTimeout);

        // The seeds' receiver answers an offer: the SFU makes one that carries the caller's media.
        string? offer = null;
        try
        {
            var o = await node.OfferAsync(call.RoomId, call.ReceiverId, call.CallType == CallTypes.Video, CancellationToken.None);
            await SetPendingOfferAsync(call, call.ReceiverId, o.OfferId);
            await _offerCopies.KeepAsync(o.OfferId, o.Sdp);
            offer = o.Sdp;
        }
        catch (Exception e) when (e is MediaNodeException or HttpRequestException or TaskCanceledException)
        {
            _log.LogWarning("The SFU could not make an offer to {Receiver} in call {CallId}: {Error}", call.ReceiverId, call.Id, e.Message);
        }
        await _events.AcceptedAsync(call);
        if (offer is not null) await _events.OfferAsync(call, call.ReceiverId, offer);
        return new AcceptedCall(call, offer);
    }

    public async Task<DirectCall> RejectAsync(Guid callId, Guid me, CancellationToken ct) =>
        (await EndCoreAsync(callId, found =>
        {
            var c = RequireParticipant(found, me);
            if (me != c.ReceiverId) throw ApiException.Forbidden(CallErrorCodes.NotCallReceiver, "Only the person being called can reject the call; end it instead");
            if (!c.IsRinging) throw ApiException.Conflict(CallErrorCodes.CallNotRinging, $"The call is {c.Status}; only a ringing call can be rejected");
            return (CallStatuses.Rejected, CallEndReasons.Rejected, me);
        }, ct))!;

    /// <summary>Either participant hangs up: an answered call ends, a ringing one is cancelled (caller) or declined (receiver).</summary>
    public async Task<DirectCall> EndAsync(Guid callId, Guid me, CancellationToken ct) =>
        (await EndCoreAsync(callId, found =>
        {
            var c = RequireParticipant(found, me);
            if (c.IsRinging)
                return me == c.CallerId ? (CallStatuses.Missed, CallEndReasons.Cancelled, me) : (CallStatuses.Rejected, CallEndReasons.Rejected, me);
            if (c.Status == CallStatuses.Answered) return (CallStatuses.Ended, CallEndReasons.Completed, me);
            throw ApiException.Conflict(CallErrorCodes.CallAlreadyEnded, $"The call has already ended ({c.Status})");
        }, ct))!;

    /// <summary>The server ends a live call (billing, timeouts, lost media). Null when it was over already.</summary>
    public Task<DirectCall?> EndBySystemAsync(Guid callId, string reason, Guid? endedBy = null, CancellationToken ct = default) =>
        EndCoreAsync(callId, c => c is { IsLive: true }
            ? (c.Status == CallStatuses.Answered ? CallStatuses.Ended : CallStatuses.Missed, reason, endedBy)
            : null, ct);

    private Task<DirectCall?> ExpireRingingAsync(Guid callId) =>
        EndCoreAsync(callId, c => c is { IsRinging: true } && c.RingExpiresAt - _clock.GetUtcNow() <= TimerTolerance
            ? (CallStatuses.Missed, CallEndReasons.NoAnswer, null)
            : null, default);

    private Task<DirectCall?> EndIfMediaMissingAsync(Guid callId) =>
        EndCoreAsync(callId, c => c is { Status: CallStatuses.Answered } && (c.CallerJoinedAt is null || c.ReceiverJoinedAt is null)
            && c.StartedAt + _options.MediaJoinTimeout - _clock.GetUtcNow() <= TimerTolerance
            ? (CallStatuses.Ended, CallEndReasons.MediaTimeout, null)
            : null, default);

    /// <summary>A participant's media transport died on the SFU: the call ends for both (billing stops).</summary>
    public async Task HandleMediaLostAsync(Guid roomId, Guid participant, string why)
    {
        Guid callId;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
            var found = await db.Set<DirectCall>().AsNoTracking().Where(c => c.RoomId == roomId && c.Status == CallStatuses.Answered)
                .Select(c => new { c.Id, c.CallerId, c.ReceiverId }).FirstOrDefaultAsync();
            if (found is null || (found.CallerId != participant && found.ReceiverId != participant)) return;
            callId = found.Id;
        }
        var ended = await EndCoreAsync(callId, c => c is { Status: CallStatuses.Answered } ? (CallStatuses.Ended, CallEndReasons.MediaLost, participant) : null, default);
        if (ended is not null) _log.LogInformation("Call {CallId} ended: {Participant} lost its media transport ({Why})", callId, participant, why);
    }

    /// <summary>
    /// One end transition: lock the row, let <paramref name="decide"/> check it (it throws for an illegal request, or
    /// returns null when there is nothing to do), stop billing before the end becomes visible, commit; then stop
    /// timers, close the SFU room and tell both participants.
    /// </summary>
    private async Task<DirectCall?> EndCoreAsync(Guid callId, Func<DirectCall?, (string Status, string Reason, Guid? By)?> decide, CancellationToken ct)
    {
        DirectCall call;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var c = await LockAsync(db, callId, ct);
            if (decide(c) is not { } d) return null;
            var now = _clock.GetUtcNow();
            var wasAnswered = c!.Status == CallStatuses.Answered;
            c.Status = d.Status;
            c.EndReason = d.Reason;
            c.EndedBy = d.By;
            c.EndedAt = now;
            c.DurationSeconds = c.StartedAt is { } s && now > s ? (int)Math.Min(int.MaxValue, (now - s).TotalSeconds) : 0;
            c.CallerSfuOffer = c.ReceiverSfuOffer = null;
            if (c.IsPaid && wasAnswered && await _billing.CallEndedAsync(callId, CancellationToken.None) is { } summary)
            {
                c.CoinsSpent = summary.CoinsSpent;
                c.CoinsEarned = summary.CalleeEarned;
            }
            await db.SaveChangesAsync(CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            call = c;
        }
        CancelTimer(callId, TimerKind.Ring);
        CancelTimer(callId, TimerKind.MediaJoin);
        if (call.MediaNode is not null && await _placement.FindAsync(call.MediaNode) is { } node)
            await CloseRoomQuietlyAsync(node, call.RoomId);
        _log.LogInformation("Call {CallId} {Status} ({Reason}) after {Duration} s; {Spent} coins spent", call.Id, call.Status, call.EndReason, call.DurationSeconds, call.CoinsSpent);
        if (call.Status == CallStatuses.Rejected) await _events.RejectedAsync(call);
        await _events.EndedAsync(call);
        return call;
    }

    // ---- WebRTC through the SFU -----------------------------------------------------------------------------------

    /// <summary>A participant's offer: the SFU answers it and the participant's transport joins the room.</summary>
    public async Task<(DirectCall Call, string AnswerSdp)> OfferAsync(Guid callId, Guid me, string? sdp, string? roomId, CancellationToken ct)
    {
        var text = RequireSdp(sdp);
        var (call, node) = await ActiveMediaAsync(callId, me, roomId, ct);
        await RequireWithinLimitAsync("call-offer:" + me, _options.MediaOfferLimitPerMinute, "offers", ct);
        MediaAnswer answer;
        try { answer = await node.AnswerAsync(call.RoomId, me, text, ct); }
        catch (Exception e) when (e is MediaNodeException or HttpRequestException) { throw MediaError(e, CallErrorCodes.CallNotActive); }
        await MarkJoinedAsync(call, me);
        await _events.AnswerAsync(call, me, answer.Sdp);
        await _events.JoinedAsync(call, me);
        return (call, answer.Sdp);
    }

    /// <summary>A participant's answer to the SFU's offer (made when the call was accepted).</summary>
    public async Task<DirectCall> AnswerAsync(Guid callId, Guid me, string? sdp, string? roomId, CancellationToken ct)
    {
        var text = RequireSdp(sdp);
        var (call, node) = await ActiveMediaAsync(callId, me, roomId, ct);
        var offerId = call.SfuOfferFor(me);
        if (offerId is null)
            throw ApiException.Conflict(CallErrorCodes.NoPendingOffer, "There is no offer from the media server waiting for your answer; send an offer instead");
        try { await node.AcceptAnswerAsync(offerId, me, text, ct); }
        catch (Exception e) when (e is MediaNodeException or HttpRequestException) { throw MediaError(e, CallErrorCodes.OfferExpired); }
        await MarkJoinedAsync(call, me);
        await _events.JoinedAsync(call, me);
        return call;
    }

    private async Task<(DirectCall Call, IMediaNode Node)> ActiveMediaAsync(Guid callId, Guid me, string? roomId, CancellationToken ct)
    {
        DirectCall? found;
        await using (var scope = _scopes.CreateAsyncScope())
            found = await scope.ServiceProvider.GetRequiredService<ControlPlaneDb>().Set<DirectCall>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == callId, ct);
        var call = RequireParticipant(found, me);
        if (roomId is not null && (!Guid.TryParse(roomId.Trim(), out var room) || room != call.RoomId))
            throw Envelope.Invalid("roomId", "is not this call's room");
        if (call.Status != CallStatuses.Answered)
            throw ApiException.Conflict(CallErrorCodes.CallNotActive, $"The call is {call.Status}; media can only join an answered call");
        var node = call.MediaNode is null ? null : await _placement.FindAsync(call.MediaNode, ct);
        return (call, node ?? throw new ApiException(503, CallErrorCodes.MediaUnavailable, "The media server of this call is no longer available"));
    }

    private static string RequireSdp(string? sdp)
    {
        if (string.IsNullOrWhiteSpace(sdp)) throw Envelope.Invalid("sdp", "is required");
        if (sdp.Length > MaxSdpLength) throw Envelope.Invalid("sdp", $"must be at most {MaxSdpLength} characters");
        return sdp;
    }

    private static ApiException MediaError(Exception e, string goneCode) => e switch
    {
        MediaNodeException { Status: 400 } m => ApiException.BadRequest(CallErrorCodes.SdpInvalid, "The media server refused the session description: " + m.Message,
            new[] { new FieldError("sdp", m.Message) }),
        MediaNodeException { Status: 403 or 404 or 409 } m => ApiException.Conflict(goneCode, m.Message),
        _ => new ApiException(503, CallErrorCodes.MediaUnavailable, "The media server is unavailable: " + e.Message),
    };

    private async Task MarkJoinedAsync(DirectCall call, Guid me)
    {
        var now = _clock.GetUtcNow();
        var side = me == call.CallerId ? "caller" : "receiver";
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        await (await db.CommandAsync($"""
            UPDATE calls SET {side}_joined_at = COALESCE({side}_joined_at, @now), {side}_sfu_offer = NULL
            WHERE id = @id AND status = 'answered'
            """, default)).With("now", now).With("id", call.Id).ExecuteAsync(default);
        if (me == call.CallerId) call.CallerJoinedAt ??= now; else call.ReceiverJoinedAt ??= now;
    }

    /// <summary>One more of <paramref name="what"/> under a per-minute limit, or 429 RATE_LIMITED.</summary>
    private async Task RequireWithinLimitAsync(string key, int perMinute, string what, CancellationToken ct)
    {
        var limit = await _limiter.TryAcquireAsync(key, perMinute, 60_000, _clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        if (!limit.Allowed)
            throw new ApiException(429, ErrorCodes.RateLimited, $"Too many {what}; try again in {Math.Max(1, (limit.RetryAfterMs + 999) / 1000)} s");
    }

    private async Task SetPendingOfferAsync(DirectCall call, Guid participant, string offerId)
    {
        var side = participant == call.CallerId ? "caller" : "receiver";
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        await (await db.CommandAsync($"UPDATE calls SET {side}_sfu_offer = @o WHERE id = @id AND status = 'answered'", default))
            .With("o", offerId).With("id", call.Id).ExecuteAsync(default);
        call.SetSfuOfferFor(participant, offerId);
    }

    // ---- seed 003 socket events (see DirectCallSignaling) ---------------------------------------------------------

    /// <summary>The call whose SFU room is <paramref name="roomId"/>; CALL_NOT_FOUND unless <paramref name="me"/> takes part in it.</summary>
    public async Task<DirectCall> GetByRoomAsync(Guid roomId, Guid me, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var call = await scope.ServiceProvider.GetRequiredService<ControlPlaneDb>().Set<DirectCall>().AsNoTracking().FirstOrDefaultAsync(c => c.RoomId == roomId, ct);
        return RequireParticipant(call, me);
    }

    /// <summary>
    /// join-room: a participant says it is in the call's room — the caller from the moment it rings, the receiver once
    /// it has accepted. A participant whose media has not joined yet and who owes the SFU an answer gets the SFU's offer
    /// (again) as webrtc-offer: the same offer while its copy lasts, so answering either copy joins; otherwise (the SFU
    /// could not make one at accept, or it is about to lapse) a new one. Returns the SDP sent, if any. It never emits
    /// user-joined: that event says the participant's media joined, and the media path sends it.
    /// </summary>
    public async Task<string?> JoinRoomAsync(Guid callId, Guid me, CancellationToken ct)
    {
        var call = await GetAsync(callId, me, ct);
        if (call.IsRinging && me == call.CallerId) return null;
        if (call.Status != CallStatuses.Answered)
            throw ApiException.Conflict(CallErrorCodes.CallNotActive,
                call.IsRinging ? "The call is still ringing; accept it before joining its room" : $"The call is {call.Status}");
        if (call.JoinedAt(me) is not null) return null;
        var pending = call.SfuOfferFor(me);
        // The caller offers to the SFU itself; only a participant the SFU offers to waits for an offer.
        if (pending is null && me == call.CallerId) return null;
        var sdp = pending is null ? null : await _offerCopies.FindAsync(pending, ct);
        sdp ??= await NewSfuOfferAsync(callId, me, pending, ct);
        if (sdp is null) return null;
        await _events.OfferAsync(call, me, sdp);
        return sdp;
    }

    /// <summary>
    /// Asks the call's SFU node for a new offer to <paramref name="me"/> under the call's row lock, so racing join-rooms
    /// make one between them. Null when the participant's media joined meanwhile.
    /// </summary>
    private async Task<string?> NewSfuOfferAsync(Guid callId, Guid me, string? seen, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var c = RequireParticipant(await LockAsync(db, callId, ct), me);
        if (c.Status != CallStatuses.Answered) throw ApiException.Conflict(CallErrorCodes.CallNotActive, $"The call is {c.Status}");
        if (c.JoinedAt(me) is not null) return null;
        var pending = c.SfuOfferFor(me);
        if (pending is not null && pending != seen && await _offerCopies.FindAsync(pending, ct) is { } made) return made;
        var node = (c.MediaNode is null ? null : await _placement.FindAsync(c.MediaNode, ct))
            ?? throw new ApiException(503, CallErrorCodes.MediaUnavailable, "The media server of this call is no longer available");
        MediaOffer offer;
        try { offer = await node.OfferAsync(c.RoomId, me, c.CallType == CallTypes.Video, CancellationToken.None); }
        catch (Exception e) when (e is MediaNodeException or HttpRequestException or TaskCanceledException) { throw MediaError(e, CallErrorCodes.CallNotActive); }
        c.SetSfuOfferFor(me, offer.OfferId);
        // The copy exists before the id is visible: whoever reads the new id finds its SDP.
        await _offerCopies.KeepAsync(offer.OfferId, offer.Sdp);
        await db.SaveChangesAsync(CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return offer.Sdp;
    }

    // ---- reads ----------------------------------------------------------------------------------------------------

    public async Task<DirectCall> GetAsync(Guid callId, Guid me, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var call = await scope.ServiceProvider.GetRequiredService<ControlPlaneDb>().Set<DirectCall>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == callId, ct);
        return RequireParticipant(call, me);
    }

    public static async Task<(List<DirectCall> Calls, long Total)> HistoryAsync(ControlPlaneDb db, Guid me, int page, int limit, CancellationToken ct)
    {
        var q = db.Set<DirectCall>().AsNoTracking().Where(c => c.CallerId == me || c.ReceiverId == me);
        var total = await q.LongCountAsync(ct);
        var rows = await q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip((page - 1) * limit).Take(limit).ToListAsync(ct);
        return (rows, total);
    }

    // ---- sweeping (timers lost with a node that died) -------------------------------------------------------------

    /// <summary>Ends ringing calls past their timeout and answered calls whose media never joined, whose timers are gone.</summary>
    public async Task SweepAsync(CancellationToken ct = default)
    {
        var grace = TimeSpan.FromSeconds(2);
        var now = _clock.GetUtcNow();
        List<Guid> ringing, silent;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
            var ringCutoff = now - grace;
            ringing = await db.Set<DirectCall>().AsNoTracking()
                .Where(c => (c.Status == CallStatuses.Initiated || c.Status == CallStatuses.Ringing) && c.RingExpiresAt <= ringCutoff)
                .Select(c => c.Id).Take(500).ToListAsync(ct);
            var joinCutoff = now - _options.MediaJoinTimeout - grace;
            silent = await db.Set<DirectCall>().AsNoTracking()
                .Where(c => c.Status == CallStatuses.Answered && c.StartedAt <= joinCutoff && (c.CallerJoinedAt == null || c.ReceiverJoinedAt == null))
                .Select(c => c.Id).Take(500).ToListAsync(ct);
        }
        foreach (var id in ringing) await ExpireRingingAsync(id);
        foreach (var id in silent) await EndIfMediaMissingAsync(id);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static async Task<DirectCall?> LockAsync(ControlPlaneDb db, Guid callId, CancellationToken ct) =>
        (await db.Set<DirectCall>().FromSqlInterpolated($"SELECT * FROM calls WHERE id = {callId} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();

    /// <summary>Someone who is not in the call learns nothing about it: 404, as for an unknown id.</summary>
    private static DirectCall RequireParticipant(DirectCall? call, Guid me) =>
        call is not null && call.IsParticipant(me) ? call : throw ApiException.NotFound(CallErrorCodes.CallNotFound, "No such call");

    private async Task<IMediaNode?> PlaceAsync(DirectCall call, CancellationToken ct)
    {
        var refused = new List<string>();
        for (var attempt = 0; attempt < PlacementAttempts; attempt++)
        {
            var node = await _placement.PlaceAsync(refused, ct);
            if (node is null) break;
            try
            {
                await node.OpenRoomAsync(call.RoomId, [call.CallerId, call.ReceiverId], new CallMediaSettings(call.CallType == CallTypes.Video), ct);
                return node;
            }
            catch (Exception e) when (e is MediaNodeException or HttpRequestException || e is TaskCanceledException && !ct.IsCancellationRequested)
            {
                _log.LogWarning("SFU node {Node} did not take call {CallId}: {Error}", node.Id, call.Id, e.Message);
                refused.Add(node.Id);
            }
        }
        _log.LogError("No SFU node could take call {CallId}", call.Id);
        return null;
    }

    private async Task CloseRoomQuietlyAsync(IMediaNode node, Guid roomId)
    {
        try { await node.CloseRoomAsync(roomId); }
        catch (Exception e) when (e is MediaNodeException or HttpRequestException or TaskCanceledException)
        {
            _log.LogWarning("Closing room {RoomId} on SFU node {Node} failed: {Error}", roomId, node.Id, e.Message);
        }
    }

    private void ArmTimer(Guid callId, TimerKind kind, TimeSpan due)
    {
        var timer = _clock.CreateTimer(_ => Fire(callId, kind), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        _timers.AddOrUpdate((callId, kind), timer, (_, old) => { old.Dispose(); return timer; });
    }

    private void CancelTimer(Guid callId, TimerKind kind)
    {
        if (_timers.TryRemove((callId, kind), out var timer)) timer.Dispose();
    }

    private void Fire(Guid callId, TimerKind kind)
    {
        CancelTimer(callId, kind);
        Track(kind == TimerKind.Ring ? ExpireRingingAsync(callId) : EndIfMediaMissingAsync(callId), callId);
    }

    private void Track(Task<DirectCall?> work, Guid callId)
    {
        var logged = work.ContinueWith(t =>
        {
            if (t.Exception is { } e) _log.LogError(e.GetBaseException(), "Timed work on call {CallId} failed", callId);
        }, TaskScheduler.Default);
        _work.TryAdd(logged, 0);
        logged.ContinueWith(t => _work.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Waits until no timer-driven work is running (tests, shutdown).</summary>
    internal Task IdleAsync() => Task.WhenAll(_work.Keys);

    internal int ArmedTimers => _timers.Count;

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _timers.Keys) CancelTimer(key.Call, key.Kind);
        await IdleAsync();
    }
}
