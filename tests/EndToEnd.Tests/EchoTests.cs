using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Testing.Services;

namespace EndToEnd.Tests;

/// <summary>
/// The pre-call camera and microphone test (issue 3): real Chromium sends audio and video to the SFU,
/// which sends both back with its own SSRCs; the page must receive and decode them.
/// </summary>
[Collection("Chromium")]
public sealed class EchoTests(ChromiumFixture chromium)
{
    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(10);

    private static bool Flowing(PageStats s) => s.AudioPacketsReceived > 100 && s.VideoFramesDecoded > 30;

    [Theory]
    [InlineData("udp", null, null)]
    [InlineData("tcp", null, null)]
    [InlineData("udp", "AesCm128HmacSha1_80", "SRTP_AES128_CM_HMAC_SHA1_80")]
    [InlineData("udp", "AeadAes128Gcm", "SRTP_AEAD_AES_128_GCM")]
    public async Task Echo_returns_audio_and_video_to_the_browser(string protocol, string? forcedProfile, string? expectedCipher)
    {
        var settings = new Dictionary<string, string?> { ["Sfu:EnableUdp"] = (protocol == "udp").ToString() };
        if (forcedProfile is not null) settings["Sfu:SrtpProfiles"] = forcedProfile;
        await using var api = await ApiHost.StartAsync(settings);
        var token = (await api.SignInAsync()).AccessToken;
        var page = await chromium.Browser.OpenClientAsync(api.BaseAddress);
        try
        {
            var start = await page.EvaluateAsync<JsonElement>("t => omegle.startWhip(t)", token);
            Assert.True(start.GetProperty("status").GetInt32() == 201, start.ToString());
            Assert.StartsWith("/sfu/whip/", start.GetProperty("location").GetString());
            var answer = start.GetProperty("answer").GetString()!;
            Assert.Contains("a=ice-lite", answer);
            Assert.Equal(protocol == "tcp", !answer.Contains(" udp "));

            var stats = await SfuClient.WaitForAsync(page, Flowing, MediaDeadline);
            Assert.True(Flowing(stats), $"media did not flow within {MediaDeadline.TotalSeconds} s: {stats}");
            Assert.Equal(protocol, stats.Protocol);
            Assert.Equal("connected", stats.DtlsState);
            if (expectedCipher is not null) Assert.Equal(expectedCipher, stats.SrtpCipher);

            var sfu = await SfuClient.SfuStatsAsync(api, token);
            Assert.Equal(1, sfu.GetProperty("transports").GetInt32());
            Assert.True(sfu.GetProperty("rtpPacketsOut").GetInt64() > 100);
        }
        finally
        {
            await page.EvaluateAsync("t => omegle.stop(t)", token);
            await page.CloseAsync();
        }
        var after = await SfuClient.WaitForSfuAsync(api, token, s => s.GetProperty("transports").GetInt32() == 0, TimeSpan.FromSeconds(5));
        Assert.Equal(0, after.GetProperty("transports").GetInt32());
    }

    [Fact]
    public async Task A_flood_of_garbage_datagrams_does_not_interrupt_an_echo_session()
    {
        await using var api = await ApiHost.StartAsync();
        var token = (await api.SignInAsync()).AccessToken;
        var page = await chromium.Browser.OpenClientAsync(api.BaseAddress);
        try
        {
            Assert.Equal(201, (await page.EvaluateAsync<JsonElement>("t => omegle.startWhip(t)", token)).GetProperty("status").GetInt32());
            var before = await SfuClient.WaitForAsync(page, Flowing, MediaDeadline);
            Assert.True(Flowing(before), before.ToString());

            var sfuNode = api.Services.GetService(typeof(Media.Sfu.Hosting.SfuNode)) as Media.Sfu.Hosting.SfuNode;
            var target = sfuNode!.UdpEndPoint!;
            var random = new Random(1234);
            using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                var datagram = new byte[1200];
                // Bounded: 10,000 datagrams to loopback, each with a first byte in every RFC 7983 range.
                for (var i = 0; i < 10_000; i++)
                {
                    var length = random.Next(1, datagram.Length);
                    random.NextBytes(datagram.AsSpan(0, length));
                    datagram[0] = (i % 4) switch { 0 => 0x00, 1 => (byte)random.Next(20, 64), 2 => (byte)random.Next(128, 192), _ => datagram[0] };
                    socket.SendTo(datagram.AsSpan(0, length), SocketFlags.None, target);
                    if (i % 500 == 0) await Task.Yield();
                }
            }

            var after = await SfuClient.WaitForAsync(page,
                s => s.AudioPacketsReceived > before.AudioPacketsReceived + 100 && s.VideoFramesDecoded > before.VideoFramesDecoded + 30, MediaDeadline);
            Assert.True(after.AudioPacketsReceived > before.AudioPacketsReceived + 100, $"audio stalled: {before} → {after}");
            Assert.True(after.VideoFramesDecoded > before.VideoFramesDecoded + 30, $"video stalled: {before} → {after}");
            Assert.Equal("connected", after.ConnectionState);
            var sfu = await SfuClient.SfuStatsAsync(api, token);
            Assert.True(sfu.GetProperty("unknownSourcePackets").GetInt64() + sfu.GetProperty("unclassifiedPackets").GetInt64() > 5_000, sfu.ToString());
        }
        finally
        {
            await page.EvaluateAsync("t => omegle.stop(t)", token);
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Two_hundred_sessions_opened_and_closed_leave_nothing_behind()
    {
        await using var api = await ApiHost.StartAsync();
        var token = (await api.SignInAsync()).AccessToken;
        var page = await chromium.Browser.OpenClientAsync(api.BaseAddress);
        var offer = await page.EvaluateAsync<string>("() => omegle.offerOnly()");
        await page.CloseAsync();

        for (var i = 0; i < 200; i++)
        {
            using var res = await api.Client.SendAsync(SfuClient.Whip("/sfu/whip?mode=echo", token, offer));
            Assert.Equal(HttpStatusCode.Created, res.StatusCode);
            using var del = await api.Client.SendAsync(api.Authorized(HttpMethod.Delete, res.Headers.Location!.ToString(), token));
            Assert.Equal(HttpStatusCode.OK, del.StatusCode);
        }

        var after = await SfuClient.SfuStatsAsync(api, token);
        Assert.Equal(0, after.GetProperty("transports").GetInt32());
        Assert.Equal(0, after.GetProperty("sessions").GetInt32());
        Assert.Equal(0, after.GetProperty("nativeDtlsSessions").GetInt64());
        Assert.Equal(0, after.GetProperty("nativeSrtpSessions").GetInt64());
    }
}
