using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ControlPlane.Api.Hosting;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Coins;

/// <summary>The ledger under real concurrency: two separate API processes on one database, racing to spend.</summary>
public sealed class ConcurrentSpendTests
{
    [Fact]
    public async Task A_hundred_concurrent_spends_over_two_api_processes_spend_exactly_the_balance()
    {
        // The database gets its schema from an in-process host; it also issues the token both processes accept.
        await using var setup = await ApiHost.StartAsync();
        var token = await setup.SignInAsync();
        var ledger = new LedgerProbe(setup.DatabaseUrl);

        await using var a = await StartProcessAsync(setup.DatabaseUrl);
        await using var b = await StartProcessAsync(setup.DatabaseUrl);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        // Warm both processes' coin path with another device first, so that neither loses the race only
        // because its code is still being compiled (the race must be between processes, not JIT states).
        var warmup = await setup.SignInAsync();
        foreach (var api in new[] { a.BaseAddress, b.BaseAddress })
            for (var i = 0; i < 3; i++)
            {
                var req = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/api/coins/spend"))
                {
                    Content = new StringContent("{\"amount\":1,\"action\":\"warmup\"}", Encoding.UTF8, "application/json"),
                };
                req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", warmup.AccessToken);
                using var res = await http.SendAsync(req);
                Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            }

        async Task<(HttpStatusCode StatusCode, int Process)> SpendAsync(int process)
        {
            var req = new HttpRequestMessage(HttpMethod.Post, new Uri(process == 0 ? a.BaseAddress : b.BaseAddress, "/api/coins/spend"))
            {
                Content = new StringContent("{\"amount\":1,\"action\":\"race\"}", Encoding.UTF8, "application/json"),
            };
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
            using var res = await http.SendAsync(req);
            return (res.StatusCode, process);
        }

        // Phase 1: five pairs, each pair one request to each process at the same moment. The account does not
        // exist yet, so the first pair also races its creation (and the 50-coin signup bonus) across processes,
        // and both processes are certain to debit.
        var results = new List<(HttpStatusCode StatusCode, int Process)>();
        for (var pair = 0; pair < 5; pair++) results.AddRange(await Task.WhenAll(SpendAsync(0), SpendAsync(1)));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // Phase 2: the other 90 spends all at once, spread over both processes, against the remaining 40 coins.
        var start = new TaskCompletionSource();
        var burst = Enumerable.Range(0, 90).Select(async i => { await start.Task; return await SpendAsync(i % 2); }).ToList();
        start.SetResult();
        results.AddRange(await Task.WhenAll(burst));

        Assert.Equal(50, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(50, results.Count(r => r.StatusCode == HttpStatusCode.PaymentRequired));
        Assert.Empty(results.Where(r => r.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PaymentRequired)));
        // Both processes did real work (neither just refused everything).
        Assert.True(results.Count(r => r.StatusCode == HttpStatusCode.OK && r.Process == 0) > 0, "process A spent nothing");
        Assert.True(results.Count(r => r.StatusCode == HttpStatusCode.OK && r.Process == 1) > 0, "process B spent nothing");

        Assert.Equal(0, await ledger.BalanceAsync(token.DeviceId));
        Assert.Equal(0, await ledger.SumAsync(token.DeviceId));
        Assert.Equal(1L, await ledger.ScalarAsync<long>("SELECT count(*) FROM coin_transactions WHERE device_id = @d AND reference_type = 'signup_bonus'", ("d", token.DeviceId)));
        Assert.Equal(50L, await ledger.ScalarAsync<long>("SELECT count(*) FROM coin_transactions WHERE device_id = @d AND transaction_type = 'spend'", ("d", token.DeviceId)));
        // Every successful spend left a distinct running balance 49..0: no two debits saw the same balance.
        Assert.Equal(50L, await ledger.ScalarAsync<long>("SELECT count(DISTINCT balance_after) FROM coin_transactions WHERE device_id = @d AND transaction_type = 'spend'", ("d", token.DeviceId)));
        await ledger.AssertConsistentAsync();
    }

    /// <summary>Two real API processes on one database; small pools because PostgreSQL is shared with every other test.</summary>
    private static Task<ApiProcess> StartProcessAsync(string databaseUrl) => ApiProcess.StartAsync(new Dictionary<string, string>
    {
        ["DATABASE_URL"] = databaseUrl + "?Maximum%20Pool%20Size=20",
        ["REDIS_URL"] = "", ["TURN_SECRET"] = "", ["TURN_SERVER_URL"] = "", ["STRIPE_SECRET_KEY"] = "", ["SIGNUP_BONUS_COINS"] = "",
    }, typeof(ControlPlaneApp).Assembly.Location);
}
