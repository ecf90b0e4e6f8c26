using System.Collections.Concurrent;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Coins.SuperLovers;
using ControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Calls.Billing;

/// <summary>
/// Meters calls to Super Lovers (seed 003): the caller pays RatePerMinute per started minute — the first when the call
/// starts, the next at each minute boundary (a <see cref="TimeProvider"/> timer), and any started minute at hang-up —
/// and the callee receives SharePercent of each minute, both in one ledger transfer keyed call:&lt;id&gt;:&lt;minute&gt;
/// (a minute is never charged twice). When a charge leaves less than one minute's price the caller is warned: the
/// call ends at the next boundary. When a boundary's charge fails the call is ended through <see cref="ICallTermination"/>.
/// Billing runs in the process that saw the call start; per call, charges are serialised by a gate. A call may end on
/// another node: that node charges the minutes already started and closes the paid_calls row, and every charge first
/// checks (under the row's lock) that the row is still open, so the metering node stops at its next boundary.
/// </summary>
public sealed class CallBilling : IPaidCallLifecycle, IAsyncDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _clock;
    private readonly CallBillingOptions _options;
    private readonly SuperLoverOptions _shares;
    private readonly ICallTermination _termination;
    private readonly ICallBillingAlerts _alerts;
    private readonly ILogger<CallBilling> _log;
    private readonly ConcurrentDictionary<Guid, ActiveCall> _calls = new();
    private readonly ConcurrentDictionary<Task, byte> _work = new();

    public CallBilling(IServiceScopeFactory scopes, TimeProvider clock, IOptions<CallBillingOptions> options, IOptions<SuperLoverOptions> shares,
        ICallTermination termination, ICallBillingAlerts alerts, ILogger<CallBilling> log)
    {
        _scopes = scopes;
        _clock = clock;
        _options = options.Value;
        _shares = shares.Value;
        _termination = termination;
        _alerts = alerts;
        _log = log;
    }

    public int ActiveCalls => _calls.Count;

    private sealed class ActiveCall(Guid id, Guid caller, Guid callee, DateTimeOffset startedAt, int rate, int sharePercent)
    {
        public Guid Id { get; } = id;
        public Guid Caller { get; } = caller;
        public Guid Callee { get; } = callee;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public int Rate { get; } = rate;
        public long CalleeShare { get; } = (long)rate * sharePercent / 100;
        public int SharePercent { get; } = sharePercent;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Charged { get; set; }
        public bool Ended { get; set; }
        public ITimer? Timer { get; set; }
    }

    public async Task<PaidCallStart> CallStartedAsync(Guid callId, Guid callerId, Guid calleeId, CancellationToken ct = default)
    {
        var rate = _options.RatePerMinute;
        if (callerId == calleeId) return new PaidCallStart(PaidCallStartStatus.SelfCall, rate, 0);
        if (_calls.ContainsKey(callId)) return new PaidCallStart(PaidCallStartStatus.AlreadyStarted, rate, 0);

        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        var ledger = scope.ServiceProvider.GetRequiredService<CoinLedger>();
        if (!await scope.ServiceProvider.GetRequiredService<SuperLoverDirectory>().IsAvailableAsync(calleeId, ct))
            return new PaidCallStart(PaidCallStartStatus.CalleeUnavailable, rate, 0);

        var call = new ActiveCall(callId, callerId, calleeId, _clock.GetUtcNow(), rate, _shares.SharePercent);
        LedgerResult first;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var inserted = await (await db.CommandAsync("""
                INSERT INTO paid_calls (call_id, caller_id, callee_id, rate_per_minute, callee_share_percent, started_at, minutes_charged, coins_spent, callee_earned)
                VALUES (@id, @caller, @callee, @rate, @share, @at, 0, 0, 0) ON CONFLICT (call_id) DO NOTHING
                """, ct)).With("id", callId).With("caller", callerId).With("callee", calleeId).With("rate", rate)
                .With("share", call.SharePercent).With("at", call.StartedAt).ExecuteAsync(ct);
            if (inserted == 0) return new PaidCallStart(PaidCallStartStatus.AlreadyStarted, rate, 0);
            first = (await ChargeMinuteAsync(db, ledger, call, 1, ct))!; // the row was inserted above: still open
            if (first.Outcome == LedgerOutcome.InsufficientCoins)
                return new PaidCallStart(PaidCallStartStatus.InsufficientCoins, rate, first.Balance); // rolled back: no call row
            await tx.CommitAsync(ct);
        }
        call.Charged = 1;
        _calls[callId] = call;
        _log.LogInformation("Paid call {CallId} started: {Caller} → {Callee} at {Rate} coins/minute", callId, callerId, calleeId, rate);
        await call.Gate.WaitAsync(ct);
        try { if (!call.Ended) call.Timer = _clock.CreateTimer(OnTimer, call, Minute, Timeout.InfiniteTimeSpan); }
        finally { call.Gate.Release(); }
        if (first.Balance < rate) await WarnAsync(call, first.Balance);
        return new PaidCallStart(PaidCallStartStatus.Started, rate, first.Balance);
    }

    public async Task<PaidCallSummary?> CallEndedAsync(Guid callId, CancellationToken ct = default)
    {
        if (_calls.TryGetValue(callId, out var call))
        {
            await call.Gate.WaitAsync(ct);
            try
            {
                if (!call.Ended)
                {
                    // Per started minute: a minute that began before the hang-up and was not charged yet is charged now.
                    var now = _clock.GetUtcNow();
                    var due = MinutesStarted(call, now);
                    while (call.Charged < due)
                    {
                        var r = await ChargeAsync(call, call.Charged + 1, ct);
                        if (r is null || r.Outcome == LedgerOutcome.InsufficientCoins) break;
                        call.Charged++;
                    }
                    await FinishAsync(call, "completed", now);
                }
            }
            finally { call.Gate.Release(); }
        }
        else await EndElsewhereAsync(callId, ct);
        return await SummaryAsync(callId, ct);
    }

    /// <summary>Waits until no timer-driven billing work is running (tests, shutdown).</summary>
    internal Task IdleAsync() => Task.WhenAll(_work.Keys);

    private void OnTimer(object? state)
    {
        var task = BillDueAsync((ActiveCall)state!);
        _work.TryAdd(task, 0);
        task.ContinueWith(t => _work.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task BillDueAsync(ActiveCall call)
    {
        long? lowBalance = null;
        var terminate = false;
        await call.Gate.WaitAsync();
        try
        {
            if (call.Ended) return;
            var now = _clock.GetUtcNow();
            var due = MinutesStarted(call, now);
            long? balance = null;
            while (call.Charged < due)
            {
                var r = await ChargeAsync(call, call.Charged + 1, CancellationToken.None);
                if (r is null)
                {
                    _log.LogInformation("Paid call {CallId} was ended on another node; metering stops", call.Id);
                    Forget(call);
                    return;
                }
                if (r.Outcome == LedgerOutcome.InsufficientCoins)
                {
                    _log.LogInformation("Paid call {CallId}: caller {Caller} cannot pay minute {Minute}; ending the call", call.Id, call.Caller, call.Charged + 1);
                    await FinishAsync(call, "insufficient_coins", now);
                    terminate = true;
                    return;
                }
                call.Charged++;
                balance = r.Balance;
            }
            if (balance is { } b && b < call.Rate) lowBalance = b;
            var next = call.StartedAt + call.Charged * Minute - now;
            call.Timer?.Change(next < TimeSpan.Zero ? TimeSpan.Zero : next, Timeout.InfiniteTimeSpan);
        }
        catch (Exception e)
        {
            _log.LogError(e, "Paid call {CallId}: charging failed; retrying in {Delay}", call.Id, RetryDelay);
            if (!call.Ended) call.Timer?.Change(RetryDelay, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            call.Gate.Release();
            // Outside the gate: the calls feature may call CallEndedAsync from inside EndCallAsync.
            if (terminate) await EndCallSafelyAsync(call);
            if (lowBalance is { } lb) await WarnAsync(call, lb);
        }
    }

    private async Task EndCallSafelyAsync(ActiveCall call)
    {
        try { await _termination.EndCallAsync(call.Id, CallEndReason.InsufficientCoins, CancellationToken.None); }
        catch (Exception e) { _log.LogError(e, "Paid call {CallId}: ending the call failed", call.Id); }
    }

    private async Task WarnAsync(ActiveCall call, long balance)
    {
        try { await _alerts.LowBalanceAsync(new LowBalanceWarning(call.Id, call.Caller, balance, call.Rate, call.StartedAt + call.Charged * Minute), CancellationToken.None); }
        catch (Exception e) { _log.LogError(e, "Paid call {CallId}: the low-balance warning failed", call.Id); }
    }

    private static int MinutesStarted(ActiveCall call, DateTimeOffset now) =>
        now <= call.StartedAt ? 1 : (int)Math.Min(int.MaxValue - 1, (now - call.StartedAt).Ticks / Minute.Ticks) + 1;

    private async Task<LedgerResult?> ChargeAsync(ActiveCall call, int minute, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        var ledger = scope.ServiceProvider.GetRequiredService<CoinLedger>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var r = await ChargeMinuteAsync(db, ledger, call, minute, ct);
        await tx.CommitAsync(ct);
        return r;
    }

    /// <summary>
    /// One minute: the caller's debit, the callee's share and the call's totals, in the caller's transaction. Null when
    /// the call's row is closed (it ended on another node): nothing is charged.
    /// </summary>
    private static async Task<LedgerResult?> ChargeMinuteAsync(ControlPlaneDb db, CoinLedger ledger, ActiveCall call, int minute, CancellationToken ct)
    {
        // The row lock orders this charge against an end recorded by another node (EndElsewhereAsync).
        var open = await (await db.CommandAsync("SELECT 1 FROM paid_calls WHERE call_id = @id AND ended_at IS NULL FOR UPDATE", ct))
            .With("id", call.Id).ScalarLongAsync(ct);
        if (open is null) return null;
        var reference = call.Id.ToString();
        var (payer, payee) = await ledger.TransferAsync(
            new LedgerPosting(call.Caller, call.Rate, CoinTransactionTypes.Spend, $"Paid call, minute {minute}", "call", reference, $"call:{call.Id}:{minute}:debit"),
            new LedgerPosting(call.Callee, call.CalleeShare, CoinTransactionTypes.Transfer, $"Earnings from a call, minute {minute}", "call", reference, $"call:{call.Id}:{minute}:credit"),
            ct);
        if (payer.Applied)
            await (await db.CommandAsync("""
                UPDATE paid_calls SET minutes_charged = @m, coins_spent = coins_spent + @spent, callee_earned = callee_earned + @earned
                WHERE call_id = @id
                """, ct)).With("m", minute).With("spent", (long)call.Rate).With("earned", payee?.Applied == true ? call.CalleeShare : 0L)
                .With("id", call.Id).ExecuteAsync(ct);
        return payer;
    }

    /// <summary>Stops metering the call in this process (no timer, no further charges).</summary>
    private void Forget(ActiveCall call)
    {
        call.Ended = true;
        call.Timer?.Dispose();
        _calls.TryRemove(call.Id, out _);
    }

    private async Task FinishAsync(ActiveCall call, string reason, DateTimeOffset now)
    {
        Forget(call);
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await CloseRowAsync(db, call, reason, now);
            await tx.CommitAsync();
            _log.LogInformation("Paid call {CallId} ended ({Reason}) after {Minutes} charged minutes", call.Id, reason, call.Charged);
        }
        catch (Exception e) { _log.LogError(e, "Paid call {CallId}: recording the end failed", call.Id); }
    }

    private static async Task CloseRowAsync(ControlPlaneDb db, ActiveCall call, string reason, DateTimeOffset now)
    {
        var closed = await (await db.CommandAsync("UPDATE paid_calls SET ended_at = @at, end_reason = @r WHERE call_id = @id AND ended_at IS NULL", default))
            .With("at", now).With("r", reason).With("id", call.Id).ExecuteAsync(default);
        if (closed == 1 && call.Charged > 0)
            await (await db.CommandAsync("UPDATE super_lover_profiles SET call_count = call_count + 1 WHERE device_id = @d", default))
                .With("d", call.Callee).ExecuteAsync(default);
    }

    /// <summary>
    /// The call ends here but is metered by another node: charge the minutes that have started and are not charged yet,
    /// then close the row — one transaction under the row's lock, so the metering node's next charge finds it closed.
    /// </summary>
    private async Task EndElsewhereAsync(Guid callId, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        var ledger = scope.ServiceProvider.GetRequiredService<CoinLedger>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = (await db.Set<PaidCall>().FromSqlInterpolated($"SELECT * FROM paid_calls WHERE call_id = {callId} FOR UPDATE").AsNoTracking().ToListAsync(ct))
            .SingleOrDefault();
        if (row is null || row.EndedAt is not null) return;
        var call = new ActiveCall(row.CallId, row.CallerId, row.CalleeId, row.StartedAt, row.RatePerMinute, row.CalleeSharePercent) { Charged = row.MinutesCharged };
        var now = _clock.GetUtcNow();
        var due = MinutesStarted(call, now);
        while (call.Charged < due)
        {
            var r = await ChargeMinuteAsync(db, ledger, call, call.Charged + 1, ct);
            if (r is null || r.Outcome == LedgerOutcome.InsufficientCoins) break;
            call.Charged++;
        }
        await CloseRowAsync(db, call, "completed", now);
        await tx.CommitAsync(ct);
        _log.LogInformation("Paid call {CallId} (metered on another node) ended here after {Minutes} charged minutes", callId, call.Charged);
    }

    private async Task<PaidCallSummary?> SummaryAsync(Guid callId, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var c = await scope.ServiceProvider.GetRequiredService<ControlPlaneDb>().Set<PaidCall>().AsNoTracking().FirstOrDefaultAsync(x => x.CallId == callId, ct);
        return c is null ? null : new PaidCallSummary(c.CallId, c.CallerId, c.CalleeId, c.MinutesCharged, c.CoinsSpent, c.CalleeEarned, c.StartedAt, c.EndedAt, c.EndReason);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var call in _calls.Values) call.Timer?.Dispose();
        await IdleAsync();
    }
}
