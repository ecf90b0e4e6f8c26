using System.Text.Json;
using ControlPlane.Api.Calls.Billing;
using ControlPlane.Api.Calls.Direct;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Support;
using Media.Sfu.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>
/// Calls to a Super Lover through the API with the whole control plane on a test clock: per-minute debits, the
/// warning a minute before the coins run out, the server ending the call, the receiver's earnings; and the timeouts.
/// </summary>
public sealed class MeteredCallTests : CallPartyTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private LedgerProbe _ledger = null!;

    public override async Task InitializeAsync()
    {
        Api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["SuperLover:RequireVerification"] = "false", ["SuperLover:CoinsRequired"] = "0", ["SuperLover:SharePercent"] = "50",
            ["CallBilling:RatePerMinute"] = "10",
            ["Calls:RingTimeoutSeconds"] = "30", ["Calls:MediaJoinTimeoutSeconds"] = "600", ["Calls:InitiateLimitPerMinute"] = "3",
            ["Sfu:TickMilliseconds"] = "1000",
        }, configureServices: s => s.AddSingleton<TimeProvider>(_clock));
        _ledger = new LedgerProbe(Api.DatabaseUrl);
    }

    private CallBilling Billing => Api.Services.GetRequiredService<CallBilling>();
    private DirectCalls Calls => Api.Services.GetRequiredService<DirectCalls>();
    /// <summary>Moves the clock; timers fire on the way; then waits for the work they started (billing, call timers).</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        _clock.Advance(by);
        await Billing.IdleAsync();
        await Calls.IdleAsync();
        await Billing.IdleAsync();
    }

    [Fact]
    public async Task A_metered_call_is_debited_per_started_minute_warns_a_minute_ahead_and_is_ended_by_the_server_when_coins_run_out()
    {
        var caller = await PartyAsync();
        var lover = await PartyAsync(await CallParty.SuperLoverAsync(Api));
        var callId = await caller.CallAsync(lover);
        Assert.Equal(10, (await lover.Hub.WaitAsync("incoming-call")).GetProperty("rate").GetInt32());
        Assert.Equal(50, await _ledger.BalanceAsync(caller.Id)); // ringing costs nothing

        var answeredAt = _clock.GetUtcNow();
        var roomId = (await lover.OkAsync($"/api/calls/{callId}/accept")).GetProperty("roomId").GetString()!;
        Assert.True(Sfu.TryGetRoom(roomId, out _));
        Assert.Equal(40, await _ledger.BalanceAsync(caller.Id)); // the first minute, at once
        Assert.Equal(55, await _ledger.BalanceAsync(lover.Id));  // 50 % of it

        foreach (var expected in new long[] { 30, 20, 10, 0 })
        {
            await AdvanceAsync(Minute);
            Assert.Equal(expected, await _ledger.BalanceAsync(caller.Id));
            Assert.Equal("answered", (await caller.GetCallAsync(callId)).GetProperty("status").GetString());
        }
        // Minute 5 left nothing for minute 6: the caller hears it now, one minute before the end.
        var warning = await caller.Hub.WaitAsync("call-balance-low");
        Assert.True(Is(warning, callId));
        Assert.Equal(0, warning.GetProperty("balance").GetInt64());
        Assert.Equal(10, warning.GetProperty("rate").GetInt32());
        Assert.Equal((answeredAt + 5 * Minute).ToUnixTimeMilliseconds(), warning.GetProperty("endsAt").GetInt64());
        Assert.Equal(60, warning.GetProperty("secondsLeft").GetInt32());
        Assert.Single(caller.Hub.History, e => e.Name == "call-balance-low");
        Assert.DoesNotContain(caller.Hub.History, e => e.Name == "call-ended");

        await AdvanceAsync(Minute);
        foreach (var p in new[] { caller, lover })
        {
            var ended = await p.Hub.WaitAsync("call-ended", match: e => Is(e, callId));
            Assert.Equal("insufficient_coins", ended.GetProperty("reason").GetString());
            Assert.Equal("ended", ended.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, ended.GetProperty("endedBy").ValueKind);
            Assert.Equal(300, ended.GetProperty("duration").GetInt32());
            Assert.Equal(50, ended.GetProperty("coinsSpent").GetInt64());
            Assert.Equal(25, ended.GetProperty("coinsEarned").GetInt64());
        }
        Assert.False(Sfu.TryGetRoom(roomId, out _)); // the server closed the room on the SFU

        var call = await lover.GetCallAsync(callId);
        Assert.Equal("ended", call.GetProperty("status").GetString());
        Assert.Equal("insufficient_coins", call.GetProperty("endReason").GetString());
        Assert.Equal(50, call.GetProperty("coinsSpent").GetInt64());
        Assert.Equal(25, call.GetProperty("coinsEarned").GetInt64());
        Assert.Equal(300, call.GetProperty("duration").GetInt32());
        Assert.Equal("CALL_ALREADY_ENDED", await ErrorShape.AssertAsync(await caller.PostAsync($"/api/calls/{callId}/end"), 409));

        // Nothing more is charged; the receiver's earnings show in their balance, ledger and statistics.
        await AdvanceAsync(5 * Minute);
        Assert.Equal(0, await _ledger.BalanceAsync(caller.Id));
        Assert.Equal(75, await Api.BalanceAsync(lover.Bearer));
        Assert.Equal(25L, await _ledger.ScalarAsync<long>(
            "SELECT sum(amount) FROM coin_transactions WHERE device_id = @d AND reference_type = 'call' AND reference_id = @c",
            ("d", lover.Id), ("c", callId.ToString())));
        var stats = (await Api.GetOkAsync("/api/super-lover/stats", lover.Bearer)).Data();
        Assert.Equal(25, stats.GetProperty("totalEarnings").GetInt64());
        Assert.Equal(1, stats.GetProperty("totalCalls").GetInt32());
        var history = (await Api.GetOkAsync("/api/calls/history", lover.Bearer)).Data().GetProperty("calls")[0];
        Assert.Equal(25, history.GetProperty("coinsEarned").GetInt64());
        Assert.Equal("incoming", history.GetProperty("direction").GetString());
        Assert.Equal(0, Billing.ActiveCalls);
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task Hanging_up_charges_each_started_minute_once_and_stops_billing()
    {
        var caller = await PartyAsync();
        var lover = await PartyAsync(await CallParty.SuperLoverAsync(Api, "online"));
        var callId = await caller.CallAsync(lover, "audio");
        await lover.OkAsync($"/api/calls/{callId}/accept");
        await AdvanceAsync(TimeSpan.FromSeconds(90)); // minute 2 started at 1:00

        var ended = await caller.OkAsync($"/api/calls/{callId}/end", new { duration = 90 });
        Assert.Equal(90, ended.GetProperty("duration").GetInt32());
        Assert.Equal(20, ended.GetProperty("coinsSpent").GetInt64());
        Assert.Equal(10, ended.GetProperty("coinsEarned").GetInt64());
        Assert.Equal("completed", (await lover.Hub.WaitAsync("call-ended", match: e => Is(e, callId))).GetProperty("reason").GetString());

        await AdvanceAsync(10 * Minute);
        Assert.Equal(30, await _ledger.BalanceAsync(caller.Id));
        Assert.Equal(60, await _ledger.BalanceAsync(lover.Id));
        Assert.DoesNotContain(caller.Hub.History, e => e.Name == "call-balance-low");
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task An_unanswered_call_is_missed_after_the_ringing_timeout()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var callId = await caller.CallAsync(receiver);
        await receiver.Hub.WaitAsync("incoming-call");
        await AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.Equal("ringing", (await caller.GetCallAsync(callId)).GetProperty("status").GetString());

        await AdvanceAsync(TimeSpan.FromSeconds(1));
        foreach (var p in new[] { caller, receiver })
            Assert.Equal("no_answer", (await p.Hub.WaitAsync("call-ended", match: e => Is(e, callId))).GetProperty("reason").GetString());
        Assert.Equal("missed", (await caller.GetCallAsync(callId)).GetProperty("status").GetString());
        Assert.Equal("CALL_NOT_RINGING", await ErrorShape.AssertAsync(await receiver.PostAsync($"/api/calls/{callId}/accept"), 409));
        Assert.Equal(0, Calls.ArmedTimers);
        // Neither side is busy any more.
        await receiver.CallAsync(caller, "audio");
    }

    [Fact]
    public async Task An_answered_call_whose_media_never_joins_ends_after_the_join_timeout()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var callId = await caller.CallAsync(receiver);
        var roomId = (await receiver.OkAsync($"/api/calls/{callId}/accept")).GetProperty("roomId").GetString()!;
        await AdvanceAsync(TimeSpan.FromSeconds(599));
        Assert.Equal("answered", (await caller.GetCallAsync(callId)).GetProperty("status").GetString());

        await AdvanceAsync(TimeSpan.FromSeconds(1));
        foreach (var p in new[] { caller, receiver })
            Assert.Equal("media_timeout", (await p.Hub.WaitAsync("call-ended", match: e => Is(e, callId))).GetProperty("reason").GetString());
        var call = await receiver.GetCallAsync(callId);
        Assert.Equal("ended", call.GetProperty("status").GetString());
        Assert.Equal(600, call.GetProperty("duration").GetInt32());
        Assert.False(Sfu.TryGetRoom(roomId, out _));
        Assert.Equal(0, Calls.ArmedTimers);
    }

    [Fact]
    public async Task Calls_whose_timers_were_lost_with_their_node_are_ended_by_the_sweep()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        var now = _clock.GetUtcNow();
        async Task<Guid> InsertAsync(string status, TimeSpan age, DateTimeOffset? startedAt)
        {
            var id = Guid.NewGuid();
            await _ledger.ExecuteAsync("""
                INSERT INTO calls (id, caller_id, receiver_id, call_type, status, is_paid, rate_per_minute, webrtc_room_id,
                                   duration_seconds, coins_spent, coins_earned, created_at, ring_expires_at, started_at)
                VALUES (@id, @c, @r, 'audio', @s, false, 0, @room, 0, 0, 0, @created, @expires, @started)
                """, ("id", id), ("c", caller.Id), ("r", receiver.Id), ("s", status), ("room", Guid.NewGuid()),
                ("created", now - age), ("expires", now - age + TimeSpan.FromSeconds(30)), ("started", (object?)startedAt ?? DBNull.Value));
            return id;
        }
        var ringing = await InsertAsync("ringing", TimeSpan.FromMinutes(2), null);
        var fresh = await InsertAsync("ringing", TimeSpan.FromSeconds(5), null);
        var silent = await InsertAsync("answered", TimeSpan.FromMinutes(20), now - TimeSpan.FromMinutes(15));

        await Calls.SweepAsync();
        Assert.Equal("no_answer", (await caller.Hub.WaitAsync("call-ended", match: e => Is(e, ringing))).GetProperty("reason").GetString());
        Assert.Equal("media_timeout", (await receiver.Hub.WaitAsync("call-ended", match: e => Is(e, silent))).GetProperty("reason").GetString());
        Assert.Equal("missed", (await caller.GetCallAsync(ringing)).GetProperty("status").GetString());
        Assert.Equal("ended", (await caller.GetCallAsync(silent)).GetProperty("status").GetString());
        Assert.Equal(900, (await caller.GetCallAsync(silent)).GetProperty("duration").GetInt32());
        Assert.Equal("ringing", (await caller.GetCallAsync(fresh)).GetProperty("status").GetString()); // still within its ringing time
    }

    [Fact]
    public async Task A_device_places_a_limited_number_of_calls_per_minute()
    {
        var caller = await PartyAsync();
        var receiver = await PartyAsync();
        for (var i = 0; i < 3; i++) await caller.OkAsync($"/api/calls/{await caller.CallAsync(receiver, "audio")}/end");
        var body = new { receiverId = receiver.Id.ToString(), callType = "audio" };
        Assert.Equal("RATE_LIMITED", await ErrorShape.AssertAsync(await caller.PostAsync("/api/calls/initiate", body), 429));
        Assert.Equal(3L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM calls WHERE caller_id = @c", ("c", caller.Id)));
        await AdvanceAsync(Minute);
        await caller.CallAsync(receiver, "audio");
    }

    [Fact]
    public async Task A_hang_up_racing_the_accept_of_a_paid_call_never_leaves_billing_running()
    {
        for (var round = 0; round < 5; round++)
        {
            var caller = await PartyAsync();
            var lover = await PartyAsync(await CallParty.SuperLoverAsync(Api));
            var callId = await caller.CallAsync(lover);
            var results = await Task.WhenAll(lover.PostAsync($"/api/calls/{callId}/accept"), caller.PostAsync($"/api/calls/{callId}/end"));
            Assert.Equal(System.Net.HttpStatusCode.OK, results[1].StatusCode);
            var acceptWon = results[0].IsSuccessStatusCode;
            await AdvanceAsync(10 * Minute);
            Assert.Equal(0, Billing.ActiveCalls);
            var call = await caller.GetCallAsync(callId);
            Assert.Equal(acceptWon ? "ended" : "missed", call.GetProperty("status").GetString());
            // Answered then hung up at once: its first minute, and nothing after it.
            Assert.Equal(acceptWon ? 40 : 50, await _ledger.BalanceAsync(caller.Id));
            Assert.Equal(acceptWon ? 10 : 0, call.GetProperty("coinsSpent").GetInt64());
        }
        await _ledger.AssertConsistentAsync();
    }
}
