using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Moderation;

/// <summary>Reports over REST (seed 000) and the hub (seed 004): evidence, ending the room, limits, validation.</summary>
public sealed class ReportTests
{
    private static async Task<(SignalingClient A, SignalingClient B, Guid Room)> PairTextAsync(HubHost host)
    {
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join_text_queue");
        await b.InvokeAsync("join_text_queue");
        var room = (await a.WaitAsync("text_match_found")).Id("roomId");
        await b.WaitAsync("text_match_found");
        return (a, b, room);
    }

    private static async Task<HttpResponseMessage> PostReportAsync(HubHost host, string token, object body)
    {
        var req = host.Api.Authorized(HttpMethod.Post, "/reports", token);
        req.Content = JsonContent.Create(body);
        return await host.Api.Client.SendAsync(req);
    }

    private static async Task<JsonElement> EvidenceAsync(HubHost host, Guid reportId)
    {
        var json = await Sql.ScalarAsync<string>(host.Api.DatabaseUrl, "SELECT evidence::text FROM reports WHERE id = @id", ("id", reportId));
        return JsonDocument.Parse(json!).RootElement;
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task A_text_report_keeps_exactly_the_last_30_messages_and_ends_the_room(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode, new Dictionary<string, string?> { ["Chat:MessageLimit"] = "100" });
        var (a, b, room) = await PairTextAsync(host);
        for (var i = 1; i <= 35; i++)
            await (i % 2 == 1 ? a : b).InvokeAsync("send_text_message", new { content = $"message {i}" });
        await b.InvokeAsync("report_text_chat", new { reportedUserId = a.DeviceId, violationType = "harassment", description = "User was being abusive" });
        var submitted = await b.WaitAsync("report_submitted");
        var reportId = submitted.Id("reportId");
        Assert.Equal("reported", (await a.WaitAsync("text_room_ended")).Str("reason"));
        Assert.Equal("reported", (await b.WaitAsync("text_room_ended")).Str("reason"));

        var row = Assert.Single(await Sql.RowsAsync(host.Api.DatabaseUrl, "SELECT * FROM reports WHERE id = @id", ("id", reportId)));
        Assert.Equal(b.DeviceId, row["reporter_id"]);
        Assert.Equal(a.DeviceId, row["reported_id"]);
        Assert.Equal(room, row["session_id"]);
        Assert.Equal("harassment", row["reason"]);
        Assert.Equal("User was being abusive", row["comment"]);
        Assert.Equal("text_chat", row["source"]);
        Assert.Equal("pending", row["status"]);
        var evidence = await EvidenceAsync(host, reportId);
        var messages = evidence.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(30, messages.Count);
        Assert.Equal(Enumerable.Range(6, 30).Select(i => $"message {i}"), messages.Select(m => m.Str("content")));
        Assert.Equal(Enumerable.Range(6, 30).Select(i => i % 2 == 1 ? a.DeviceId : b.DeviceId), messages.Select(m => m.Id("senderId")));
        Assert.True(messages.Zip(messages.Skip(1)).All(p => p.First.GetProperty("timestamp").GetInt64() <= p.Second.GetProperty("timestamp").GetInt64()));
        Assert.Equal(room, evidence.Id("roomId"));
        Assert.Equal("text", evidence.Str("chatType"));
        await Sql.EventuallyAsync(async () => await Sql.ScalarAsync<string>(host.Api.DatabaseUrl, "SELECT end_reason FROM chat_sessions WHERE id = @id", ("id", room)) == "reported", "session ended as reported");
    }

