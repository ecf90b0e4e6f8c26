using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Moderation;

/// <summary>Moderator endpoints and bans taking effect everywhere at once.</summary>
public sealed class ModerationTests
{
    private static readonly Guid Moderator = Guid.Parse("9d0c6b1e-2222-4333-8444-555566667777");
    private static readonly Guid Moderator2 = Guid.Parse("9d0c6b1e-2222-4333-8444-555566668888");

    private static Task<HubHost> StartAsync(bool ownDatabase = false) => HubHost.StartAsync(
        settings: new Dictionary<string, string?> { ["Auth:ModeratorDeviceIds"] = Moderator + "," + Moderator2 }, ownDatabase: ownDatabase);

    /// <summary>Pairs two text users and has the first report the second; returns the report id.</summary>
    private static async Task<(SignalingClient Reporter, SignalingClient Reported, Guid ReportId)> ReportAsync(HubHost host, string violation = "harassment")
    {
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join_text_queue");
        await b.InvokeAsync("join_text_queue");
        await a.WaitAsync("text_match_found");
        await b.InvokeAsync("send_text_message", new { content = "evidence" });
        await a.InvokeAsync("report_text_chat", new { reportedUserId = b.DeviceId, violationType = violation });
        return (a, b, (await a.WaitAsync("report_submitted")).Id("reportId"));
    }

    private static async Task<HttpResponseMessage> SendAsync(HubHost host, HttpMethod method, string path, string token, object? body = null)
    {
        var req = host.Api.Authorized(method, path, token);
        if (body is not null) req.Content = JsonContent.Create(body);
        return await host.Api.Client.SendAsync(req);
    }

