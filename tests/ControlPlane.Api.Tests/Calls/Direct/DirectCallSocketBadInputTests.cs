using System.Text.Json;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Sfu;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>
/// Seed 003's call socket events with bad input: missing fields, wrong types, non-object payloads, 100 KB strings,
/// unknown and strangers' rooms, a target that is not the partner, malformed SDP. Each is answered by the error event
/// {message, code, event} with the REST endpoints' codes; the connection stays usable and the call goes on.
/// </summary>
public sealed class DirectCallSocketBadInputTests : CallPartyTests
{

    private static readonly string Big = new('x', 100 * 1024);
    private const string Candidate = "candidate:1 1 udp 2130706431 192.0.2.9 40000 typ host";

    // $S my call's room, $C my call's id, $X a stranger's room, $XC a stranger's call id, $R a random UUID,
    // $P my partner, $ME me, $SDP a valid offer (a JSON string), $BIG 100 KB of text.
    public static readonly (string Event, string Args, string Code)[] Cases =
    {
        ("join-room", "[]", "INVALID_PAYLOAD"),
        ("join-room", "[null]", "INVALID_PAYLOAD"),
        ("join-room", """["$S"]""", "INVALID_PAYLOAD"),
        ("join-room", "[42]", "INVALID_PAYLOAD"),
        ("join-room", "[true]", "INVALID_PAYLOAD"),
        ("join-room", """[["$S"]]""", "INVALID_PAYLOAD"),
        ("join-room", "[{}]", "INVALID_PAYLOAD"),
        ("join-room", """[{"userId":"$ME"}]""", "INVALID_PAYLOAD"),
        ("join-room", """[{"roomId":42}]""", "INVALID_PAYLOAD"),
        ("join-room", """[{"roomId":{"id":"$S"}}]""", "INVALID_PAYLOAD"),
        ("join-room", """[{"roomId":"room-1"}]""", "INVALID_PAYLOAD"),
        ("join-room", """[{"roomId":"$BIG"}]""", "PAYLOAD_TOO_LARGE"),
        ("join-room", """[{"roomId":"$R"}]""", "CALL_NOT_FOUND"),
        ("join-room", """[{"roomId":"$X"}]""", "CALL_NOT_FOUND"),
        ("join-room", """[{"callId":"$XC"}]""", "CALL_NOT_FOUND"),
        ("join-room", """[{"callId":"$R"}]""", "CALL_NOT_FOUND"),
        ("join-room", """[{"roomId":"$S","callId":"$XC"}]""", "INVALID_PAYLOAD"),
        ("join-room", """[{"roomId":"$S","userId":{}}]""", "INVALID_PAYLOAD"),
        ("join-room", """[{"roomId":"$S","userId":"$BIG"}]""", "PAYLOAD_TOO_LARGE"),

        ("webrtc-offer", """[{"roomId":"$S"}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"offer":$SDP}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":null}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":5}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":[$SDP]}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":""}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":"   "}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":{"type":"offer"}}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":{"type":"offer","sdp":7}}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":{"type":"answer","sdp":$SDP}}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":{"type":"offer","sdp":"   "}}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":"v=0\r\nnonsense"}]""", "SDP_INVALID"),
        ("webrtc-offer", """[{"roomId":"$S","offer":{"type":"offer","sdp":"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"}}]""", "SDP_INVALID"),
        ("webrtc-offer", """[{"roomId":"$S","offer":"$BIG"}]""", "PAYLOAD_TOO_LARGE"),
        ("webrtc-offer", """[{"roomId":"$S","offer":{"type":"offer","sdp":"$BIG"}}]""", "PAYLOAD_TOO_LARGE"),
        ("webrtc-offer", """[{"roomId":"$S","offer":$SDP,"targetUserId":"$R"}]""", "INVALID_TARGET"),
        ("webrtc-offer", """[{"roomId":"$S","offer":$SDP,"targetUserId":"$ME"}]""", "INVALID_TARGET"),
        ("webrtc-offer", """[{"roomId":"$S","offer":$SDP,"targetUserId":"partner"}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$S","offer":$SDP,"targetUserId":["$P"]}]""", "INVALID_PAYLOAD"),
        ("webrtc-offer", """[{"roomId":"$X","offer":$SDP}]""", "CALL_NOT_FOUND"),
        ("webrtc-offer", """[{"roomId":"$R","offer":$SDP}]""", "CALL_NOT_FOUND"),

        ("webrtc-answer", """[{"roomId":"$S","answer":$SDP}]""", "NO_PENDING_OFFER"),
        ("webrtc-answer", """[{"roomId":"$S","answer":{"type":"offer","sdp":$SDP}}]""", "INVALID_PAYLOAD"),
        ("webrtc-answer", """[{"roomId":"$S","answer":null}]""", "INVALID_PAYLOAD"),
        ("webrtc-answer", """[{"roomId":"$S","offer":$SDP}]""", "INVALID_PAYLOAD"),
        ("webrtc-answer", """[{"roomId":"$S","answer":"$BIG"}]""", "PAYLOAD_TOO_LARGE"),
        ("webrtc-answer", """[{"roomId":"$S","answer":$SDP,"targetUserId":"$R"}]""", "INVALID_TARGET"),
        ("webrtc-answer", """[{"roomId":"$X","answer":$SDP}]""", "CALL_NOT_FOUND"),
        ("webrtc-answer", """[$SDP]""", "INVALID_PAYLOAD"),

        ("ice-candidate", """[{"roomId":"$S"}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"candidate":"$CAND"}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":5}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":[]}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":{}}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":{"candidate":5}}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":{"candidate":"$CAND","sdpMLineIndex":"zero"}}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":{"candidate":"$CAND","sdpMid":0}}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":"hello"}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":"$CAND\r\na=evil"}]""", "INVALID_PAYLOAD"),
        ("ice-candidate", """[{"roomId":"$S","candidate":"$BIG"}]""", "PAYLOAD_TOO_LARGE"),
        ("ice-candidate", """[{"roomId":"$S","candidate":{"candidate":"$BIG"}}]""", "PAYLOAD_TOO_LARGE"),
        ("ice-candidate", """[{"roomId":"$S","candidate":"$CAND","targetUserId":"$R"}]""", "INVALID_TARGET"),
        ("ice-candidate", """[{"roomId":"$X","candidate":"$CAND"}]""", "CALL_NOT_FOUND"),
        ("ice-candidate", """[{"roomId":"$R","candidate":"$CAND"}]""", "CALL_NOT_FOUND"),

        ("call-end", "[]", "INVALID_PAYLOAD"),
        ("call-end", """["$S"]""", "INVALID_PAYLOAD"),
        ("call-end", "[{}]", "INVALID_PAYLOAD"),
        ("call-end", """[{"roomId":null}]""", "INVALID_PAYLOAD"),
        ("call-end", """[{"roomId":"$BIG"}]""", "PAYLOAD_TOO_LARGE"),
        ("call-end", """[{"roomId":"$R"}]""", "CALL_NOT_FOUND"),
        ("call-end", """[{"roomId":"$X"}]""", "CALL_NOT_FOUND"),
        ("call-end", """[{"callId":"$XC","userId":"$ME"}]""", "CALL_NOT_FOUND"),
        ("call-end", """[{"roomId":"$S","callId":"$R"}]""", "INVALID_PAYLOAD"),
        ("call-end", """[{"roomId":"$S","userId":5}]""", "INVALID_PAYLOAD"),
    };

