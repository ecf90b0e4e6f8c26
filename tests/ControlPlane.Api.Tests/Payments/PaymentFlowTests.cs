using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Api.Payments;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Support;
using Testing.Services;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Api.Tests.Payments;

public sealed class PaymentFlowTests : IAsyncLifetime
{
    private FakeStripe _stripe = null!;
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;

    public async Task InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _api = await ApiHost.StartAsync(_stripe.Settings());
        _ledger = new LedgerProbe(_api.DatabaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    private async Task<HttpResponseMessage> DeliverAsync(string payload, string? signature)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/payments/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        if (signature is not null) req.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await _api.Client.SendAsync(req);
    }

    private Task<HttpResponseMessage> DeliverSignedAsync(string payload) => DeliverAsync(payload, FakeStripe.Sign(payload));

    private async Task<(TokenResponse Token, string SessionId, string OrderId)> BuyBasicAsync()
    {
        var t = await _api.SignInAsync();
        var packages = (await _api.GetOkAsync("/api/coins/packages", t.AccessToken)).Data().GetProperty("packages");
        var basic = packages.EnumerateArray().Single(p => p.GetProperty("slug").GetString() == "basic").GetProperty("id").GetString();
        var data = (await (await _api.PostAsync("/api/coins/purchase", t.AccessToken, new { packageId = basic, paymentMethod = "stripe" })).OkJsonAsync()).Data();
        return (t, data.GetProperty("sessionId").GetString()!, data.GetProperty("orderId").GetString()!);
    }