    [Fact]
    public async Task A_voice_report_keeps_the_call_metrics()
    {
        await using var host = await HubHost.StartAsync();
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join_voice_queue", new { maxBitrate = 40 });
        await b.InvokeAsync("join_voice_queue");
        await a.WaitAsync("voice_match_found");
        await b.InvokeAsync("voice_metrics", new { packetLoss = 3.5, jitter = 20, iceConnectionState = "connected" });
        await a.InvokeAsync("report_voice_chat", new { reportedUserId = b.DeviceId, violationType = "inappropriate" });
        var reportId = (await a.WaitAsync("report_submitted")).Id("reportId");
        Assert.Equal("reported", (await b.WaitAsync("voice_room_ended")).Str("reason"));
        var evidence = await EvidenceAsync(host, reportId);
        var call = evidence.GetProperty("call");
        var reported = call.GetProperty("participants").EnumerateArray().Single(p => p.Id("deviceId") == b.DeviceId);
        Assert.Equal(3.5, reported.GetProperty("metrics").GetProperty("packetLoss").GetDouble());
        Assert.Equal(40, call.GetProperty("participants").EnumerateArray().Single(p => p.Id("deviceId") == a.DeviceId).GetProperty("maxBitrate").GetInt32());
        Assert.Empty(evidence.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Post_reports_about_the_current_session_ends_it_for_both()
    {
        await using var host = await HubHost.StartAsync();
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join-queue", new { });
        await b.InvokeAsync("join-queue", new { });
        var session = (await a.WaitAsync("matched")).Id("sessionId");
        await b.WaitAsync("matched");
        await a.InvokeAsync("send-message", new { sessionId = session, message = "rude words" });
        var token = await host.Api.SignInAsync(b.DeviceId);
        var res = await PostReportAsync(host, token.AccessToken, new { reportedPeerId = a.DeviceId, sessionId = session, reason = "inappropriate_content", comment = "Optional description" });
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var reportId = (await res.Content.ReadFromJsonAsync<JsonElement>()).Id("reportId");
        Assert.Equal(session, (await a.WaitAsync("peer-disconnected")).Id("sessionId"));
        Assert.Equal(session, (await b.WaitAsync("call-ended")).Id("sessionId"));
        var evidence = await EvidenceAsync(host, reportId);
        Assert.Equal("rude words", Assert.Single(evidence.GetProperty("messages").EnumerateArray()).Str("content"));
        Assert.Equal("api", await Sql.ScalarAsync<string>(host.Api.DatabaseUrl, "SELECT source FROM reports WHERE id = @id", ("id", reportId)));
    }

    [Fact]
    public async Task Post_reports_about_an_earlier_session_and_unknown_sessions()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, room) = await PairTextAsync(host);
        await a.InvokeAsync("leave_text_room");
        await b.WaitAsync("text_room_ended");
        var token = await host.Api.SignInAsync(b.DeviceId);
        var res = await PostReportAsync(host, token.AccessToken, new { reportedPeerId = a.DeviceId, sessionId = room, reason = "spam" });
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var reportId = (await res.Content.ReadFromJsonAsync<JsonElement>()).Id("reportId");
        var evidence = await EvidenceAsync(host, reportId);
        Assert.Equal("user_left", evidence.Str("endReason"));

        // Not a participant, unknown session, wrong partner.
        var outsider = await host.Api.SignInAsync();
        Assert.Equal("SESSION_NOT_FOUND", await ErrorShape.AssertAsync(await PostReportAsync(host, outsider.AccessToken, new { reportedPeerId = a.DeviceId, sessionId = room, reason = "spam" }), 404));
        Assert.Equal("SESSION_NOT_FOUND", await ErrorShape.AssertAsync(await PostReportAsync(host, token.AccessToken, new { reportedPeerId = a.DeviceId, sessionId = Guid.NewGuid(), reason = "spam" }), 404));
        Assert.Equal("INVALID_TARGET", await ErrorShape.AssertAsync(await PostReportAsync(host, token.AccessToken, new { reportedPeerId = Guid.NewGuid(), sessionId = room, reason = "spam" }), 400));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(host.Api.DatabaseUrl, "SELECT count(*) FROM reports WHERE reporter_id = @d", ("d", b.DeviceId)));
    }

    [Theory]
    [InlineData("""{"sessionId":"00000000-0000-0000-0000-000000000001","reason":"spam"}""", "VALIDATION_FAILED")]
    [InlineData("""{"reportedPeerId":"x","sessionId":"00000000-0000-0000-0000-000000000001","reason":"spam"}""", "VALIDATION_FAILED")]
    [InlineData("""{"reportedPeerId":"00000000-0000-0000-0000-000000000002","reason":"spam"}""", "VALIDATION_FAILED")]
    [InlineData("""{"reportedPeerId":"00000000-0000-0000-0000-000000000002","sessionId":"00000000-0000-0000-0000-000000000001","reason":"rude"}""", "VALIDATION_FAILED")]
    [InlineData("""{"reportedPeerId":"00000000-0000-0000-0000-000000000002","sessionId":"00000000-0000-0000-0000-000000000001"}""", "VALIDATION_FAILED")]
    [InlineData("""{"reportedPeerId":5}""", "INVALID_JSON")]
    [InlineData("""not json""", "INVALID_JSON")]
    public async Task Malformed_reports_are_refused(string body, string code)
    {
        await using var host = await HubHost.StartAsync(StateMode.InProcess);
        var token = await host.Api.SignInAsync();
        var req = host.Api.Authorized(HttpMethod.Post, "/reports", token.AccessToken);
        req.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(code, await ErrorShape.AssertAsync(await host.Api.Client.SendAsync(req), 400));
        var longComment = await PostReportAsync(host, token.AccessToken, new { reportedPeerId = Guid.NewGuid(), sessionId = Guid.NewGuid(), reason = "spam", comment = new string('c', 1001) });
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(longComment, 400));
        Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(await host.Api.Client.PostAsJsonAsync("/reports", new { reason = "spam" }), 401));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(host.Api.DatabaseUrl, "SELECT count(*) FROM reports WHERE reporter_id = @d", ("d", token.DeviceId)));
    }

    [Fact]
    public async Task Three_reports_per_five_minutes_across_hub_and_rest()
    {
        await using var host = await HubHost.StartAsync(settings: new Dictionary<string, string?> { ["Chat:ReportLimit"] = "3" });
        var reporter = await host.ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            var other = await host.ConnectAsync();
            await reporter.InvokeAsync("join_text_queue");
            await other.InvokeAsync("join_text_queue");
            await reporter.WaitAsync("text_match_found");
            await reporter.InvokeAsync("report_text_chat", new { reportedUserId = other.DeviceId, violationType = "spam" });
            await reporter.WaitAsync("report_submitted");
        }
        var fourth = await host.ConnectAsync();
        await reporter.InvokeAsync("join_text_queue");
        await fourth.InvokeAsync("join_text_queue");
        var room = (await reporter.WaitAsync("text_match_found")).Id("roomId");
        await reporter.InvokeAsync("report_text_chat", new { reportedUserId = fourth.DeviceId, violationType = "spam" });
        var limited = await reporter.WaitAsync("rate_limit_exceeded");
        Assert.Equal("RATE_LIMITED", limited.Str("code"));
        Assert.InRange(limited.GetProperty("retryAfter").GetInt32(), 290, 300);
        // The refused report changed nothing: the room is still up.
        await reporter.InvokeAsync("send_text_message", new { content = "still chatting" });
        await fourth.WaitAsync("text_message_received");
        var token = await host.Api.SignInAsync(reporter.DeviceId);
        var rest = await PostReportAsync(host, token.AccessToken, new { reportedPeerId = fourth.DeviceId, sessionId = room, reason = "spam" });
        Assert.Equal("RATE_LIMITED", await ErrorShape.AssertAsync(rest, 429));
        Assert.Equal(3L, await Sql.ScalarAsync<long>(host.Api.DatabaseUrl, "SELECT count(*) FROM reports WHERE reporter_id = @d", ("d", reporter.DeviceId)));
    }
}