    [Fact]
    public async Task Every_bad_call_event_gets_an_error_with_its_code_and_the_connection_and_the_call_go_on()
    {
        var me = await PartyAsync();
        var partner = await PartyAsync();
        var callId = await me.CallAsync(partner);
        await partner.Hub.WaitAsync("incoming-call");
        var accepted = await partner.OkAsync($"/api/calls/{callId}/accept");
        var room = accepted.Str("roomId");
        var sfuOffer = accepted.GetProperty("offer").Str("sdp");

        var stranger = await PartyAsync();
        var strangersPartner = await PartyAsync();
        var strangerCall = await stranger.CallAsync(strangersPartner);
        var strangerRoom = (await stranger.GetCallAsync(strangerCall)).Str("roomId");

        var failures = new List<string>();
        foreach (var (name, args, code) in Cases)
        {
            var json = args.Replace("$SDP", JsonSerializer.Serialize(WhipApiTests.Offer)).Replace("$BIG", Big).Replace("$CAND", Candidate)
                .Replace("$XC", strangerCall.ToString()).Replace("$X", strangerRoom).Replace("$S", room).Replace("$C", callId.ToString())
                .Replace("$R", Guid.NewGuid().ToString()).Replace("$P", partner.Id.ToString()).Replace("$ME", me.Id.ToString());
            var what = $"{name} {args[..Math.Min(args.Length, 90)]}";
            try
            {
                await me.Hub.SendRawAsync($$"""{"type":1,"target":"{{name}}","arguments":{{json}}}""");
                var error = await me.Hub.WaitAsync("error");
                Assert.Equal(code, error.Str("code"));
                Assert.Equal(name, error.Str("event"));
                Assert.False(string.IsNullOrWhiteSpace(error.Str("message")));
                Assert.True(error.Str("message").Length < 500, "the message does not echo the payload");
                // Still usable: a valid event is processed (and raises no error, which the next case would see).
                await me.Hub.InvokeAsync("ice-candidate", new { roomId = room, candidate = Candidate, targetUserId = partner.Id });
            }
            catch (Exception e) { failures.Add($"{what}: {e.Message}"); }
            Assert.True(me.Hub.IsOpen, what);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        await me.Hub.AssertNoEventAsync("error", TimeSpan.FromMilliseconds(200));

        // Nothing happened to either call; the partner heard nothing; the call still works over the socket.
        Assert.Equal("answered", (await me.GetCallAsync(callId)).Str("status"));
        Assert.Equal("ringing", (await stranger.GetCallAsync(strangerCall)).Str("status"));
        foreach (var name in new[] { "error", "ice-candidate", "call-ended", "user-joined" })
            await partner.Hub.AssertNoEventAsync(name, TimeSpan.Zero);
        await stranger.Hub.AssertNoEventAsync("error", TimeSpan.Zero);

        await me.Hub.InvokeAsync("webrtc-offer", new { roomId = room, offer = WhipApiTests.Offer, targetUserId = partner.Id });
        Assert.Equal(partner.Id, (await me.Hub.WaitAsync("webrtc-answer")).Id("fromUserId"));
        Assert.Equal(me.Id, (await partner.Hub.WaitAsync("user-joined")).Id("userId"));
        await partner.Hub.InvokeAsync("webrtc-answer", new { roomId = room, answer = new { type = "answer", sdp = CallParty.AnswerTo(sfuOffer) } });
        Assert.Equal(partner.Id, (await me.Hub.WaitAsync("user-joined")).Id("userId"));
        await me.Hub.InvokeAsync("call-end", new { roomId = room });
        Assert.Equal("completed", (await partner.Hub.WaitAsync("call-ended")).Str("reason"));
    }
}
