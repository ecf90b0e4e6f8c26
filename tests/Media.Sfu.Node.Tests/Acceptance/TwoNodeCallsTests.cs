using System.Diagnostics;
using System.Text.Json;
using ControlPlane.Api.Calls.Media;
using Media.Sfu.Cluster;
using Media.Sfu.Node.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Redis.Client;
using Service.Tokens;
using Testing.Services;
using Testing.Services.Signaling;

namespace Media.Sfu.Node.Tests.Acceptance;

/// <summary>
/// Issue 5's acceptance "Two SFU processes: calls are spread across both; stopping one removes it from placement and
/// new calls go to the other", with real processes: Redis, two Media.Sfu.Node processes, the control plane (its own
/// SFU disabled), and pairs of devices on /signaling that join the video queue and exchange real SDP with the SFU.
/// </summary>
public sealed class TwoNodeCallsTests : IAsyncLifetime
{
    private const string Secret = "acceptance-sfu-node-secret-0123456789";
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10] + ":";
    private SfuCallers _callers = null!;
    private NodeProcess _first = null!, _second = null!;
    private ApiHost _api = null!;
    private RedisClient _redis = null!;
    private SfuNodeRegistry _registry = null!;
    private readonly SfuControlTokens _tokens = new(Secret);
    private static readonly Guid Operator = Guid.Parse("0d5e7a41-2b3c-4d5e-8f60-718293a4b5c6");

    public async Task InitializeAsync()
    {
        var redis = await RedisServer.SharedAsync();
        _redis = await RedisClient.ConnectAsync(redis.Url);
        _registry = new SfuNodeRegistry(_redis, _prefix);
        var env = new Dictionary<string, string>
        {
            ["REDIS_URL"] = redis.Url, ["REDIS_KEY_PREFIX"] = _prefix, ["SFU_NODE_SECRET"] = Secret,
            ["SFU_NODE_HEARTBEAT_MS"] = "250", ["SFU_NODE_RECORD_TTL_MS"] = "1000",
        };
        var first = NodeProcess.StartAsync("sfu-a", env);
        var second = NodeProcess.StartAsync("sfu-b", env);
        var api = ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Redis:Url"] = redis.Url,
            ["Signaling:RedisKeyPrefix"] = _prefix,
            ["Sfu:Enabled"] = "false",
            ["CallMedia:Mode"] = "sfu",
            ["SfuNodes:Secret"] = Secret,
            ["SfuNodes:StaleAfterMs"] = "1000",
            ["Matchmaking:JoinLimit"] = "1000",
            ["Auth:ModeratorDeviceIds"] = Operator.ToString(),
        });
        (_first, _second, _api) = (await first, await second, await api);
        _callers = new SfuCallers(_api);
        await WaitForAsync(async () => (await _registry.ReadAllAsync()).Count, n => n == 2, "both nodes registered");
    }

    public async Task DisposeAsync()
    {
        await _callers.DisposeAsync();
        await _api.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Calls_spread_over_both_nodes_and_a_killed_node_leaves_placement_to_the_other()
    {
        var directory = _api.Services.GetRequiredService<IMediaCallDirectory>();

        // Six calls over two idle nodes: both take their share (placement counts a call at once, before the node's
        // next heartbeat; a heartbeat racing an opening room can hide one call for a moment, hence not exactly 3:3).
        var calls = new List<SfuCall>();
        for (var i = 0; i < 6; i++) calls.Add(await _callers.StartCallAsync());
        var placedOn = new List<string>();
        foreach (var c in calls) placedOn.Add((await directory.GetAsync(c.Session))!.NodeId);
        Assert.InRange(placedOn.Count(n => n == "sfu-a"), 2, 4);
        Assert.Equal(6, placedOn.Count(n => n is "sfu-a" or "sfu-b"));
        foreach (var node in new[] { _first, _second })
        {
            var rooms = placedOn.Count(n => n == node.Id);
            var status = await WaitForStatusAsync(node, s => s.Node.Transports == 2 * rooms, $"both transports of its {rooms} calls");
            Assert.Equal((rooms, 2 * rooms), (status.Node.Rooms, status.Node.Sessions));
            // Its record reports the streams it carries (audio + video, received and sent, by both sides: 8 a call).
            await WaitForAsync(() => _registry.ReadAsync(node.Id), r => r?.Streams == 8 * rooms, $"{8 * rooms} streams in the record of {node.Id}");
        }

        // Operators see both nodes' load, and only with a moderator token.
        var staff = await _api.SignInAsync(Operator);
        using (var res = await _api.Client.SendAsync(_api.Authorized(HttpMethod.Get, "/moderation/sfu/nodes", staff.AccessToken)))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, res.StatusCode);
            var nodes = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("nodes");
            Assert.Equal(["sfu-a", "sfu-b"], nodes.EnumerateArray().Select(n => n.GetProperty("id").GetString()));
            foreach (var n in nodes.EnumerateArray())
            {
                Assert.True(n.GetProperty("fresh").GetBoolean());
                Assert.Equal(placedOn.Count(p => p == n.GetProperty("id").GetString()), n.GetProperty("rooms").GetInt32());
                Assert.Equal(8 * n.GetProperty("rooms").GetInt32(), n.GetProperty("streams").GetInt32());
                Assert.InRange(n.GetProperty("cpuPercent").GetDouble(), 0, 100);
                Assert.False(n.TryGetProperty("url", out _));
            }
        }
        var someone = await _api.SignInAsync();
        using (var refused = await _api.Client.SendAsync(_api.Authorized(HttpMethod.Get, "/moderation/sfu/nodes", someone.AccessToken)))
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);

        // Moderators' live view covers calls on node processes: the control plane polls each node's quality.
        var monitor = _api.Services.GetRequiredService<ControlPlane.Api.Calls.Quality.CallQualityMonitor>();
        var live = await monitor.SampleAsync();
        Assert.Equal(calls.Select(c => c.Session.ToString()).Order(), live.Calls.Select(c => c.CallId).Order());
        Assert.Equal(placedOn.Order(), live.Calls.Select(c => c.Node).Order());

        // Ending the calls leaves nothing on either node.
        foreach (var c in calls) await SfuCallers.EndCallAsync(c);
        foreach (var node in new[] { _first, _second })
            await WaitForStatusAsync(node, s => s is { Node: { Rooms: 0, Transports: 0, Sessions: 0 } }, "an empty node after the calls ended");

        // Two calls in progress, then node A dies without a word: its record expires within its TTL.
        var running = new List<SfuCall> { await _callers.StartCallAsync(), await _callers.StartCallAsync() };
        var onA = new List<SfuCall>();
        foreach (var c in running) if ((await directory.GetAsync(c.Session))!.NodeId == "sfu-a") onA.Add(c);
        await _first.KillAsync();
        var killedAt = Stopwatch.StartNew();
        var left = Task.Run(async () =>
        {
            await WaitForAsync(async () => (await _registry.ReadAllAsync()).Select(r => r.NodeId).ToList(), ids => ids.SequenceEqual(["sfu-b"]), "node A out of the records");
            return killedAt.Elapsed;
        });
        // A call placed before the record expires may still choose A; its refused connection sends it to B.
        running.Add(await _callers.StartCallAsync());
        var leftAfter = await left;
        Assert.True(leftAfter < TimeSpan.FromSeconds(3), $"node A left placement after {leftAfter}");
        Assert.Equal("sfu-b", (await directory.GetAsync(running[^1].Session))!.NodeId);

        // Every new call goes to B.
        var before = (await StatusAsync(_second)).Node.Rooms;
        var later = new List<SfuCall>();
        for (var i = 0; i < 4; i++) later.Add(await _callers.StartCallAsync());
        foreach (var c in later) Assert.Equal("sfu-b", (await directory.GetAsync(c.Session))!.NodeId);
        await WaitForStatusAsync(_second, s => s.Node.Rooms == before + 4 && s.Node.Transports == 2 * s.Node.Rooms, "B carrying the new calls");

        // A's calls were ended by the control plane once A counted as lost (NodeLossWatch); B's end as usual.
        foreach (var c in onA)
            foreach (var client in new[] { c.Offerer, c.Waiter })
                await WaitForAsync(() => Task.FromResult(client.History.Count(e => e.Name == "peer-disconnected" && e.Payload.GetProperty("sessionId").GetString() == c.Session.ToString())),
                    n => n == 1, "both sides of a call on A told it ended");
        foreach (var c in running.Concat(later).Except(onA)) await SfuCallers.EndCallAsync(c);
        await WaitForStatusAsync(_second, s => s is { Node: { Rooms: 0, Transports: 0, Sessions: 0 } }, "B empty after the calls ended");
    }

    private Task<SfuNodeStatus> StatusAsync(NodeProcess node) =>
        new RemoteMediaNode(node.Id, node.Url, node.Http, _tokens, TimeProvider.System, TimeSpan.FromSeconds(5)).StatusAsync()!;

    private async Task<SfuNodeStatus> WaitForStatusAsync(NodeProcess node, Func<SfuNodeStatus, bool> done, string what) =>
        await WaitForAsync(async () => (await StatusAsync(node))!, done, $"{what} on {node.Id}");

    private async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (deadline.Elapsed > TimeSpan.FromSeconds(8))
                throw new TimeoutException($"Waiting for {what}; last: {JsonSerializer.Serialize(value)}\nA: {_first.Output}\nB: {_second.Output}\nclients: {_callers.Describe()}");
            await Task.Delay(50);
        }
    }
}
