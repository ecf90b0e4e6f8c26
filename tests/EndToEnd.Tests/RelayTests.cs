using System.Text.Json;
using Testing.Services;

namespace EndToEnd.Tests;

/// <summary>
/// Users behind restrictive NATs: Chromium with iceTransportPolicy "relay" reaches the SFU only through the
/// real coturn started from deploy/coturn, with credentials from POST /turn/credentials.
/// </summary>
[Collection("Chromium")]
public sealed class RelayTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task A_relay_only_browser_reaches_the_sfu_through_coturn()
    {
        await using var coturn = await CoturnServer.StartAsync();
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Turn:Secrets"] = coturn.Secret, ["Turn:Urls"] = coturn.Url,
        });
        var token = (await api.SignInAsync()).AccessToken;
        var page = await chromium.Browser.OpenClientAsync(api.BaseAddress);
        try
        {
            var start = await page.EvaluateAsync<JsonElement>(@"async t => {
                const r = await fetch('/turn/credentials', { method: 'POST', headers: { authorization: 'Bearer ' + t } });
                const c = await r.json();
                return omegle.startWhip(t, { relay: true, iceServers: [{ urls: c.urls, username: c.username, credential: c.credential }] });
            }", token);
            Assert.True(start.GetProperty("status").GetInt32() == 201, start.ToString());

            var stats = await SfuClient.WaitForAsync(page, s => s.AudioPacketsReceived > 100 && s.VideoFramesDecoded > 30, TimeSpan.FromSeconds(15));
            Assert.True(stats.AudioPacketsReceived > 100 && stats.VideoFramesDecoded > 30, $"no media through the relay: {stats}");
            Assert.Equal("relay", stats.LocalCandidateType);
        }
        finally
        {
            await page.EvaluateAsync("t => omegle.stop(t)", token);
            await page.CloseAsync();
        }
    }
}
