using System.Net.Http.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Signaling;

/// <summary>Several control-plane nodes sharing one PostgreSQL and one Redis behave as one service.</summary>
public sealed class TwoNodeTests
{
    private static readonly Guid Moderator = Guid.Parse("5e1f0a2b-3333-4444-8555-666677778888");

    private static async Task<(HubHost One, HubHost Two)> StartPairAsync(Dictionary<string, string?>? settings = null)
    {
        settings ??= new();
        settings["Auth:ModeratorDeviceIds"] = Moderator.ToString();
        var one = await HubHost.StartAsync(settings: settings);
        var two = await HubHost.StartAsync(settings: settings, databaseUrl: one.Api.DatabaseUrl, prefix: one.Prefix);
        return (one, two);
    }

    [Fact]
    public async Task Users_on_different_nodes_are_paired_and_talk()
    {
        var (one, two) = await StartPairAsync();
        await using (one)
        await using (two)
        {
            var a = await one.ConnectAsync();
            var b = await two.ConnectAsync();
            await a.InvokeAsync("join-queue", new { region = "eu" });
            await b.InvokeAsync("join-queue", new { region = "eu" });
            var session = (await a.WaitAsync("matched")).Str("sessionId");
            Assert.Equal(a.DeviceId, (await b.WaitAsync("matched")).Id("peerId"));

            await a.SendAsync("send-offer", new { sessionId = session, data = new { type = "offer", sdp = "v=0" } });
            Assert.Equal(a.DeviceId, (await b.WaitAsync("offer")).Id("from"));
            await b.SendAsync("send-answer", new { sessionId = session, data = new { type = "answer", sdp = "v=0" } });
            await a.WaitAsync("answer");
            for (var i = 0; i < 5; i++)
            {
                await a.SendAsync("send-message", new { sessionId = session, message = "ping " + i });
                Assert.Equal("ping " + i, (await b.WaitAsync("message")).Str("message"));
                await b.SendAsync("send-message", new { sessionId = session, message = "pong " + i });
                Assert.Equal("pong " + i, (await a.WaitAsync("message")).Str("message"));
            }
            await b.SendAsync("end-call", new { sessionId = session });
            await b.WaitAsync("call-ended");
            Assert.Equal(session, (await a.WaitAsync("peer-disconnected")).Str("sessionId"));
        }
    }

    [Fact]
    public async Task Text_chat_typing_and_reconnection_work_across_nodes()
    {
        var (one, two) = await StartPairAsync(new() { ["Chat:ReconnectWindowSeconds"] = "10" });
        await using (one)
        await using (two)
        {
            var a = await one.ConnectAsync();
            var b = await two.ConnectAsync();
            await a.InvokeAsync("join_text_queue");
            await b.InvokeAsync("join_text_queue");
            var room = (await b.WaitAsync("text_match_found")).Str("roomId");
            await a.WaitAsync("text_match_found");
            await a.SendAsync("text_typing_start", new { });
            await b.WaitAsync("text_partner_typing");
            await a.SendAsync("send_text_message", new { content = "hello from node one" });
            Assert.Equal("hello from node one", (await b.WaitAsync("text_message_received")).Str("content"));
            Assert.True((await a.WaitAsync("text_message_received")).GetProperty("delivered").GetBoolean());
            await b.WaitAsync("text_partner_stopped_typing");

            // b drops from node two and comes back through node one.
            b.Abort();
            await a.WaitAsync("text_partner_disconnected", TimeSpan.FromSeconds(5));
            var b2 = await one.ConnectAsync(b.DeviceId);
            await b2.SendAsync("attempt_text_reconnect");
            Assert.Equal(room, (await b2.WaitAsync("text_reconnected")).Str("roomId"));
            await a.WaitAsync("text_partner_reconnected");

            // And a moves to node two, replacing its connection on node one.
            var a2 = await two.ConnectAsync(a.DeviceId);
            Assert.Equal("SESSION_REPLACED", (await a.WaitAsync("error")).Str("code"));
            await b2.SendAsync("send_text_message", new { content = "found you" });
            Assert.Equal("found you", (await a2.WaitAsync("text_message_received")).Str("content"));
        }
    }

