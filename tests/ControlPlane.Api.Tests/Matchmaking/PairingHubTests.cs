using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Matchmaking;

/// <summary>Pairing through the hub with real WebSocket clients, Redis-backed unless stated.</summary>
public sealed class PairingHubTests
{
    private static readonly TimeSpan NoMatch = TimeSpan.FromMilliseconds(800);

    private static async Task<(SignalingClient A, SignalingClient B, string Session)> PairAsync(HubHost host, object? prefs = null)
    {
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join-queue", prefs ?? new { });
        await b.InvokeAsync("join-queue", prefs ?? new { });
        var session = (await a.WaitAsync("matched")).Str("sessionId");
        await b.WaitAsync("matched");
        return (a, b, session);
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task Queue_joined_then_matched_with_the_seed_000_payloads(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode);
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await a.SendAsync("join-queue", new { region = "global", language = "en", gender = "male", genderPreference = "any", preferences = new { } });
        var joined = await a.WaitAsync("queue-joined");
        Assert.Equal(1, joined.GetProperty("position").GetInt32());
        Assert.False(joined.GetProperty("isPremium").GetBoolean());
        Assert.True(joined.GetProperty("estimatedWaitTime").GetInt32() >= 1);
        Assert.Equal("video", joined.Str("chatType"));
        Assert.True(joined.GetProperty("timestamp").GetInt64() >= before);

        await b.SendAsync("join-queue", new { region = "global", language = "en" });
        Assert.Equal(1, (await b.WaitAsync("queue-joined")).GetProperty("position").GetInt32());
        var ma = await a.WaitAsync("matched");
        var mb = await b.WaitAsync("matched");
        Assert.True(Guid.TryParse(ma.Str("sessionId"), out _));
        Assert.Equal(ma.Str("sessionId"), mb.Str("sessionId"));
        Assert.Equal(b.DeviceId, ma.Id("peerId"));
        Assert.Equal(a.DeviceId, mb.Id("peerId"));
        Assert.True(ma.GetProperty("initiator").GetBoolean());
        Assert.False(mb.GetProperty("initiator").GetBoolean());
        Assert.Equal("video", mb.Str("chatType"));
    }

