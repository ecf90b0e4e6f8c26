using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Testing.Services;

namespace EndToEnd.Tests;

/// <summary>What a page's getStats() says, as collected by Pages/webrtc-client.js.</summary>
public sealed record PageStats(long AudioPacketsReceived, long VideoFramesDecoded, long AudioPacketsSent, long VideoPacketsSent,
    string ConnectionState, string? SrtpCipher, string? DtlsState, string? Protocol, string? LocalCandidateType, string? RelayProtocol,
    int RemoteOutbound = 0, int RemoteInbound = 0, double? RoundTripTime = null);

public static class SfuClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<PageStats> StatsAsync(IPage page) =>
        (await page.EvaluateAsync<JsonElement>("() => omegle.stats()")).Deserialize<PageStats>(Json)!;

    /// <summary>Polls getStats until the condition holds or the time is up; returns the last figures.</summary>
    public static async Task<PageStats> WaitForAsync(IPage page, Func<PageStats, bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        PageStats stats;
        do
        {
            stats = await StatsAsync(page);
            if (condition(stats)) return stats;
            await Task.Delay(250);
        } while (DateTime.UtcNow < deadline);
        return stats;
    }

    public static async Task<JsonElement> SfuStatsAsync(ApiHost api, string token)
    {
        using var req = api.Authorized(HttpMethod.Get, "/sfu/stats", token);
        var res = await api.Client.SendAsync(req);
        res.EnsureSuccessStatusCode();
        return (await res.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    public static async Task<JsonElement> WaitForSfuAsync(ApiHost api, string token, Func<JsonElement, bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        JsonElement stats;
        do
        {
            stats = await SfuStatsAsync(api, token);
            if (condition(stats)) return stats;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        return stats;
    }

    public static HttpRequestMessage Whip(string path, string token, string sdp) => new(HttpMethod.Post, path)
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        Content = new StringContent(sdp, new MediaTypeHeaderValue("application/sdp")),
    };
}
