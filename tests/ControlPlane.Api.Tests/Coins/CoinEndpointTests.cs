using System.Net;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Coins;

public sealed class CoinEndpointTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync();
        _ledger = new LedgerProbe(_api.DatabaseUrl);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_new_device_gets_the_signup_bonus_once_even_when_its_first_requests_race()
    {
        var t = await _api.SignInAsync();
        var balances = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _api.BalanceAsync(t.AccessToken)));
        Assert.All(balances, b => Assert.Equal(50, b));
        Assert.Equal(1, await _ledger.RowCountAsync(t.DeviceId));

        var body = await _api.GetOkAsync("/api/coins/balance", t.AccessToken);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(50, body.Data().GetProperty("totalEarned").GetInt64());
        Assert.Equal(0, body.Data().GetProperty("totalSpent").GetInt64());

        var tx = (await _api.GetOkAsync("/api/coins/transactions", t.AccessToken)).Data();
        var only = Assert.Single(tx.GetProperty("transactions").EnumerateArray());
        Assert.Equal("earn", only.GetProperty("type").GetString());
        Assert.Equal(50, only.GetProperty("amount").GetInt64());
        Assert.Equal("Signup bonus", only.GetProperty("description").GetString());
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task Spending_debits_the_balance_and_the_ledger_and_an_overdraft_is_refused_without_a_row()
    {
        var t = await _api.SignInAsync();
        var res = await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 10, action = "call", referenceId = Guid.NewGuid().ToString() });
        var data = (await res.OkJsonAsync()).Data();
        Assert.Equal(10, data.GetProperty("coinsSpent").GetInt64());
        Assert.Equal(40, data.GetProperty("newBalance").GetInt64());

        var before = await _ledger.RowCountAsync();
        var over = await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 41, action = "call" });
        Assert.Equal("INSUFFICIENT_COINS", await ErrorShape.AssertAsync(over, 402));
        Assert.Equal(before, await _ledger.RowCountAsync());

        var exact = await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 40, action = "gift" });
        Assert.Equal(0, (await exact.OkJsonAsync()).Data().GetProperty("newBalance").GetInt64());
        Assert.Equal(0, await _ledger.BalanceAsync(t.DeviceId));
        Assert.Equal(0, await _ledger.SumAsync(t.DeviceId));

        var balance = (await _api.GetOkAsync("/api/coins/balance", t.AccessToken)).Data();
        Assert.Equal(50, balance.GetProperty("totalEarned").GetInt64());
        Assert.Equal(50, balance.GetProperty("totalSpent").GetInt64());
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task The_same_idempotency_key_replays_the_first_response_and_writes_one_row()
    {
        var t = await _api.SignInAsync();
        await _api.BalanceAsync(t.AccessToken);
        var key = Guid.NewGuid().ToString();
        var first = await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 7, action = "boost" }, key);
        var firstText = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));

        for (var i = 0; i < 3; i++)
        {
            // Same request, written differently (key order, whitespace): the same request.
            var again = await _api.SendAsync(HttpMethod.Post, "/api/coins/spend", t.AccessToken, idempotencyKey: key,
                rawBody: "{ \"action\": \"boost\",   \"amount\": 7 }");
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(firstText, await again.Content.ReadAsStringAsync());
            Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        }
        Assert.Equal(2, await _ledger.RowCountAsync(t.DeviceId)); // bonus + one spend
        Assert.Equal(43, await _ledger.BalanceAsync(t.DeviceId));

        var other = await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 8, action = "boost" }, key);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", await ErrorShape.AssertAsync(other, 422));
        var otherPath = await _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded" }, key);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", await ErrorShape.AssertAsync(otherPath, 422));
        Assert.Equal(2, await _ledger.RowCountAsync(t.DeviceId));

        // Keys belong to a device: another device's identical key is its own request.
        var u = await _api.SignInAsync();
        var theirs = await _api.PostAsync("/api/coins/spend", u.AccessToken, new { amount = 7, action = "boost" }, key);
        Assert.Equal(43, (await theirs.OkJsonAsync()).Data().GetProperty("newBalance").GetInt64());
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task Concurrent_duplicates_with_one_key_execute_once()
    {
        var t = await _api.SignInAsync();
        await _api.BalanceAsync(t.AccessToken);
        var key = "retry-" + Guid.NewGuid();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 3, action = "call" }, key)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies.Distinct());
        Assert.Equal(19, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(2, await _ledger.RowCountAsync(t.DeviceId));
        Assert.Equal(47, await _ledger.BalanceAsync(t.DeviceId));
    }

    [Fact]
    public async Task A_failed_request_stores_nothing_so_a_corrected_retry_with_the_same_key_runs()
    {
        var t = await _api.SignInAsync();
        var key = Guid.NewGuid().ToString();
        var broke = await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 500, action = "call" }, key);
        Assert.Equal("INSUFFICIENT_COINS", await ErrorShape.AssertAsync(broke, 402));
        var retry = await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 500, action = "call" }, key);
        Assert.Equal("INSUFFICIENT_COINS", await ErrorShape.AssertAsync(retry, 402));
        Assert.False(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(0L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM idempotency_keys WHERE device_id = @d", ("d", t.DeviceId)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("del\u007fchar")]
    public async Task Malformed_idempotency_keys_are_refused(string key)
    {
        var t = await _api.SignInAsync();
        var req = _api.Authorized(HttpMethod.Post, "/api/coins/spend", t.AccessToken);
        req.Content = new StringContent("{\"amount\":1,\"action\":\"call\"}", System.Text.Encoding.UTF8, "application/json");
        req.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        var res = await _api.Client.SendAsync(req);
        Assert.Equal("IDEMPOTENCY_KEY_INVALID", await ErrorShape.AssertAsync(res, 400));
        var tooLong = await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 1, action = "call" }, new string('k', 256));
        Assert.Equal("IDEMPOTENCY_KEY_INVALID", await ErrorShape.AssertAsync(tooLong, 400));
    }

    [Fact]
    public async Task Transactions_are_paginated_newest_first()
    {
        var t = await _api.SignInAsync();
        for (var i = 1; i <= 5; i++)
            (await _api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = i, action = "call" })).EnsureSuccessStatusCode();
        var page1 = (await _api.GetOkAsync("/api/coins/transactions?page=1&limit=4", t.AccessToken)).Data();
        var page2 = (await _api.GetOkAsync("/api/coins/transactions?page=2&limit=4", t.AccessToken)).Data();
        Assert.Equal(4, page1.GetProperty("transactions").GetArrayLength());
        Assert.Equal(2, page2.GetProperty("transactions").GetArrayLength());
        var p = page1.GetProperty("pagination");
        Assert.Equal(6, p.GetProperty("total").GetInt64());
        Assert.True(p.GetProperty("hasNext").GetBoolean());
        Assert.False(page2.GetProperty("pagination").GetProperty("hasNext").GetBoolean());
        Assert.Equal(5, page1.GetProperty("transactions")[0].GetProperty("amount").GetInt64());
        Assert.Equal("spend", page1.GetProperty("transactions")[0].GetProperty("type").GetString());
        Assert.Equal(35, page1.GetProperty("transactions")[0].GetProperty("balanceAfter").GetInt64());
        Assert.Equal("earn", page2.GetProperty("transactions")[1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Packages_list_the_seeded_packages_with_prices_in_currency_units()
    {
        var t = await _api.SignInAsync();
        var packages = (await _api.GetOkAsync("/api/coins/packages", t.AccessToken)).Data().GetProperty("packages");
        Assert.Equal(new[] { "basic", "premium", "mega" }, packages.EnumerateArray().Select(p => p.GetProperty("slug").GetString()));
        var basic = packages[0];
        Assert.Equal(100, basic.GetProperty("coins").GetInt32());
        Assert.Equal(4.99m, basic.GetProperty("price").GetDecimal());
        Assert.True(Guid.TryParse(basic.GetProperty("id").GetString(), out _));
        Assert.True(basic.GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task Coin_endpoints_require_a_token()
    {
        foreach (var path in new[] { "/api/coins/balance", "/api/coins/transactions", "/api/coins/packages" })
            Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(await _api.Client.GetAsync(path), 401));
        var res = await _api.Client.PostAsync("/api/coins/spend", new StringContent("{\"amount\":1,\"action\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(res, 401));
    }

    [Fact]
    public async Task The_ledger_table_is_append_only()
    {
        var t = await _api.SignInAsync();
        await _api.BalanceAsync(t.AccessToken);
        var e = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            _ledger.ExecuteAsync("UPDATE coin_transactions SET amount = 5000 WHERE device_id = @d", ("d", t.DeviceId)));
        Assert.Contains("append-only", e.MessageText);
        var check = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            _ledger.ExecuteAsync("UPDATE coin_accounts SET balance = -1 WHERE device_id = @d", ("d", t.DeviceId)));
        Assert.Equal("23514", check.SqlState); // check_violation
    }
}

public sealed class SignupBonusConfigurationTests
{
    [Fact]
    public async Task The_signup_bonus_is_configurable_and_zero_writes_no_row()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Coins:SignupBonus"] = "0" });
        var ledger = new LedgerProbe(api.DatabaseUrl);
        var t = await api.SignInAsync();
        Assert.Equal(0, await api.BalanceAsync(t.AccessToken));
        Assert.Equal(0, await ledger.RowCountAsync(t.DeviceId));
        var res = await api.PostAsync("/api/coins/spend", t.AccessToken, new { amount = 1, action = "call" });
        Assert.Equal("INSUFFICIENT_COINS", await ErrorShape.AssertAsync(res, 402));
    }

    [Fact]
    public async Task The_signup_bonus_comes_from_SIGNUP_BONUS_COINS()
    {
        var values = ControlPlane.Api.Configuration.SeedEnvironment.Read(n => n == "SIGNUP_BONUS_COINS" ? "75" : null);
        await using var api = await ApiHost.StartAsync(values);
        var t = await api.SignInAsync();
        Assert.Equal(75, await api.BalanceAsync(t.AccessToken));
    }
}
