using System.Text.Json.Serialization;

namespace ControlPlane.Api.Errors;

/// <summary>The one error shape of the API (seed 002): {success:false, status:"error", message, errorCode, timestamp, errors}.</summary>
public sealed record ApiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("errorCode")] string ErrorCode,
    [property: JsonPropertyName("errors")] IReadOnlyList<FieldError>? Errors = null)
{
    [JsonPropertyName("success")] public bool Success => false;
    [JsonPropertyName("status")] public string Status => "error";
    [JsonPropertyName("timestamp")] public string Timestamp { get; init; } = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
}

public sealed record FieldError(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("message")] string Message);

/// <summary>An error a handler decides to return: thrown, caught by <see cref="ErrorResponses"/>, written in the API shape.</summary>
public sealed class ApiException(int statusCode, string errorCode, string message, IReadOnlyList<FieldError>? errors = null)
    : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string ErrorCode { get; } = errorCode;
    public IReadOnlyList<FieldError>? Errors { get; } = errors;

    public static ApiException BadRequest(string code, string message, IReadOnlyList<FieldError>? errors = null) => new(400, code, message, errors);
    public static ApiException Unauthorized(string code, string message) => new(401, code, message);
    public static ApiException Forbidden(string code, string message) => new(403, code, message);
    public static ApiException NotFound(string code, string message) => new(404, code, message);
    public static ApiException Conflict(string code, string message) => new(409, code, message);
}

public static class ErrorCodes
{
    public const string InvalidJson = "INVALID_JSON";
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string NotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string TokenExpired = "TOKEN_EXPIRED";
    public const string InvalidToken = "INVALID_TOKEN";
    public const string Forbidden = "FORBIDDEN";
    public const string DeviceBanned = "DEVICE_BANNED";
    public const string RefreshTokenInvalid = "REFRESH_TOKEN_INVALID";
    public const string RefreshTokenReused = "REFRESH_TOKEN_REUSED";
    public const string RateLimited = "RATE_LIMITED";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string Internal = "INTERNAL_ERROR";

    // Coins, payments, Super Lovers (issue 8)
    public const string DeviceNotFound = "DEVICE_NOT_FOUND";
    public const string InsufficientCoins = "INSUFFICIENT_COINS";
    public const string IdempotencyKeyInvalid = "IDEMPOTENCY_KEY_INVALID";
    public const string IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";
    public const string IdempotencyKeyConflict = "IDEMPOTENCY_KEY_CONFLICT";
    public const string PackageNotFound = "PACKAGE_NOT_FOUND";
    public const string PaymentMethodUnsupported = "PAYMENT_METHOD_UNSUPPORTED";
    public const string PaymentsNotConfigured = "PAYMENTS_NOT_CONFIGURED";
    public const string PaymentProviderError = "PAYMENT_PROVIDER_ERROR";
    public const string PaymentNotCompleted = "PAYMENT_NOT_COMPLETED";
    public const string OrderNotFound = "ORDER_NOT_FOUND";
    public const string WebhookSignatureInvalid = "WEBHOOK_SIGNATURE_INVALID";
    public const string SubscriptionNotFound = "SUBSCRIPTION_NOT_FOUND";
    public const string AlreadyPremium = "ALREADY_PREMIUM";
    public const string AdLimitReached = "AD_LIMIT_REACHED";
    public const string AdVerificationFailed = "AD_VERIFICATION_FAILED";
    public const string AdRewardAlreadyClaimed = "AD_REWARD_ALREADY_CLAIMED";
    public const string SuperLoverRequirementsNotMet = "SUPER_LOVER_REQUIREMENTS_NOT_MET";
    public const string AlreadySuperLover = "ALREADY_SUPER_LOVER";
    public const string NotSuperLover = "NOT_SUPER_LOVER";
    public const string SuperLoverNotFound = "SUPER_LOVER_NOT_FOUND";
    public const string RatingNotAllowed = "RATING_NOT_ALLOWED";
}
