using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Api.Data;
using Media.Sfu.Hosting;
using Media.Sfu.Sdp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Testing.Services;
using Testing.Services.Network;

namespace EndToEnd.Tests;

/// <summary>
/// Issue 5's acceptance: two Chromium pages running a seed 000 client (Pages/signaling-client.js, which knows only
/// the seed's events) are matched through /signaling and talk through the SFU: the initiator's offer is answered by
/// the SFU, the other side answers the SFU's offer. Ending the call by end-call, by closing a page, or by a page
/// losing its network ends it for both and leaves nothing on the SFU.
/// </summary>
[Collection("Chromium")]
public sealed class MatchedCallTests(ChromiumFixture chromium)
{
    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(10);
    /// <summary>The documented end of a call whose page lost its network: consent timeout + close grace + one housekeeping tick.</summary>
    private const int ConsentSeconds = 5, ConsentCloseSeconds = 1;

    private sealed record Side(IPage Page, TokenResponse Token);

    private static async Task<Side> OpenAsync(ChromiumFixture chromium, ApiHost api, object? options = null)
    {
        var token = await api.SignInAsync();
        var page = await chromium.Browser.OpenClientAsync(api.BaseAddress, "chat.html");
        await page.EvaluateAsync("([t, o]) => chat.connect(t, o)", new object[] { token.AccessToken, options ?? new { } });
        return new Side(page, token);
    }

    private static async Task<List<(string Name, JsonElement Payload)>> EventsAsync(IPage page) =>
        (await page.EvaluateAsync<JsonElement>("() => chat.events()")).EnumerateArray()
            .Select(e => (e.GetProperty("name").GetString()!, JsonDocument.Parse(e.GetProperty("payload").GetString() ?? "null").RootElement))
            .ToList();

    private static async Task<JsonElement> WaitForEventAsync(IPage page, string name, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        List<(string Name, JsonElement Payload)> events;
        do
        {
            events = await EventsAsync(page);
            if (events.FirstOrDefault(e => e.Name == name) is { Name: not null } hit) return hit.Payload;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"no '{name}' event within {within.TotalSeconds} s; got {string.Join(", ", events.Select(e => e.Name + " " + e.Payload))}");
    }

    private static Func<PageStats, bool> Flowing(bool audioOnly) => s => s.AudioPacketsReceived > 100 && (audioOnly || s.VideoFramesDecoded > 30);