    [Fact]
    public async Task A_coin_checkout_is_credited_once_by_a_signed_completed_event_delivered_five_times()
    {
        var (t, sessionId, orderId) = await BuyBasicAsync();

        var create = Assert.Single(_stripe.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.Equal("Bearer " + FakeStripe.SecretKey, create.Authorization);
        Assert.Equal("2024-06-20", create.StripeVersion);
        Assert.StartsWith("application/x-www-form-urlencoded", create.ContentType);
        Assert.False(string.IsNullOrEmpty(create.IdempotencyKey));
        Assert.Equal("payment", create.Form["mode"]);
        Assert.Equal("499", create.Form["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("usd", create.Form["line_items[0][price_data][currency]"]);
        Assert.Equal("1", create.Form["line_items[0][quantity]"]);
        Assert.Equal(t.DeviceId.ToString(), create.Form["client_reference_id"]);
        Assert.Equal(orderId, create.Form["metadata[order_id]"]);
        Assert.StartsWith("cs_test_", sessionId);
        Assert.Equal(50, await _api.BalanceAsync(t.AccessToken)); // nothing until Stripe says it is paid

        var payload = FakeStripe.Event("checkout.session.completed", _stripe.Complete(sessionId));
        var concurrent = await Task.WhenAll(DeliverSignedAsync(payload), DeliverSignedAsync(payload));
        var later = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++) later.Add(await DeliverSignedAsync(payload));
        var all = concurrent.Concat(later).ToList();
        var bodies = new List<JsonElement>();
        foreach (var r in all) bodies.Add(await r.OkJsonAsync());
        Assert.Single(bodies, b => !b.GetProperty("duplicate").GetBoolean());
        Assert.Equal("fulfilled", bodies.Single(b => !b.GetProperty("duplicate").GetBoolean()).GetProperty("outcome").GetString());

        Assert.Equal(150, await _api.BalanceAsync(t.AccessToken));
        Assert.Equal(1L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM coin_transactions WHERE device_id = @d AND transaction_type = 'purchase'", ("d", t.DeviceId)));
        var history = (await _api.GetOkAsync("/api/payment/history", t.AccessToken)).Data().GetProperty("payments");
        var order = Assert.Single(history.EnumerateArray());
        Assert.Equal("paid", order.GetProperty("status").GetString());
        Assert.Equal(4.99m, order.GetProperty("amount").GetDecimal());
        Assert.Equal("basic", order.GetProperty("coinPackage").GetString());

        // Another event about the same session (a different event id) cannot credit it again either.
        var other = FakeStripe.Event("checkout.session.async_payment_succeeded", _stripe.Session(sessionId));
        Assert.Equal("already_fulfilled", (await (await DeliverSignedAsync(other)).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal(150, await _api.BalanceAsync(t.AccessToken));
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task Bad_or_stale_signatures_are_refused_with_400_and_change_nothing()
    {
        var (t, sessionId, _) = await BuyBasicAsync();
        var payload = FakeStripe.Event("checkout.session.completed", _stripe.Complete(sessionId));
        var rows = await _ledger.RowCountAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var tampered = payload.Replace("\"amount_total\":499", "\"amount_total\":49900");
        Assert.NotEqual(payload, tampered);
        var attempts = new (string Body, string? Signature)[]
        {
            (payload, null),
            (payload, FakeStripe.Sign(payload, "whsec_someone_else")),
            (payload, FakeStripe.Sign(payload, timestamp: now - 301)),
            (payload, FakeStripe.Sign(payload, timestamp: now + 400)),
            (tampered, FakeStripe.Sign(payload)),
            (payload, "t=" + now + ",v1=" + new string('a', 64)),
            (payload, "not a signature"),
        };
        foreach (var (body, signature) in attempts)
            Assert.Equal("WEBHOOK_SIGNATURE_INVALID", await ErrorShape.AssertAsync(await DeliverAsync(body, signature), 400));

        Assert.Equal(rows, await _ledger.RowCountAsync());
        Assert.Equal(0L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM processed_stripe_events"));
        Assert.Equal("pending", await _ledger.ScalarAsync<string>("SELECT status FROM payment_orders WHERE provider_session_id = @s", ("s", sessionId)));
        Assert.Equal(50, await _api.BalanceAsync(t.AccessToken));

        (await DeliverSignedAsync(payload)).EnsureSuccessStatusCode(); // the same event, properly signed, works
        Assert.Equal(150, await _api.BalanceAsync(t.AccessToken));
    }

    [Fact]
    public async Task Signed_events_that_do_not_fit_the_order_grant_nothing()
    {
        var (t, sessionId, _) = await BuyBasicAsync();
        // Paid less than the package price.
        var cheap = FakeStripe.Event("checkout.session.completed", _stripe.Complete(sessionId, amountPaid: 1));
        Assert.Equal("amount_mismatch", (await (await DeliverSignedAsync(cheap)).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal(50, await _api.BalanceAsync(t.AccessToken));

        // A session claiming to belong to someone else's order.
        var (u, otherSession, _) = await BuyBasicAsync();
        var forged = _stripe.Complete(otherSession);
        forged["client_reference_id"] = t.DeviceId.ToString();
        var outcome = (await (await DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", forged))).OkJsonAsync()).GetProperty("outcome").GetString();
        Assert.Equal("ignored:device_mismatch", outcome);
        Assert.Equal(50, await _api.BalanceAsync(u.AccessToken));
        Assert.Equal(50, await _api.BalanceAsync(t.AccessToken));

        // Not paid yet, then expired.
        var (_, openSession, _) = await BuyBasicAsync();
        Assert.Equal("not_paid", (await (await DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", _stripe.Session(openSession)))).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal("order:expired", (await (await DeliverSignedAsync(FakeStripe.Event("checkout.session.expired", _stripe.Expire(openSession)))).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal("expired", await _ledger.ScalarAsync<string>("SELECT status FROM payment_orders WHERE provider_session_id = @s", ("s", openSession)));

        // Unknown session, unhandled type, malformed event: acknowledged, nothing changes.
        var unknown = new JsonObject { ["id"] = "cs_test_unknown", ["object"] = "checkout.session", ["status"] = "complete", ["payment_status"] = "paid" };
        Assert.Equal("ignored:unknown_session", (await (await DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", unknown))).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal("ignored:unhandled_type", (await (await DeliverSignedAsync(FakeStripe.Event("charge.succeeded", new JsonObject { ["id"] = "ch_1" }))).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(await DeliverSignedAsync("""{"id":"evt_x"}"""), 400));
        Assert.Equal("INVALID_JSON", await ErrorShape.AssertAsync(await DeliverSignedAsync("not json"), 400));
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task Verify_by_session_retrieval_credits_when_the_webhook_is_late_and_the_webhook_then_credits_nothing()
    {
        var t = await _api.SignInAsync();
        var created = (await (await _api.PostAsync("/api/payment/create-order", t.AccessToken,
            new { amount = 100, coinPackage = "basic", paymentMethod = "stripe" })).OkJsonAsync()).Data();
        var orderId = created.GetProperty("orderId").GetString();
        var sessionId = created.GetProperty("sessionId").GetString()!;
        Assert.Equal(100, created.GetProperty("coins").GetInt32());
        Assert.Equal("pending", created.GetProperty("status").GetString());

        var rows = await _ledger.RowCountAsync(t.DeviceId);
        var early = await _api.PostAsync("/api/payment/verify", t.AccessToken, new { orderId });
        Assert.Equal("PAYMENT_NOT_COMPLETED", await ErrorShape.AssertAsync(early, 409));
        Assert.Equal(rows, await _ledger.RowCountAsync(t.DeviceId));

        _stripe.Complete(sessionId);
        var verified = (await (await _api.PostAsync("/api/payment/verify", t.AccessToken, new { orderId })).OkJsonAsync()).Data();
        Assert.Equal("paid", verified.GetProperty("status").GetString());
        Assert.Equal(100, verified.GetProperty("coinsGranted").GetInt64());
        Assert.Equal(150, verified.GetProperty("newBalance").GetInt64());
        Assert.Contains(_stripe.RequestsTo("GET", "/v1/checkout/sessions/"), r => r.Path.EndsWith(sessionId));

        var again = (await (await _api.PostAsync("/api/payment/verify", t.AccessToken, new { sessionId })).OkJsonAsync()).Data();
        Assert.Equal(0, again.GetProperty("coinsGranted").GetInt64());
        var seed000 = await _api.GetOkAsync("/payments/verify?session_id=" + sessionId, t.AccessToken);
        Assert.True(seed000.GetProperty("success").GetBoolean());
        Assert.False(seed000.GetProperty("isPremium").GetBoolean());

        var late = FakeStripe.Event("checkout.session.completed", _stripe.Session(sessionId));
        Assert.Equal("already_fulfilled", (await (await DeliverSignedAsync(late)).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal(150, await _api.BalanceAsync(t.AccessToken));

        // Someone else's order is not found for this device.
        var u = await _api.SignInAsync();
        Assert.Equal("ORDER_NOT_FOUND", await ErrorShape.AssertAsync(await _api.PostAsync("/api/payment/verify", u.AccessToken, new { orderId }), 404));
        Assert.Equal("ORDER_NOT_FOUND", await ErrorShape.AssertAsync(await _api.SendAsync(HttpMethod.Get, "/payments/verify?session_id=" + sessionId, u.AccessToken), 404));
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task A_premium_subscription_grants_premium_until_it_ends()
    {
        var t = await _api.SignInAsync();
        var premium = _api.Services.GetRequiredService<IPremiumStatus>();
        Assert.False((await _api.GetOkAsync("/users/premium-status", t.AccessToken)).GetProperty("isPremium").GetBoolean());

        var checkout = await (await _api.PostAsync("/payments/create-checkout", t.AccessToken, new { plan = "monthly" })).OkJsonAsync();
        var sessionId = checkout.GetProperty("sessionId").GetString()!;
        Assert.StartsWith("https://checkout.stripe.com/", checkout.GetProperty("url").GetString());
        var create = _stripe.RequestsTo("POST", "/v1/checkout/sessions").Single(r => r.Form["client_reference_id"] == t.DeviceId.ToString());
        Assert.Equal("subscription", create.Form["mode"]);
        Assert.Equal(FakeStripe.MonthlyPrice, create.Form["line_items[0][price]"]);
        Assert.Equal(t.DeviceId.ToString(), create.Form["subscription_data[metadata][device_id]"]);
        Assert.False(await premium.IsPremiumAsync(t.DeviceId));

        var verifyEarly = await _api.SendAsync(HttpMethod.Get, "/payments/verify?session_id=" + sessionId, t.AccessToken);
        Assert.Equal("PAYMENT_NOT_COMPLETED", await ErrorShape.AssertAsync(verifyEarly, 409));

        var completed = _stripe.Complete(sessionId);
        var subscriptionId = completed["subscription"]!.GetValue<string>();
        var res = await DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", completed));
        Assert.Equal("fulfilled", (await res.OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.True(await premium.IsPremiumAsync(t.DeviceId));
        Assert.True((await _api.GetOkAsync("/users/premium-status", t.AccessToken)).GetProperty("isPremium").GetBoolean());
        Assert.True((await _api.GetOkAsync("/payments/verify?session_id=" + sessionId, t.AccessToken)).GetProperty("isPremium").GetBoolean());

        var mine = (await _api.GetOkAsync("/subscriptions/my", t.AccessToken)).GetProperty("subscriptions");
        var sub = Assert.Single(mine.EnumerateArray());
        Assert.Equal(subscriptionId, sub.GetProperty("id").GetString());
        Assert.Equal("monthly", sub.GetProperty("plan").GetString());
        Assert.Equal("active", sub.GetProperty("status").GetString());
        Assert.InRange(sub.GetProperty("currentPeriodEnd").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(27), DateTimeOffset.UtcNow.AddDays(32));
        Assert.Equal(subscriptionId, (await _api.GetOkAsync("/subscriptions/active", t.AccessToken)).GetProperty("subscription").GetProperty("id").GetString());

        var twice = await _api.PostAsync("/payments/create-checkout", t.AccessToken, new { plan = "yearly" });
        Assert.Equal("ALREADY_PREMIUM", await ErrorShape.AssertAsync(twice, 409));

        // Cancel: at the end of the paid period, so premium stays for now.
        var cancel = await (await _api.PostAsync("/payments/cancel-subscription", t.AccessToken)).OkJsonAsync();
        Assert.True(cancel.GetProperty("success").GetBoolean());
        Assert.Equal("Subscription cancelled", cancel.GetProperty("message").GetString());
        Assert.True(cancel.GetProperty("cancelAtPeriodEnd").GetBoolean());
        var update = Assert.Single(_stripe.RequestsTo("POST", "/v1/subscriptions/" + subscriptionId));
        Assert.Equal("true", update.Form["cancel_at_period_end"]);
        Assert.True(await premium.IsPremiumAsync(t.DeviceId));

        // The period ends: Stripe deletes the subscription; premium ends.
        var ended = _stripe.ChangeSubscription(subscriptionId, s => { s["status"] = "canceled"; s["ended_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(); });
        await DeliverSignedAsync(FakeStripe.Event("customer.subscription.deleted", ended, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60));
        Assert.False(await premium.IsPremiumAsync(t.DeviceId));
        Assert.False((await _api.GetOkAsync("/users/premium-status", t.AccessToken)).GetProperty("isPremium").GetBoolean());
        Assert.Equal(JsonValueKind.Null, (await _api.GetOkAsync("/subscriptions/active", t.AccessToken)).GetProperty("subscription").ValueKind);
        Assert.Equal("canceled", (await _api.GetOkAsync("/subscriptions/my", t.AccessToken)).GetProperty("subscriptions")[0].GetProperty("status").GetString());
        Assert.Equal("SUBSCRIPTION_NOT_FOUND", await ErrorShape.AssertAsync(await _api.PostAsync("/payments/cancel-subscription", t.AccessToken), 404));
    }

    [Fact]
    public async Task Failed_renewals_stale_events_and_a_lapsed_period_end_premium()
    {
        var t = await _api.SignInAsync();
        var premium = _api.Services.GetRequiredService<IPremiumStatus>();
        var sessionId = (await (await _api.PostAsync("/payments/create-checkout", t.AccessToken, new { plan = "yearly" })).OkJsonAsync()).GetProperty("sessionId").GetString()!;
        var completed = _stripe.Complete(sessionId);
        var subscriptionId = completed["subscription"]!.GetValue<string>();
        // The subscription's own events can arrive before the checkout event: it is attached through its metadata.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await DeliverSignedAsync(FakeStripe.Event("customer.subscription.created", _stripe.SubscriptionObject(subscriptionId), now));
        Assert.True(await premium.IsPremiumAsync(t.DeviceId));
        Assert.Equal("yearly", (await _api.GetOkAsync("/subscriptions/active", t.AccessToken)).GetProperty("subscription").GetProperty("plan").GetString());
        await DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", completed, now));

        var invoice = new JsonObject { ["id"] = "in_1", ["object"] = "invoice", ["subscription"] = subscriptionId, ["status"] = "open" };
        Assert.Equal("subscription:past_due", (await (await DeliverSignedAsync(FakeStripe.Event("invoice.payment_failed", invoice, now + 10))).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.False(await premium.IsPremiumAsync(t.DeviceId));

        // An older "active" snapshot arriving late does not undo the failure.
        var stale = FakeStripe.Event("customer.subscription.updated", _stripe.SubscriptionObject(subscriptionId), now - 100);
        Assert.Equal("ignored:stale", (await (await DeliverSignedAsync(stale)).OkJsonAsync()).GetProperty("outcome").GetString());
        Assert.False(await premium.IsPremiumAsync(t.DeviceId));

        // The retry succeeds: Stripe reports it active again.
        await DeliverSignedAsync(FakeStripe.Event("customer.subscription.updated", _stripe.SubscriptionObject(subscriptionId), now + 20));
        Assert.True(await premium.IsPremiumAsync(t.DeviceId));

        // Active on paper but its period is over (no renewal event came): not premium.
        var lapsed = _stripe.ChangeSubscription(subscriptionId, s => s["current_period_end"] = now - 60);
        await DeliverSignedAsync(FakeStripe.Event("customer.subscription.updated", lapsed, now + 30));
        Assert.False(await premium.IsPremiumAsync(t.DeviceId));
    }

    [Fact]
    public async Task A_provider_failure_is_502_and_the_retry_with_the_same_key_asks_stripe_the_identical_question()
    {
        var t = await _api.SignInAsync();
        var key = Guid.NewGuid().ToString();
        _stripe.FailNextWith = 500;
        var failed = await _api.PostAsync("/api/coins/purchase", t.AccessToken, new { packageId = "mega" }, key);
        Assert.Equal("PAYMENT_PROVIDER_ERROR", await ErrorShape.AssertAsync(failed, 502));
        Assert.Equal(0L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM payment_orders WHERE device_id = @d", ("d", t.DeviceId)));

        var first = await (await _api.PostAsync("/api/coins/purchase", t.AccessToken, new { packageId = "mega" }, key)).Content.ReadAsStringAsync();
        var replay = await _api.PostAsync("/api/coins/purchase", t.AccessToken, new { packageId = "mega" }, key);
        Assert.Equal(first, await replay.Content.ReadAsStringAsync());
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));

        var calls = _stripe.RequestsTo("POST", "/v1/checkout/sessions").Where(r => r.Form["client_reference_id"] == t.DeviceId.ToString()).ToList();
        Assert.Equal(2, calls.Count); // the failed attempt and the retry; the replay never reached Stripe
        Assert.Equal(calls[0].IdempotencyKey, calls[1].IdempotencyKey);
        Assert.Equal(calls[0].Form["metadata[order_id]"], calls[1].Form["metadata[order_id]"]);
        Assert.Equal("3999", calls[1].Form["line_items[0][price_data][unit_amount]"]);
        Assert.Equal(1L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM payment_orders WHERE device_id = @d", ("d", t.DeviceId)));
    }
}

public sealed class PaymentsNotConfiguredTests
{
    [Fact]
    public async Task Without_stripe_keys_payment_endpoints_say_so_and_move_nothing()
    {
        await using var api = await ApiHost.StartAsync();
        var ledger = new LedgerProbe(api.DatabaseUrl);
        var t = await api.SignInAsync();
        await api.BalanceAsync(t.AccessToken);
        var rows = await ledger.RowCountAsync();
        Assert.Equal("PAYMENTS_NOT_CONFIGURED", await ErrorShape.AssertAsync(await api.PostAsync("/api/coins/purchase", t.AccessToken, new { packageId = "basic" }), 503));
        Assert.Equal("PAYMENTS_NOT_CONFIGURED", await ErrorShape.AssertAsync(await api.PostAsync("/api/payment/create-order", t.AccessToken, new { coinPackage = "basic" }), 503));
        Assert.Equal("PAYMENTS_NOT_CONFIGURED", await ErrorShape.AssertAsync(await api.PostAsync("/payments/create-checkout", t.AccessToken, new { plan = "monthly" }), 503));
        Assert.Equal("PAYMENTS_NOT_CONFIGURED", await ErrorShape.AssertAsync(await api.PostAsync("/payments/cancel-subscription", t.AccessToken), 503));
        var hook = await api.Client.PostAsync("/payments/webhook", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal("PAYMENTS_NOT_CONFIGURED", await ErrorShape.AssertAsync(hook, 503));
        Assert.Equal(rows, await ledger.RowCountAsync());
    }
}
