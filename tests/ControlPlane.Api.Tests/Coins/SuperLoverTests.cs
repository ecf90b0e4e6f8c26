using ControlPlane.Api.Calls.Billing;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Errors;
using ControlPlane.Api.Tests.Support;
using Testing.Services;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Api.Tests.Coins;

public sealed class SuperLoverTests : IAsyncLifetime
{
    private static readonly Guid Moderator = Guid.Parse("7a1c0de0-5555-4666-8777-888899990000");
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;
    private TokenResponse _moderator = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ModeratorDeviceIds"] = Moderator.ToString(),
            ["SuperLover:CoinsRequired"] = "60",
            ["AdRewards:MaxPerHour"] = "50", ["AdRewards:MaxPerDay"] = "50",
        });
        _ledger = new LedgerProbe(_api.DatabaseUrl);
        _moderator = await _api.SignInAsync(Moderator);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Task<HttpResponseMessage> VerifyPersonAsync(Guid device, int age, TokenResponse? by = null) =>
        _api.PostAsync("/api/super-lover/verification", (by ?? _moderator).AccessToken, new { deviceId = device.ToString(), age });

    private async Task EarnAsync(TokenResponse t, int ads)
    {
        for (var i = 0; i < ads; i++) (await _api.PostAsync("/api/coins/earn-ad", t.AccessToken, new { adType = "rewarded" })).EnsureSuccessStatusCode();
    }

    private async Task<TokenResponse> ReadySuperLoverAsync()
    {
        var t = await _api.SignInAsync();
        (await VerifyPersonAsync(t.DeviceId, 30)).EnsureSuccessStatusCode();
        await EarnAsync(t, 2);
        (await _api.PostAsync("/api/super-lover/become", t.AccessToken, new { superLoverBio = "Listener", fullName = "Sam", gender = "female" })).EnsureSuccessStatusCode();
        (await _api.SendAsync(HttpMethod.Put, "/api/super-lover/status", t.AccessToken, new { status = "ready" })).EnsureSuccessStatusCode();
        return t;
    }

    [Fact]
    public async Task Requirements_are_the_configured_rules()
    {
        var t = await _api.SignInAsync();
        var r = (await _api.GetOkAsync("/api/super-lover/requirements", t.AccessToken)).Data();
        Assert.Equal(60, r.GetProperty("coinsRequired").GetInt32());
        Assert.True(r.GetProperty("verificationRequired").GetBoolean());
        Assert.Equal(18, r.GetProperty("minimumAge").GetInt32());
        Assert.Equal("Become a Super Lover to receive calls and earn coins!", r.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Becoming_a_super_lover_needs_verification_adulthood_and_the_coins()
    {
        var t = await _api.SignInAsync();
        var check = (await _api.GetOkAsync("/api/super-lover/can-become", t.AccessToken)).Data();
        Assert.False(check.GetProperty("canBecome").GetBoolean());
        Assert.Equal(50, check.GetProperty("requirements").GetProperty("userCoins").GetInt64());
        Assert.False(check.GetProperty("requirements").GetProperty("isVerified").GetBoolean());
        Assert.Equal(new[] { "isVerified", "age", "coins" }, check.GetProperty("unmet").EnumerateArray().Select(u => u.GetProperty("field").GetString()));

        // A declared age is not verification.
        var declared = await _api.PostAsync("/api/super-lover/become", t.AccessToken, new { superLoverBio = "Hi", age = 30 });
        Assert.Equal("SUPER_LOVER_REQUIREMENTS_NOT_MET", await ErrorShape.AssertAsync(declared, 403));

        // Only moderators verify; a verified minor still cannot become one.
        Assert.Equal("FORBIDDEN", await ErrorShape.AssertAsync(await VerifyPersonAsync(t.DeviceId, 30, by: t), 403));
        (await VerifyPersonAsync(t.DeviceId, 17)).EnsureSuccessStatusCode();
        await EarnAsync(t, 2);
        var minor = await _api.PostAsync("/api/super-lover/become", t.AccessToken, new { superLoverBio = "Hi", age = 30 });
        Assert.Equal("SUPER_LOVER_REQUIREMENTS_NOT_MET", await ErrorShape.AssertAsync(minor, 403));
        Assert.Equal(17, (await _api.GetOkAsync("/api/super-lover/can-become", t.AccessToken)).Data().GetProperty("requirements").GetProperty("userAge").GetInt32());

        (await VerifyPersonAsync(t.DeviceId, 24)).EnsureSuccessStatusCode();
        Assert.True((await _api.GetOkAsync("/api/super-lover/can-become", t.AccessToken)).Data().GetProperty("canBecome").GetBoolean());
        var became = await (await _api.PostAsync("/api/super-lover/become", t.AccessToken, new { superLoverBio = "Good listener", age = 40 })).OkJsonAsync();
        var user = became.Data().GetProperty("user");
        Assert.True(user.GetProperty("isSuperLover").GetBoolean());
        Assert.Equal("Good listener", user.GetProperty("superLoverBio").GetString());
        Assert.Equal(60, user.GetProperty("coinsBalance").GetInt64()); // a threshold, not a fee
        Assert.Equal("Congratulations! You are now a Super Lover!", became.GetProperty("message").GetString());
        Assert.Equal(24L, await _ledger.ScalarAsync<long>("SELECT age FROM super_lover_profiles WHERE device_id = @d", ("d", t.DeviceId))); // the verified age stands

        Assert.Equal("ALREADY_SUPER_LOVER", await ErrorShape.AssertAsync(await _api.PostAsync("/api/super-lover/become", t.AccessToken, new { superLoverBio = "x" }), 409));
    }

    [Fact]
    public async Task Status_bio_listing_and_stats_belong_to_super_lovers()
    {
        var plain = await _api.SignInAsync();
        Assert.Equal("NOT_SUPER_LOVER", await ErrorShape.AssertAsync(await _api.SendAsync(HttpMethod.Put, "/api/super-lover/status", plain.AccessToken, new { status = "ready" }), 403));
        Assert.Equal("NOT_SUPER_LOVER", await ErrorShape.AssertAsync(await _api.SendAsync(HttpMethod.Put, "/api/super-lover/bio", plain.AccessToken, new { bio = "x" }), 403));
        Assert.Equal("NOT_SUPER_LOVER", await ErrorShape.AssertAsync(await _api.SendAsync(HttpMethod.Get, "/api/super-lover/stats", plain.AccessToken), 403));

        var sl = await ReadySuperLoverAsync();
        var status = await (await _api.SendAsync(HttpMethod.Put, "/api/super-lover/status", sl.AccessToken, new { status = "online" })).OkJsonAsync();
        Assert.Equal("online", status.Data().GetProperty("status").GetString());
        Assert.Equal("Status updated to: ONLINE", status.GetProperty("message").GetString());
        var bio = await (await _api.SendAsync(HttpMethod.Put, "/api/super-lover/bio", sl.AccessToken, new { bio = "Updated Super Lover bio" })).OkJsonAsync();
        Assert.Equal("Updated Super Lover bio", bio.Data().GetProperty("bio").GetString());

        var online = (await _api.GetOkAsync("/api/super-lover/available?status=online&page=1&limit=50", plain.AccessToken)).Data();
        var me = online.GetProperty("superLovers").EnumerateArray().Single(s => s.GetProperty("id").GetString() == sl.DeviceId.ToString());
        Assert.Equal("Sam", me.GetProperty("fullName").GetString());
        Assert.Equal(30, me.GetProperty("age").GetInt32());
        Assert.Equal("female", me.GetProperty("gender").GetString());
        Assert.True(me.GetProperty("isVerified").GetBoolean());
        Assert.Equal(0, me.GetProperty("superLoverRating").GetDouble());
        Assert.Equal("Updated Super Lover bio", me.GetProperty("superLoverBio").GetString());

        (await _api.SendAsync(HttpMethod.Put, "/api/super-lover/status", sl.AccessToken, new { status = "offline" })).EnsureSuccessStatusCode();
        var listed = (await _api.GetOkAsync("/api/super-lover/available?limit=50", plain.AccessToken)).Data().GetProperty("superLovers");
        Assert.DoesNotContain(listed.EnumerateArray(), s => s.GetProperty("id").GetString() == sl.DeviceId.ToString());

        var stats = (await _api.GetOkAsync("/api/super-lover/stats", sl.AccessToken)).Data();
        Assert.Equal(0, stats.GetProperty("totalCalls").GetInt32());
        Assert.Equal(0, stats.GetProperty("totalEarnings").GetInt64());
    }

    [Fact]
    public async Task Only_a_caller_who_had_a_paid_call_can_rate_and_a_new_rating_replaces_the_old()
    {
        var sl = await ReadySuperLoverAsync();
        var caller = await _api.SignInAsync();
        var rate = new { superLoverId = sl.DeviceId.ToString(), rating = 5, comment = "Great conversation!" };
        Assert.Equal("RATING_NOT_ALLOWED", await ErrorShape.AssertAsync(await _api.PostAsync("/api/super-lover/rate", caller.AccessToken, rate), 403));
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(await _api.PostAsync("/api/super-lover/rate", sl.AccessToken, rate), 400));
        Assert.Equal("SUPER_LOVER_NOT_FOUND", await ErrorShape.AssertAsync(await _api.PostAsync("/api/super-lover/rate", caller.AccessToken,
            new { superLoverId = Guid.NewGuid().ToString(), rating = 5 }), 404));

        var billing = _api.Services.GetRequiredService<IPaidCallLifecycle>();
        var callId = Guid.NewGuid();
        Assert.True((await billing.CallStartedAsync(callId, caller.DeviceId, sl.DeviceId)).Started);
        Assert.Equal(1, (await billing.CallEndedAsync(callId))!.MinutesCharged);

        var ok = await (await _api.PostAsync("/api/super-lover/rate", caller.AccessToken, rate)).OkJsonAsync();
        Assert.Equal("Rating submitted successfully", ok.GetProperty("message").GetString());
        Assert.Equal(5, (await _api.GetOkAsync("/api/super-lover/stats", sl.AccessToken)).Data().GetProperty("rating").GetDouble());
        (await _api.PostAsync("/api/super-lover/rate", caller.AccessToken, new { superLoverId = sl.DeviceId.ToString(), rating = 2 })).EnsureSuccessStatusCode();
        var stats = (await _api.GetOkAsync("/api/super-lover/stats", sl.AccessToken)).Data();
        Assert.Equal(2, stats.GetProperty("rating").GetDouble());
        Assert.Equal(1, stats.GetProperty("totalCalls").GetInt32());
        Assert.Equal(5, stats.GetProperty("totalEarnings").GetInt64());
        Assert.Equal(1L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM super_lover_ratings WHERE super_lover_id = @d", ("d", sl.DeviceId)));
    }

    [Fact]
    public async Task Paid_messages_charge_the_sender_once_per_message_and_pay_a_super_lover_their_share()
    {
        var sl = await ReadySuperLoverAsync();
        var sender = await _api.SignInAsync();
        var friend = await _api.SignInAsync();
        await _api.BalanceAsync(friend.AccessToken);
        await using var scope = _api.Services.CreateAsyncScope();
        var messages = scope.ServiceProvider.GetRequiredService<IPaidMessages>();

        var messageId = Guid.NewGuid();
        var first = await messages.ChargeAsync(sender.DeviceId, sl.DeviceId, messageId);
        Assert.Equal(new PaidMessageCharge(5, 45, 2, false), first);
        Assert.Equal(new PaidMessageCharge(0, 45, 0, true), await messages.ChargeAsync(sender.DeviceId, sl.DeviceId, messageId));
        Assert.Equal(62, await _ledger.BalanceAsync(sl.DeviceId));

        var plain = await messages.ChargeAsync(sender.DeviceId, friend.DeviceId, Guid.NewGuid());
        Assert.Equal(new PaidMessageCharge(5, 40, 0, false), plain);
        Assert.Equal(50, await _ledger.BalanceAsync(friend.DeviceId));

        for (var i = 0; i < 8; i++) await messages.ChargeAsync(sender.DeviceId, friend.DeviceId, Guid.NewGuid());
        var broke = await Assert.ThrowsAsync<ApiException>(() => messages.ChargeAsync(sender.DeviceId, friend.DeviceId, Guid.NewGuid()));
        Assert.Equal(402, broke.StatusCode);
        Assert.Equal("INSUFFICIENT_COINS", broke.ErrorCode);
        var self = await Assert.ThrowsAsync<ApiException>(() => messages.ChargeAsync(sender.DeviceId, sender.DeviceId, Guid.NewGuid()));
        Assert.Equal(400, self.StatusCode);

        var tx = (await _api.GetOkAsync("/api/coins/transactions?limit=1", sl.AccessToken)).Data().GetProperty("transactions")[0];
        Assert.Equal("transfer", tx.GetProperty("type").GetString());
        Assert.Equal("message", tx.GetProperty("referenceType").GetString());
        await _ledger.AssertConsistentAsync();
    }
}
