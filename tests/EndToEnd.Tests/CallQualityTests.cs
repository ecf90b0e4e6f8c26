using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Media.Sfu.Hosting;
using Media.Sfu.Quality;
using Media.Sfu.Tests.Quality;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Testing.Services;
using Testing.Services.Network;
using Testing.Services.Signaling;

namespace EndToEnd.Tests;

/// <summary>
/// Issue 6's acceptance with real Chromium: the Opus cap is what limits the audio; a one-way 5 % loss is measured
/// by the SFU, shown to moderators within 2 s and drops the call's score; the moderator page lists and updates live
/// calls (and refuses ordinary users); /metrics parses and its counters move; the call's summary is stored.
/// </summary>
[Collection("Chromium")]
public sealed class CallQualityTests(ChromiumFixture chromium)
{
    private static readonly Guid Moderator = Guid.Parse("7a1f0c2e-1111-4222-8333-444455556666");

    private static async Task<(IPage Page, TokenResponse Token)> OpenAsync(ChromiumFixture chromium, ApiHost api, object? options = null)
    {
        var token = await api.SignInAsync();
        var page = await chromium.Browser.OpenClientAsync(api.BaseAddress, "chat.html");
        await page.EvaluateAsync("([t, o]) => chat.connect(t, o)", new object[] { token.AccessToken, options ?? new { } });
        return (page, token);
    }

    private static async Task<RoomQuality> WaitForRoomAsync(SfuNode node, Func<RoomQuality, bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        RoomQuality? room = null;
        while (DateTime.UtcNow < deadline)
        {
            room = node.Quality().Rooms.SingleOrDefault();
            if (room is not null && condition(room)) return room;
            await Task.Delay(200);
        }
        throw new TimeoutException("the room never reached the expected state: " + JsonSerializer.Serialize(room));
    }

    private static bool Flowing(RoomQuality r, string kind) =>
        r.Participants.Count == 2 && r.Participants.All(p => p.Incoming.Any(s => s.Kind == kind && s.Packets > 100));

