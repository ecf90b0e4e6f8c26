using System.Text.Json;
using Media.Sfu.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Testing.Services;

namespace EndToEnd.Tests;

/// <summary>Two real Chromium pages in one SFU room: each must see and hear the other, through the SFU only.</summary>
[Collection("Chromium")]
public sealed class CallRoomTests(ChromiumFixture chromium)
{
    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_participants_see_and_hear_each_other_through_the_sfu(bool audioOnly)
    {
        await using var api = await ApiHost.StartAsync();
        var a = await api.SignInAsync();
        var b = await api.SignInAsync();
        var node = api.Services.GetRequiredService<SfuNode>();
        var room = node.OpenRoom("room-" + Guid.NewGuid().ToString("N")[..8], new[] { a.DeviceId.ToString(), b.DeviceId.ToString() });
        var url = $"/sfu/rooms/{room.Id}/whip";
        var options = JsonSerializer.Serialize(new { url, audioOnly });

        var pageA = await chromium.Browser.OpenClientAsync(api.BaseAddress);
        var pageB = await chromium.Browser.OpenClientAsync(api.BaseAddress);
        try
        {
            foreach (var (page, token) in new[] { (pageA, a.AccessToken), (pageB, b.AccessToken) })
            {
                var start = await page.EvaluateAsync<JsonElement>($"t => omegle.startWhip(t, {options})", token);
                Assert.True(start.GetProperty("status").GetInt32() == 201, start.ToString());
                Assert.Equal(audioOnly, !start.GetProperty("answer").GetString()!.Contains("m=video"));
            }

            Func<PageStats, bool> flowing = s => s.AudioPacketsReceived > 100 && (audioOnly || s.VideoFramesDecoded > 30);
            var statsA = await SfuClient.WaitForAsync(pageA, flowing, MediaDeadline);
            var statsB = await SfuClient.WaitForAsync(pageB, flowing, MediaDeadline);
            Assert.True(flowing(statsA), $"A receives nothing from B: {statsA}");
            Assert.True(flowing(statsB), $"B receives nothing from A: {statsB}");

            // The media path is the SFU: both transports are in the room and every consumer forwarded packets.
            Assert.Equal(2, room.Router.Transports.Count);
            var consumers = room.Router.Consumers;
            Assert.Equal(audioOnly ? 2 : 4, consumers.Count);
            Assert.All(consumers, c => Assert.True(c.PacketsForwarded > 0, $"{c.Kind} consumer forwarded nothing"));
            Assert.All(consumers, c => Assert.NotEqual(c.Transport, c.Producer.Transport));

            // RTCP from the SFU: its Sender Reports give the browser remote-outbound-rtp stats, and its report blocks on
            // what it receives give remote-inbound-rtp with a round-trip time (RFC 3550 §6.4).
            var rtcp = await SfuClient.WaitForAsync(pageA, s => s.RemoteOutbound > 0 && s.RemoteInbound > 0 && s.RoundTripTime is not null, TimeSpan.FromSeconds(5));
            Assert.True(rtcp.RemoteOutbound > 0 && rtcp.RemoteInbound > 0, $"no SR/RR from the SFU reached the browser: {rtcp}");
            Assert.InRange(rtcp.RoundTripTime!.Value, 0, 0.5);
            Assert.All(room.Router.Producers, p => Assert.True(p.Statistics.ReceivedPackets > 0));

            // Someone who is not a participant cannot join.
            var stranger = await api.SignInAsync();
            using var res = await api.Client.SendAsync(SfuClient.Whip(url, stranger.AccessToken, "v=0"));
            Assert.Equal(403, (int)res.StatusCode);

            // B leaves: its transport closes, A's transport stays, nothing of B remains in the room.
            await pageB.EvaluateAsync("t => omegle.stop(t)", b.AccessToken);
            for (var i = 0; i < 50 && room.Router.Transports.Count != 1; i++) await Task.Delay(100);
            Assert.Single(room.Router.Transports);
            Assert.Empty(room.Router.Consumers); // A's slots are free again; B's slots left with B
        }
        finally
        {
            await pageA.EvaluateAsync("t => omegle.stop(t)", a.AccessToken);
            await pageA.CloseAsync();
            await pageB.CloseAsync();
        }
        node.CloseRoom(room.Id);
        Assert.Equal(0, node.Transports.Count);
    }
}
