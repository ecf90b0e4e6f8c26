using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Coins;

/// <summary>Small request helpers for the coin and payment tests.</summary>
public static class ApiCalls
{
    public static async Task<HttpResponseMessage> SendAsync(this ApiHost api, HttpMethod method, string path, string token,
        object? body = null, string? idempotencyKey = null, string? rawBody = null)
    {
        var req = api.Authorized(method, path, token);
        if (rawBody is not null) req.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        else if (body is not null) req.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        if (idempotencyKey is not null) req.Headers.Add("Idempotency-Key", idempotencyKey);
        return await api.Client.SendAsync(req);
    }

    public static Task<HttpResponseMessage> PostAsync(this ApiHost api, string path, string token, object? body = null, string? idempotencyKey = null) =>
        api.SendAsync(HttpMethod.Post, path, token, body, idempotencyKey);

    public static async Task<JsonElement> OkJsonAsync(this HttpResponseMessage res)
    {
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.IsSuccessStatusCode, $"expected success, got {(int)res.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetOkAsync(this ApiHost api, string path, string token) =>
        await (await api.SendAsync(HttpMethod.Get, path, token)).OkJsonAsync();

    public static async Task<long> BalanceAsync(this ApiHost api, string token) =>
        (await api.GetOkAsync("/api/coins/balance", token)).GetProperty("data").GetProperty("balance").GetInt64();

    public static JsonElement Data(this JsonElement e) => e.GetProperty("data");
}
