namespace ControlPlane.Api.Signaling;

/// <summary>
/// A refusal of a hub call. <see cref="SignalingErrorFilter"/> turns it into the error event of the method's
/// seed (error, text_chat_error, voice_chat_error, or rate_limit_exceeded) carrying <see cref="Code"/>; the
/// connection stays open.
/// </summary>
public sealed class HubError(string code, string message, long retryAfterMs = 0) : Exception(message)
{
    public string Code { get; } = code;
    public long RetryAfterMs { get; } = retryAfterMs;
}

public static class HubErrorCodes
{
    public const string InvalidPayload = "INVALID_PAYLOAD";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnknownEvent = "UNKNOWN_EVENT";
    public const string SessionNotFound = "SESSION_NOT_FOUND";
    public const string NoActiveRoom = "NO_ACTIVE_ROOM";
    public const string NotInQueue = "NOT_IN_QUEUE";
    public const string InvalidTarget = "INVALID_TARGET";
    public const string InvalidMessage = "INVALID_MESSAGE";
    public const string MessageTooLong = "MESSAGE_TOO_LONG";
    public const string RateLimited = "RATE_LIMITED";
    public const string DeviceBanned = "DEVICE_BANNED";
    public const string SessionReplaced = "SESSION_REPLACED";
    public const string Unavailable = "SERVICE_UNAVAILABLE";
    public const string Internal = "INTERNAL_ERROR";
}

/// <summary>
/// Which seed a hub method belongs to, i.e. which error event reports its failures. Calls: seed 003's call events,
/// which name no error event of their own; they use seed 000's error {message, code, event}.
/// </summary>
public enum EventFamily { Omegle, Text, Voice, Calls }

[AttributeUsage(AttributeTargets.Method)]
public sealed class EventFamilyAttribute(EventFamily family) : Attribute
{
    public EventFamily Family { get; } = family;
}
