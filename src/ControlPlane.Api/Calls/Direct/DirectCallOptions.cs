using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Calls.Direct;

/// <summary>Timing of calls placed through /api/calls (section "Calls").</summary>
public sealed class DirectCallOptions : IValidatedOptions
{
    /// <summary>CALL_RING_TIMEOUT_SECONDS: an unanswered call ends as missed after this long.</summary>
    public int RingTimeoutSeconds { get; set; } = 45;

    /// <summary>
    /// CALL_MEDIA_JOIN_TIMEOUT_SECONDS: an answered call in which a participant has not connected to the SFU
    /// (no SDP exchange) after this long ends with media_timeout, so nobody pays for a call that never connected.
    /// </summary>
    public int MediaJoinTimeoutSeconds { get; set; } = 60;

    /// <summary>CALL_INITIATE_LIMIT_PER_MINUTE: calls one device may place per sliding minute (nobody is rung without end).</summary>
    public int InitiateLimitPerMinute { get; set; } = 10;

    /// <summary>
    /// CALL_MEDIA_OFFER_LIMIT_PER_MINUTE: SDP offers one device may send the SFU per sliding minute (REST or socket).
    /// Each offer replaces the device's transport (a DTLS handshake on the node); renegotiation needs a few.
    /// </summary>
    public int MediaOfferLimitPerMinute { get; set; } = 20;

    /// <summary>How often each node looks for calls whose timer was lost with a node that died.</summary>
    public int SweepIntervalSeconds { get; set; } = 30;

    public TimeSpan RingTimeout => TimeSpan.FromSeconds(RingTimeoutSeconds);
    public TimeSpan MediaJoinTimeout => TimeSpan.FromSeconds(MediaJoinTimeoutSeconds);

    public IEnumerable<string> Validate()
    {
        if (RingTimeoutSeconds is < 5 or > 600) yield return "CALL_RING_TIMEOUT_SECONDS must be between 5 and 600";
        if (MediaJoinTimeoutSeconds is < 5 or > 3600) yield return "CALL_MEDIA_JOIN_TIMEOUT_SECONDS must be between 5 and 3600";
        if (InitiateLimitPerMinute is < 1 or > 10_000) yield return "CALL_INITIATE_LIMIT_PER_MINUTE must be between 1 and 10000";
        if (MediaOfferLimitPerMinute is < 1 or > 10_000) yield return "CALL_MEDIA_OFFER_LIMIT_PER_MINUTE must be between 1 and 10000";
        if (SweepIntervalSeconds is < 1 or > 3600) yield return "Calls:SweepIntervalSeconds must be between 1 and 3600";
    }
}

/// <summary>The errorCode values of /api/calls (the shared ones — VALIDATION_FAILED, INSUFFICIENT_COINS — come from ErrorCodes).</summary>
public static class CallErrorCodes
{
    public const string CallNotFound = "CALL_NOT_FOUND";
    public const string ReceiverNotFound = "RECEIVER_NOT_FOUND";
    public const string ReceiverUnavailable = "RECEIVER_UNAVAILABLE";
    public const string ReceiverBusy = "RECEIVER_BUSY";
    public const string CallerBusy = "CALLER_BUSY";
    public const string CallBlocked = "CALL_BLOCKED";
    public const string NotCallReceiver = "NOT_CALL_RECEIVER";
    public const string CallNotRinging = "CALL_NOT_RINGING";
    public const string CallNotActive = "CALL_NOT_ACTIVE";
    public const string CallAlreadyEnded = "CALL_ALREADY_ENDED";
    public const string NoPendingOffer = "NO_PENDING_OFFER";
    public const string OfferExpired = "OFFER_EXPIRED";
    public const string SdpInvalid = "SDP_INVALID";
    public const string MediaUnavailable = "MEDIA_UNAVAILABLE";
}
