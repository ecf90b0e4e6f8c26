using System.Net;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
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

/// <summary>Seed 002's health family: every endpoint answers with real readings in {success, status, timestamp, data}.</summary>
public sealed class HealthFamilyTests
{
    private static async Task<(HttpStatusCode, JsonElement)> GetAsync(ApiHost api, string path)
    {
        var res = await api.Client.GetAsync(path);
        return (res.StatusCode, JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Every_endpoint_reports_real_figures_in_the_seed_envelope()
    {
        await using var api = await ApiHost.StartAsync();
        foreach (var path in new[] { "/health/info", "/health/system", "/health/metrics", "/health/database", "/health/memory", "/health/cpu",
                     "/health/disk", "/health/external", "/health/uptime", "/health/version", "/health/dependencies" })
        {
            var (status, body) = await GetAsync(api, path);
            Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {body}");
            Assert.True(body.GetProperty("success").GetBoolean(), path);
            Assert.Contains(body.GetProperty("status").GetString(), new[] { "healthy", "warning" });
            Assert.True(DateTimeOffset.TryParse(body.GetProperty("timestamp").GetString(), out var at) && Math.Abs((at - DateTimeOffset.UtcNow).TotalMinutes) < 1, path);
            Assert.Equal(JsonValueKind.Object, body.GetProperty("data").ValueKind);
        }

        var memory = (await GetAsync(api, "/health/memory")).Item2.GetProperty("data").GetProperty("details");
        Assert.True(memory.GetProperty("processWorkingSetBytes").GetInt64() > 10_000_000);
        Assert.True(memory.GetProperty("machineTotalBytes").GetInt64() > memory.GetProperty("processWorkingSetBytes").GetInt64());
        var cpu = (await GetAsync(api, "/health/cpu")).Item2.GetProperty("data").GetProperty("details");
        Assert.Equal(Environment.ProcessorCount, cpu.GetProperty("cores").GetInt32());
        Assert.InRange(cpu.GetProperty("processPercent").GetDouble(), 0, 100);
        var disk = (await GetAsync(api, "/health/disk")).Item2.GetProperty("data").GetProperty("details");
        Assert.True(disk.GetProperty("totalBytes").GetInt64() > disk.GetProperty("freeBytes").GetInt64());
        var database = (await GetAsync(api, "/health/database")).Item2.GetProperty("data");
        Assert.Equal("connected", database.GetProperty("details").GetProperty("state").GetString());
        var dependencies = (await GetAsync(api, "/health/dependencies")).Item2.GetProperty("data");
        Assert.Equal("healthy", dependencies.GetProperty("sfu").GetProperty("status").GetString());
        Assert.Equal("healthy", dependencies.GetProperty("database").GetProperty("status").GetString());
        var uptime = (await GetAsync(api, "/health/uptime")).Item2.GetProperty("data");
        Assert.True(uptime.GetProperty("uptime").GetInt64() > 0);
        var metrics = (await GetAsync(api, "/health/metrics")).Item2.GetProperty("data");
        Assert.Equal(0, metrics.GetProperty("sfu").GetProperty("transports").GetInt32());

        // The comprehensive /health keeps seed 000's fields and adds seed 002's report.
        var (okStatus, health) = await GetAsync(api, "/health");
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Equal("ok", health.GetProperty("status").GetString());
        var summary = health.GetProperty("data").GetProperty("summary");
        Assert.Equal(summary.GetProperty("total").GetInt32(),
            summary.GetProperty("healthy").GetInt32() + summary.GetProperty("warning").GetInt32() + summary.GetProperty("unhealthy").GetInt32());
        Assert.True(health.GetProperty("data").GetProperty("checks").TryGetProperty("database", out _));
    }

    [Fact]
    public async Task A_failed_dependency_makes_the_family_unhealthy_with_503()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Turn:Secrets"] = "a-secret-long-enough-000", ["Turn:Urls"] = $"turn:127.0.0.1:{FreePort.Udp()}",
        });
        var (status, body) = await GetAsync(api, "/health/external");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal("unhealthy", body.GetProperty("data").GetProperty("turn").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(api, "/health/dependencies")).Item1);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(api, "/health")).Item1);
    }
}

public sealed class SfuReadinessTests
{
    [Fact]
    public async Task Without_an_sfu_node_the_api_is_ready_and_reports_the_sfu_as_a_warning()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Sfu:Enabled"] = "false", ["CallMedia:Mode"] = "sfu" });
        var ready = await api.Client.GetAsync("/health/ready");
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("failed", body.GetProperty("sfu").GetString());
        var deps = await api.Client.GetAsync("/health/dependencies");
        var report = JsonDocument.Parse(await deps.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, deps.StatusCode);
        Assert.Equal("warning", report.GetProperty("data").GetProperty("sfu").GetProperty("status").GetString());
    }
}
