using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Chat;

/// <summary>Seed 004's voice chat through the hub, and voice users meeting seed 000 audio users.</summary>
public sealed class VoiceChatTests
{
    private const string Sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";

    private static async Task<(SignalingClient A, SignalingClient B, string Room)> PairAsync(HubHost host, int bitrateA = 64, int bitrateB = 64)
    {
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join_voice_queue", new { maxBitrate = bitrateA });
        await b.InvokeAsync("join_voice_queue", new { maxBitrate = bitrateB });
        var found = await a.WaitAsync("voice_match_found");
        await b.WaitAsync("voice_match_found");
        return (a, b, found.Str("roomId"));
    }

    [Fact]
    public async Task Matched_voice_users_learn_the_room_partner_and_bitrate()
    {
        await using var host = await HubHost.StartAsync();
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join_voice_queue", new { maxBitrate = 32 });
        var queued = await a.WaitAsync("voice_queue_joined");
        Assert.Equal(1, queued.GetProperty("position").GetInt32());
        Assert.True(queued.GetProperty("estimatedWaitTime").GetInt32() >= 1);
        await b.InvokeAsync("join_voice_queue");
        var fa = await a.WaitAsync("voice_match_found");
        var fb = await b.WaitAsync("voice_match_found");
        Assert.Equal(fa.Str("roomId"), fb.Str("roomId"));
        Assert.Equal(b.DeviceId, fa.Id("partnerId"));
        Assert.Equal(a.DeviceId, fb.Id("partnerId"));
        Assert.Equal(32, fa.GetProperty("maxBitrate").GetInt32());
        Assert.Equal(32, fb.GetProperty("maxBitrate").GetInt32());
        Assert.True(fa.GetProperty("initiator").GetBoolean());
    }

