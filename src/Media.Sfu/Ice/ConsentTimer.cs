namespace Media.Sfu.Ice;

/// <summary>Consent state of a transport (RFC 7675), as seen by the receiving ICE-lite side.</summary>
public enum ConsentState : byte
{
    /// <summary>No valid request yet.</summary>
    Checking,
    /// <summary>A valid request arrived within the consent timeout.</summary>
    Connected,
    /// <summary>No valid request for the consent timeout; media should stop, a valid request restores it.</summary>
    Disconnected,
    /// <summary>Disconnected for the grace period as well (or closed explicitly); final.</summary>
    Closed,
}

/// <summary>
/// Consent freshness for one transport (RFC 7675). Every authenticated Binding request renews
/// consent; without one for <see cref="ConsentTimeout"/> (default 30 s, RFC 7675 §5.1) the state is
/// Disconnected, and after a further <see cref="CloseGrace"/> Closed. A transport that never
/// connects goes through the same steps, timed from creation.
/// </summary>
/// <remarks>
/// The state is computed from <see cref="TimeProvider.GetTimestamp"/> when asked, so there is no
/// timer per transport: the owner polls <see cref="State"/> (e.g. from a one-second housekeeping
/// sweep over all transports) or schedules with <see cref="TimeUntilNextTransition"/>. Not
/// thread-safe: call from the thread that owns the transport.
/// </remarks>
public sealed class ConsentTimer
{
    public static readonly TimeSpan DefaultConsentTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultCloseGrace = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private long _lastRenewal;
    private bool _renewed;
    private bool _closed;

    public ConsentTimer(TimeProvider? timeProvider = null, TimeSpan? consentTimeout = null, TimeSpan? closeGrace = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        ConsentTimeout = consentTimeout ?? DefaultConsentTimeout;
        CloseGrace = closeGrace ?? DefaultCloseGrace;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConsentTimeout, TimeSpan.Zero, nameof(consentTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseGrace, TimeSpan.Zero, nameof(closeGrace));
        _lastRenewal = _time.GetTimestamp();
    }

    public TimeSpan ConsentTimeout { get; }
    public TimeSpan CloseGrace { get; }

    /// <summary>Time since the last renewal (or since creation, before the first).</summary>
    public TimeSpan SinceLastRenewal => _time.GetElapsedTime(_lastRenewal);

    public ConsentState State
    {
        get
        {
            if (_closed)
                return ConsentState.Closed;
            TimeSpan idle = _time.GetElapsedTime(_lastRenewal);
            if (idle >= ConsentTimeout + CloseGrace)
            {
                _closed = true;
                return ConsentState.Closed;
            }
            if (idle >= ConsentTimeout)
                return ConsentState.Disconnected;
            return _renewed ? ConsentState.Connected : ConsentState.Checking;
        }
    }

    /// <summary>
    /// Records a valid request. Returns false (and changes nothing) once Closed: consent that ran
    /// out entirely is not revived; the peer has to start over with a new transport.
    /// </summary>
    public bool Renew()
    {
        if (State == ConsentState.Closed)
            return false;
        _lastRenewal = _time.GetTimestamp();
        _renewed = true;
        return true;
    }

    /// <summary>Ends consent now (e.g. the transport was torn down for another reason).</summary>
    public void Close() => _closed = true;

    /// <summary>How long until <see cref="State"/> changes by itself; <see cref="TimeSpan.MaxValue"/> once Closed.</summary>
    public TimeSpan TimeUntilNextTransition
    {
        get
        {
            if (State == ConsentState.Closed)
                return TimeSpan.MaxValue;
            TimeSpan idle = _time.GetElapsedTime(_lastRenewal);
            TimeSpan next = idle < ConsentTimeout ? ConsentTimeout : ConsentTimeout + CloseGrace;
            return next - idle;
        }
    }
}
