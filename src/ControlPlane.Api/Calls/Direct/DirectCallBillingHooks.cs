using ControlPlane.Api.Calls.Billing;

namespace ControlPlane.Api.Calls.Direct;

/// <summary>Billing ends a call the caller cannot pay for: the call ends for both, its SFU room closes.</summary>
internal sealed class DirectCallTermination(IServiceProvider services) : ICallTermination
{
    // Resolved late: DirectCalls depends on billing, which depends on this.
    public Task EndCallAsync(Guid callId, CallEndReason reason, CancellationToken ct) =>
        services.GetRequiredService<DirectCalls>().EndBySystemAsync(callId, reason switch
        {
            CallEndReason.InsufficientCoins => CallEndReasons.InsufficientCoins,
            _ => reason.ToString().ToLowerInvariant(),
        }, ct: ct);
}

/// <summary>Billing's low-balance warning reaches the caller as call-balance-low.</summary>
internal sealed class DirectCallBillingAlerts(DirectCallEvents events) : ICallBillingAlerts
{
    public Task LowBalanceAsync(LowBalanceWarning w, CancellationToken ct) =>
        events.BalanceLowAsync(w.CallId, w.CallerId, w.Balance, w.RatePerMinute, w.EndsAt);
}