    [Fact]
    public async Task A_ban_on_one_node_disconnects_the_user_on_the_other()
    {
        var (one, two) = await StartPairAsync();
        await using (one)
        await using (two)
        {
            var reporter = await one.ConnectAsync();
            var offender = await two.ConnectAsync();
            await reporter.InvokeAsync("join_text_queue");
            await offender.InvokeAsync("join_text_queue");
            await reporter.WaitAsync("text_match_found");
            await reporter.InvokeAsync("report_text_chat", new { reportedUserId = offender.DeviceId, violationType = "harassment" });
            var reportId = (await reporter.WaitAsync("report_submitted")).Id("reportId");
            await offender.InvokeAsync("join-queue", new { });

            var mod = await one.Api.SignInAsync(Moderator);
            var req = one.Api.Authorized(HttpMethod.Post, "/reports/moderate", mod.AccessToken);
            req.Content = JsonContent.Create(new { reportId, decision = "ban" });
            (await one.Api.Client.SendAsync(req)).EnsureSuccessStatusCode();
            Assert.Equal("DEVICE_BANNED", (await offender.WaitAsync("error")).Str("code"));
            await offender.Closed.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal("DEVICE_BANNED", await ErrorShape.AssertAsync(await two.Api.Client.PostAsJsonAsync("/auth/token", new { deviceId = offender.DeviceId }), 403));
        }
    }

    [Fact]
    public async Task Users_of_a_node_that_died_are_treated_as_disconnected()
    {
        await using var host = await HubHost.StartAsync();
        // A device that was waiting on a node which died without cleaning up: its presence and queue entry remain.
        var ghost = Guid.NewGuid();
        var redis = host.Service<Api.Signaling.SignalingRedis>();
        await redis.Client.SetAsync(redis.Key("presence:" + ghost), "dead-node|conn1");
        await host.Service<Api.Matchmaking.IMatchQueue>().JoinAsync(new Api.Matchmaking.QueueEntry
        {
            DeviceId = ghost, Type = "video", JoinedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }, Guid.NewGuid(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        var user = await host.ConnectAsync();
        await user.InvokeAsync("join-queue", new { });
        var matched = await user.WaitAsync("matched");
        Assert.Equal(ghost, matched.Id("peerId"));
        var session = matched.Str("sessionId");
        // Telling the ghost about the match reveals that its node is gone: the session ends for the user.
        Assert.Equal(session, (await user.WaitAsync("peer-disconnected")).Str("sessionId"));
        Assert.Null(await redis.Client.GetAsync(redis.Key("presence:" + ghost)));
        Assert.Null(await host.Service<Api.Chat.IRoomStore>().FindByDeviceAsync(user.DeviceId));
    }

    [Fact]
    public async Task Two_control_plane_processes_pair_their_users()
    {
        var pg = await PostgresServer.SharedAsync();
        var db = await pg.CreateDatabaseAsync("nodes");
        var redis = await RedisServer.SharedAsync();
        var env = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = db,
            ["REDIS_URL"] = redis.Url,
            ["REDIS_KEY_PREFIX"] = "p" + Guid.NewGuid().ToString("N")[..10] + ":",
        };
        await using var one = await ApiProcess.StartAsync(env);
        await using var two = await ApiProcess.StartAsync(env);
        var ta = await one.SignInAsync();
        var tb = await two.SignInAsync();
        await using var a = await SignalingClient.ConnectAsync(one.BaseAddress, ta.AccessToken, ta.DeviceId);
        await using var b = await SignalingClient.ConnectAsync(two.BaseAddress, tb.AccessToken, tb.DeviceId);
        await a.WaitAsync("connected");
        await b.WaitAsync("connected");
        await a.InvokeAsync("join_text_queue");
        await b.InvokeAsync("join_text_queue");
        Assert.Equal(tb.DeviceId, (await a.WaitAsync("text_match_found")).Id("partnerId"));
        Assert.Equal(ta.DeviceId, (await b.WaitAsync("text_match_found")).Id("partnerId"));
        await a.SendAsync("send_text_message", new { content = "across processes" });
        Assert.Equal("across processes", (await b.WaitAsync("text_message_received")).Str("content"));
        await b.SendAsync("send_text_message", new { content = "received" });
        Assert.Equal("received", (await a.WaitAsync("text_message_received", match: m => m.Id("senderId") == tb.DeviceId)).Str("content"));
    }
}
