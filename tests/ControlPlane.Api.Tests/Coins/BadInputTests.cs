using System.Text;
using ControlPlane.Api.Tests.Payments;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Coins;

/// <summary>Every coin, payment and Super Lover endpoint refuses bad input in the error shape and moves no coin.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private static readonly Guid Moderator = Guid.Parse("3c2d1e0f-aaaa-4bbb-8ccc-dddd00001111");
    private FakeStripe _stripe = null!;
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;

    public async Task InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        var settings = _stripe.Settings();
        settings["Auth:ModeratorDeviceIds"] = Moderator.ToString();
        _api = await ApiHost.StartAsync(settings);
        _ledger = new LedgerProbe(_api.DatabaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    private static readonly string Huge = "99999999999999999999999";
    private static readonly string Long = new('x', 600);

    public static readonly (string Method, string Path, string? Body, int Status, string Code)[] Cases =
    {
        ("POST", "/api/coins/spend", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", """{"amount":-5,"action":"call"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", """{"amount":0,"action":"call"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", "{\"amount\":" + Huge + ",\"action\":\"call\"}", 400, "INVALID_JSON"),
        ("POST", "/api/coins/spend", """{"amount":1000001,"action":"call"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", """{"amount":9223372036854775807,"action":"call"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", """{"amount":1.5,"action":"call"}""", 400, "INVALID_JSON"),
        ("POST", "/api/coins/spend", """{"amount":1e3,"action":"call"}""", 400, "INVALID_JSON"),
        ("POST", "/api/coins/spend", """{"amount":"ten","action":"call"}""", 400, "INVALID_JSON"),
        ("POST", "/api/coins/spend", """{"amount":"-10","action":"call"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", """{"amount":10}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", """{"amount":10,"action":"drop table"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", "{\"amount\":10,\"action\":\"call\",\"referenceId\":\"" + Long + "\"}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/spend", """{"amount":60,"action":"call"}""", 402, "INSUFFICIENT_COINS"),
        ("POST", "/api/coins/spend", "not json", 400, "INVALID_JSON"),
        ("POST", "/api/coins/spend", "[1]", 400, "INVALID_JSON"),
        ("POST", "/api/coins/spend", "", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/purchase", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/purchase", """{"packageId":"gold"}""", 404, "PACKAGE_NOT_FOUND"),
        ("POST", "/api/coins/purchase", """{"packageId":"00000000-1111-4222-8333-444444444444"}""", 404, "PACKAGE_NOT_FOUND"),
        ("POST", "/api/coins/purchase", """{"packageId":"basic","paymentMethod":"razorpay"}""", 400, "PAYMENT_METHOD_UNSUPPORTED"),
        ("POST", "/api/coins/purchase", """{"packageId":5}""", 400, "INVALID_JSON"),
        ("POST", "/api/coins/earn-ad", """{"adType":"banner"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/coins/earn-ad", """{"adType":123}""", 400, "INVALID_JSON"),
        ("GET", "/api/coins/transactions?page=0", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/coins/transactions?limit=1000", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/coins/transactions?page=abc", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/coins/transactions?page=" + Huge, null, 400, "VALIDATION_FAILED"),
        ("POST", "/api/payment/create-order", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/payment/create-order", """{"coinPackage":"gold"}""", 404, "PACKAGE_NOT_FOUND"),
        ("POST", "/api/payment/create-order", """{"coinPackage":"basic","amount":-1}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/payment/create-order", "{\"coinPackage\":\"basic\",\"amount\":" + Huge + "}", 400, "INVALID_JSON"),
        ("POST", "/api/payment/create-order", """{"coinPackage":"basic","paymentMethod":"razorpay"}""", 400, "PAYMENT_METHOD_UNSUPPORTED"),
        ("POST", "/api/payment/verify", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/payment/verify", """{"orderId":"x"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/payment/verify", """{"orderId":"00000000-1111-4222-8333-444444444444"}""", 404, "ORDER_NOT_FOUND"),
        ("POST", "/api/payment/verify", """{"sessionId":"'; drop table"}""", 400, "VALIDATION_FAILED"),
        ("GET", "/api/payment/history?limit=0", null, 400, "VALIDATION_FAILED"),
        ("POST", "/payments/create-checkout", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/payments/create-checkout", """{"plan":"weekly"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/payments/create-checkout", """{"plan":null}""", 400, "VALIDATION_FAILED"),
        ("GET", "/payments/verify", null, 400, "VALIDATION_FAILED"),
        ("GET", "/payments/verify?session_id=x", null, 400, "VALIDATION_FAILED"),
        ("GET", "/payments/verify?session_id=cs_test_nonexistent", null, 404, "ORDER_NOT_FOUND"),
        ("POST", "/payments/cancel-subscription", null, 404, "SUBSCRIPTION_NOT_FOUND"),
        ("POST", "/api/super-lover/become", """{"age":-1}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/super-lover/become", """{"gender":"robot"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/super-lover/become", "{\"superLoverBio\":\"" + Long + "\"}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/super-lover/become", """{"profileImageUrl":"javascript:alert(1)"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/super-lover/become", """{"superLoverBio":"hi"}""", 403, "SUPER_LOVER_REQUIREMENTS_NOT_MET"),
        ("PUT", "/api/super-lover/status", """{"status":"busy"}""", 400, "VALIDATION_FAILED"),
        ("PUT", "/api/super-lover/status", "{}", 400, "VALIDATION_FAILED"),
        ("PUT", "/api/super-lover/bio", "{}", 400, "VALIDATION_FAILED"),
        ("PUT", "/api/super-lover/bio", """{"bio":"fine"}""", 403, "NOT_SUPER_LOVER"),
        ("POST", "/api/super-lover/rate", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/super-lover/rate", """{"superLoverId":"x","rating":5}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/super-lover/rate", """{"superLoverId":"00000000-1111-4222-8333-444444444444","rating":6}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/super-lover/rate", """{"superLoverId":"00000000-1111-4222-8333-444444444444","rating":0}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/super-lover/rate", "{\"superLoverId\":\"00000000-1111-4222-8333-444444444444\",\"rating\":" + Huge + "}", 400, "INVALID_JSON"),
        ("POST", "/api/super-lover/rate", """{"superLoverId":"00000000-1111-4222-8333-444444444444","rating":5}""", 404, "SUPER_LOVER_NOT_FOUND"),
        ("POST", "/api/super-lover/verification", """{"deviceId":"00000000-1111-4222-8333-444444444444","age":30}""", 403, "FORBIDDEN"),
        ("GET", "/api/super-lover/available?status=busy", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/super-lover/available?limit=51", null, 400, "VALIDATION_FAILED"),
    };

    [Fact]
    public async Task Every_endpoint_answers_bad_input_with_a_4xx_error_shape_and_no_ledger_change()
    {
        var t = await _api.SignInAsync();
        Assert.Equal(50, await _api.BalanceAsync(t.AccessToken)); // the account exists before counting rows
        var rows = await _ledger.RowCountAsync();
        var orders = await _ledger.ScalarAsync<long>("SELECT count(*) FROM payment_orders");
        var failures = new List<string>();
        foreach (var (method, path, body, status, code) in Cases)
        {
            var res = await _api.SendAsync(new HttpMethod(method), path, t.AccessToken, rawBody: body);
            try { Assert.Equal(code, await ErrorShape.AssertAsync(res, status)); }
            catch (Exception e) { failures.Add($"{method} {path} {body?[..Math.Min(body.Length, 60)]}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(rows, await _ledger.RowCountAsync());
        Assert.Equal(orders, await _ledger.ScalarAsync<long>("SELECT count(*) FROM payment_orders"));
        Assert.Empty(_stripe.Requests);
        Assert.Equal(50, await _ledger.BalanceAsync(t.DeviceId));
    }

    [Fact]
    public async Task Moderator_verification_refuses_bad_input()
    {
        var m = await _api.SignInAsync(Moderator);
        var cases = new (string Body, int Status, string Code)[]
        {
            ("""{"deviceId":"x","age":20}""", 400, "VALIDATION_FAILED"),
            ("""{"deviceId":"00000000-1111-4222-8333-444444444444"}""", 400, "VALIDATION_FAILED"),
            ("""{"deviceId":"00000000-1111-4222-8333-444444444444","age":200}""", 400, "VALIDATION_FAILED"),
            ("""{"deviceId":"00000000-1111-4222-8333-444444444444","age":30}""", 404, "DEVICE_NOT_FOUND"),
        };
        foreach (var (body, status, code) in cases)
            Assert.Equal(code, await ErrorShape.AssertAsync(await _api.SendAsync(HttpMethod.Post, "/api/super-lover/verification", m.AccessToken, rawBody: body), status));
    }

    [Fact]
    public async Task Wrong_content_types_are_415()
    {
        var t = await _api.SignInAsync();
        foreach (var path in new[] { "/api/coins/spend", "/api/coins/purchase", "/api/payment/create-order", "/payments/create-checkout" })
        {
            var req = _api.Authorized(HttpMethod.Post, path, t.AccessToken);
            req.Content = new StringContent("amount=5", Encoding.UTF8, "application/x-www-form-urlencoded");
            Assert.Equal("UNSUPPORTED_MEDIA_TYPE", await ErrorShape.AssertAsync(await _api.Client.SendAsync(req), 415));
        }
    }
}
