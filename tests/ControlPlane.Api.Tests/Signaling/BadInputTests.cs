using ControlPlane.Api.Chat;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Tests.Support;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Signaling;

public sealed class BadInputHost : IAsyncLifetime
{
    public HubHost Host { get; private set; } = null!;
    public async Task InitializeAsync() => Host = await HubHost.StartAsync();
    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Every hub method with bad input: missing or wrongly typed fields, 1 MB strings, unknown session ids, calls out
/// of order. Each must answer with its seed's error event and a code, keep the connection usable, and store nothing.
/// </summary>
public sealed class BadInputTests(BadInputHost fixture) : IClassFixture<BadInputHost>
{
    private static readonly string Big = new('x', 1_000_000);
    private HubHost Host => fixture.Host;

    // context: alone (no queue, no room), video (seed 000 room), text, voice. $S room id, $P partner, $R random UUID, $BIG 1 MB.
    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        { "alone", "join-queue", "[5]", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"region":5}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"region":"$BIG"}]""", "error", "PAYLOAD_TOO_LARGE" },
        { "alone", "join-queue", """[{"region":"eu west"}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"gender":"robot"}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"genderPreference":true}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"preferences":{"chatType":"hologram"}}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"preferences":{"minTier":"high"}}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"preferences":{"minTier":1.5}}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"preferences":{"interests":"music"}}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "join-queue", """[{"preferences":{"interests":["$BIG"]}}]""", "error", "PAYLOAD_TOO_LARGE" },
        { "alone", "join-queue", """[{"preferences":[1,2]}]""", "error", "INVALID_PAYLOAD" },
        { "alone", "leave-queue", "[]", "error", "NOT_IN_QUEUE" },
        { "alone", "leave-queue", """["now"]""", "error", "INVALID_PAYLOAD" },
        { "alone", "send-offer", """[{"sessionId":"$R","data":{"type":"offer","sdp":"v=0"}}]""", "error", "SESSION_NOT_FOUND" },
        { "video", "send-offer", "[]", "error", "INVALID_PAYLOAD" },
        { "video", "send-offer", """[{"data":{"type":"offer","sdp":"v=0"}}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-offer", """[{"sessionId":"not-a-uuid","data":{"type":"offer","sdp":"v=0"}}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-offer", """[{"sessionId":"$BIG","data":{"type":"offer","sdp":"v=0"}}]""", "error", "PAYLOAD_TOO_LARGE" },
        { "video", "send-offer", """[{"sessionId":"$R","data":{"type":"offer","sdp":"v=0"}}]""", "error", "SESSION_NOT_FOUND" },
        { "video", "send-offer", """[{"sessionId":"$S","data":"v=0"}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-offer", """[{"sessionId":"$S","data":{"type":"answer","sdp":"v=0"}}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-offer", """[{"sessionId":"$S","data":{"type":"offer","sdp":"$BIG"}}]""", "error", "PAYLOAD_TOO_LARGE" },
        { "video", "send-answer", """[{"sessionId":"$S","data":{"type":"answer"}}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-answer", """[{"sessionId":42,"data":{"type":"answer","sdp":"v=0"}}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-candidate", """[{"sessionId":"$S","data":{"candidate":5}}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-candidate", """[{"sessionId":"$S"}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-candidate", """[{"sessionId":"$S","data":{"candidate":"c","sdpMLineIndex":"zero"}}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-message", """[{"sessionId":"$S"}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-message", """[{"sessionId":"$S","message":42}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-message", """[{"sessionId":"$S","message":"$BIG"}]""", "error", "MESSAGE_TOO_LONG" },
        { "video", "send-message", """[{"sessionId":"$S","message":"hi","sender":"$BIG"}]""", "error", "PAYLOAD_TOO_LARGE" },
        { "video", "send-message", """[{"sessionId":"$S","message":"   "}]""", "error", "INVALID_MESSAGE" },
        { "video", "send-message", """[{"sessionId":"$R","message":"hi"}]""", "error", "SESSION_NOT_FOUND" },
        { "alone", "send-message", """[{"sessionId":"$R","message":"hi"}]""", "error", "SESSION_NOT_FOUND" },
        { "video", "send-reaction", """[{"sessionId":"$S","emoji":""}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-reaction", """[{"sessionId":"$S","emoji":"$BIG"}]""", "error", "PAYLOAD_TOO_LARGE" },
        { "video", "send-reaction", """[{"sessionId":"$S","emoji":"👍","timestamp":"now"}]""", "error", "INVALID_PAYLOAD" },
        { "video", "send-reaction", """[{"sessionId":"$R","emoji":"👍"}]""", "error", "SESSION_NOT_FOUND" },
        { "video", "end-call", "[{}]", "error", "INVALID_PAYLOAD" },
        { "video", "end-call", """[{"sessionId":"$R"}]""", "error", "SESSION_NOT_FOUND" },
        { "alone", "end-call", """[{"sessionId":"$R"}]""", "error", "SESSION_NOT_FOUND" },

        { "alone", "join_text_queue", """["text"]""", "text_chat_error", "INVALID_PAYLOAD" },
        { "alone", "join_text_queue", """[{"interests":[1]}]""", "text_chat_error", "INVALID_PAYLOAD" },
        { "alone", "leave_text_queue", "[]", "text_chat_error", "NOT_IN_QUEUE" },
        { "alone", "send_text_message", """[{"content":"hi"}]""", "text_chat_error", "NO_ACTIVE_ROOM" },
        { "video", "send_text_message", """[{"content":"hi"}]""", "text_chat_error", "NO_ACTIVE_ROOM" },
        { "text", "send_text_message", "[]", "text_chat_error", "INVALID_PAYLOAD" },
        { "text", "send_text_message", """[{"content":null}]""", "text_chat_error", "INVALID_PAYLOAD" },
        { "text", "send_text_message", """[{"content":["a"]}]""", "text_chat_error", "INVALID_PAYLOAD" },
        { "text", "send_text_message", """[{"content":"$BIG"}]""", "text_chat_error", "MESSAGE_TOO_LONG" },
        { "text", "send_text_message", """[{"content":"<b></b>"}]""", "text_chat_error", "INVALID_MESSAGE" },
        { "alone", "text_typing_start", "[{}]", "text_chat_error", "NO_ACTIVE_ROOM" },
        { "text", "text_typing_start", "[42]", "text_chat_error", "INVALID_PAYLOAD" },
        { "alone", "text_typing_stop", "[]", "text_chat_error", "NO_ACTIVE_ROOM" },
        { "alone", "leave_text_room", "[]", "text_chat_error", "NO_ACTIVE_ROOM" },
        { "voice", "leave_text_room", "[]", "text_chat_error", "NO_ACTIVE_ROOM" },
        { "alone", "report_text_chat", """[{"reportedUserId":"$R","violationType":"spam"}]""", "text_chat_error", "NO_ACTIVE_ROOM" },
        { "text", "report_text_chat", """[{"violationType":"spam"}]""", "text_chat_error", "INVALID_PAYLOAD" },
        { "text", "report_text_chat", """[{"reportedUserId":"$P","violationType":"rude"}]""", "text_chat_error", "INVALID_PAYLOAD" },
        { "text", "report_text_chat", """[{"reportedUserId":"$P","violationType":5}]""", "text_chat_error", "INVALID_PAYLOAD" },
        { "text", "report_text_chat", """[{"reportedUserId":"$R","violationType":"spam"}]""", "text_chat_error", "INVALID_TARGET" },
        { "text", "report_text_chat", """[{"reportedUserId":"$P","violationType":"spam","description":"$BIG"}]""", "text_chat_error", "PAYLOAD_TOO_LARGE" },
        { "alone", "attempt_text_reconnect", "[5]", "text_chat_error", "INVALID_PAYLOAD" },

        { "alone", "join_voice_queue", """[{"maxBitrate":"fast"}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "alone", "join_voice_queue", """[{"maxBitrate":100000}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "alone", "leave_voice_queue", "[]", "voice_chat_error", "NOT_IN_QUEUE" },
        { "alone", "voice_webrtc_signal", """[{"type":"offer","roomId":"$R","targetId":"$R","payload":{"sdp":{"type":"offer","sdp":"v=0"}}}]""", "voice_chat_error", "SESSION_NOT_FOUND" },
        { "voice", "voice_webrtc_signal", """[{"type":"hello","roomId":"$S","targetId":"$P","payload":{}}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "voice", "voice_webrtc_signal", """[{"type":"offer","roomId":"$S","targetId":"$P"}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "voice", "voice_webrtc_signal", """[{"type":"offer","roomId":"$S","payload":{"sdp":{"sdp":"v=0"}}}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "voice", "voice_webrtc_signal", """[{"type":"offer","roomId":"$S","targetId":"$P","payload":{"sdp":"$BIG"}}]""", "voice_chat_error", "PAYLOAD_TOO_LARGE" },
        { "voice", "voice_webrtc_signal", """[{"type":"ice-candidate","roomId":"$S","targetId":"$P","payload":{"candidate":{}}}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "voice", "voice_webrtc_signal", """[{"type":"offer","roomId":"$R","targetId":"$P","payload":{"sdp":{"sdp":"v=0"}}}]""", "voice_chat_error", "SESSION_NOT_FOUND" },
        { "voice", "voice_muted", "[{}]", "voice_chat_error", "INVALID_PAYLOAD" },
        { "voice", "voice_muted", """[{"isMuted":"yes"}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "alone", "voice_muted", """[{"isMuted":true}]""", "voice_chat_error", "NO_ACTIVE_ROOM" },
        { "text", "leave_voice_room", "[]", "voice_chat_error", "NO_ACTIVE_ROOM" },
        { "voice", "report_voice_chat", """[{"reportedUserId":"$P"}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "voice", "voice_metrics", """[{"packetLoss":250}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "voice", "voice_metrics", """[{"jitter":"x"}]""", "voice_chat_error", "INVALID_PAYLOAD" },
        { "voice", "voice_metrics", """[{"iceConnectionState":"$BIG"}]""", "voice_chat_error", "PAYLOAD_TOO_LARGE" },
        { "alone", "voice_metrics", """[{"jitter":1}]""", "voice_chat_error", "NO_ACTIVE_ROOM" },
        { "alone", "attempt_voice_reconnect", """["x"]""", "voice_chat_error", "INVALID_PAYLOAD" },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Bad_input_gets_an_error_event_with_a_code_and_changes_nothing(string context, string method, string args, string errorEvent, string code)
    {
        var (me, partner, room) = await SetUpAsync(context);
        var json = args.Replace("$S", room?.ToString() ?? "").Replace("$P", partner?.DeviceId.ToString() ?? "")
            .Replace("$R", Guid.NewGuid().ToString()).Replace("$BIG", Big);
        await me.SendRawAsync($$"""{"type":1,"target":"{{method}}","arguments":{{json}}}""");
        var error = await me.WaitAsync(errorEvent);
        Assert.Equal(code, error.Str("code"));
        Assert.False(string.IsNullOrWhiteSpace(error.Str("message")));
        Assert.Equal(method, error.Str("event"));

        // Nothing stored.
        Assert.Equal(0L, await Sql.ScalarAsync<long>(Host.Api.DatabaseUrl, "SELECT count(*) FROM reports WHERE reporter_id = @d", ("d", me.DeviceId)));
        if (room is null)
            Assert.Null(await Host.Service<IMatchQueue>().FindAsync(me.DeviceId));
        else
        {
            Assert.Equal(room, (await Host.Service<IRoomStore>().FindByDeviceAsync(me.DeviceId))?.Id);
            Assert.Empty(await Host.Service<IRoomStore>().RecentMessagesAsync(room.Value));
        }

        // Still usable.
        Assert.True(me.IsOpen);
        switch (context)
        {
            case "alone":
                await me.InvokeAsync("join_text_queue");
                await me.WaitAsync("text_queue_joined");
                await me.InvokeAsync("leave_text_queue");
                await me.WaitAsync("text_queue_left");
                break;
            case "video":
                await me.InvokeAsync("send-message", new { sessionId = room, message = "still here" });
                Assert.Equal("still here", (await partner!.WaitAsync("message")).Str("message"));
                break;
            case "text":
                await me.InvokeAsync("send_text_message", new { content = "still here" });
                Assert.Equal("still here", (await partner!.WaitAsync("text_message_received")).Str("content"));
                break;
            case "voice":
                await me.InvokeAsync("voice_muted", new { isMuted = false });
                Assert.Equal(me.DeviceId, (await partner!.WaitAsync("voice_partner_muted")).Id("partnerId"));
                break;
        }
    }

    [Fact]
    public async Task Invocations_with_ids_complete_after_the_error_event()
    {
        var c = await Host.ConnectAsync();
        await c.InvokeAsync("send_text_message", 1, 2, 3);
        Assert.Equal("INVALID_PAYLOAD", (await c.WaitAsync("text_chat_error")).Str("code"));
        await c.InvokeAsync("join-queue");
        await c.WaitAsync("queue-joined");
    }

    private async Task<(SignalingClient Me, SignalingClient? Partner, Guid? Room)> SetUpAsync(string context)
    {
        var me = await Host.ConnectAsync();
        if (context == "alone") return (me, null, null);
        var partner = await Host.ConnectAsync();
        // A distinct region keeps concurrent cases apart in the shared queues.
        var region = "r" + Guid.NewGuid().ToString("N")[..12];
        var (join, found, idField) = context switch
        {
            "text" => ("join_text_queue", "text_match_found", "roomId"),
            "voice" => ("join_voice_queue", "voice_match_found", "roomId"),
            _ => ("join-queue", "matched", "sessionId"),
        };
        await me.InvokeAsync(join, new { region });
        await partner.InvokeAsync(join, new { region });
        var room = (await me.WaitAsync(found)).Id(idField);
        await partner.WaitAsync(found);
        return (me, partner, room);
    }
}
