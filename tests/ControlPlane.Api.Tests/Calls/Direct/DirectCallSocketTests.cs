using System.Text.Json;
using ControlPlane.Api.Calls.Direct;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Sfu;
using ControlPlane.Api.Tests.Support;
using Media.Sfu.Hosting;
using Media.Sfu.Sdp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>
/// Seed 003's client socket events (join-room, webrtc-offer, webrtc-answer, ice-candidate, call-end) on /signaling,
/// end to end on the real control plane, PostgreSQL and the in-process SFU.
/// </summary>
public sealed class DirectCallSocketTests : CallPartyTests
{

    private const string HostCandidate = "candidate:842163049 1 udp 1677729535 192.0.2.7 50000 typ srflx raddr 10.0.0.7 rport 50000";

    [Fact]
    public async Task A_call_initiated_and_accepted_over_REST_runs_on_socket_events_alone_and_call_end_ends_it_for_both()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var started = await caller.OkAsync("/api/calls/initiate", new { receiverId = receiver.Id.ToString(), callType = "video" });
        var callId = Guid.Parse(started.GetProperty("callId").GetString()!);
        var roomId = started.GetProperty("roomId").GetString()!;
        await receiver.Hub.WaitAsync("incoming-call", match: e => Is(e, callId));

        // While it rings the caller may join its room; the receiver must accept first; nobody may offer yet.
        await caller.Hub.InvokeAsync("join-room", new { roomId, userId = caller.Id });
        await receiver.Hub.InvokeAsync("join-room", new { roomId, userId = receiver.Id });
        var early = await receiver.Hub.WaitAsync("error");
        Assert.Equal("CALL_NOT_ACTIVE", early.Str("code"));
        Assert.Equal("join-room", early.Str("event"));
        await caller.Hub.InvokeAsync("webrtc-offer", new { roomId, offer = new { type = "offer", sdp = WhipApiTests.Offer }, targetUserId = receiver.Id });
        Assert.Equal("CALL_NOT_ACTIVE", (await caller.Hub.WaitAsync("error")).Str("code"));
        await caller.Hub.AssertNoEventAsync("user-joined", TimeSpan.FromMilliseconds(100));

        var accepted = await receiver.OkAsync($"/api/calls/{callId}/accept");
        var sfuOffer = accepted.GetProperty("offer").GetProperty("sdp").GetString()!;
        await caller.Hub.WaitAsync("call-accepted", match: e => Is(e, callId));
        Assert.Equal(sfuOffer, (await receiver.Hub.WaitAsync("webrtc-offer")).GetProperty("offer").GetProperty("sdp").GetString());

        // join-room after accepting: the receiver gets the SFU's offer again — the same one, so answering either copy works.
        await receiver.Hub.InvokeAsync("join-room", new { roomId, userId = receiver.Id });
        var again = await receiver.Hub.WaitAsync("webrtc-offer");
        Assert.Equal(sfuOffer, again.GetProperty("offer").GetProperty("sdp").GetString());
        Assert.Equal("offer", again.GetProperty("offer").GetProperty("type").GetString());
        Assert.Equal(caller.Id, again.Id("fromUserId"));
        Assert.Equal(roomId, again.Str("roomId"));
        await caller.Hub.AssertNoEventAsync("user-joined", TimeSpan.FromMilliseconds(200)); // joining a room is not media joining

        // The caller's offer (an RTCSessionDescription) is answered by the SFU, as webrtc-answer from the partner.
        await caller.Hub.InvokeAsync("webrtc-offer", new { roomId, offer = new { type = "offer", sdp = WhipApiTests.Offer }, targetUserId = receiver.Id });
        var answered = await caller.Hub.WaitAsync("webrtc-answer");
        Assert.Equal(receiver.Id, answered.Id("fromUserId"));
        Assert.Equal("sfu", answered.Str("via"));
        Assert.Equal(callId, answered.Id("callId"));
        Assert.Equal("answer", answered.GetProperty("answer").Str("type"));
        var parsed = SessionDescription.Parse(answered.GetProperty("answer").Str("sdp"));
        Assert.True(parsed.Value is not null, parsed.Error);
        Assert.True(parsed.Value!.IceLite);
        Assert.Equal(2, parsed.Value.Media.Count);
        Assert.All(parsed.Value.Media, m => Assert.NotEmpty(m.Candidates));
        Assert.Contains("a=setup:passive", answered.GetProperty("answer").Str("sdp"));
        Assert.Equal(caller.Id, (await receiver.Hub.WaitAsync("user-joined")).Id("userId"));

        // The receiver answers the SFU's offer with a bare SDP string, naming the call by its id.
        await receiver.Hub.InvokeAsync("webrtc-answer", new { callId, answer = CallParty.AnswerTo(sfuOffer), targetUserId = caller.Id });
        var joined = await caller.Hub.WaitAsync("user-joined");
        Assert.Equal(receiver.Id, joined.Id("userId"));
        Assert.Equal(callId, joined.Id("callId"));
        Assert.True(Sfu.TryGetRoom(roomId, out var room));
        Assert.Equal(2, Sfu.Sessions.Count(s => s.Room == room));
        var record = await caller.GetCallAsync(callId);
        Assert.Equal("answered", record.Str("status"));

