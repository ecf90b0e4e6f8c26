using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Testing.Services;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Support;

/// <summary>Which shared-state implementation a test host uses.</summary>
public enum StateMode { Redis, InProcess }

/// <summary>
/// A control plane for hub tests: the real app on Kestrel and PostgreSQL, with the shared Redis under a key prefix
/// of its own (or the in-process state). Signs devices in and connects them to /signaling with the raw client.
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    private readonly List<SignalingClient> _clients = new();

    public ApiHost Api { get; }
    public StateMode Mode { get; }
    public string Prefix { get; }
    public string? RedisUrl { get; }

    private HubHost(ApiHost api, StateMode mode, string prefix, string? redisUrl)
    {
        Api = api;
        Mode = mode;
        Prefix = prefix;
        RedisUrl = redisUrl;
    }

    private static readonly Lazy<Task<string>> SharedDatabase = new(async () => await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("hub"));

    /// <summary>
    /// Starts a host. Hosts share one database unless <paramref name="ownDatabase"/> (tests look only at their own
    /// devices' rows); each host has its own Redis key prefix, so queues and rooms never mix between tests.
    /// </summary>
    public static async Task<HubHost> StartAsync(StateMode mode = StateMode.Redis, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, string? databaseUrl = null, string? prefix = null, bool ownDatabase = false)
    {
        if (databaseUrl is null && !ownDatabase) databaseUrl = await SharedDatabase.Value;
        prefix ??= "t" + Guid.NewGuid().ToString("N")[..10] + ":";
        var config = new Dictionary<string, string?>
        {
            ["Signaling:RedisKeyPrefix"] = prefix,
            ["Matchmaking:JoinLimit"] = "1000",
            ["Chat:ReportLimit"] = "1000",
            ["Sfu:Enabled"] = "false",
            // These tests exchange placeholder SDP between peers: the relay mode. SFU calls have their own tests.
            ["CallMedia:Mode"] = "p2p",
        };
        string? redisUrl = null;
        if (mode == StateMode.Redis)
        {
            redisUrl = (await RedisServer.SharedAsync()).Url;
            config["Redis:Url"] = redisUrl;
        }
        if (settings is not null) foreach (var (k, v) in settings) config[k] = v;
        var api = await ApiHost.StartAsync(config, databaseUrl, services);
        return new HubHost(api, mode, prefix, redisUrl);
    }

    /// <summary>Signs a (new) device in, connects it, and consumes its "connected" event.</summary>
    public async Task<SignalingClient> ConnectAsync(Guid? deviceId = null)
    {
        var token = await Api.SignInAsync(deviceId);
        var client = await SignalingClient.ConnectAsync(Api.BaseAddress, token.AccessToken, token.DeviceId);
        lock (_clients) _clients.Add(client);
        var connected = await client.WaitAsync("connected");
        Assert.Equal(token.DeviceId.ToString(), connected.GetProperty("deviceId").GetString());
        return client;
    }

    /// <summary>Connects with an existing access token (no sign-in).</summary>
    public async Task<SignalingClient> ConnectWithTokenAsync(string accessToken, Guid deviceId)
    {
        var client = await SignalingClient.ConnectAsync(Api.BaseAddress, accessToken, deviceId);
        lock (_clients) _clients.Add(client);
        return client;
    }

    public T Service<T>() where T : notnull => Api.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        SignalingClient[] clients;
        lock (_clients) clients = _clients.ToArray();
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        await Api.DisposeAsync();
    }
}

public static class HubEvents
{
    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
    public static Guid Id(this JsonElement e, string name) => Guid.Parse(e.GetProperty(name).GetString()!);
}
