using ControlPlane.Api.Calls.Media;
using Media.Sfu.Cluster;
using Microsoft.AspNetCore.Builder;
using Service.Tokens;
using Testing.Services;

namespace Media.Sfu.Node.Tests.Support;

/// <summary>An SFU node in this test process (the same app the node process runs), on a free loopback port.</summary>
public sealed class NodeHost : IAsyncDisposable
{
    public const string Secret = "sfu-node-test-secret-0123456789abcdef";
    private readonly WebApplication _app;
    private bool _stopped;

    public string Id { get; }
    public Uri Url { get; }
    public HttpClient Http { get; }
    public SfuControlTokens Tokens { get; } = new(Secret);
    public IServiceProvider Services => _app.Services;

    private NodeHost(WebApplication app, string id, Uri url)
    {
        _app = app;
        Id = id;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(15) };
    }

    public static async Task<NodeHost> StartAsync(string redisUrl, string prefix, string? id = null, IDictionary<string, string?>? settings = null)
    {
        id ??= "node-" + Guid.NewGuid().ToString("N")[..6];
        var port = FreePort.Tcp();
        var config = new Dictionary<string, string?>
        {
            ["Node:Id"] = id,
            ["Node:Port"] = port.ToString(),
            ["Node:RedisUrl"] = redisUrl,
            ["Node:RedisKeyPrefix"] = prefix,
            ["Node:Secret"] = Secret,
            ["Node:AccessTokenSecret"] = "", // whatever JWT_SECRET the test process has: no WHIP unless a test asks
            ["Node:HeartbeatMs"] = "200",
            ["Node:RecordTtlMs"] = "1000",
            ["Sfu:UdpPort"] = "0",
            ["Sfu:TcpPort"] = "0",
            ["Logging:Level"] = "warning",
        };
        if (settings is not null) foreach (var (k, v) in settings) config[k] = v;
        var app = SfuNodeApp.Build([], config);
        await app.StartAsync();
        return new NodeHost(app, id, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>The control plane's client for this node.</summary>
    public RemoteMediaNode Remote(HttpClient? http = null) => new(Id, Url, http ?? Http, Tokens, TimeProvider.System, TimeSpan.FromSeconds(5));

    public HttpRequestMessage Request(HttpMethod method, string path, string? token) =>
        new(method, path) { Headers = { Authorization = token is null ? null : new("Bearer", token) } };

    public string ControlToken() => Tokens.Issue(Id, DateTimeOffset.UtcNow);

    public async Task<SfuNodeStatus> StatusAsync() => (await Remote().StatusAsync())!;

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        Http.Dispose();
    }
}