    [Fact]
    public async Task Chat_types_have_separate_queues_and_seed_000_and_004_clients_meet_in_the_text_queue()
    {
        await using var host = await HubHost.StartAsync();
        var video = await host.ConnectAsync();
        var omegleText = await host.ConnectAsync();
        var omegooText = await host.ConnectAsync();
        await video.InvokeAsync("join-queue", new { });
        await omegleText.InvokeAsync("join-queue", new { preferences = new { chatType = "text" } });
        await video.AssertNoEventAsync("matched", TimeSpan.FromMilliseconds(300));

        await omegooText.SendAsync("join_text_queue");
        var joined = await omegooText.WaitAsync("text_queue_joined");
        Assert.Equal(1, joined.GetProperty("position").GetInt32());
        Assert.Equal(0, joined.GetProperty("estimatedWaitTime").GetInt32());
        var found = await omegooText.WaitAsync("text_match_found");
        Assert.Equal(omegleText.DeviceId, found.Id("partnerId"));
        var matched = await omegleText.WaitAsync("matched");
        Assert.Equal("text", matched.Str("chatType"));
        Assert.Equal(found.Str("roomId"), matched.Str("sessionId"));
        await video.AssertNoEventAsync("matched", TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Region_is_required_until_it_relaxes()
    {
        await using var host = await HubHost.StartAsync(settings: new Dictionary<string, string?> { ["Matchmaking:RegionRelaxSeconds"] = "1.5" });
        var eu = await host.ConnectAsync();
        var us = await host.ConnectAsync();
        await eu.InvokeAsync("join-queue", new { region = "eu" });
        await us.InvokeAsync("join-queue", new { region = "us" });
        await eu.AssertNoEventAsync("matched", TimeSpan.FromMilliseconds(700));
        var eu2 = await host.ConnectAsync();
        await eu2.InvokeAsync("join-queue", new { region = "EU" });
        Assert.Equal(eu.DeviceId, (await eu2.WaitAsync("matched")).Id("peerId"));
        var asia = await host.ConnectAsync();
        await asia.InvokeAsync("join-queue", new { region = "asia" });
        await asia.AssertNoEventAsync("matched", TimeSpan.FromMilliseconds(500));
        // Once both have waited 1.5 s the sweep pairs them.
        Assert.Equal(us.DeviceId, (await asia.WaitAsync("matched", TimeSpan.FromSeconds(5))).Id("peerId"));
    }

    [Fact]
    public async Task Language_is_required_until_it_relaxes()
    {
        await using var host = await HubHost.StartAsync(settings: new Dictionary<string, string?> { ["Matchmaking:LanguageRelaxSeconds"] = "60" });
        var en = await host.ConnectAsync();
        var de = await host.ConnectAsync();
        await en.InvokeAsync("join-queue", new { language = "en" });
        await de.InvokeAsync("join-queue", new { language = "de" });
        await de.AssertNoEventAsync("matched", NoMatch);
        var anyLanguage = await host.ConnectAsync();
        await anyLanguage.InvokeAsync("join-queue", new { });
        Assert.Equal(en.DeviceId, (await anyLanguage.WaitAsync("matched")).Id("peerId"));
        var de2 = await host.ConnectAsync();
        await de2.InvokeAsync("join-queue", new { language = "de" });
        Assert.Equal(de.DeviceId, (await de2.WaitAsync("matched")).Id("peerId"));
    }

    [Fact]
    public async Task Gender_preference_must_be_mutual()
    {
        await using var host = await HubHost.StartAsync();
        var manWantsWoman = await host.ConnectAsync();
        await manWantsWoman.InvokeAsync("join-queue", new { gender = "male", genderPreference = "female" });
        var manWantsAny = await host.ConnectAsync();
        await manWantsAny.InvokeAsync("join-queue", new { gender = "male", genderPreference = "any" });
        var womanWantsWoman = await host.ConnectAsync();
        await womanWantsWoman.InvokeAsync("join-queue", new { gender = "female", genderPreference = "female" });
        await manWantsWoman.AssertNoEventAsync("matched", NoMatch);

        var womanWantsMan = await host.ConnectAsync();
        await womanWantsMan.InvokeAsync("join-queue", new { gender = "female", genderPreference = "male" });
        Assert.Equal(manWantsWoman.DeviceId, (await womanWantsMan.WaitAsync("matched")).Id("peerId"));
        var woman = await host.ConnectAsync();
        await woman.InvokeAsync("join-queue", new { gender = "female" });
        Assert.Equal(manWantsAny.DeviceId, (await woman.WaitAsync("matched")).Id("peerId"));
        await womanWantsWoman.AssertNoEventAsync("matched", TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Shared_interests_are_preferred()
    {
        await using var host = await HubHost.StartAsync();
        var gamer = await host.ConnectAsync();
        var cook = await host.ConnectAsync();
        await gamer.InvokeAsync("join-queue", new { preferences = new { interests = new[] { "games" } } });
        await cook.InvokeAsync("join-queue", new { preferences = new { interests = new[] { "Cooking", "music" } } });
        var newcomer = await host.ConnectAsync();
        await newcomer.InvokeAsync("join-queue", new { interests = new[] { "cooking" } });
        Assert.Equal(cook.DeviceId, (await newcomer.WaitAsync("matched")).Id("peerId"));
    }

    [Fact]
    public async Task Minimum_tier_uses_the_partners_tier()
    {
        var priority = new TestPriority();
        await using var host = await HubHost.StartAsync(services: s => s.AddSingleton<IMatchPriority>(priority));
        var picky = await host.ConnectAsync();
        await picky.InvokeAsync("join_text_queue", new { preferences = new { minTier = 1 } });
        var tier0 = await host.ConnectAsync();
        await tier0.InvokeAsync("join_text_queue");
        await picky.AssertNoEventAsync("text_match_found", NoMatch);
        var tier1 = await host.ConnectAsync();
        priority.Set(tier1.DeviceId, tier: 1);
        await tier1.InvokeAsync("join_text_queue");
        Assert.Equal(picky.DeviceId, (await tier1.WaitAsync("text_match_found")).Id("partnerId"));
    }

    [Fact]
    public async Task Premium_users_are_served_first_without_starving_others()
    {
        var priority = new TestPriority();
        await using var host = await HubHost.StartAsync(services: s => s.AddSingleton<IMatchPriority>(priority),
            settings: new Dictionary<string, string?> { ["Matchmaking:PremiumHeadStartSeconds"] = "2" });
        var regular = await host.ConnectAsync();
        await regular.InvokeAsync("join-queue", new { gender = "male", genderPreference = "female" });
        var vip = await host.ConnectAsync();
        priority.Set(vip.DeviceId, premium: true);
        await vip.InvokeAsync("join-queue", new { gender = "male", genderPreference = "female" });
        var vipJoined = await vip.WaitAsync("queue-joined");
        Assert.True(vipJoined.GetProperty("isPremium").GetBoolean());
        Assert.Equal(1, vipJoined.GetProperty("position").GetInt32());

        var woman = await host.ConnectAsync();
        await woman.InvokeAsync("join-queue", new { gender = "female" });
        Assert.Equal(vip.DeviceId, (await woman.WaitAsync("matched")).Id("peerId"));

        // The regular user has now waited longer than a premium head start: a new premium user queues behind.
        await Task.Delay(2500);
        var vip2 = await host.ConnectAsync();
        priority.Set(vip2.DeviceId, premium: true);
        await vip2.InvokeAsync("join-queue", new { gender = "male", genderPreference = "female" });
        Assert.Equal(2, (await vip2.WaitAsync("queue-joined")).GetProperty("position").GetInt32());
        var woman2 = await host.ConnectAsync();
        await woman2.InvokeAsync("join-queue", new { gender = "female" });
        Assert.Equal(regular.DeviceId, (await woman2.WaitAsync("matched")).Id("peerId"));
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task Skipping_never_pairs_the_same_two_devices_back_to_back(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode);
        var (a, b, session) = await PairAsync(host);
        // "Next": a joins again (which ends the session), b joins again.
        await a.InvokeAsync("join-queue", new { });
        Assert.Equal(session, (await b.WaitAsync("peer-disconnected")).Str("sessionId"));
        await b.InvokeAsync("join-queue", new { });
        await a.AssertNoEventAsync("matched", NoMatch);
        await b.AssertNoEventAsync("matched", TimeSpan.Zero);
        // Each of them is still available to anybody else.
        var c = await host.ConnectAsync();
        await c.InvokeAsync("join-queue", new { });
        var first = (await c.WaitAsync("matched")).Id("peerId");
        var d = await host.ConnectAsync();
        await d.InvokeAsync("join-queue", new { });
        var second = (await d.WaitAsync("matched")).Id("peerId");
        Assert.Equal(new[] { a.DeviceId, b.DeviceId }.Order(), new[] { first, second }.Order());
    }

    [Fact]
    public async Task Devices_that_reported_each_other_are_never_paired_again()
    {
        await using var host = await HubHost.StartAsync(settings: new Dictionary<string, string?> { ["Matchmaking:LastPeerMemorySeconds"] = "1" });
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join_text_queue");
        await b.InvokeAsync("join_text_queue");
        await a.WaitAsync("text_match_found");
        await b.WaitAsync("text_match_found");
        await a.InvokeAsync("report_text_chat", new { reportedUserId = b.DeviceId, violationType = "spam", description = "ads" });
        await a.WaitAsync("report_submitted");
        Assert.Equal("reported", (await b.WaitAsync("text_room_ended")).Str("reason"));
        await Task.Delay(1100);   // the "previous partner" memory has lapsed; only the block remains
        await a.InvokeAsync("join_text_queue");
        await b.InvokeAsync("join_text_queue");
        await b.AssertNoEventAsync("text_match_found", NoMatch);
        var c = await host.ConnectAsync();
        await c.InvokeAsync("join_text_queue");
        Assert.Equal(a.DeviceId, (await c.WaitAsync("text_match_found")).Id("partnerId"));
    }

    [Theory]
    [InlineData("join-queue", "error", "queue-joined")]
    [InlineData("join_text_queue", "rate_limit_exceeded", "text_queue_joined")]
    [InlineData("join_voice_queue", "rate_limit_exceeded", "voice_queue_joined")]
    public async Task Joining_is_limited_to_ten_a_minute(string method, string refusal, string joined)
    {
        await using var host = await HubHost.StartAsync(settings: new Dictionary<string, string?> { ["Matchmaking:JoinLimit"] = "10" });
        var c = await host.ConnectAsync();
        for (var i = 0; i < 10; i++)
        {
            await c.InvokeAsync(method, new { gender = "male", genderPreference = "female" });
            await c.WaitAsync(joined);
        }
        await c.InvokeAsync(method, new { });
        var refused = await c.WaitAsync(refusal);
        Assert.Equal("RATE_LIMITED", refused.Str("code"));
        if (refusal == "rate_limit_exceeded")
        {
            Assert.Equal("Rate limit exceeded", refused.Str("message"));
            Assert.Equal(0, refused.GetProperty("remaining").GetInt32());
            Assert.InRange(refused.GetProperty("retryAfter").GetInt32(), 50, 60);
        }
        await c.AssertNoEventAsync(joined, TimeSpan.FromMilliseconds(100));
        // Still in the queue from the tenth join; other calls work.
        await c.InvokeAsync("leave-queue");
        await c.WaitAsync("queue-left");
    }

    [Fact]
    public async Task Leaving_the_queue_and_leaving_when_not_queued()
    {
        await using var host = await HubHost.StartAsync();
        var c = await host.ConnectAsync();
        await c.InvokeAsync("leave-queue");
        Assert.Equal("NOT_IN_QUEUE", (await c.WaitAsync("error")).Str("code"));
        await c.InvokeAsync("join_voice_queue", new { maxBitrate = 32 });
        Assert.Equal(1, (await c.WaitAsync("voice_queue_joined")).GetProperty("position").GetInt32());
        await c.InvokeAsync("leave_voice_queue");
        Assert.True((await c.WaitAsync("voice_queue_left")).GetProperty("timestamp").GetInt64() > 0);
        Assert.Null(await host.Service<IMatchQueue>().FindAsync(c.DeviceId));
        await c.InvokeAsync("leave_text_queue");
        Assert.Equal("NOT_IN_QUEUE", (await c.WaitAsync("text_chat_error")).Str("code"));
        // A user who left is not matched.
        var other = await host.ConnectAsync();
        await other.InvokeAsync("join-queue", new { preferences = new { chatType = "audio" } });
        await c.AssertNoEventAsync("voice_match_found", NoMatch);
    }

    [Fact]
    public async Task A_disconnected_user_leaves_the_queue()
    {
        await using var host = await HubHost.StartAsync();
        var c = await host.ConnectAsync();
        await c.InvokeAsync("join-queue", new { });
        Assert.NotNull(await host.Service<IMatchQueue>().FindAsync(c.DeviceId));
        await c.DisposeAsync();
        await Sql.EventuallyAsync(async () => await host.Service<IMatchQueue>().FindAsync(c.DeviceId) is null, "queue entry removed");
    }
}