        // Candidates are accepted from both sides and never reach the partner.
        await caller.Hub.InvokeAsync("ice-candidate", new { roomId, candidate = new { candidate = HostCandidate, sdpMid = "0", sdpMLineIndex = 0 }, targetUserId = receiver.Id });
        await receiver.Hub.InvokeAsync("ice-candidate", new { roomId, candidate = "a=" + HostCandidate, targetUserId = caller.Id });
        await receiver.Hub.InvokeAsync("ice-candidate", new { roomId, candidate = (string?)null });
        await caller.Hub.InvokeAsync("ice-candidate", new { roomId, candidate = new { candidate = "", sdpMid = "0", sdpMLineIndex = 0 } });
        // Joined: join-room sends nothing more.
        await receiver.Hub.InvokeAsync("join-room", new { roomId });
        await caller.Hub.InvokeAsync("join-room", new { roomId });
        foreach (var p in new[] { caller, receiver })
        {
            await p.Hub.AssertNoEventAsync("ice-candidate", TimeSpan.FromMilliseconds(150));
            await p.Hub.AssertNoEventAsync("error", TimeSpan.Zero);
            await p.Hub.AssertNoEventAsync("webrtc-offer", TimeSpan.Zero);
        }

        await Task.Delay(1100);
        await receiver.Hub.InvokeAsync("call-end", new { roomId, userId = receiver.Id });
        foreach (var p in new[] { caller, receiver })
        {
            var e = await p.Hub.WaitAsync("call-ended", match: x => Is(x, callId));
            Assert.Equal(roomId, e.Str("roomId"));
            Assert.Equal("ended", e.Str("status"));
            Assert.Equal("completed", e.Str("reason"));
            Assert.Equal(receiver.Id, e.Id("endedBy"));
            Assert.True(e.GetProperty("duration").GetInt32() >= 1);
        }
        Assert.Equal("ended", (await caller.GetCallAsync(callId)).Str("status"));
        Assert.Equal("completed", (await receiver.GetCallAsync(callId)).Str("endReason"));
        Assert.False(Sfu.TryGetRoom(roomId, out _));

