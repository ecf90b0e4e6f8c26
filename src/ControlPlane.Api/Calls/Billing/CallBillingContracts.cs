using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Calls.Billing;

/// <summary>
/// What the calls feature tells billing about a call to a paid callee (a Super Lover). CallStarted when media
/// flows on the SFU; CallEnded when it stops for any reason, including after <see cref="ICallTermination"/> ended it.
/// Both are idempotent per call id.
/// </summary>
public interface IPaidCallLifecycle
{
    Task<PaidCallStart> CallStartedAsync(Guid callId, Guid callerId, Guid calleeId, CancellationToken ct = default);
    Task<PaidCallSummary?> CallEndedAsync(Guid callId, CancellationToken ct = default);
}

/// <summary>Implemented by the calls/SFU feature: end this call now (billing found the caller cannot pay the next minute).</summary>
public interface ICallTermination
{
    Task EndCallAsync(Guid callId, CallEndReason reason, CancellationToken ct);
}

/// <summary>Implemented by the calls/signalling feature: tell the caller their coins run out at <see cref="LowBalanceWarning.EndsAt"/>.</summary>
public interface ICallBillingAlerts
{
    Task LowBalanceAsync(LowBalanceWarning warning, CancellationToken ct);
}

public enum CallEndReason { InsufficientCoins }

/// <summary>The caller's balance cannot pay the next minute: the call ends at EndsAt (one minute after this warning) unless they top up.</summary>
public sealed record LowBalanceWarning(Guid CallId, Guid CallerId, long Balance, int RatePerMinute, DateTimeOffset EndsAt);

public enum PaidCallStartStatus { Started, AlreadyStarted, CalleeUnavailable, InsufficientCoins, SelfCall }

public sealed record PaidCallStart(PaidCallStartStatus Status, int RatePerMinute, long CallerBalance)
{
    public bool Started => Status == PaidCallStartStatus.Started;
}

public sealed record PaidCallSummary(
    Guid CallId, Guid CallerId, Guid CalleeId, int MinutesCharged, long CoinsSpent, long CalleeEarned,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? EndReason);

public sealed class CallBillingOptions : IValidatedOptions
{
    /// <summary>Coins per started minute of a call to a Super Lover (PAID_CALL_COINS_PER_MINUTE).</summary>
    public int RatePerMinute { get; set; } = 10;

    public IEnumerable<string> Validate()
    {
        if (RatePerMinute is < 1 or > 1_000_000) yield return "PAID_CALL_COINS_PER_MINUTE must be between 1 and 1000000";
    }
}

/// <summary>Until the calls feature registers its own: say loudly that a call should have been ended.</summary>
internal sealed class LoggedCallTermination(ILogger<LoggedCallTermination> log) : ICallTermination
{
    public Task EndCallAsync(Guid callId, CallEndReason reason, CancellationToken ct)
    {
        log.LogWarning("Paid call {CallId} must end ({Reason}) but no ICallTermination is registered", callId, reason);
        return Task.CompletedTask;
    }
}

internal sealed class LoggedCallBillingAlerts(ILogger<LoggedCallBillingAlerts> log) : ICallBillingAlerts
{
    public Task LowBalanceAsync(LowBalanceWarning w, CancellationToken ct)
    {
        log.LogInformation("Paid call {CallId}: caller {Caller} has {Balance} coins left, the call ends at {EndsAt}", w.CallId, w.CallerId, w.Balance, w.EndsAt);
        return Task.CompletedTask;
    }
}
