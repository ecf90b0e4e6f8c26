using System.Collections.Concurrent;
using ControlPlane.Api.Calls.Billing;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Coins.SuperLovers;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Support;
using Testing.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Tests.Calls;

public sealed class CallBillingTests : IAsyncLifetime
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeTermination _termination = new();
    private readonly FakeAlerts _alerts = new();
    private CallBilling _billing = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["SuperLover:RequireVerification"] = "false", ["SuperLover:CoinsRequired"] = "0",
        });
        _ledger = new LedgerProbe(_api.DatabaseUrl);
        _billing = new CallBilling(_api.Services.GetRequiredService<IServiceScopeFactory>(), _clock,
            Options.Create(new CallBillingOptions { RatePerMinute = 10 }), Options.Create(new SuperLoverOptions { SharePercent = 50 }),
            _termination, _alerts, NullLogger<CallBilling>.Instance);
        _termination.Billing = _billing;
    }

    public async Task DisposeAsync()
    {
        await _billing.DisposeAsync();
        await _api.DisposeAsync();
    }

    /// <summary>Ends the call the way the calls feature will: from inside EndCallAsync it reports the end back to billing.</summary>
    private sealed class FakeTermination : ICallTermination
    {
        public CallBilling? Billing { get; set; }
        public ConcurrentQueue<(Guid CallId, CallEndReason Reason, PaidCallSummary? Summary)> Ended { get; } = new();

        public async Task EndCallAsync(Guid callId, CallEndReason reason, CancellationToken ct)
        {
            var summary = await Billing!.CallEndedAsync(callId, ct);
            Ended.Enqueue((callId, reason, summary));
        }
    }

    private sealed class FakeAlerts : ICallBillingAlerts
    {
        public ConcurrentQueue<LowBalanceWarning> Warnings { get; } = new();
        public Task LowBalanceAsync(LowBalanceWarning warning, CancellationToken ct) { Warnings.Enqueue(warning); return Task.CompletedTask; }
    }

    private async Task<TokenResponse> SuperLoverAsync(string status = "ready")
    {
        var t = await _api.SignInAsync();
        (await _api.PostAsync("/api/super-lover/become", t.AccessToken, new { superLoverBio = "Hi", age = 25 })).EnsureSuccessStatusCode();
        (await _api.SendAsync(HttpMethod.Put, "/api/super-lover/status", t.AccessToken, new { status })).EnsureSuccessStatusCode();
        return t;
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        _clock.Advance(by);
        await _billing.IdleAsync();
    }

    [Fact]
    public async Task A_metered_call_charges_per_minute_warns_a_minute_ahead_and_is_ended_when_coins_run_out()
    {
        var caller = await _api.SignInAsync();
        var callee = await SuperLoverAsync();
        var startedAt = _clock.GetUtcNow();
        var callId = Guid.NewGuid();

        var start = await _billing.CallStartedAsync(callId, caller.DeviceId, callee.DeviceId);
        Assert.Equal(PaidCallStartStatus.Started, start.Status);
        Assert.Equal(40, start.CallerBalance);
        Assert.Equal(40, await _ledger.BalanceAsync(caller.DeviceId));
        Assert.Equal(55, await _ledger.BalanceAsync(callee.DeviceId));

        var expected = new[] { 30L, 20, 10, 0 };
        foreach (var balance in expected)
        {
            Assert.Empty(_alerts.Warnings); // no warning while the next minute is still affordable
            await AdvanceAsync(Minute);
            Assert.Equal(balance, await _ledger.BalanceAsync(caller.DeviceId));
        }
        // Minute 5 left 0 coins: the warning came with it, one minute before the end.
        var warning = Assert.Single(_alerts.Warnings);
        Assert.Equal(callId, warning.CallId);
        Assert.Equal(caller.DeviceId, warning.CallerId);
        Assert.Equal(0, warning.Balance);
        Assert.Equal(startedAt + 5 * Minute, warning.EndsAt);
        Assert.Empty(_termination.Ended);

        await AdvanceAsync(Minute);
        var ended = Assert.Single(_termination.Ended);
        Assert.Equal(callId, ended.CallId);
        Assert.Equal(CallEndReason.InsufficientCoins, ended.Reason);
        var summary = ended.Summary!;
        Assert.Equal(5, summary.MinutesCharged);
        Assert.Equal(50, summary.CoinsSpent);
        Assert.Equal(25, summary.CalleeEarned);
        Assert.Equal("insufficient_coins", summary.EndReason);
        Assert.Equal(startedAt + 5 * Minute, summary.EndedAt);

        // Billing stopped: no timer, no further charges, the end is idempotent.
        Assert.Equal(0, _clock.ArmedTimers);
        Assert.Equal(0, _billing.ActiveCalls);
        await AdvanceAsync(10 * Minute);
        Assert.Equal(0, await _ledger.BalanceAsync(caller.DeviceId));
        Assert.Equal(summary, await _billing.CallEndedAsync(callId));

        Assert.Equal(75, await _api.BalanceAsync(callee.AccessToken));
        Assert.Equal(5L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM coin_transactions WHERE device_id = @d AND reference_type = 'call' AND transaction_type = 'spend'", ("d", caller.DeviceId)));
        Assert.Equal(5L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM coin_transactions WHERE device_id = @d AND reference_type = 'call' AND transaction_type = 'transfer'", ("d", callee.DeviceId)));
        var stats = (await _api.GetOkAsync("/api/super-lover/stats", callee.AccessToken)).Data();
        Assert.Equal(1, stats.GetProperty("totalCalls").GetInt32());
        Assert.Equal(25, stats.GetProperty("totalEarnings").GetInt64());
        Assert.Equal(5, stats.GetProperty("totalDuration").GetInt64());
        Assert.Equal(5, stats.GetProperty("averageCallDuration").GetInt64());
        Assert.Equal(25, stats.GetProperty("monthlyEarnings").GetInt64());
        var listed = (await _api.GetOkAsync("/api/super-lover/available?status=ready", callee.AccessToken)).Data().GetProperty("superLovers");
        Assert.Equal(1, listed.EnumerateArray().Single(s => s.GetProperty("id").GetString() == callee.DeviceId.ToString()).GetProperty("superLoverCallCount").GetInt32());
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task Hanging_up_stops_billing_and_a_started_minute_is_charged_even_when_its_timer_is_late()
    {
        var caller = await _api.SignInAsync();
        var callee = await SuperLoverAsync("online");
        var callId = Guid.NewGuid();
        Assert.True((await _billing.CallStartedAsync(callId, caller.DeviceId, callee.DeviceId)).Started);
        await AdvanceAsync(Minute + TimeSpan.FromSeconds(30)); // minute 2 charged at 1:00
        _clock.Jump(TimeSpan.FromSeconds(31));                   // 2:01: minute 3 started, its timer has not run yet
        var summary = await _billing.CallEndedAsync(callId);
        Assert.NotNull(summary);
        Assert.Equal(3, summary!.MinutesCharged);
        Assert.Equal(30, summary.CoinsSpent);
        Assert.Equal(15, summary.CalleeEarned);
        Assert.Equal("completed", summary.EndReason);
        Assert.Empty(_termination.Ended);

        await AdvanceAsync(5 * Minute);
        Assert.Equal(20, await _ledger.BalanceAsync(caller.DeviceId));
        Assert.Equal(0, _clock.ArmedTimers);
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task A_call_that_ends_on_another_node_is_charged_its_started_minutes_and_the_metering_node_stops()
    {
        var caller = await _api.SignInAsync();
        var callee = await SuperLoverAsync();
        // A second API node: same database, its own CallBilling (billing runs where the call started).
        await using var otherNode = new CallBilling(_api.Services.GetRequiredService<IServiceScopeFactory>(), _clock,
            Options.Create(new CallBillingOptions { RatePerMinute = 10 }), Options.Create(new SuperLoverOptions { SharePercent = 50 }),
            _termination, _alerts, NullLogger<CallBilling>.Instance);
        var callId = Guid.NewGuid();
        Assert.True((await _billing.CallStartedAsync(callId, caller.DeviceId, callee.DeviceId)).Started);
        await AdvanceAsync(Minute);                  // minute 2, charged by the metering node
        _clock.Jump(TimeSpan.FromSeconds(61));       // 2:01: minute 3 has started, the metering node has not charged it yet

        var summary = await otherNode.CallEndedAsync(callId);
        Assert.NotNull(summary);
        Assert.Equal(3, summary!.MinutesCharged);
        Assert.Equal(30, summary.CoinsSpent);
        Assert.Equal(15, summary.CalleeEarned);
        Assert.Equal("completed", summary.EndReason);

        await AdvanceAsync(5 * Minute);              // the metering node's timer finds the call closed and stops
        Assert.Equal(0, _billing.ActiveCalls);
        Assert.Equal(0, _clock.ArmedTimers);
        Assert.Empty(_termination.Ended);
        Assert.Empty(_alerts.Warnings);
        Assert.Equal(20, await _ledger.BalanceAsync(caller.DeviceId));
        Assert.Equal(65, await _ledger.BalanceAsync(callee.DeviceId));
        Assert.Equal(summary, await _billing.CallEndedAsync(callId));
        Assert.Equal(summary, await otherNode.CallEndedAsync(callId));
        Assert.Equal(1, (await _api.GetOkAsync("/api/super-lover/stats", callee.AccessToken)).Data().GetProperty("totalCalls").GetInt32());
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task A_caller_who_tops_up_during_the_call_keeps_talking()
    {
        var caller = await _api.SignInAsync();
        var callee = await SuperLoverAsync();
        (await _api.PostAsync("/api/coins/spend", caller.AccessToken, new { amount = 35, action = "gift" })).EnsureSuccessStatusCode(); // 15 left
        var callId = Guid.NewGuid();
        var start = await _billing.CallStartedAsync(callId, caller.DeviceId, callee.DeviceId);
        Assert.Equal(5, start.CallerBalance);
        Assert.Single(_alerts.Warnings); // 5 < 10 right after the first minute: ends at 1:00 unless they top up

        (await _api.PostAsync("/api/coins/earn-ad", caller.AccessToken, new { adType = "rewarded" })).EnsureSuccessStatusCode(); // 10
        await AdvanceAsync(Minute);
        Assert.Empty(_termination.Ended);
        Assert.Equal(0, await _ledger.BalanceAsync(caller.DeviceId));
        Assert.Equal(2, _alerts.Warnings.Count);

        await AdvanceAsync(Minute);
        var ended = Assert.Single(_termination.Ended);
        Assert.Equal(2, ended.Summary!.MinutesCharged);
    }

    [Fact]
    public async Task Calls_that_cannot_be_paid_calls_do_not_start_and_charge_nothing()
    {
        var caller = await _api.SignInAsync();
        var plain = await _api.SignInAsync();
        var offline = await SuperLoverAsync("offline");
        var ready = await SuperLoverAsync();
        await _api.BalanceAsync(plain.AccessToken);
        var rows = await _ledger.RowCountAsync();

        Assert.Equal(PaidCallStartStatus.SelfCall, (await _billing.CallStartedAsync(Guid.NewGuid(), ready.DeviceId, ready.DeviceId)).Status);
        Assert.Equal(PaidCallStartStatus.CalleeUnavailable, (await _billing.CallStartedAsync(Guid.NewGuid(), caller.DeviceId, plain.DeviceId)).Status);
        Assert.Equal(PaidCallStartStatus.CalleeUnavailable, (await _billing.CallStartedAsync(Guid.NewGuid(), caller.DeviceId, offline.DeviceId)).Status);

        (await _api.PostAsync("/api/coins/spend", caller.AccessToken, new { amount = 45, action = "gift" })).EnsureSuccessStatusCode(); // 5 left
        rows = await _ledger.RowCountAsync();
        var poor = await _billing.CallStartedAsync(Guid.NewGuid(), caller.DeviceId, ready.DeviceId);
        Assert.Equal(PaidCallStartStatus.InsufficientCoins, poor.Status);
        Assert.Equal(5, poor.CallerBalance);
        Assert.Equal(rows, await _ledger.RowCountAsync());
        Assert.Equal(0L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM paid_calls"));

        var rich = await _api.SignInAsync();
        var callId = Guid.NewGuid();
        Assert.True((await _billing.CallStartedAsync(callId, rich.DeviceId, ready.DeviceId)).Started);
        Assert.Equal(PaidCallStartStatus.AlreadyStarted, (await _billing.CallStartedAsync(callId, rich.DeviceId, ready.DeviceId)).Status);
        Assert.Equal(40, await _ledger.BalanceAsync(rich.DeviceId));
        Assert.Null(await _billing.CallEndedAsync(Guid.NewGuid()));
    }
}
