using System.Net;
using System.Security.Cryptography;
using System.Text;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Coins;

public sealed class AdRewardLimitTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["AdRewards:MaxPerHour"] = "3", ["AdRewards:MaxPerDay"] = "4" });
        _ledger = new LedgerProbe(_api.DatabaseUrl);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Rewarded_ads_pay_until_the_hourly_limit_then_refuse_without_a_ledger_row()
    {
        var t = await _api.SignInAsync();
        for (var i = 1; i <= 3; i++)
        {
            var data = (await (await _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded", adProvider = "admob" })).OkJsonAsync()).Data();
            Assert.Equal(5, data.GetProperty("coinsEarned").GetInt32());
            Assert.Equal(50 + 5 * i, data.GetProperty("newBalance").GetInt64());
        }
        var rows = await _ledger.RowCountAsync(t.DeviceId);
        var fourth = await _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded" });
        Assert.Equal("AD_LIMIT_REACHED", await ErrorShape.AssertAsync(fourth, 429));
        Assert.Equal(rows, await _ledger.RowCountAsync(t.DeviceId));
        var tx = (await _api.GetOkAsync("/api/coins/transactions?limit=1", t.AccessToken)).Data().GetProperty("transactions")[0];
        Assert.Equal("Watched ad", tx.GetProperty("description").GetString());
        Assert.Equal("ad_watch", tx.GetProperty("referenceType").GetString());
    }

    [Fact]
    public async Task Concurrent_claims_cannot_slip_past_the_limit()
    {
        var t = await _api.SignInAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded" })));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(9, responses.Count(r => (int)r.StatusCode == 429));
        Assert.Equal(65, await _ledger.BalanceAsync(t.DeviceId));
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task The_daily_limit_counts_a_sliding_day_and_the_hourly_one_a_sliding_hour()
    {
        var t = await _api.SignInAsync();
        await _api.BalanceAsync(t.AccessToken);
        foreach (var hoursAgo in new[] { 2, 5 })
            await _ledger.ExecuteAsync("""
                INSERT INTO ad_rewards (id, device_id, ad_type, ad_provider, coins_earned, created_at)
                VALUES (@id, @d, 'rewarded', 'admob', 5, now() - make_interval(hours => @h))
                """, ("id", Guid.NewGuid()), ("d", t.DeviceId), ("h", hoursAgo));
        await _ledger.ExecuteAsync("""
            INSERT INTO ad_rewards (id, device_id, ad_type, ad_provider, coins_earned, created_at)
            VALUES (@id, @d, 'rewarded', 'admob', 5, now() - interval '25 hours')
            """, ("id", Guid.NewGuid()), ("d", t.DeviceId));
        // 2 in the last day (the 25-hour-old one no longer counts), 0 in the last hour: two more fit the day.
        (await _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded" })).EnsureSuccessStatusCode();
        (await _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded" })).EnsureSuccessStatusCode();
        var third = await _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded" });
        Assert.Equal("AD_LIMIT_REACHED", await ErrorShape.AssertAsync(third, 429));
        Assert.Contains("per day", (await third.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("""{"adType":"banner"}""")]
    [InlineData("""{"adType":"interstitial"}""")]
    [InlineData("""{"adType":"rewarded","adProvider":"<script>"}""")]
    public async Task Only_rewarded_ads_pay(string body)
    {
        var t = await _api.SignInAsync();
        await _api.BalanceAsync(t.AccessToken);
        var res = await _api.SendAsync(HttpMethod.Post, "/api/coins/earn-ad", t.AccessToken, rawBody: body);
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(res, 400));
        Assert.Equal(1, await _ledger.RowCountAsync(t.DeviceId));
    }

    [Fact]
    public async Task Without_verifier_keys_the_ssv_callback_does_not_exist()
    {
        var res = await _api.Client.GetAsync("/api/coins/earn-ad/callback?transaction_id=1&user_id=x&signature=a&key_id=1");
        Assert.Equal("NOT_FOUND", await ErrorShape.AssertAsync(res, 404));
    }
}

/// <summary>AdMob server-side verification with a key pair made here: the server holds only the public key.</summary>
public sealed class AdRewardVerificationTests : IAsyncLifetime
{
    private const string KeyId = "3335741209";
    private readonly ECDsa _google = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["AdRewards:VerifierKeys"] = KeyId + ":" + Convert.ToBase64String(_google.ExportSubjectPublicKeyInfo()),
            ["AdRewards:MaxPerHour"] = "100", ["AdRewards:MaxPerDay"] = "100",
        });
        _ledger = new LedgerProbe(_api.DatabaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _google.Dispose();
        _impostor.Dispose();
    }

    /// <summary>The query string AdMob sends to the SSV callback, signed over everything before "&amp;signature=".</summary>
    private string Signed(Guid user, string? transaction = null, DateTimeOffset? at = null, ECDsa? key = null, string keyId = KeyId, string rewardAmount = "5")
    {
        var content = $"ad_network=5450213213286189855&ad_unit=1234567890&custom_data=&reward_amount={rewardAmount}&reward_item=coins" +
                      $"&timestamp={(at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds()}&transaction_id={transaction ?? Guid.NewGuid().ToString("N")}&user_id={user}";
        var der = (key ?? _google).SignData(Encoding.UTF8.GetBytes(content), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var signature = Convert.ToBase64String(der).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{content}&signature={signature}&key_id={keyId}";
    }

    private Task<HttpResponseMessage> EarnAsync(TokenResponse t, string? verification) =>
        _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded", adProvider = "admob", verification });

    [Fact]
    public async Task A_reward_signed_by_the_configured_key_for_this_device_pays_once()
    {
        var t = await _api.SignInAsync();
        var query = Signed(t.DeviceId, "tx-1-" + Guid.NewGuid());
        var data = (await (await EarnAsync(t, query)).OkJsonAsync()).Data();
        Assert.Equal(55, data.GetProperty("newBalance").GetInt64());
        Assert.Equal("AD_REWARD_ALREADY_CLAIMED", await ErrorShape.AssertAsync(await EarnAsync(t, query), 409));
        Assert.Equal(55, await _ledger.BalanceAsync(t.DeviceId));
    }

    [Fact]
    public async Task Unsigned_forged_foreign_stale_or_tampered_rewards_pay_nothing()
    {
        var t = await _api.SignInAsync();
        var other = Guid.NewGuid();
        await _api.BalanceAsync(t.AccessToken);
        var rows = await _ledger.RowCountAsync();
        var good = Signed(t.DeviceId);
        var cases = new (string? Query, string Why)[]
        {
            (null, "no signature"),
            ("ad_network=1&transaction_id=2", "no signature parameter"),
            (Signed(t.DeviceId, key: _impostor), "signed by another key"),
            (Signed(t.DeviceId, keyId: "999"), "unknown key id"),
            (Signed(other), "issued to another user"),
            (Signed(t.DeviceId, at: DateTimeOffset.UtcNow.AddHours(-2)), "too old"),
            (Signed(t.DeviceId, at: DateTimeOffset.UtcNow.AddHours(1)), "from the future"),
            (good.Replace("reward_amount=5", "reward_amount=500"), "tampered"),
            (good + "&extra=1", "unsigned parameter after the signature"),
            (good.Replace("&signature=", "&signature=AAAA"), "corrupted signature"),
        };
        foreach (var (query, why) in cases)
        {
            var res = await EarnAsync(t, query);
            Assert.True(res.StatusCode == HttpStatusCode.Forbidden, $"{why}: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync()}");
            Assert.Equal("AD_VERIFICATION_FAILED", await ErrorShape.AssertAsync(res, 403));
        }
        Assert.Equal(rows, await _ledger.RowCountAsync());
    }

    [Fact]
    public async Task AdMob_can_call_the_callback_directly_and_the_same_transaction_never_pays_twice()
    {
        var t = await _api.SignInAsync();
        var transaction = "cb-" + Guid.NewGuid().ToString("N");
        var query = Signed(t.DeviceId, transaction);
        var res = await _api.Client.GetAsync("/api/coins/earn-ad/callback?" + query); // no token: the signature is the proof
        Assert.Equal(5, (await res.OkJsonAsync()).Data().GetProperty("coinsEarned").GetInt32());
        Assert.Equal(55, await _api.BalanceAsync(t.AccessToken));
        Assert.Equal("AD_REWARD_ALREADY_CLAIMED", await ErrorShape.AssertAsync(await _api.Client.GetAsync("/api/coins/earn-ad/callback?" + query), 409));
        Assert.Equal("AD_REWARD_ALREADY_CLAIMED", await ErrorShape.AssertAsync(await EarnAsync(t, query), 409));
        var bad = await _api.Client.GetAsync("/api/coins/earn-ad/callback?" + query.Replace("reward_item=coins", "reward_item=gems"));
        Assert.Equal("AD_VERIFICATION_FAILED", await ErrorShape.AssertAsync(bad, 403));
        Assert.Equal(55, await _api.BalanceAsync(t.AccessToken));
    }

    [Fact]
    public void Random_and_mutated_callback_strings_never_throw()
    {
        var verifier = new AdRewardSignature(AdRewardSignature.ParseKeys(KeyId + ":" + Convert.ToBase64String(_google.ExportSubjectPublicKeyInfo())), TimeSpan.FromHours(1));
        var random = new Random(8);
        var user = Guid.NewGuid();
        var good = Signed(user);
        Assert.Equal(AdRewardRejection.None, verifier.Verify(good, DateTimeOffset.UtcNow, out var reward));
        Assert.Equal(user.ToString(), reward!.UserId);
        const string alphabet = "&=%_-+abcdefghijklmnopqrstuvwxyz0123456789?";
        var signedPart = good[..good.IndexOf("&signature=", StringComparison.Ordinal)];
        for (var i = 0; i < 3000; i++)
        {
            string s;
            if (i % 2 == 0)
            {
                var chars = good.ToCharArray();
                for (var e = 0; e < 1 + random.Next(3); e++) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                s = new string(chars);
            }
            else s = new string(Enumerable.Range(0, random.Next(0, 300)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            // Whatever verifies must carry exactly the signed bytes (only the signature's spelling may differ:
            // '-' and '+' are one digit, and base64's last digit has unused bits).
            if (verifier.Verify(s, DateTimeOffset.UtcNow, out var r) == AdRewardRejection.None)
            {
                Assert.StartsWith(signedPart + "&signature=", s);
                Assert.Equal(user.ToString(), r!.UserId);
            }
        }
    }

    [Fact]
    public void Verifier_keys_must_be_ec_public_keys()
    {
        Assert.Throws<FormatException>(() => AdRewardSignature.ParseKeys("1:not-base64!"));
        Assert.Throws<FormatException>(() => AdRewardSignature.ParseKeys("no-colon"));
        Assert.Throws<FormatException>(() => AdRewardSignature.ParseKeys("1:" + Convert.ToBase64String(new byte[] { 1, 2, 3 })));
        using var rsa = RSA.Create(2048);
        Assert.Throws<FormatException>(() => AdRewardSignature.ParseKeys("1:" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())));
        Assert.Equal(2, AdRewardSignature.ParseKeys($"a:{Convert.ToBase64String(_google.ExportSubjectPublicKeyInfo())}, b:{Convert.ToBase64String(_impostor.ExportSubjectPublicKeyInfo())}").Count);
    }
}
