using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services;
using Npgsql;

namespace ControlPlane.Api.Tests.Auth;

public sealed class AuthEndpointTests : IAsyncLifetime
{
    private static readonly Guid Moderator = Guid.Parse("0b7e3c1a-1111-4222-8333-444455556666");
    private ApiHost _api = null!;

    public async Task InitializeAsync() =>
        _api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Auth:ModeratorDeviceIds"] = Moderator.ToString() });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<JsonElement> VerifyAsync(string token, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var res = await _api.Client.SendAsync(_api.Authorized(HttpMethod.Get, "/auth/verify", token));
        Assert.Equal(expected, res.StatusCode);
        return JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Token_for_a_new_device_verifies_and_names_the_device()
    {
        var t = await _api.SignInAsync();
        Assert.Equal(3, t.AccessToken.Split('.').Length);
        Assert.True(t.RefreshToken.Length >= 40);
        Assert.InRange(t.ExpiresIn, 7 * 86400 - 60, 7 * 86400); // JWT_EXPIRES_IN default 7d (seed 000)
        var v = await VerifyAsync(t.AccessToken);
        Assert.True(v.GetProperty("valid").GetBoolean());
        Assert.Equal(t.DeviceId.ToString(), v.GetProperty("deviceId").GetString());
        Assert.Equal("user", v.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Same_device_signing_in_twice_is_one_device_row()
    {
        var id = Guid.NewGuid();
        await Task.WhenAll(_api.SignInAsync(id), _api.SignInAsync(id), _api.SignInAsync(id));
        await using var conn = new NpgsqlConnection(Api.Data.DatabaseOptions.ToNpgsql(_api.DatabaseUrl));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM devices WHERE id = @id", conn);
        cmd.Parameters.AddWithValue("id", id);
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Moderator_devices_get_the_moderator_role()
    {
        var t = await _api.SignInAsync(Moderator);
        Assert.Equal("moderator", (await VerifyAsync(t.AccessToken)).GetProperty("role").GetString());
    }

    [Theory]
    [InlineData("""{"deviceId":"not-a-uuid"}""", "VALIDATION_FAILED")]
    [InlineData("""{"deviceId":""}""", "VALIDATION_FAILED")]
    [InlineData("""{"deviceId":null}""", "VALIDATION_FAILED")]
    [InlineData("""{}""", "VALIDATION_FAILED")]
    [InlineData("""{"deviceId":"00000000-0000-0000-0000-000000000000"}""", "VALIDATION_FAILED")]
    [InlineData("""{"deviceId":"{3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b}"}""", "VALIDATION_FAILED")]
    [InlineData("""{"deviceId":12345}""", "INVALID_JSON")]
    [InlineData("""{"deviceId":"3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b" """, "INVALID_JSON")]
    [InlineData("""not json at all""", "INVALID_JSON")]
    [InlineData("""[1,2,3]""", "INVALID_JSON")]
    public async Task Bad_token_requests_get_400_in_the_error_shape(string body, string code)
    {
        var res = await _api.Client.PostAsync("/auth/token", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(code, await ErrorShape.AssertAsync(res, 400));
    }

    [Fact]
    public async Task Missing_body_wrong_type_and_oversized_bodies_are_refused()
    {
        var empty = await _api.Client.PostAsync("/auth/token", new StringContent("", Encoding.UTF8, "application/json"));
        Assert.Equal("VALIDATION_FAILED", await ErrorShape.AssertAsync(empty, 400));

        var text = await _api.Client.PostAsync("/auth/token", new StringContent("deviceId=x", Encoding.UTF8, "text/plain"));
        Assert.Equal("UNSUPPORTED_MEDIA_TYPE", await ErrorShape.AssertAsync(text, 415));

        var huge = "{\"deviceId\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
        var big = await _api.Client.PostAsync("/auth/token", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal("PAYLOAD_TOO_LARGE", await ErrorShape.AssertAsync(big, 413));
    }

    [Fact]
    public async Task Unknown_routes_and_methods_get_the_error_shape()
    {
        Assert.Equal("NOT_FOUND", await ErrorShape.AssertAsync(await _api.Client.GetAsync("/no/such/route"), 404));
        Assert.Equal("METHOD_NOT_ALLOWED", await ErrorShape.AssertAsync(await _api.Client.GetAsync("/auth/token"), 405));
    }

    [Fact]
    public async Task Verify_rejects_every_kind_of_bad_token_with_401()
    {
        var device = Guid.NewGuid();
        var past = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();
        var cases = new (string Token, string Code)[]
        {
            (TestJwt.Sign(TestJwt.Hs256, TestJwt.Claims(device, exp: past)), "TOKEN_EXPIRED"),
            (TestJwt.Sign(TestJwt.Hs256, TestJwt.Claims(device), secret: "another-secret-that-is-long-enough-000000"), "INVALID_TOKEN"),
            (TestJwt.Sign(new { alg = "HS512", typ = "JWT" }, TestJwt.Claims(device)), "INVALID_TOKEN"),
            (TestJwt.B64(Encoding.UTF8.GetBytes("""{"alg":"none"}""")) + "." + TestJwt.B64(JsonSerializer.SerializeToUtf8Bytes(TestJwt.Claims(device))) + ".", "INVALID_TOKEN"),
            (TestJwt.Sign(TestJwt.Hs256, TestJwt.Claims(device, iss: "someone-else")), "INVALID_TOKEN"),
            (TestJwt.Sign(TestJwt.Hs256, TestJwt.Claims(device, aud: "someone-else")), "INVALID_TOKEN"),
            (TestJwt.Sign(TestJwt.Hs256, TestJwt.Claims(device, typ: "refresh")), "INVALID_TOKEN"),
            (TestJwt.Sign(TestJwt.Hs256, new Dictionary<string, object>(TestJwt.Claims(device)) { ["sub"] = "not-a-uuid" }), "INVALID_TOKEN"),
            ("a.b", "INVALID_TOKEN"),
            ("not-a-token", "INVALID_TOKEN"),
            (new string('a', 5000) + ".b.c", "INVALID_TOKEN"),
        };
        foreach (var (token, code) in cases)
        {
            var res = await _api.Client.SendAsync(_api.Authorized(HttpMethod.Get, "/auth/verify", token));
            Assert.Equal(code, await ErrorShape.AssertAsync(res, 401));
        }
        // A token signed correctly by hand with the right secret is accepted: the checks above fail for their reason.
        Assert.True((await VerifyAsync(TestJwt.Sign(TestJwt.Hs256, TestJwt.Claims(device)))).GetProperty("valid").GetBoolean());

        Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(await _api.Client.GetAsync("/auth/verify"), 401));
        var basic = new HttpRequestMessage(HttpMethod.Get, "/auth/verify") { Headers = { Authorization = new AuthenticationHeaderValue("Basic", "eDp5") } };
        Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(await _api.Client.SendAsync(basic), 401));
    }

    [Fact]
    public async Task Tampered_payload_is_rejected()
    {
        var t = await _api.SignInAsync();
        var parts = t.AccessToken.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, object>>(Convert.FromBase64String(Pad(parts[1].Replace('-', '+').Replace('_', '/'))))!;
        claims["role"] = "moderator";
        var forged = parts[0] + "." + TestJwt.B64(JsonSerializer.SerializeToUtf8Bytes(claims)) + "." + parts[2];
        Assert.Equal("INVALID_TOKEN", await ErrorShape.AssertAsync(await _api.Client.SendAsync(_api.Authorized(HttpMethod.Get, "/auth/verify", forged)), 401));
    }

    private static string Pad(string s) => s + new string('=', (4 - s.Length % 4) % 4);

    [Fact]
    public async Task Refresh_rotates_and_a_reused_refresh_token_revokes_the_family()
    {
        var first = await _api.SignInAsync();
        var res = await _api.Client.PostAsJsonAsync("/auth/refresh", new { refreshToken = first.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var second = (await res.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal(first.DeviceId.ToString(), (await VerifyAsync(second.AccessToken)).GetProperty("deviceId").GetString());

        var reuse = await _api.Client.PostAsJsonAsync("/auth/refresh", new { refreshToken = first.RefreshToken });
        Assert.Equal("REFRESH_TOKEN_REUSED", await ErrorShape.AssertAsync(reuse, 401));
        // The thief's reuse also ends the legitimate rotation: the family is revoked.
        var after = await _api.Client.PostAsJsonAsync("/auth/refresh", new { refreshToken = second.RefreshToken });
        Assert.Equal("REFRESH_TOKEN_INVALID", await ErrorShape.AssertAsync(after, 401));
    }

    [Fact]
    public async Task Refresh_accepts_the_refresh_token_as_bearer_like_the_seed()
    {
        var first = await _api.SignInAsync();
        var req = _api.Authorized(HttpMethod.Post, "/auth/refresh", first.RefreshToken);
        var res = await _api.Client.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        // An access token is not a refresh token.
        var wrong = await _api.Client.SendAsync(_api.Authorized(HttpMethod.Post, "/auth/refresh", first.AccessToken));
        Assert.Equal("REFRESH_TOKEN_INVALID", await ErrorShape.AssertAsync(wrong, 401));
    }

    [Fact]
    public async Task Concurrent_use_of_one_refresh_token_succeeds_once()
    {
        var t = await _api.SignInAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            _api.Client.PostAsJsonAsync("/auth/refresh", new { refreshToken = t.RefreshToken })));
        Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(results.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
    }

    [Theory]
    [InlineData("""{"refreshToken":""}""", 401, "REFRESH_TOKEN_INVALID")]
    [InlineData("""{"refreshToken":"garbage"}""", 401, "REFRESH_TOKEN_INVALID")]
    [InlineData("""{"refreshToken":123}""", 400, "INVALID_JSON")]
    [InlineData("""{broken""", 400, "INVALID_JSON")]
    public async Task Bad_refresh_requests_are_refused(string body, int status, string code)
    {
        var res = await _api.Client.PostAsync("/auth/refresh", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(code, await ErrorShape.AssertAsync(res, status));
    }

    [Fact]
    public async Task Refresh_without_any_token_is_401()
    {
        var res = await _api.Client.PostAsync("/auth/refresh", null);
        Assert.Equal("REFRESH_TOKEN_INVALID", await ErrorShape.AssertAsync(res, 401));
    }

    [Fact]
    public async Task A_banned_device_gets_403_from_token_and_refresh()
    {
        var t = await _api.SignInAsync();
        await using (var conn = new NpgsqlConnection(Api.Data.DatabaseOptions.ToNpgsql(_api.DatabaseUrl)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE devices SET banned_at = now(), ban_reason = 'spam' WHERE id = @id", conn);
            cmd.Parameters.AddWithValue("id", t.DeviceId);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        var res = await _api.Client.PostAsJsonAsync("/auth/token", new { deviceId = t.DeviceId.ToString() });
        Assert.Equal("DEVICE_BANNED", await ErrorShape.AssertAsync(res, 403));
        var refresh = await _api.Client.PostAsJsonAsync("/auth/refresh", new { refreshToken = t.RefreshToken });
        Assert.Equal("DEVICE_BANNED", await ErrorShape.AssertAsync(refresh, 403));
    }
}
