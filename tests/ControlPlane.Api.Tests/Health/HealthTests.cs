using System.Net;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services;
using Testing.Services;

namespace ControlPlane.Api.Tests.Health;

public sealed class HealthTests
{
    private static async Task<(HttpStatusCode, JsonElement)> GetAsync(ApiHost api, string path)
    {
        var res = await api.Client.GetAsync(path);
        return (res.StatusCode, JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Health_is_ok_with_a_timestamp()
    {
        await using var api = await ApiHost.StartAsync();
        var (status, body) = await GetAsync(api, "/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.InRange(body.GetProperty("timestamp").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Ready_reports_each_real_dependency_connected()
    {
        await using var redis = new LocalServices("redis");
        var redisUrl = await redis.StartAsync("redis", FreePort.Tcp().ToString());
        await using var coturn = await CoturnServer.StartAsync();
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Redis:Url"] = redisUrl, ["Turn:Secrets"] = coturn.Secret, ["Turn:Urls"] = coturn.Url,
        });
        var (status, body) = await GetAsync(api, "/health/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("connected", body.GetProperty("database").GetString());
        Assert.Equal("connected", body.GetProperty("redis").GetString());
        Assert.Equal("connected", body.GetProperty("turn").GetString());
    }

    [Fact]
    public async Task Ready_is_503_naming_what_failed()
    {
        var closedPort = FreePort.Tcp();
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Redis:Url"] = $"redis://127.0.0.1:{closedPort}",
            ["Turn:Secrets"] = "a-secret-long-enough-000", ["Turn:Urls"] = $"turn:127.0.0.1:{FreePort.Udp()}",
        });
        var (status, body) = await GetAsync(api, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("not_ready", body.GetProperty("status").GetString());
        Assert.Equal("connected", body.GetProperty("database").GetString());
        Assert.Equal("failed", body.GetProperty("redis").GetString());
        Assert.Equal("failed", body.GetProperty("turn").GetString());
    }

    [Fact]
    public async Task Ready_treats_unconfigured_optional_dependencies_as_not_configured()
    {
        await using var api = await ApiHost.StartAsync();
        var (status, body) = await GetAsync(api, "/health/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("not_configured", body.GetProperty("redis").GetString());
        Assert.Equal("not_configured", body.GetProperty("turn").GetString());
    }
}