    private static async Task WaitForEmptyAsync(SfuNode node, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while ((node.Transports.Count > 0 || node.Rooms.Count > 0) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(node.Transports.Count == 0 && node.Rooms.Count == 0, $"left on the SFU: {node.Transports.Count} transports, {node.Rooms.Count} rooms");
    }

    [Theory]
    [InlineData("video")]
    [InlineData("audio")]
    public async Task Matched_strangers_see_and_hear_each_other_through_the_sfu_until_one_ends_the_call(string chatType)
    {
        var audioOnly = chatType == "audio";
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["CallMedia:Mode"] = "sfu" });
        var node = api.Services.GetRequiredService<SfuNode>();
        var a = await OpenAsync(chromium, api);
        var b = await OpenAsync(chromium, api);
        try
        {
            await a.Page.EvaluateAsync("t => chat.join(t)", chatType);
            await b.Page.EvaluateAsync("t => chat.join(t)", chatType);
            var matchedA = await WaitForEventAsync(a.Page, "matched", TimeSpan.FromSeconds(5));
            var matchedB = await WaitForEventAsync(b.Page, "matched", TimeSpan.FromSeconds(5));
            Assert.Equal("sfu", matchedA.GetProperty("media").GetString());
            var initiator = matchedA.GetProperty("initiator").GetBoolean() ? a : b;
            var waiting = initiator == a ? b : a;
            var session = Guid.Parse(matchedA.GetProperty("sessionId").GetString()!);
            Assert.Equal(session, Guid.Parse(matchedB.GetProperty("sessionId").GetString()!));

            // The initiator's offer is answered by the SFU; the waiting side gets the SFU's offer. Neither sees the other's SDP.
            var answer = await WaitForEventAsync(initiator.Page, "answer", TimeSpan.FromSeconds(5));
            var offer = await WaitForEventAsync(waiting.Page, "offer", TimeSpan.FromSeconds(5));
            Assert.Equal("sfu", answer.GetProperty("via").GetString());
            Assert.Contains("a=ice-lite", answer.GetProperty("answer").GetProperty("sdp").GetString());
            Assert.Contains("a=ice-lite", offer.GetProperty("offer").GetProperty("sdp").GetString());
            Assert.Equal(audioOnly, !offer.GetProperty("offer").GetProperty("sdp").GetString()!.Contains("m=video"));

            var statsA = await SfuClient.WaitForAsync(a.Page, Flowing(audioOnly), MediaDeadline);
            var statsB = await SfuClient.WaitForAsync(b.Page, Flowing(audioOnly), MediaDeadline);
            Assert.True(Flowing(audioOnly)(statsA), $"A receives nothing from B: {statsA}");
            Assert.True(Flowing(audioOnly)(statsB), $"B receives nothing from A: {statsB}");

            // The media path is the SFU: one room with both transports, every consumer forwarding the other side's packets.
            var room = Assert.Single(node.Rooms);
            Assert.Equal(session.ToString(), room.Id);
            Assert.Equal(2, room.Router.Transports.Count);
            var consumers = room.Router.Consumers;
            Assert.Equal(audioOnly ? 2 : 4, consumers.Count);
            Assert.All(consumers, c => Assert.True(c.PacketsForwarded > 0 && c.Transport != c.Producer.Transport, $"{c.Kind} consumer forwarded nothing"));

            await initiator.Page.EvaluateAsync("() => chat.endCall()");
            Assert.Equal(session.ToString(), (await WaitForEventAsync(initiator.Page, "call-ended", TimeSpan.FromSeconds(3))).GetProperty("sessionId").GetString());
            Assert.Equal(session.ToString(), (await WaitForEventAsync(waiting.Page, "peer-disconnected", TimeSpan.FromSeconds(3))).GetProperty("sessionId").GetString());
            await WaitForEmptyAsync(node, TimeSpan.FromSeconds(2));

            // The call record: participants, type, node, start, end, reason, duration.
            var record = await WaitForRecordAsync(api, session, r => r.EndedAt is not null);
            Assert.Equal(chatType, record.ChatType);
            Assert.Equal("local", record.MediaNode);
            Assert.Equal("user_left", record.EndReason);
            Assert.Equal(initiator.Token.DeviceId, record.EndedBy);
            Assert.Equal(new[] { a.Token.DeviceId, b.Token.DeviceId }.Order(), new[] { record.ParticipantA, record.ParticipantB }.Order());
            Assert.InRange(record.DurationSeconds!.Value, 0, 60);
        }
        finally
        {
            await a.Page.CloseAsync();
            await b.Page.CloseAsync();
        }
    }

    [Fact]
    public async Task A_relay_only_stranger_reaches_the_sfu_through_coturn_and_closing_a_page_ends_the_call()
    {
        await using var coturn = await CoturnServer.StartAsync();
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["CallMedia:Mode"] = "sfu", ["Turn:Secrets"] = coturn.Secret, ["Turn:Urls"] = coturn.Url,
        });
        var node = api.Services.GetRequiredService<SfuNode>();
        var relayed = await api.SignInAsync();
        var credentials = await (await api.Client.SendAsync(api.Authorized(HttpMethod.Post, "/turn/credentials", relayed.AccessToken))).Content.ReadFromJsonAsync<JsonElement>();
        var iceServers = new[]
        {
            new
            {
                urls = credentials.GetProperty("urls").EnumerateArray().Select(u => u.GetString()).ToArray(),
                username = credentials.GetProperty("username").GetString(),
                credential = credentials.GetProperty("credential").GetString(),
            },
        };
        var pageA = await chromium.Browser.OpenClientAsync(api.BaseAddress, "chat.html");
        await pageA.EvaluateAsync("([t, o]) => chat.connect(t, o)", new object[] { relayed.AccessToken, new { relay = true, iceServers } });
        var b = await OpenAsync(chromium, api);
        try
        {
            await pageA.EvaluateAsync("() => chat.join('video')");
            await b.Page.EvaluateAsync("() => chat.join('video')");
            var statsA = await SfuClient.WaitForAsync(pageA, Flowing(false), TimeSpan.FromSeconds(15));
            var statsB = await SfuClient.WaitForAsync(b.Page, Flowing(false), MediaDeadline);
            Assert.True(Flowing(false)(statsA), $"the relayed page receives nothing: {statsA}");
            Assert.True(Flowing(false)(statsB), $"nothing arrives from the relayed page: {statsB}");
            Assert.Equal("relay", statsA.LocalCandidateType);
            Assert.Equal(2, Assert.Single(node.Rooms).Router.Transports.Count);

            // Closing a page: its hub connection drops, the partner hears of it, the SFU keeps nothing.
            await b.Page.CloseAsync();
            await WaitForEventAsync(pageA, "peer-disconnected", TimeSpan.FromSeconds(5));
            await WaitForEmptyAsync(node, TimeSpan.FromSeconds(3));
        }
        finally
        {
            await pageA.CloseAsync();
            if (!b.Page.IsClosed) await b.Page.CloseAsync();
        }
    }

    [Fact]
    public async Task Video_survives_five_percent_loss_with_nacks_served_and_a_page_whose_network_dies_ends_the_call()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["CallMedia:Mode"] = "sfu",
            ["Sfu:ConsentTimeoutSeconds"] = ConsentSeconds.ToString(),
            ["Sfu:ConsentCloseSeconds"] = ConsentCloseSeconds.ToString(),
        });
        var node = api.Services.GetRequiredService<SfuNode>();
        await using var shim = UdpLossShim.Start(new IPEndPoint(IPAddress.Loopback, node.UdpEndPoint!.Port));
        var a = await OpenAsync(chromium, api);
        var lossy = await OpenAsync(chromium, api, new { rewriteUdpPort = shim.Port });
        try
        {
            await a.Page.EvaluateAsync("() => chat.join('video')");
            await lossy.Page.EvaluateAsync("() => chat.join('video')");
            Assert.True(Flowing(false)(await SfuClient.WaitForAsync(lossy.Page, Flowing(false), MediaDeadline)), "no media through the shim");
            Assert.True(shim.ForwardedToTarget > 0 && shim.ForwardedToClient > 0, "the lossy page's media did not pass the shim");

            // 5 % of the datagrams from the SFU to the lossy page are lost: video keeps decoding on it, because its NACKs are
            // answered from the SFU's packet cache with RTX retransmissions; the other page is unaffected.
            shim.LossToClient = 0.05;
            var room = Assert.Single(node.Rooms);
            var before = await SfuClient.StatsAsync(lossy.Page);
            var beforeA = await SfuClient.StatsAsync(a.Page);
            await Task.Delay(TimeSpan.FromSeconds(6));
            var after = await SfuClient.StatsAsync(lossy.Page);
            var afterA = await SfuClient.StatsAsync(a.Page);
            Assert.True(after.VideoFramesDecoded - before.VideoFramesDecoded > 30, $"the lossy page stopped decoding: {before} → {after}");
            Assert.True(afterA.VideoFramesDecoded - beforeA.VideoFramesDecoded > 30, $"the other page stopped decoding: {beforeA} → {afterA}");
            var nacks = room.Router.Consumers.Sum(c => c.NacksReceived);
            var retransmissions = room.Router.Consumers.Sum(c => c.RetransmissionsSent);
            Assert.True(shim.DroppedToClient > 0, "the shim dropped nothing");
            Assert.True(nacks > 0, "the SFU received no NACKs");
            Assert.True(room.Router.NacksServed > 0 && retransmissions > 0, $"NACKs were not served: {room.Router.NacksServed} served, {retransmissions} retransmissions");

            // Now 5 % is lost on the way up, from the lossy page to the SFU: the SFU's cache cannot help, so it NACKs the
            // publisher, whose RTX retransmissions fill the gaps; the other page keeps decoding the lossy page's video.
            shim.LossToClient = 0;
            shim.LossToTarget = 0.05;
            beforeA = await SfuClient.StatsAsync(a.Page);
            await Task.Delay(TimeSpan.FromSeconds(6));
            afterA = await SfuClient.StatsAsync(a.Page);
            Assert.True(shim.DroppedToTarget > 0, "the shim dropped nothing upstream");
            Assert.True(afterA.VideoFramesDecoded - beforeA.VideoFramesDecoded > 30, $"the lossy page's video stopped decoding on the other page: {beforeA} → {afterA}");
            // The lossy page's video producer is the one the SFU had to NACK (the other page's uplink loses nothing).
            var upstream = room.Router.Producers.Where(p => p.Kind == MediaKind.Video).MaxBy(p => Interlocked.Read(ref p.UpstreamNacksSent))!;
            Assert.True(upstream.UpstreamNacksSent > 0, "the SFU sent the publisher no NACKs");
            Assert.True(upstream.UpstreamRecovered > 0 && upstream.RetransmissionsReceived > 0,
                $"no lost packet came back: {upstream.UpstreamRecovered} recovered, {upstream.RetransmissionsReceived} retransmissions received");

            // The lossy page's network dies: ICE consent lapses on the SFU and the call ends for both.
            shim.Blackhole = true;
            var documented = TimeSpan.FromSeconds(ConsentSeconds + ConsentCloseSeconds + 2);
            await WaitForEventAsync(a.Page, "peer-disconnected", documented);
            await WaitForEventAsync(lossy.Page, "call-ended", TimeSpan.FromSeconds(2));
            await WaitForEmptyAsync(node, TimeSpan.FromSeconds(2));
        }
        finally
        {
            await a.Page.CloseAsync();
            await lossy.Page.CloseAsync();
        }
    }

    private static async Task<ControlPlane.Api.Calls.Sessions.ChatSession> WaitForRecordAsync(ApiHost api, Guid id,
        Func<ControlPlane.Api.Calls.Sessions.ChatSession, bool> condition)
    {
        for (var i = 0; ; i++)
        {
            await using var scope = api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
            var row = await db.Set<ControlPlane.Api.Calls.Sessions.ChatSession>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id);
            if (row is not null && condition(row)) return row;
            if (i > 50) throw new TimeoutException("no call record for " + id + (row is null ? "" : " with the expected fields"));
            await Task.Delay(100);
        }
    }
}
