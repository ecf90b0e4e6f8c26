using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ControlPlane.Api.Auth;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Coins;

/// <summary>A request body that is part of an Idempotency-Key fingerprint: the same key with a different body is refused.</summary>
public interface IIdempotentRequest;

/// <summary>
/// Idempotency-Key on a mutating endpoint (the Stripe convention): the first request with a key runs and its
/// response (status and body) is stored; a retry with the same key gets that response back, byte for byte, with
/// Idempotent-Replayed: true, and moves nothing. The same key with a different request is 422 IDEMPOTENCY_KEY_REUSED.
///
/// The key row is inserted at the start of a transaction that also holds everything the handler writes, and the
/// response is stored in it before commit. A concurrent duplicate blocks on the key's unique index until that
/// transaction ends: it then sees the stored response (commit) or runs itself (rollback). There is no
/// "in progress" state to get stuck in. A handler that fails (any error response) rolls back and stores nothing,
/// so a corrected retry with the same key runs.
/// Keys are scoped to the device and kept for CoinOptions.IdempotencyKeyTtl.
/// </summary>
public sealed class IdempotencyFilter : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var values = http.Request.Headers[Header];
        if (values.Count == 0) return await next(ctx);
        var key = values.Count == 1 ? values[0] : null;
        if (!IsValidKey(key))
            throw ApiException.BadRequest(ErrorCodes.IdempotencyKeyInvalid,
                $"{Header} must be one value of 1-{MaxKeyLength} visible ASCII characters (a UUID is a good choice)");

        var services = http.RequestServices;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var db = services.GetRequiredService<ControlPlaneDb>();
        var clock = services.GetRequiredService<TimeProvider>();
        var ttl = services.GetRequiredService<IOptions<CoinOptions>>().Value.IdempotencyRetention;
        var device = http.User.DeviceId();
        var hash = Fingerprint(http.Request, ctx.Arguments, json);
        var ct = http.RequestAborted;
        var now = clock.GetUtcNow();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await (await db.CommandAsync("DELETE FROM idempotency_keys WHERE device_id = @d AND key = @k AND created_at < @cutoff", ct))
            .With("d", device).With("k", key!).With("cutoff", now - ttl).ExecuteAsync(ct);
        var claimed = await (await db.CommandAsync("""
            INSERT INTO idempotency_keys (device_id, key, request_hash, status_code, response_body, created_at)
            VALUES (@d, @k, @h, 0, '', @now) ON CONFLICT (device_id, key) DO NOTHING
            """, ct)).With("d", device).With("k", key!).With("h", hash).With("now", now).ExecuteAsync(ct);

        if (claimed == 0)
        {
            var stored = await db.Set<IdempotencyRecord>().AsNoTracking()
                .FirstOrDefaultAsync(r => r.DeviceId == device && r.Key == key, ct);
            await tx.CommitAsync(ct);
            // Only possible if the row expired and was purged between our insert attempt and this read.
            if (stored is null)
                throw ApiException.Conflict(ErrorCodes.IdempotencyKeyConflict, $"This {Header} is being reused right now; retry the request");
            if (!CryptographicOperations.FixedTimeEquals(stored.RequestHash, hash))
                throw new ApiException(422, ErrorCodes.IdempotencyKeyReused,
                    $"This {Header} was already used for a different request; use a new key for a new request");
            http.Response.Headers[ReplayedHeader] = "true";
            return Respond(stored.StatusCode, stored.ResponseBody);
        }

        var result = await next(ctx);
        var (status, body) = Render(result, json);
        await (await db.CommandAsync("UPDATE idempotency_keys SET status_code = @s, response_body = @b WHERE device_id = @d AND key = @k", ct))
            .With("s", status).With("b", body).With("d", device).With("k", key!).ExecuteAsync(ct);
        await tx.CommitAsync(ct);
        return Respond(status, body);
    }

    internal static bool IsValidKey(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength) return false;
        foreach (var c in key)
            if (c is < '!' or > '~') return false;
        return true;
    }

    /// <summary>SHA-256 over method, path, query and the bound request body (so JSON whitespace and key order do not matter).</summary>
    private static byte[] Fingerprint(HttpRequest request, IList<object?> arguments, JsonSerializerOptions json)
    {
        var text = new StringBuilder()
            .Append(request.Method).Append('\n').Append(request.Path.Value).Append('\n').Append(request.QueryString.Value).Append('\n');
        foreach (var argument in arguments)
        {
            if (argument is IIdempotentRequest body) text.Append(JsonSerializer.Serialize(body, body.GetType(), json)).Append('\n');
            else if (argument is null) text.Append("null\n");
        }
        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static (int Status, string Body) Render(object? result, JsonSerializerOptions json) => result switch
    {
        IValueHttpResult { Value: var value } and IStatusCodeHttpResult s =>
            (s.StatusCode ?? 200, JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object), json)),
        IStatusCodeHttpResult s => (s.StatusCode ?? 200, ""),
        _ => throw new InvalidOperationException("idempotent endpoints must return an IResult with a status code"),
    };

    private static IResult Respond(int status, string body) =>
        body.Length == 0 ? Results.StatusCode(status) : Results.Content(body, "application/json; charset=utf-8", Encoding.UTF8, status);
}

public static class IdempotencyExtensions
{
    /// <summary>Honours the Idempotency-Key header on this endpoint (see <see cref="IdempotencyFilter"/>).</summary>
    public static RouteHandlerBuilder Idempotent(this RouteHandlerBuilder builder) => builder.AddEndpointFilter<IdempotencyFilter>();
}