    [Fact]
    public async Task Signals_are_relayed_to_the_named_partner_only()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, room) = await PairAsync(host);
        await a.SendAsync("voice_webrtc_signal", new { type = "offer", roomId = room, targetId = b.DeviceId, payload = new { sdp = new { type = "offer", sdp = Sdp } } });
        var offer = await b.WaitAsync("voice_webrtc_signal");
        Assert.Equal("offer", offer.Str("type"));
        Assert.Equal(room, offer.Str("roomId"));
        Assert.Equal(a.DeviceId, offer.Id("senderId"));
        Assert.Equal(Sdp, offer.GetProperty("payload").GetProperty("sdp").Str("sdp"));

        await b.SendAsync("voice_webrtc_signal", new { type = "ice-candidate", roomId = room, targetId = a.DeviceId, payload = new { candidate = new { candidate = "candidate:1 1 udp 1 127.0.0.1 4000 typ host", sdpMLineIndex = 0, sdpMid = "0" } } });
        var ice = await a.WaitAsync("voice_webrtc_signal");
        Assert.Equal("ice-candidate", ice.Str("type"));
        Assert.Equal("0", ice.GetProperty("payload").GetProperty("candidate").Str("sdpMid"));

        await a.SendAsync("voice_webrtc_signal", new { type = "answer", roomId = room, targetId = Guid.NewGuid(), payload = new { sdp = new { type = "answer", sdp = Sdp } } });
        var error = await a.WaitAsync("voice_chat_error");
        Assert.Equal("INVALID_TARGET", error.Str("code"));
        Assert.StartsWith("Invalid target user", error.Str("message"));
        await b.AssertNoEventAsync("voice_webrtc_signal", TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Mute_metrics_and_leaving()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, room) = await PairAsync(host);
        await a.SendAsync("voice_muted", new { isMuted = true });
        var muted = await b.WaitAsync("voice_partner_muted");
        Assert.Equal(a.DeviceId, muted.Id("partnerId"));
        Assert.True(muted.GetProperty("isMuted").GetBoolean());

        await a.InvokeAsync("voice_metrics", new { packetLoss = 1.2, jitter = 15.5, currentBitrate = 48, averageBitrate = 52, iceConnectionState = "connected", callDuration = 120 });
        await Task.Delay(1100);
        await a.SendAsync("leave_voice_room");
        var mine = await a.WaitAsync("voice_room_ended");
        Assert.Equal("user_left", mine.Str("reason"));
        Assert.Equal(room, mine.Str("roomId"));
        var session = mine.GetProperty("session");
        Assert.InRange(session.GetProperty("duration").GetInt64(), 1, 3);
        Assert.Equal(15.5, session.GetProperty("metrics").GetProperty("jitter").GetDouble());
        var theirs = await b.WaitAsync("voice_room_ended");
        Assert.Equal("partner_left", theirs.Str("reason"));
        Assert.Equal(JsonValueKind.Null, theirs.GetProperty("session").GetProperty("metrics").ValueKind);
    }

    [Fact]
    public async Task Reconnect_renegotiates_and_tells_the_partner()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, room) = await PairAsync(host);
        await a.SendAsync("attempt_voice_reconnect");
        var back = await a.WaitAsync("voice_reconnected");
        Assert.Equal(room, back.Str("roomId"));
        Assert.Equal(b.DeviceId, back.Id("partnerId"));
        Assert.Equal(1, back.GetProperty("metrics").GetProperty("reconnectAttempts").GetInt32());
        Assert.Equal(a.DeviceId, (await b.WaitAsync("voice_partner_reconnected")).Id("partnerId"));

        a.Abort();
        Assert.Equal("partner_disconnected", (await b.WaitAsync("voice_partner_disconnected", TimeSpan.FromSeconds(5))).Str("reason"));
        var a2 = await host.ConnectAsync(a.DeviceId);
        await a2.SendAsync("attempt_voice_reconnect");
        Assert.Equal(2, (await a2.WaitAsync("voice_reconnected")).GetProperty("metrics").GetProperty("reconnectAttempts").GetInt32());
        await b.WaitAsync("voice_partner_reconnected");

        var stranger = await host.ConnectAsync();
        await stranger.SendAsync("attempt_voice_reconnect");
        await stranger.WaitAsync("voice_reconnect_failed");
    }

    [Fact]
    public async Task Ice_that_stays_failed_ends_the_call_with_connection_failed()
    {
        await using var host = await HubHost.StartAsync(settings: new Dictionary<string, string?> { ["Chat:ReconnectWindowSeconds"] = "1" });
        var (a, b, _) = await PairAsync(host);
        await a.SendAsync("voice_metrics", new { iceConnectionState = "failed", packetLoss = 100 });
        Assert.Equal("connection_failed", (await a.WaitAsync("voice_room_ended", TimeSpan.FromSeconds(5))).Str("reason"));
        Assert.Equal("connection_failed", (await b.WaitAsync("voice_room_ended", TimeSpan.FromSeconds(5))).Str("reason"));
    }

    [Fact]
    public async Task Ice_that_recovers_keeps_the_call()
    {
        await using var host = await HubHost.StartAsync(settings: new Dictionary<string, string?> { ["Chat:ReconnectWindowSeconds"] = "1" });
        var (a, b, _) = await PairAsync(host);
        await a.InvokeAsync("voice_metrics", new { iceConnectionState = "failed" });
        await a.InvokeAsync("voice_metrics", new { iceConnectionState = "connected" });
        await b.AssertNoEventAsync("voice_room_ended", TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Voice_users_and_seed_000_audio_users_understand_each_other()
    {
        await using var host = await HubHost.StartAsync();
        var omegle = await host.ConnectAsync();
        var voice = await host.ConnectAsync();
        await omegle.InvokeAsync("join-queue", new { preferences = new { chatType = "audio" } });
        await voice.InvokeAsync("join_voice_queue", new { maxBitrate = 48 });
        var matched = await omegle.WaitAsync("matched");
        Assert.Equal("audio", matched.Str("chatType"));
        var room = (await voice.WaitAsync("voice_match_found")).Str("roomId");
        Assert.Equal(room, matched.Str("sessionId"));

        await voice.SendAsync("voice_webrtc_signal", new { type = "offer", roomId = room, targetId = omegle.DeviceId, payload = new { sdp = new { type = "offer", sdp = Sdp } } });
        var offer = await omegle.WaitAsync("offer");
        Assert.Equal(Sdp, offer.GetProperty("offer").Str("sdp"));
        Assert.Equal(voice.DeviceId, offer.Id("from"));
        await omegle.SendAsync("send-answer", new { sessionId = room, type = "answer", data = new { type = "answer", sdp = Sdp } });
        var answer = await voice.WaitAsync("voice_webrtc_signal");
        Assert.Equal("answer", answer.Str("type"));
        Assert.Equal("answer", answer.GetProperty("payload").GetProperty("sdp").Str("type"));
        await omegle.SendAsync("send-candidate", new { sessionId = room, data = new { candidate = "candidate:2", sdpMLineIndex = 0 } });
        Assert.Equal("ice-candidate", (await voice.WaitAsync("voice_webrtc_signal")).Str("type"));

        await omegle.SendAsync("end-call", new { sessionId = room });
        await omegle.WaitAsync("call-ended");
        Assert.Equal("partner_left", (await voice.WaitAsync("voice_room_ended")).Str("reason"));
    }
}
