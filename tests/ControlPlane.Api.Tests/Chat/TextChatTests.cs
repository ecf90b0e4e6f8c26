using System.Diagnostics;
using ControlPlane.Api.Tests.Support;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Chat;

/// <summary>Seed 004's text chat through the hub.</summary>
public sealed class TextChatTests
{
    private static async Task<(SignalingClient A, SignalingClient B, string Room)> PairAsync(HubHost host)
    {
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join_text_queue");
        await b.InvokeAsync("join_text_queue");
        var room = (await a.WaitAsync("text_match_found")).Str("roomId");
        Assert.Equal(a.DeviceId, (await b.WaitAsync("text_match_found")).Id("partnerId"));
        return (a, b, room);
    }

    private static Dictionary<string, string?> Settings(params (string, string)[] pairs) => pairs.ToDictionary(p => p.Item1, p => (string?)p.Item2);

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task Messages_are_cleaned_and_delivered_to_both(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode);
        var (a, b, room) = await PairAsync(host);
        await a.SendAsync("send_text_message", new { content = "  <b>Hello</b> <script>alert(1)</script>world  " });
        var received = await b.WaitAsync("text_message_received");
        Assert.Equal("Hello world", received.Str("content"));
        Assert.Equal(room, received.Str("roomId"));
        Assert.Equal(a.DeviceId, received.Id("senderId"));
        Assert.Matches("^msg_[0-9]+_[0-9a-f]+$", received.Str("messageId"));
        Assert.True(received.GetProperty("delivered").GetBoolean());
        var echo = await a.WaitAsync("text_message_received");
        Assert.Equal(received.Str("messageId"), echo.Str("messageId"));
        Assert.Equal(received.GetProperty("timestamp").GetInt64(), echo.GetProperty("timestamp").GetInt64());
    }

    [Fact]
    public async Task Content_must_be_one_to_a_thousand_characters()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, _) = await PairAsync(host);
        await a.SendAsync("send_text_message", new { content = new string('x', 1001) });
        Assert.Equal("MESSAGE_TOO_LONG", (await a.WaitAsync("text_chat_error")).Str("code"));
        foreach (var empty in new[] { "", "   ", "<p></p>", "<script>x</script>" })
        {
            await a.SendAsync("send_text_message", new { content = empty });
            Assert.Equal("INVALID_MESSAGE", (await a.WaitAsync("text_chat_error")).Str("code"));
        }
        var thousandEmoji = string.Concat(Enumerable.Repeat("😀", 1000));
        await a.SendAsync("send_text_message", new { content = thousandEmoji });
        Assert.Equal(thousandEmoji, (await b.WaitAsync("text_message_received")).Str("content"));
        await a.SendAsync("send_text_message", new { content = "  " + new string('y', 1000) + "  " });
        Assert.Equal(1000, (await b.WaitAsync("text_message_received")).Str("content").Length);
    }

    [Fact]
    public async Task Ten_messages_per_ten_seconds()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, _) = await PairAsync(host);
        for (var i = 0; i < 10; i++) await a.InvokeAsync("send_text_message", new { content = "m" + i });
        await a.InvokeAsync("send_text_message", new { content = "one too many" });
        var limited = await a.WaitAsync("rate_limit_exceeded");
        Assert.Equal("Rate limit exceeded", limited.Str("message"));
        Assert.Equal(0, limited.GetProperty("remaining").GetInt32());
        Assert.InRange(limited.GetProperty("retryAfter").GetInt32(), 1, 10);
        for (var i = 0; i < 10; i++) Assert.Equal("m" + i, (await b.WaitAsync("text_message_received")).Str("content"));
        await b.AssertNoEventAsync("text_message_received", TimeSpan.FromMilliseconds(200));
        // The partner has its own budget.
        await b.InvokeAsync("send_text_message", new { content = "reply" });
        Assert.Equal("reply", (await a.WaitAsync("text_message_received", match: m => m.Str("content") == "reply")).Str("content"));
    }

    [Fact]
    public async Task Typing_indicators_notify_on_change_and_clear_themselves_after_three_seconds()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, room) = await PairAsync(host);
        var clock = Stopwatch.StartNew();
        await a.SendAsync("text_typing_start", new { });
        var typing = await b.WaitAsync("text_partner_typing");
        Assert.Equal(room, typing.Str("roomId"));
        Assert.Equal(a.DeviceId, typing.Id("userId"));
        Assert.True(typing.GetProperty("isTyping").GetBoolean());
        await a.SendAsync("text_typing_start", new { });
        var cleared = await b.WaitAsync("text_partner_stopped_typing", TimeSpan.FromSeconds(6));
        Assert.InRange(clock.Elapsed.TotalSeconds, 2.8, 4.5);
        Assert.False(cleared.GetProperty("isTyping").GetBoolean());
        Assert.Equal(a.DeviceId, cleared.Id("userId"));
        await b.AssertNoEventAsync("text_partner_typing", TimeSpan.FromMilliseconds(50));   // the repeat was not announced again

        await a.SendAsync("text_typing_start", new { });
        await b.WaitAsync("text_partner_typing");
        await a.SendAsync("text_typing_stop", new { });
        await b.WaitAsync("text_partner_stopped_typing", TimeSpan.FromSeconds(1));

        await b.SendAsync("text_typing_start");
        await a.WaitAsync("text_partner_typing");
        await b.SendAsync("send_text_message", new { content = "done typing" });
        await a.WaitAsync("text_partner_stopped_typing", TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Leaving_ends_the_room_with_each_sides_reason()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, room) = await PairAsync(host);
        await a.SendAsync("leave_text_room");
        var mine = await a.WaitAsync("text_room_ended");
        Assert.Equal("user_left", mine.Str("reason"));
        Assert.Equal(room, mine.Str("roomId"));
        Assert.Equal("partner_left", (await b.WaitAsync("text_room_ended")).Str("reason"));
        await b.SendAsync("send_text_message", new { content = "anyone?" });
        var error = await b.WaitAsync("text_chat_error");
        Assert.Equal("NO_ACTIVE_ROOM", error.Str("code"));
        Assert.Equal("No active text chat room", error.Str("message"));
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task Reconnecting_within_the_window_restores_the_room_both_ways(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode, Settings(("Chat:ReconnectWindowSeconds", "5")));
        var (a, b, room) = await PairAsync(host);
        await a.InvokeAsync("send_text_message", new { content = "before" });

        // a's connection drops; b is told and waits.
        a.Abort();
        var dropped = await b.WaitAsync("text_partner_disconnected", TimeSpan.FromSeconds(5));
        Assert.Equal(a.DeviceId, dropped.Id("partnerId"));
        Assert.Equal("partner_disconnected", dropped.Str("reason"));
        var a2 = await host.ConnectAsync(a.DeviceId);
        await a2.SendAsync("attempt_text_reconnect");
        var back = await a2.WaitAsync("text_reconnected");
        Assert.Equal(room, back.Str("roomId"));
        Assert.Equal(b.DeviceId, back.Id("partnerId"));
        Assert.Equal("before", Assert.Single(back.GetProperty("messages").EnumerateArray()).Str("content"));
        Assert.Equal(a.DeviceId, (await b.WaitAsync("text_partner_reconnected")).Id("partnerId"));
        await b.SendAsync("send_text_message", new { content = "welcome back" });
        Assert.Equal("welcome back", (await a2.WaitAsync("text_message_received")).Str("content"));

        // Now b drops and comes back.
        b.Abort();
        Assert.Equal(b.DeviceId, (await a2.WaitAsync("text_partner_disconnected", TimeSpan.FromSeconds(5))).Id("partnerId"));
        var b2 = await host.ConnectAsync(b.DeviceId);
        await b2.SendAsync("attempt_text_reconnect");
        Assert.Equal(2, (await b2.WaitAsync("text_reconnected")).GetProperty("messages").GetArrayLength());
        Assert.Equal(b.DeviceId, (await a2.WaitAsync("text_partner_reconnected")).Id("partnerId"));
        await a2.SendAsync("send_text_message", new { content = "still here" });
        Assert.Equal("still here", (await b2.WaitAsync("text_message_received", match: m => m.Str("content") == "still here")).Str("content"));
        await b2.AssertNoEventAsync("text_room_ended", TimeSpan.FromMilliseconds(300));
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task After_the_window_the_room_ends_and_reconnecting_fails(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode, Settings(("Chat:ReconnectWindowSeconds", "1.5")));
        var (a, b, room) = await PairAsync(host);
        b.Abort();
        await a.WaitAsync("text_partner_disconnected", TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();
        var ended = await a.WaitAsync("text_room_ended", TimeSpan.FromSeconds(6));
        Assert.Equal("partner_disconnected", ended.Str("reason"));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 3.5);
        var b2 = await host.ConnectAsync(b.DeviceId);
        await b2.SendAsync("attempt_text_reconnect");
        Assert.Equal("Session expired or room no longer exists", (await b2.WaitAsync("text_reconnect_failed")).Str("reason"));
        await Sql.EventuallyAsync(async () => await Sql.ScalarAsync<string>(host.Api.DatabaseUrl, "SELECT end_reason FROM chat_sessions WHERE id = @id", ("id", Guid.Parse(room))) == "partner_disconnected", "session ended");
        Assert.Equal(b.DeviceId, await Sql.ScalarAsync<Guid>(host.Api.DatabaseUrl, "SELECT ended_by FROM chat_sessions WHERE id = @id", ("id", Guid.Parse(room))));
    }

    [Fact]
    public async Task Idle_rooms_time_out()
    {
        await using var host = await HubHost.StartAsync(settings: Settings(("Chat:IdleTimeoutSeconds", "1.5")));
        var (a, b, room) = await PairAsync(host);
        Assert.Equal("timeout", (await a.WaitAsync("text_room_ended", TimeSpan.FromSeconds(5))).Str("reason"));
        Assert.Equal("timeout", (await b.WaitAsync("text_room_ended", TimeSpan.FromSeconds(5))).Str("reason"));
        await Sql.EventuallyAsync(async () => await Sql.ScalarAsync<string>(host.Api.DatabaseUrl, "SELECT end_reason FROM chat_sessions WHERE id = @id", ("id", Guid.Parse(room))) == "timeout", "timeout recorded");
    }
}
