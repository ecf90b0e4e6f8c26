using System.Text.Json;
using Testing.Services;

namespace EndToEnd.Tests;

/// <summary>WHIP in, WHEP out: one page publishes, another watches with receive-only transceivers.</summary>
[Collection("Chromium")]
public sealed class WhepTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task A_viewer_receives_a_published_stream()
    {
        await using var api = await ApiHost.StartAsync();
        var publisher = await api.SignInAsync();
        var viewer = await api.SignInAsync();
        var pub = await chromium.Browser.OpenClientAsync(api.BaseAddress);
        var view = await chromium.Browser.OpenClientAsync(api.BaseAddress);
        try
        {
            var published = await pub.EvaluateAsync<JsonElement>("t => omegle.startWhip(t, { url: '/sfu/whip' })", publisher.AccessToken);
            Assert.True(published.GetProperty("status").GetInt32() == 201, published.ToString());
            Assert.Contains("a=recvonly", published.GetProperty("answer").GetString());
            var sessionId = published.GetProperty("location").GetString()!.Split('/')[^1];

            var watching = await view.EvaluateAsync<JsonElement>("([t, u]) => omegle.startWhep(t, u)", new object[] { viewer.AccessToken, $"/sfu/whep/{sessionId}" });
            Assert.True(watching.GetProperty("status").GetInt32() == 201, watching.ToString());
            Assert.Contains("a=sendonly", watching.GetProperty("answer").GetString());

            var stats = await SfuClient.WaitForAsync(view, s => s.AudioPacketsReceived > 100 && s.VideoFramesDecoded > 30, TimeSpan.FromSeconds(10));
            Assert.True(stats.AudioPacketsReceived > 100 && stats.VideoFramesDecoded > 30, $"viewer got nothing: {stats}");

            var missing = await view.EvaluateAsync<JsonElement>("([t, u]) => omegle.startWhep(t, u)", new object[] { viewer.AccessToken, "/sfu/whep/no-such-session" });
            Assert.Equal(404, missing.GetProperty("status").GetInt32());
        }
        finally
        {
            await view.EvaluateAsync("t => omegle.stop(t)", viewer.AccessToken);
            await pub.EvaluateAsync("t => omegle.stop(t)", publisher.AccessToken);
            await view.CloseAsync();
            await pub.CloseAsync();
        }
    }
}
