using ControlPlane.Api.Tests.Support;
using Media.Sfu.Hosting;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Calls;

/// <summary>
/// Matched calls in SFU mode at the signaling level (the media itself is proven with Chromium in EndToEnd.Tests):
/// what the SFU answers for bad descriptions, candidates, text chats, and a deployment with no SFU node.
/// </summary>
public sealed class MediaCallSignalingTests
{
    private static Task<HubHost> StartAsync(bool sfuRunning, bool fallback = false) => HubHost.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Sfu:Enabled"] = sfuRunning ? "true" : "false",
        ["CallMedia:Mode"] = "sfu",
        ["CallMedia:P2pFallback"] = fallback ? "true" : "false",
    });

    private static async Task<(SignalingClient A, SignalingClient B, string Session)> PairAsync(HubHost host, string chatType)
    {
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join-queue", new { preferences = new { chatType } });
        await b.InvokeAsync("join-queue", new { preferences = new { chatType } });
        var session = (await a.WaitAsync("matched")).Str("sessionId");
        await b.WaitAsync("matched");
        return (a, b, session);
    }

    [Fact]
    public async Task The_sfu_offers_to_the_waiting_side_and_refuses_what_it_cannot_use()
    {
        await using var host = await StartAsync(sfuRunning: true);
        var node = host.Service<SfuNode>();
        var (a, b, session) = await PairAsync(host, "video");
        Assert.Equal(session, Assert.Single(node.Rooms).Id);

        // B waited, so it is not the initiator: the SFU offers to it, audio and video, ICE-lite, in its own name.
        var offer = await b.WaitAsync("offer");
        Assert.Equal("sfu", offer.Str("via"));
        Assert.Equal(a.DeviceId, offer.Id("from"));
        var sdp = offer.GetProperty("offer").Str("sdp");
        Assert.Contains("m=audio", sdp);
        Assert.Contains("m=video", sdp);
        Assert.Contains("a=ice-lite", sdp);
        Assert.Contains("a=setup:actpass", sdp);

        // An offer that is not SDP is refused with the seed's error event; nothing reaches the partner.
        await a.SendAsync("send-offer", new { sessionId = session, data = new { type = "offer", sdp = "v=0\r\nnot sdp" } });
        var error = await a.WaitAsync("error");
        Assert.Equal("INVALID_PAYLOAD", error.Str("code"));
        Assert.Equal("send-offer", error.Str("event"));
        await b.AssertNoEventAsync("answer", TimeSpan.FromMilliseconds(200));

        // A has no SFU offer to answer.
        await a.SendAsync("send-answer", new { sessionId = session, data = new { type = "answer", sdp = "v=0" } });
        Assert.Equal("INVALID_PAYLOAD", (await a.WaitAsync("error", match: e => e.Str("event") == "send-answer")).Str("code"));

        // Candidates are accepted and not relayed: the SFU learns paths from connectivity checks.
        await a.SendAsync("send-candidate", new { sessionId = session, data = new { candidate = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", sdpMid = "0", sdpMLineIndex = 0 } });
        await b.AssertNoEventAsync("candidate", TimeSpan.FromMilliseconds(200));
        await a.AssertNoEventAsync("error", TimeSpan.FromMilliseconds(100));

        await a.SendAsync("end-call", new { sessionId = session });
        await b.WaitAsync("peer-disconnected");
        for (var i = 0; i < 20 && node.Rooms.Count > 0; i++) await Task.Delay(50);
        Assert.Empty(node.Rooms);
        Assert.Equal(0, node.Transports.Count);
    }

    [Fact]
    public async Task Text_chats_never_touch_the_sfu()
    {
        await using var host = await StartAsync(sfuRunning: true);
        var (_, b, _) = await PairAsync(host, "text");
        Assert.Empty(host.Service<SfuNode>().Rooms);
        await b.AssertNoEventAsync("offer", TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Without_an_sfu_node_a_call_ends_at_once_unless_peer_to_peer_fallback_is_allowed()
    {
        await using (var host = await StartAsync(sfuRunning: false))
        {
            var a = await host.ConnectAsync();
            var b = await host.ConnectAsync();
            await a.InvokeAsync("join-queue", new { preferences = new { chatType = "audio" } });
            await b.InvokeAsync("join-queue", new { preferences = new { chatType = "audio" } });
            var session = (await a.WaitAsync("matched")).Str("sessionId");
            Assert.Equal(session, (await a.WaitAsync("peer-disconnected")).Str("sessionId"));
            Assert.Equal(session, (await b.WaitAsync("peer-disconnected")).Str("sessionId"));
        }

        await using (var host = await StartAsync(sfuRunning: false, fallback: true))
        {
            var (a, b, session) = await PairAsync(host, "audio");
            await a.SendAsync("send-offer", new { sessionId = session, data = new { type = "offer", sdp = "v=0" } });
            var relayed = await b.WaitAsync("offer");
            Assert.Equal(a.DeviceId, relayed.Id("from"));
            Assert.False(relayed.TryGetProperty("via", out _));
        }
    }
}
