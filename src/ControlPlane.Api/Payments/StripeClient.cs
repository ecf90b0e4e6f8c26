using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ControlPlane.Api.Errors;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Payments;

/// <summary>Stripe answered with an error object ({"error": {"type", "code", "message"}}).</summary>
public sealed class StripeApiException(HttpStatusCode status, string? type, string? code, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public string? Type { get; } = type;
    public string? Code { get; } = code;
    public bool IsNotFound => Status == HttpStatusCode.NotFound || Code == "resource_missing";
}

/// <summary>
/// The few Stripe REST calls we need: form-encoded bodies (Stripe's bracket notation for nested fields), the secret
/// key as bearer, Stripe-Version pinned to <see cref="StripeOptions.ApiVersion"/>, and an Idempotency-Key on every
/// POST so a retried create returns the object made the first time.
/// </summary>
public sealed class StripeClient(IHttpClientFactory factory, IOptions<StripeOptions> options, ILogger<StripeClient> log)
{
    public const string HttpClientName = "stripe";

    public bool IsConfigured => options.Value.IsConfigured;

    public Task<JsonElement> CreateCheckoutSessionAsync(IReadOnlyList<KeyValuePair<string, string>> form, string idempotencyKey, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "/v1/checkout/sessions", form, idempotencyKey, ct);

    public Task<JsonElement> GetCheckoutSessionAsync(string sessionId, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "/v1/checkout/sessions/" + Uri.EscapeDataString(sessionId), null, null, ct);

    public Task<JsonElement> GetSubscriptionAsync(string subscriptionId, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "/v1/subscriptions/" + Uri.EscapeDataString(subscriptionId), null, null, ct);

    /// <summary>Cancels at the end of the paid period: the buyer keeps what they paid for, Stripe sends customer.subscription.deleted then.</summary>
    public Task<JsonElement> CancelSubscriptionAtPeriodEndAsync(string subscriptionId, string idempotencyKey, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "/v1/subscriptions/" + Uri.EscapeDataString(subscriptionId),
            new[] { KeyValuePair.Create("cancel_at_period_end", "true") }, idempotencyKey, ct);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, IReadOnlyList<KeyValuePair<string, string>>? form,
        string? idempotencyKey, CancellationToken ct)
    {
        var o = options.Value;
        if (!o.IsConfigured) throw new ApiException(503, ErrorCodes.PaymentsNotConfigured, "Payments are not configured on this server (STRIPE_SECRET_KEY)");
        using var request = new HttpRequestMessage(method, new Uri(new Uri(o.ApiBase.TrimEnd('/') + "/"), path.TrimStart('/')));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", o.SecretKey);
        request.Headers.Add("Stripe-Version", StripeOptions.ApiVersion);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (form is not null) request.Content = new FormUrlEncodedContent(form);

        var http = factory.CreateClient(HttpClientName);
        http.Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
        HttpResponseMessage response;
        try { response = await http.SendAsync(request, ct); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            log.LogError("Stripe {Method} {Path} failed: {Error}", method, path, e.Message);
            throw new ApiException(502, ErrorCodes.PaymentProviderError, "The payment provider could not be reached; try again");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonElement body;
            try { body = JsonDocument.Parse(text).RootElement.Clone(); }
            catch (JsonException)
            {
                log.LogError("Stripe {Method} {Path} answered {Status} with non-JSON: {Body}", method, path, (int)response.StatusCode,
                    text.Length > 200 ? text[..200] : text);
                throw new ApiException(502, ErrorCodes.PaymentProviderError, "The payment provider answered unexpectedly");
            }
            if (response.IsSuccessStatusCode) return body;
            var error = body.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
            var ex = new StripeApiException(response.StatusCode, Str(error, "type"), Str(error, "code"), Str(error, "message") ?? "Stripe error");
            log.LogWarning("Stripe {Method} {Path} answered {Status} {Type}/{Code}: {Message}", method, path, (int)response.StatusCode, ex.Type, ex.Code, ex.Message);
            throw ex;
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>Reading Stripe objects: fields that may be absent, null, a string id or an expanded object.</summary>
internal static class StripeJson
{
    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long? Long(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    public static bool Bool(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public static JsonElement Obj(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : default;

    /// <summary>An id field that is either "xx_…" or an expanded object with an id.</summary>
    public static string? Id(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Object ? v.Str("id") : null
            : null;

    public static DateTimeOffset? Time(this JsonElement e, string name) =>
        e.Long(name) is { } s && s is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}