    /// <summary>Average measured bitrate of every incoming audio stream over ten one-second samples (after a warm-up).</summary>
    private static async Task<double> MeasureAudioKbpsAsync(SfuNode node)
    {
        await WaitForRoomAsync(node, r => Flowing(r, "audio"), TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(4)); // the encoder settles; the meter's window (5 s) fills
        var samples = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var room = node.Quality().Rooms.Single();
            samples.AddRange(room.Participants.SelectMany(p => p.Incoming).Where(s => s.Kind == "audio").Select(s => s.BitrateBps / 1000.0));
            await Task.Delay(1000);
        }
        return samples.Average();
    }

    [Fact]
    public async Task An_opus_cap_of_24_kbps_holds_and_without_it_the_audio_uses_clearly_more()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["CallMedia:Mode"] = "sfu" });
        var node = api.Services.GetRequiredService<SfuNode>();
        var measured = new Dictionary<bool, double>();
        foreach (var capped in new[] { true, false })
        {
            var a = await OpenAsync(chromium, api);
            var b = await OpenAsync(chromium, api);
            try
            {
                // The lower of the two users' wishes wins: one asks for 24 kbps, the other says nothing (64 by default).
                await a.Page.EvaluateAsync("p => chat.join('audio', p)", capped ? new { maxBitrate = 24 } : new { });
                await b.Page.EvaluateAsync("() => chat.join('audio')");
                measured[capped] = await MeasureAudioKbpsAsync(node);
                var room = node.Quality().Rooms.Single();
                Assert.Equal(capped ? 24 : 64, room.Policy!.AudioCapKbps);
                await a.Page.EvaluateAsync("() => chat.endCall()");
                for (var i = 0; i < 40 && node.Rooms.Count > 0; i++) await Task.Delay(50);
            }
            finally
            {
                await a.Page.CloseAsync();
                await b.Page.CloseAsync();
            }
        }
        Console.WriteLine($"Opus measured by the SFU: capped {measured[true]:0.0} kbps, uncapped {measured[false]:0.0} kbps");
        Assert.True(measured[true] <= 26, $"capped at 24 kbps, the SFU measured {measured[true]:0.0} kbps");
        Assert.True(measured[false] >= 1.5 * measured[true], $"without the 24 kbps cap the audio should use clearly more: {measured[false]:0.0} vs {measured[true]:0.0} kbps");
    }

    [Fact]
    public async Task One_way_loss_is_measured_shown_to_moderators_and_scored_and_the_summary_is_kept()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["CallMedia:Mode"] = "sfu", ["Auth:ModeratorDeviceIds"] = Moderator.ToString(),
        });
        var node = api.Services.GetRequiredService<SfuNode>();
        var moderator = await api.SignInAsync(Moderator);
        await using var shim = UdpLossShim.Start(new IPEndPoint(IPAddress.Loopback, node.UdpEndPoint!.Port));
        var a = await OpenAsync(chromium, api);
        var lossy = await OpenAsync(chromium, api, new { rewriteUdpPort = shim.Port });
        var page = await chromium.Browser.Context.NewPageAsync();
        await using var watcher = await SignalingClient.ConnectAsync(api.BaseAddress, moderator.AccessToken, Moderator, path: "/moderation/live/hub");
        try
        {
            // Ordinary users may not open the moderator page or its hub.
            using (var refused = await api.Client.SendAsync(api.Authorized(HttpMethod.Get, "/moderation/live", a.Token.AccessToken)))
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            await Assert.ThrowsAnyAsync<Exception>(() => SignalingClient.ConnectAsync(api.BaseAddress, a.Token.AccessToken, path: "/moderation/live/hub"));

            var metricsBefore = await MetricsAsync(api);
            await a.Page.EvaluateAsync("() => chat.join('video')");
            await lossy.Page.EvaluateAsync("() => chat.join('video')");
            var room = await WaitForRoomAsync(node, r => Flowing(r, "audio") && Flowing(r, "video"), TimeSpan.FromSeconds(10));
            var lossyUser = lossy.Token.DeviceId.ToString();

            // The moderator page lists the call and keeps updating its numbers.
            await page.GotoAsync(new Uri(api.BaseAddress, "/moderation/live?access_token=" + Uri.EscapeDataString(moderator.AccessToken)).ToString());
            await page.WaitForSelectorAsync($"tr[data-call='{room.RoomId}']", new() { Timeout = 5000 });
            var updates = int.Parse(await page.GetAttributeAsync("#status", "data-updates") ?? "0");
            await page.WaitForFunctionAsync($"() => +document.getElementById('status').dataset.updates >= {updates + 2}", null, new() { Timeout = 5000 });
            Assert.Contains("kbps", await page.InnerTextAsync($"tr[data-call='{room.RoomId}']"));

            // 5 % of the lossy page's RTP to the SFU is dropped (every 20th packet of each stream).
            Assert.Equal("good", (await watcher.WaitAsync("live-calls", match: v => CallLevel(v, room.RoomId) == "good")).ValueKind == JsonValueKind.Object ? "good" : "");
            shim.DropEveryNthRtpToTarget = 20;
            var measured = await WaitForRoomAsync(node, r => AudioLoss(r, lossyUser) is >= 0.035 and <= 0.065 && RecentExpected(r, lossyUser) > 200, TimeSpan.FromSeconds(12));
            var seenBySfu = DateTime.UtcNow;
            var sfuLoss = AudioLoss(measured, lossyUser)!.Value;
            Assert.InRange(sfuLoss, 0.035, 0.065);
            watcher.Clear();
            var shown = await watcher.WaitAsync("live-calls", TimeSpan.FromSeconds(2), v => ModeratorAudioLoss(v, room.RoomId, lossyUser) is >= 3.5 and <= 6.5);
            Assert.True(DateTime.UtcNow - seenBySfu <= TimeSpan.FromSeconds(2.5));
            // The other participant's uplink is clean.
            Assert.InRange(AudioLoss(measured, a.Token.DeviceId.ToString())!.Value, 0, 0.01);

            // The call's score drops below good.
            await watcher.WaitAsync("live-calls", TimeSpan.FromSeconds(6), v => CallLevel(v, room.RoomId) is "fair" or "poor");

            // /metrics parses, and its counters moved during the call.
            var metricsAfter = await MetricsAsync(api);
            Assert.True(metricsAfter.Value("sfu_rtp_packets_total", ("direction", "in")) > metricsBefore.Value("sfu_rtp_packets_total", ("direction", "in")));
            Assert.True(metricsAfter.Value("sfu_rtp_packets_total", ("direction", "out")) > metricsBefore.Value("sfu_rtp_packets_total", ("direction", "out")));
            Assert.Equal(1, metricsAfter.Value("controlplane_calls_live"));
            Assert.True(metricsAfter.Value("controlplane_matches_total") >= 1);
            Assert.True(metricsAfter.Value("controlplane_pairing_seconds_count") >= 1);
            Assert.True(metricsAfter.Family("controlplane_http_request_duration_seconds").Samples.Any(s => s.Name.EndsWith("_count") && s.Value > 0));

            // The end of the call stores its summary with the record; moderators read it by call id.
            await a.Page.EvaluateAsync("() => chat.endCall()");
            JsonElement quality = default;
            for (var i = 0; i < 50; i++)
            {
                using var res = await api.Client.SendAsync(api.Authorized(HttpMethod.Get, $"/moderation/calls/{room.RoomId}/quality", moderator.AccessToken));
                var body = await res.Content.ReadFromJsonAsync<JsonElement>();
                if (res.IsSuccessStatusCode && !body.GetProperty("data").GetProperty("live").GetBoolean()
                    && body.GetProperty("data").GetProperty("quality").ValueKind == JsonValueKind.Object)
                {
                    quality = body.GetProperty("data").GetProperty("quality");
                    break;
                }
                await Task.Delay(100);
            }
            Assert.Equal(JsonValueKind.Object, quality.ValueKind);
            Assert.True(quality.GetProperty("samples").GetInt32() >= 5);
            var lossyAudioIn = quality.GetProperty("participants").EnumerateArray().Single(p => p.GetProperty("userId").GetString() == lossyUser)
                .GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("direction").GetString() == "in" && s.GetProperty("kind").GetString() == "audio");
            Assert.InRange(lossyAudioIn.GetProperty("lossPercent").GetProperty("max").GetDouble(), 3.5, 100);
            Assert.Equal(JsonValueKind.Object, lossyAudioIn.GetProperty("worstInterval").ValueKind);

            // A report citing the call shows moderators its quality summary beside the evidence.
            using var reported = await api.Client.SendAsync(Json(api.Authorized(HttpMethod.Post, "/reports", a.Token.AccessToken),
                new { reportedPeerId = lossyUser, sessionId = room.RoomId, reason = "harassment" }));
            Assert.Equal(HttpStatusCode.Created, reported.StatusCode);
            var reportId = (await reported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reportId").GetString();
            using var review = await api.Client.SendAsync(api.Authorized(HttpMethod.Get, $"/reports/{reportId}", moderator.AccessToken));
            var reviewed = await review.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(room.RoomId, reviewed.GetProperty("callQuality").GetProperty("callId").GetString());
        }
        finally
        {
            await page.CloseAsync();
            await a.Page.CloseAsync();
            await lossy.Page.CloseAsync();
        }
    }

    private static double? AudioLoss(RoomQuality r, string user) =>
        r.Participants.FirstOrDefault(p => p.UserId == user)?.Incoming.FirstOrDefault(s => s.Kind == "audio")?.RecentLossFraction;

    private static long RecentExpected(RoomQuality r, string user) =>
        r.Participants.FirstOrDefault(p => p.UserId == user)?.Incoming.FirstOrDefault(s => s.Kind == "audio")?.RecentExpected ?? 0;

    private static JsonElement? Call(JsonElement view, string callId) =>
        view.GetProperty("calls").EnumerateArray().Where(c => c.GetProperty("callId").GetString() == callId).Select(c => (JsonElement?)c).FirstOrDefault();

    private static string? CallLevel(JsonElement view, string callId) =>
        Call(view, callId) is { } c && c.GetProperty("level").ValueKind == JsonValueKind.String ? c.GetProperty("level").GetString() : null;

    private static double? ModeratorAudioLoss(JsonElement view, string callId, string user) =>
        Call(view, callId) is { } c
            ? c.GetProperty("participants").EnumerateArray().Where(p => p.GetProperty("userId").GetString() == user)
                .SelectMany(p => p.GetProperty("streams").EnumerateArray())
                .Where(s => s.GetProperty("direction").GetString() == "in" && s.GetProperty("kind").GetString() == "audio")
                .Select(s => (double?)s.GetProperty("lossPercent").GetDouble()).FirstOrDefault()
            : null;

    private static HttpRequestMessage Json(HttpRequestMessage req, object body)
    {
        req.Content = JsonContent.Create(body);
        return req;
    }

    private static async Task<IReadOnlyList<PrometheusFamily>> MetricsAsync(ApiHost api)
    {
        using var res = await api.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.StartsWith("text/plain", res.Content.Headers.ContentType!.ToString());
        return PrometheusTextParser.Parse(await res.Content.ReadAsStringAsync());
    }
}
