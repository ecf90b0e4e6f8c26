using ControlPlane.Api.Errors;

namespace ControlPlane.Api.Coins;

/// <summary>Seed 003/004 responses: {success: true, data, message}; and the request checks they share.</summary>
internal static class Envelope
{
    public static IResult Ok(object data, string message) => Results.Ok(new { success = true, data, message });

    public static IResult Ok(string message) => Results.Ok(new { success = true, message });

    public static ApiException Invalid(string field, string message) =>
        ApiException.BadRequest(ErrorCodes.ValidationFailed, $"{field}: {message}", new[] { new FieldError(field, message) });

    /// <summary>page ≥ 1 and 1 ≤ limit ≤ max (seed 003: ?page=1&amp;limit=20).</summary>
    public static (int Page, int Limit) Paging(int? page, int? limit, int defaultLimit, int maxLimit = 100)
    {
        var p = page ?? 1;
        var l = limit ?? defaultLimit;
        if (p < 1 || p > 1_000_000) throw Invalid("page", "must be between 1 and 1000000");
        if (l < 1 || l > maxLimit) throw Invalid("limit", $"must be between 1 and {maxLimit}");
        return (p, l);
    }

    public static object Pagination(int page, int limit, long total) =>
        new { page, limit, total, hasNext = (long)page * limit < total };

    /// <summary>Optional free text: trimmed, null when blank, refused when longer than max.</summary>
    public static string? Text(string field, string? value, int max)
    {
        if (value is null) return null;
        var t = value.Trim();
        if (t.Length == 0) return null;
        if (t.Length > max) throw Invalid(field, $"must be at most {max} characters");
        if (t.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) throw Invalid(field, "must not contain control characters");
        return t;
    }

    /// <summary>A short lower-case token such as an action or provider name.</summary>
    public static string Token(string field, string? value, int max, string? fallback = null)
    {
        var t = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(t))
            return fallback ?? throw Invalid(field, "is required");
        if (t.Length > max || !t.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-'))
            throw Invalid(field, $"must be 1-{max} characters of a-z, 0-9, '_' or '-'");
        return t;
    }

    public static Guid Uuid(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw Invalid(field, "is required");
        if (!Guid.TryParseExact(value.Trim(), "D", out var id) || id == Guid.Empty) throw Invalid(field, "must be a UUID");
        return id;
    }
}
