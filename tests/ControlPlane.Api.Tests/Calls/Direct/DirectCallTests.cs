using System.Text.Json;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Sfu;
using ControlPlane.Api.Tests.Support;
using Media.Sfu.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>/api/calls end to end on the real control plane, PostgreSQL and the in-process SFU (real clock).</summary>
public sealed class DirectCallTests : CallPartyTests
{
    private LedgerProbe _ledger = null!;

    public override async Task InitializeAsync()
    {
        Api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["SuperLover:RequireVerification"] = "false", ["SuperLover:CoinsRequired"] = "0",
            // A transport that never connects is closed (idle) after 5 s: the lost-media test.
            ["Sfu:ConsentTimeoutSeconds"] = "5", ["Sfu:IdleTimeoutSeconds"] = "5",
        });
        _ledger = new LedgerProbe(Api.DatabaseUrl);
    }

    [Fact]
    public async Task A_call_rings_is_accepted_on_the_SFU_both_sides_join_its_room_and_a_hang_up_ends_it_for_both()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();

        var started = await caller.OkAsync("/api/calls/initiate", new { receiverId = receiver.Id.ToString(), callType = "video" });
        var callId = Guid.Parse(started.GetProperty("callId").GetString()!);
        var roomId = Guid.Parse(started.GetProperty("roomId").GetString()!);
        Assert.False(started.GetProperty("isPaid").GetBoolean());
        Assert.Equal(0, started.GetProperty("coinsSpent").GetInt32());
        Assert.Equal(50, started.GetProperty("newBalance").GetInt64());

        var incoming = await receiver.Hub.WaitAsync("incoming-call");
        Assert.Equal(callId.ToString(), incoming.GetProperty("callId").GetString());
        Assert.Equal(caller.Id.ToString(), incoming.GetProperty("callerId").GetString());
        Assert.Equal("video", incoming.GetProperty("callType").GetString());
        Assert.Equal(0, incoming.GetProperty("rate").GetInt32());
        Assert.Equal("ringing", (await receiver.GetCallAsync(callId)).GetProperty("status").GetString());
        Assert.False(Sfu.TryGetRoom(roomId.ToString(), out _)); // no media before the answer

        var accepted = await receiver.OkAsync($"/api/calls/{callId}/accept");
        Assert.Equal(roomId.ToString(), accepted.GetProperty("roomId").GetString());
        var sfuOffer = accepted.GetProperty("offer").GetProperty("sdp").GetString()!;
        Assert.Contains("a=ice-lite", sfuOffer);
        Assert.Contains("m=video", sfuOffer);
        Assert.True(Sfu.TryGetRoom(roomId.ToString(), out var room));
        Assert.Equal(new[] { caller.Id.ToString(), receiver.Id.ToString() }.Order(), room.Participants.Order());
        Assert.True(Is(await caller.Hub.WaitAsync("call-accepted"), callId));
        var offered = await receiver.Hub.WaitAsync("webrtc-offer");
        Assert.Equal(sfuOffer, offered.GetProperty("offer").GetProperty("sdp").GetString());
        Assert.Equal(caller.Id.ToString(), offered.GetProperty("fromUserId").GetString());
        Assert.Equal("answered", (await caller.GetCallAsync(callId)).GetProperty("status").GetString());

        // The caller offers; the SFU answers, in the response and as the seed's webrtc-answer event.
        var answered = await caller.OkAsync($"/api/calls/{callId}/webrtc/offer", new { sdp = WhipApiTests.Offer, roomId = roomId.ToString() });
        var answer = answered.GetProperty("answer");
        Assert.Equal("answer", answer.GetProperty("type").GetString());
        Assert.Contains("a=ice-lite", answer.GetProperty("sdp").GetString());
        Assert.Contains("a=setup:passive", answer.GetProperty("sdp").GetString());
        var answerEvent = await caller.Hub.WaitAsync("webrtc-answer");
        Assert.Equal(answer.GetProperty("sdp").GetString(), answerEvent.GetProperty("answer").GetProperty("sdp").GetString());
        Assert.Equal(receiver.Id.ToString(), answerEvent.GetProperty("fromUserId").GetString());
        Assert.Equal(caller.Id.ToString(), (await receiver.Hub.WaitAsync("user-joined")).GetProperty("userId").GetString());

        // The receiver answers the SFU's offer.
        (await receiver.PostAsync($"/api/calls/{callId}/webrtc/answer", new { sdp = CallParty.AnswerTo(sfuOffer) })).EnsureSuccessStatusCode();
        Assert.Equal(receiver.Id.ToString(), (await caller.Hub.WaitAsync("user-joined")).GetProperty("userId").GetString());
        Assert.Equal(2, Sfu.Sessions.Count(s => s.Room == room));
        var call = await caller.GetCallAsync(callId);
        Assert.Equal(JsonValueKind.String, call.GetProperty("startedAt").ValueKind);

        await Task.Delay(1100);
        var ended = await receiver.OkAsync($"/api/calls/{callId}/end", new { duration = 1 });
        Assert.Equal("ended", ended.GetProperty("status").GetString());
        Assert.Equal("completed", ended.GetProperty("reason").GetString());
        Assert.True(ended.GetProperty("duration").GetInt32() >= 1);
        foreach (var p in new[] { caller, receiver })
        {
            var e = await p.Hub.WaitAsync("call-ended", match: x => Is(x, callId));
            Assert.Equal("completed", e.GetProperty("reason").GetString());
            Assert.Equal(receiver.Id.ToString(), e.GetProperty("endedBy").GetString());
        }
        Assert.False(Sfu.TryGetRoom(roomId.ToString(), out _));
        Assert.Equal(0, Sfu.Sessions.Count(s => s.Room == room));

        var history = (await Api.GetOkAsync("/api/calls/history?page=1&limit=10", caller.Bearer)).Data();
        var row = history.GetProperty("calls").EnumerateArray().Single();
        Assert.Equal(callId.ToString(), row.GetProperty("id").GetString());
        Assert.Equal("outgoing", row.GetProperty("direction").GetString());
        Assert.Equal("ended", row.GetProperty("status").GetString());
        Assert.Equal(1, history.GetProperty("pagination").GetProperty("total").GetInt64());
        Assert.Equal("incoming", (await Api.GetOkAsync("/api/calls/history", receiver.Bearer)).Data().GetProperty("calls")[0].GetProperty("direction").GetString());
        Assert.Equal(50, await Api.BalanceAsync(caller.Bearer)); // a call to someone who is not a Super Lover is free
    }

    [Fact]
    public async Task Only_the_receiver_accepts_or_rejects_either_side_ends_and_illegal_transitions_are_409()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var stranger = await PartyAsync();

        var callId = await caller.CallAsync(receiver, "audio");
        Assert.Equal("NOT_CALL_RECEIVER", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{callId}/accept"), 403));
        Assert.Equal("NOT_CALL_RECEIVER", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{callId}/reject"), 403));
        foreach (var action in new[] { "accept", "reject", "end" })
            Assert.Equal("CALL_NOT_FOUND", await ErrorShape.AssertAsync(await stranger.PostAsync($"/api/calls/{callId}/{action}"), 404));
        Assert.Equal("CALL_NOT_FOUND", await ErrorShape.AssertAsync(await Api.SendAsync(HttpMethod.Get, $"/api/calls/{callId}", stranger.Bearer), 404));
        Assert.Equal("CALL_NOT_ACTIVE", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{callId}/webrtc/offer", new { sdp = WhipApiTests.Offer }), 409));

        // Busy: neither side can be in two calls.
        Assert.Equal("CALLER_BUSY", await ErrorShape.AssertAsync(await caller.PostAsync("/api/calls/initiate", new { receiverId = stranger.Id.ToString(), callType = "audio" }), 409));
        Assert.Equal("RECEIVER_BUSY", await ErrorShape.AssertAsync(await stranger.PostAsync("/api/calls/initiate", new { receiverId = receiver.Id.ToString(), callType = "audio" }), 409));

        (await receiver.PostAsync($"/api/calls/{callId}/reject")).EnsureSuccessStatusCode();
        var rejected = await caller.Hub.WaitAsync("call-rejected");
        Assert.True(Is(rejected, callId));
        Assert.Equal("rejected", (await caller.Hub.WaitAsync("call-ended")).GetProperty("status").GetString());
        Assert.Equal("CALL_NOT_RINGING", await ErrorShape.AssertAsync(await receiver.PostAsync($"/api/calls/{callId}/accept"), 409));
        Assert.Equal("CALL_NOT_RINGING", await ErrorShape.AssertAsync(await receiver.PostAsync($"/api/calls/{callId}/reject"), 409));
        Assert.Equal("CALL_ALREADY_ENDED", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{callId}/end"), 409));
        Assert.Equal("CALL_NOT_ACTIVE", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{callId}/webrtc/offer", new { sdp = WhipApiTests.Offer }), 409));

        // The caller hangs up while it rings: missed (cancelled), the receiver stops ringing.
        var second = await caller.CallAsync(receiver, "audio");
        await receiver.Hub.WaitAsync("incoming-call", match: e => Is(e, second));
        var cancelled = await caller.OkAsync($"/api/calls/{second}/end");
        Assert.Equal("missed", cancelled.GetProperty("status").GetString());
        Assert.Equal("cancelled", (await receiver.Hub.WaitAsync("call-ended", match: e => Is(e, second))).GetProperty("reason").GetString());

        // Accepted once; a second accept, a reject or an answer without an SFU offer are refused.
        var third = await caller.CallAsync(receiver, "audio");
        var accepted = await receiver.OkAsync($"/api/calls/{third}/accept");
        Assert.DoesNotContain("m=video", accepted.GetProperty("offer").GetProperty("sdp").GetString()); // an audio call
        Assert.Equal("CALL_NOT_RINGING", await ErrorShape.AssertAsync(await receiver.PostAsync($"/api/calls/{third}/accept"), 409));
        Assert.Equal("CALL_NOT_RINGING", await ErrorShape.AssertAsync(await receiver.PostAsync($"/api/calls/{third}/reject"), 409));
        Assert.Equal("NO_PENDING_OFFER", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{third}/webrtc/answer", new { sdp = WhipApiTests.Offer }), 409));
        Assert.Equal("SDP_INVALID", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{third}/webrtc/offer", new { sdp = "v=0\r\nnonsense" }), 400));
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{third}/webrtc/offer", new { sdp = WhipApiTests.Offer, roomId = Guid.NewGuid().ToString() }), 400));
        var ended = await caller.OkAsync($"/api/calls/{third}/end");
        Assert.Equal("ended", ended.GetProperty("status").GetString());
        Assert.Equal("CALL_ALREADY_ENDED", await ErrorShape.AssertAsync(await receiver.PostAsync($"/api/calls/{third}/end"), 409));
        Assert.Equal("CALL_NOT_ACTIVE", await ErrorShape.AssertAsync(await receiver.PostAsync($"/api/calls/{third}/webrtc/answer", new { sdp = WhipApiTests.Offer }), 409));

        var statuses = (await Api.GetOkAsync("/api/calls/history", receiver.Bearer)).Data().GetProperty("calls").EnumerateArray()
            .Select(c => c.GetProperty("status").GetString()).ToList();
        Assert.Equal(new[] { "ended", "missed", "rejected" }, statuses);
    }

    [Fact]
    public async Task Two_racing_accepts_and_a_racing_hang_up_leave_one_consistent_outcome()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var callId = await caller.CallAsync(receiver);
        var results = await Task.WhenAll(
            receiver.PostAsync($"/api/calls/{callId}/accept"), receiver.PostAsync($"/api/calls/{callId}/accept"), caller.PostAsync($"/api/calls/{callId}/end"));
        var codes = results.Select(r => (int)r.StatusCode).ToList();
        // The hang-up always succeeds (it cancels a ringing call or ends an answered one); at most one accept wins.
        Assert.Equal(200, codes[2]);
        var accepts = codes.Take(2).ToList();
        Assert.All(accepts, c => Assert.Contains(c, new[] { 200, 409 }));
        Assert.True(accepts.Count(c => c == 200) <= 1, string.Join(",", codes));
        var call = await caller.GetCallAsync(callId);
        Assert.Equal(accepts.Contains(200) ? "ended" : "missed", call.GetProperty("status").GetString());
        Assert.False(Sfu.TryGetRoom(call.GetProperty("roomId").GetString()!, out _));
    }

    [Fact]
    public async Task A_participant_whose_media_transport_dies_ends_the_call_for_both()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var callId = await caller.CallAsync(receiver);
        await receiver.OkAsync($"/api/calls/{callId}/accept");
        // A transport that never completes ICE: the SFU closes it as idle after 5 s and reports it.
        await caller.OkAsync($"/api/calls/{callId}/webrtc/offer", new { sdp = WhipApiTests.Offer });
        foreach (var p in new[] { caller, receiver })
        {
            var e = await p.Hub.WaitAsync("call-ended", TimeSpan.FromSeconds(20), x => Is(x, callId));
            Assert.Equal("media_lost", e.GetProperty("reason").GetString());
            Assert.Equal(caller.Id.ToString(), e.GetProperty("endedBy").GetString());
        }
        Assert.Equal("ended", (await caller.GetCallAsync(callId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Super_lover_calls_need_the_first_minute_and_an_available_super_lover()
    {
        var caller = await PartyAsync();
        var ready = await PartyAsync(await CallParty.SuperLoverAsync(Api));
        var offline = await PartyAsync(await CallParty.SuperLoverAsync(Api, "offline"));

        Assert.Equal("RECEIVER_UNAVAILABLE", await ErrorShape.AssertAsync(
            await caller.PostAsync("/api/calls/initiate", new { receiverId = offline.Id.ToString(), callType = "video" }), 409));
        (await caller.PostAsync("/api/coins/spend", new { amount = 41, action = "gift" })).EnsureSuccessStatusCode(); // 9 left
        var rows = await _ledger.RowCountAsync();
        Assert.Equal("INSUFFICIENT_COINS", await ErrorShape.AssertAsync(
            await caller.PostAsync("/api/calls/initiate", new { receiverId = ready.Id.ToString(), callType = "video" }), 402));
        Assert.Equal(rows, await _ledger.RowCountAsync());

        // Affordable when placed, not when answered: the call ends and nothing is charged.
        var rich = await PartyAsync();
        var started = await rich.OkAsync("/api/calls/initiate", new { receiverId = ready.Id.ToString(), callType = "video" });
        Assert.True(started.GetProperty("isPaid").GetBoolean());
        Assert.Equal(10, started.GetProperty("rate").GetInt32());
        Assert.Equal(10, (await ready.Hub.WaitAsync("incoming-call")).GetProperty("rate").GetInt32());
        var callId = Guid.Parse(started.GetProperty("callId").GetString()!);
        (await rich.PostAsync("/api/coins/spend", new { amount = 45, action = "gift" })).EnsureSuccessStatusCode();
        Assert.Equal("INSUFFICIENT_COINS", await ErrorShape.AssertAsync(await ready.PostAsync($"/api/calls/{callId}/accept"), 402));
        var e = await rich.Hub.WaitAsync("call-ended", match: x => Is(x, callId));
        Assert.Equal("insufficient_coins", e.GetProperty("reason").GetString());
        var call = await rich.GetCallAsync(callId);
        Assert.Equal("ended", call.GetProperty("status").GetString());
        Assert.Equal(0, call.GetProperty("coinsSpent").GetInt64());
        Assert.False(Sfu.TryGetRoom(call.GetProperty("roomId").GetString()!, out _));
        Assert.Equal(5, await _ledger.BalanceAsync(rich.Id));
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task An_initiate_retried_with_its_idempotency_key_places_one_call_and_rings_once()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var body = new { receiverId = receiver.Id.ToString(), callType = "audio" };
        var first = await caller.PostAsync("/api/calls/initiate", body, "call-key-1");
        var firstText = await first.Content.ReadAsStringAsync();
        var again = await caller.PostAsync("/api/calls/initiate", body, "call-key-1");
        Assert.Equal(firstText, await again.Content.ReadAsStringAsync());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        await receiver.Hub.WaitAsync("incoming-call");
        await receiver.Hub.AssertNoEventAsync("incoming-call", TimeSpan.FromMilliseconds(300));
        Assert.Equal(1L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM calls WHERE caller_id = @c", ("c", caller.Id)));
    }
}