        // Over: the events of an ended call are refused with the REST codes.
        await caller.Hub.InvokeAsync("call-end", new { roomId });
        Assert.Equal("CALL_ALREADY_ENDED", (await caller.Hub.WaitAsync("error")).Str("code"));
        await caller.Hub.InvokeAsync("ice-candidate", new { roomId, candidate = HostCandidate });
        Assert.Equal("CALL_NOT_ACTIVE", (await caller.Hub.WaitAsync("error")).Str("code"));
        await receiver.Hub.InvokeAsync("join-room", new { roomId });
        Assert.Equal("CALL_NOT_ACTIVE", (await receiver.Hub.WaitAsync("error")).Str("code"));
        await receiver.Hub.InvokeAsync("webrtc-answer", new { roomId, answer = CallParty.AnswerTo(sfuOffer) });
        Assert.Equal("CALL_NOT_ACTIVE", (await receiver.Hub.WaitAsync("error")).Str("code"));
    }

    [Fact]
    public async Task Call_end_while_ringing_cancels_for_the_caller_and_declines_for_the_receiver()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var first = await caller.CallAsync(receiver, "audio");
        var room = (await receiver.Hub.WaitAsync("incoming-call", match: e => Is(e, first))).Str("roomId");
        await caller.Hub.InvokeAsync("call-end", new { roomId = room, userId = caller.Id });
        var cancelled = await receiver.Hub.WaitAsync("call-ended", match: e => Is(e, first));
        Assert.Equal("missed", cancelled.Str("status"));
        Assert.Equal("cancelled", cancelled.Str("reason"));

        var second = await caller.CallAsync(receiver, "audio");
        await receiver.Hub.WaitAsync("incoming-call", match: e => Is(e, second));
        await receiver.Hub.InvokeAsync("call-end", new { callId = second });
        Assert.True(Is(await caller.Hub.WaitAsync("call-rejected"), second));
        Assert.Equal("rejected", (await caller.Hub.WaitAsync("call-ended", match: e => Is(e, second))).Str("status"));
        Assert.Equal("rejected", (await receiver.GetCallAsync(second)).Str("status"));
    }

    [Fact]
    public async Task A_receiver_that_connects_only_after_accepting_gets_the_SFU_offer_on_join_room_and_joins_by_answering_it()
    {
        var caller = await PartyAsync();
        var receiverToken = await Api.SignInAsync();
        // The receiver is not connected: it accepts over REST (say, from a push notification) and connects afterwards.
        var callId = Guid.Parse((await caller.OkAsync("/api/calls/initiate", new { receiverId = receiverToken.DeviceId.ToString(), callType = "audio" }))
            .GetProperty("callId").GetString()!);
        var accepted = (await (await Api.PostAsync($"/api/calls/{callId}/accept", receiverToken.AccessToken)).OkJsonAsync()).Data();
        var roomId = accepted.Str("roomId");
        var restOffer = accepted.GetProperty("offer").Str("sdp");
        var receiver = await PartyAsync(receiverToken);

        await receiver.Hub.InvokeAsync("join-room", new { roomId, userId = receiver.Id });
        var offer = await receiver.Hub.WaitAsync("webrtc-offer");
        Assert.Equal(restOffer, offer.GetProperty("offer").Str("sdp"));
        Assert.Equal(caller.Id, offer.Id("fromUserId"));
        await receiver.Hub.InvokeAsync("webrtc-answer", new { roomId, answer = new { type = "answer", sdp = CallParty.AnswerTo(offer.GetProperty("offer").Str("sdp")) } });
        Assert.Equal(receiver.Id, (await caller.Hub.WaitAsync("user-joined")).Id("userId"));
        await receiver.Hub.AssertNoEventAsync("error", TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Offers_beyond_the_per_minute_limit_are_refused_over_REST_and_the_socket_and_the_call_goes_on()
    {
        await Api.DisposeAsync();
        Api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Calls:MediaOfferLimitPerMinute"] = "2" });
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var callId = await caller.CallAsync(receiver, "video");
        await receiver.Hub.WaitAsync("incoming-call", match: e => Is(e, callId));
        await receiver.OkAsync($"/api/calls/{callId}/accept");

        // Two offers pass (each replaces the caller's transport on the SFU) ...
        await caller.OkAsync($"/api/calls/{callId}/webrtc/offer", new { sdp = WhipApiTests.Offer });
        await caller.Hub.InvokeAsync("webrtc-offer", new { callId, offer = WhipApiTests.Offer });
        await caller.Hub.WaitAsync("webrtc-answer", match: e => Is(e, callId));
        // ... the third, by either path, is refused and changes nothing.
        using (var refused = await caller.PostAsync($"/api/calls/{callId}/webrtc/offer", new { sdp = WhipApiTests.Offer }))
        {
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("RATE_LIMITED", await refused.Content.ReadAsStringAsync());
        }
        await caller.Hub.InvokeAsync("webrtc-offer", new { callId, offer = WhipApiTests.Offer });
        var error = await caller.Hub.WaitAsync("error");
        Assert.Equal(("RATE_LIMITED", "webrtc-offer"), (error.Str("code"), error.Str("event")));
        Assert.Single(Sfu.Sessions, s => s.OwnerUserId == caller.Id.ToString()); // the refused offers made no transport
        Assert.Equal("answered", (await caller.GetCallAsync(callId)).Str("status"));

        // The other side's offers have their own budget.
        await receiver.OkAsync($"/api/calls/{callId}/webrtc/offer", new { sdp = WhipApiTests.Offer });
    }

    [Fact]
    public async Task Without_a_copy_of_the_SFU_offer_join_room_asks_the_SFU_for_a_new_one_that_the_receiver_can_answer()
    {
        await Api.DisposeAsync();
        Api = await ApiHost.StartAsync(configureServices: s => s.Replace(ServiceDescriptor.Singleton<ISfuOfferCopies, ForgetfulOfferCopies>()));
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var callId = await caller.CallAsync(receiver, "video");
        await receiver.Hub.WaitAsync("incoming-call", match: e => Is(e, callId));
        var first = (await receiver.OkAsync($"/api/calls/{callId}/accept")).GetProperty("offer").Str("sdp");
        await receiver.Hub.WaitAsync("webrtc-offer");

        await receiver.Hub.InvokeAsync("join-room", new { callId });
        var fresh = (await receiver.Hub.WaitAsync("webrtc-offer")).GetProperty("offer").Str("sdp");
        Assert.NotEqual(IceUfrag(first), IceUfrag(fresh));
        // The new offer is the one waiting for the answer.
        await receiver.Hub.InvokeAsync("webrtc-answer", new { callId, answer = CallParty.AnswerTo(fresh) });
        Assert.Equal(receiver.Id, (await caller.Hub.WaitAsync("user-joined")).Id("userId"));
        await receiver.Hub.AssertNoEventAsync("error", TimeSpan.FromMilliseconds(100));
    }

    private static string IceUfrag(string sdp) => sdp.Split("\r\n").First(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal));

    /// <summary>A copy store that lost everything (as when Redis is unreachable).</summary>
    private sealed class ForgetfulOfferCopies : ISfuOfferCopies
    {
        public Task KeepAsync(string offerId, string sdp) => Task.CompletedTask;
        public Task<string?> FindAsync(string offerId, CancellationToken ct = default) => Task.FromResult<string?>(null);
    }
}