    [Fact]
    public async Task Moderator_endpoints_refuse_ordinary_users()
    {
        await using var host = await StartAsync();
        var user = await host.Api.SignInAsync();
        foreach (var path in new[] { "/reports/next", "/reports", "/reports/stats", $"/reports/{Guid.NewGuid()}" })
            Assert.Equal("FORBIDDEN", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Get, path, user.AccessToken), 403));
        Assert.Equal("FORBIDDEN", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Post, "/reports/moderate", user.AccessToken, new { reportId = Guid.NewGuid(), decision = "ban" }), 403));
        Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(await host.Api.Client.GetAsync("/reports/stats"), 401));
    }

    [Fact]
    public async Task Next_claims_reports_oldest_first_for_one_moderator_at_a_time()
    {
        await using var host = await StartAsync(ownDatabase: true);
        var mod1 = await host.Api.SignInAsync(Moderator);
        var mod2 = await host.Api.SignInAsync(Moderator2);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(host, HttpMethod.Get, "/reports/next", mod1.AccessToken)).StatusCode);
        var (reporter, reported, first) = await ReportAsync(host);
        var (_, _, second) = await ReportAsync(host, "spam");

        var next1 = await (await SendAsync(host, HttpMethod.Get, "/reports/next", mod1.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first, next1.Id("reportId"));
        Assert.Equal(reporter.DeviceId, next1.Id("reporterId"));
        Assert.Equal(reported.DeviceId, next1.Id("reportedPeerId"));
        Assert.Equal("harassment", next1.Str("reason"));
        Assert.True(next1.GetProperty("timestamp").GetInt64() > 1_700_000_000_000);
        Assert.Equal("in_review", next1.Str("status"));
        Assert.Equal("evidence", Assert.Single(next1.GetProperty("evidence").GetProperty("messages").EnumerateArray()).Str("content"));
        // The same moderator keeps getting its claim; another gets the next one.
        Assert.Equal(first, (await (await SendAsync(host, HttpMethod.Get, "/reports/next", mod1.AccessToken)).Content.ReadFromJsonAsync<JsonElement>()).Id("reportId"));
        Assert.Equal(second, (await (await SendAsync(host, HttpMethod.Get, "/reports/next", mod2.AccessToken)).Content.ReadFromJsonAsync<JsonElement>()).Id("reportId"));

        var list = await (await SendAsync(host, HttpMethod.Get, "/reports?limit=1", mod1.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(second, Assert.Single(list.EnumerateArray()).Id("reportId"));
        Assert.Equal(2, (await (await SendAsync(host, HttpMethod.Get, "/reports", mod1.AccessToken)).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Get, "/reports?limit=0", mod1.AccessToken), 400));
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Get, "/reports?limit=abc", mod1.AccessToken), 400));

        var one = await (await SendAsync(host, HttpMethod.Get, $"/reports/{first}", mod2.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(one.GetProperty("hasEvidence").GetBoolean());
        Assert.Equal("REPORT_NOT_FOUND", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Get, $"/reports/{Guid.NewGuid()}", mod2.AccessToken), 404));
    }

    [Fact]
    public async Task Decisions_and_statistics()
    {
        await using var host = await StartAsync(ownDatabase: true);
        var mod = await host.Api.SignInAsync(Moderator);
        var (_, warned, r1) = await ReportAsync(host);
        var (_, _, r2) = await ReportAsync(host);
        await ReportAsync(host);

        var stats = await (await SendAsync(host, HttpMethod.Get, "/reports/stats", mod.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, stats.GetProperty("totalReports").GetInt32());
        Assert.Equal(3, stats.GetProperty("pendingReports").GetInt32());
        Assert.Equal(0, stats.GetProperty("resolvedReports").GetInt32());

        var warn = await SendAsync(host, HttpMethod.Post, "/reports/moderate", mod.AccessToken, new { reportId = r1, decision = "warn" });
        Assert.Equal(HttpStatusCode.OK, warn.StatusCode);
        var body = await warn.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("resolved", body.Str("status"));
        Assert.Equal("warn", body.Str("decision"));
        var alert = await warned.WaitAsync("moderation-alert");
        Assert.Equal("warning", alert.Str("type"));
        Assert.True(warned.IsOpen);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, HttpMethod.Post, "/reports/moderate", mod.AccessToken, new { reportId = r2, decision = "dismiss" })).StatusCode);
        Assert.Equal("REPORT_ALREADY_RESOLVED", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Post, "/reports/moderate", mod.AccessToken, new { reportId = r2, decision = "ban" }), 409));
        Assert.Equal("REPORT_NOT_FOUND", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Post, "/reports/moderate", mod.AccessToken, new { reportId = Guid.NewGuid(), decision = "ban" }), 404));
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Post, "/reports/moderate", mod.AccessToken, new { reportId = r2, decision = "delete" }), 400));
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(await SendAsync(host, HttpMethod.Post, "/reports/moderate", mod.AccessToken, new { decision = "ban" }), 400));

        stats = await (await SendAsync(host, HttpMethod.Get, "/reports/stats", mod.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, stats.GetProperty("totalReports").GetInt32());
        Assert.Equal(1, stats.GetProperty("pendingReports").GetInt32());
        Assert.Equal(2, stats.GetProperty("resolvedReports").GetInt32());
        var resolved = await (await SendAsync(host, HttpMethod.Get, "/reports?status=resolved", mod.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, resolved.GetArrayLength());
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task A_ban_disconnects_the_device_at_once_and_keeps_it_out(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode, new Dictionary<string, string?> { ["Auth:ModeratorDeviceIds"] = Moderator.ToString() });
        var mod = await host.Api.SignInAsync(Moderator);
        var (_, offender, reportId) = await ReportAsync(host);
        var offenderToken = await host.Api.SignInAsync(offender.DeviceId);
        // The offender is chatting with someone new when the ban lands.
        var partner = await host.ConnectAsync();
        await offender.InvokeAsync("join-queue", new { preferences = new { chatType = "text" } });
        await partner.InvokeAsync("join_text_queue");
        await partner.WaitAsync("text_match_found");

        var res = await SendAsync(host, HttpMethod.Post, "/reports/moderate", mod.AccessToken, new { reportId, decision = "ban" });
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("violation", (await offender.WaitAsync("moderation-alert")).Str("type"));
        Assert.Equal("DEVICE_BANNED", (await offender.WaitAsync("error")).Str("code"));
        await offender.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("partner_disconnected", (await partner.WaitAsync("text_room_ended")).Str("reason"));

        // Tokens: no new ones, the refresh token is dead, and the old access token cannot reconnect.
        var token = await host.Api.Client.PostAsJsonAsync("/auth/token", new { deviceId = offender.DeviceId });
        Assert.Equal("DEVICE_BANNED", await ErrorShape.AssertAsync(token, 403));
        var refresh = await host.Api.Client.PostAsJsonAsync("/auth/refresh", new { refreshToken = offenderToken.RefreshToken });
        Assert.Equal(401, (int)refresh.StatusCode);
        var again = await host.ConnectWithTokenAsync(offenderToken.AccessToken, offender.DeviceId);
        Assert.Equal("DEVICE_BANNED", (await again.WaitAsync("error")).Str("code"));
        await again.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(await Sql.ScalarAsync<DateTime?>(host.Api.DatabaseUrl, "SELECT banned_at FROM devices WHERE id = @d", ("d", offender.DeviceId)));
    }
}
