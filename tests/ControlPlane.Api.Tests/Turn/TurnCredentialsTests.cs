using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services;
using Turn.Auth;

namespace ControlPlane.Api.Tests.Turn;

/// <summary>Credentials from the real API, checked by the real coturn started from deploy/coturn.</summary>
public sealed class TurnCredentialsTests : IAsyncLifetime
{
    private CoturnServer _coturn = null!;
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _coturn = await CoturnServer.StartAsync();
        _api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Turn:Secrets"] = _coturn.Secret,
            ["Turn:Urls"] = _coturn.Url, // a bare turn: URL expands to UDP and TCP
        });
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _coturn.DisposeAsync();
    }

    private async Task<JsonElement> CredentialsAsync(string token)
    {
        var res = await _api.Client.SendAsync(_api.Authorized(HttpMethod.Post, "/turn/credentials", token));
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        return JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Credentials_have_the_seed_shape_and_the_rest_api_username()
    {
        var t = await _api.SignInAsync();
        var c = await CredentialsAsync(t.AccessToken);
        Assert.Equal(new[] { _coturn.Url + "?transport=udp", _coturn.Url + "?transport=tcp" },
            c.GetProperty("urls").EnumerateArray().Select(u => u.GetString()).ToArray());
        Assert.Equal(86400, c.GetProperty("ttl").GetInt32());
        var username = c.GetProperty("username").GetString()!;
        var parts = username.Split(':', 2);
        Assert.Equal(t.DeviceId.ToString(), parts[1]);
        Assert.InRange(long.Parse(parts[0]) - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 86400 - 60, 86400);
        Assert.Equal(TurnCredentialIssuer.Password(_coturn.Secret, username), c.GetProperty("credential").GetString());
    }

    [Fact]
    public async Task Coturn_allocates_a_relay_with_issued_credentials_and_refuses_tampered_or_expired_ones()
    {
        var t = await _api.SignInAsync();
        var c = await CredentialsAsync(t.AccessToken);
        var username = c.GetProperty("username").GetString()!;
        var credential = c.GetProperty("credential").GetString()!;

        var ok = await _coturn.AllocateWithUclientAsync(username, credential);
        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.Contains("Total lost packets 0", ok.Output);

        var bytes = Convert.FromBase64String(credential);
        bytes[0] ^= 0x01;
        var flipped = await _coturn.AllocateWithUclientAsync(username, Convert.ToBase64String(bytes));
        Assert.NotEqual(0, flipped.ExitCode);
        Assert.Contains("Cannot complete Allocation", flipped.Output);

        // Correctly signed, but its expiry is in the past: coturn must refuse it too.
        var expiredUser = $"{DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()}:{t.DeviceId}";
        var expired = await _coturn.AllocateWithUclientAsync(expiredUser, TurnCredentialIssuer.Password(_coturn.Secret, expiredUser));
        Assert.NotEqual(0, expired.ExitCode);
        Assert.Contains("Cannot complete Allocation", expired.Output);
        // coturn's own word that it refused the credentials (its 401 answer); the log may lag the client by a moment.
        for (var i = 0; i < 20 && !_coturn.Log.Contains($"Cannot find credentials of user <{expiredUser}>"); i++) await Task.Delay(100);
        Assert.Contains($"Cannot find credentials of user <{expiredUser}>", _coturn.Log);
    }

    [Fact]
    public async Task Credentials_require_a_token()
    {
        var res = await _api.Client.PostAsync("/turn/credentials", null);
        Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(res, 401));
        var bad = await _api.Client.SendAsync(_api.Authorized(HttpMethod.Post, "/turn/credentials", "x.y.z"));
        Assert.Equal("INVALID_TOKEN", await ErrorShape.AssertAsync(bad, 401));
    }
}

public sealed class TurnNotConfiguredTests
{
    [Fact]
    public async Task Without_turn_configuration_credentials_are_503_in_the_error_shape()
    {
        await using var api = await ApiHost.StartAsync();
        var t = await api.SignInAsync();
        var res = await api.Client.SendAsync(api.Authorized(HttpMethod.Post, "/turn/credentials", t.AccessToken));
        Assert.Equal("SERVICE_UNAVAILABLE", await ErrorShape.AssertAsync(res, 503));
    }
}
