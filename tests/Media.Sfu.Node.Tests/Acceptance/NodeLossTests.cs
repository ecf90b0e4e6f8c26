using Microsoft.EntityFrameworkCore;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Api.Calls.Media;
using Media.Sfu.Cluster;
using Media.Sfu.Node.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Redis.Client;
using Service.Tokens;
using Testing.Services;
using Testing.Services.Signaling;
using Xunit.Abstractions;

namespace Media.Sfu.Node.Tests.Acceptance;

/// <summary>
/// A node process that is SIGKILLed publishes nothing: the control plane finds it lost (its record stale for a whole
/// sweep interval) and ends its calls for both sides, matched chats and direct calls alike, while calls on a live
/// node go on. Real processes: Redis, two Media.Sfu.Node processes, the control plane (its own SFU disabled) with
/// PostgreSQL, devices on /signaling and /api/calls exchanging real SDP with the SFU.
/// </summary>
public sealed class NodeLossTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Secret = "acceptance-sfu-node-secret-0123456789";
    private const int RecordTtlMs = 1000, StaleMs = 1000, SweepMs = 300;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10] + ":";
    private readonly Dictionary<string, string> _nodeEnv = new();
    private readonly List<NodeProcess> _nodes = new();
    private RedisClient _redis = null!;
    private SfuNodeRegistry _registry = null!;
    private ApiHost _api = null!;
    private SfuCallers _callers = null!;
    private readonly List<SignalingClient> _directClients = new();

    public async Task InitializeAsync()
    {
        var redis = await RedisServer.SharedAsync();
        _redis = await RedisClient.ConnectAsync(redis.Url);
        _registry = new SfuNodeRegistry(_redis, _prefix);
        _nodeEnv["REDIS_URL"] = redis.Url;
        _nodeEnv["REDIS_KEY_PREFIX"] = _prefix;
        _nodeEnv["SFU_NODE_SECRET"] = Secret;
        _nodeEnv["SFU_NODE_HEARTBEAT_MS"] = "200";
        _nodeEnv["SFU_NODE_RECORD_TTL_MS"] = RecordTtlMs.ToString();
        var node = StartNodeAsync("sfu-doomed");
        var api = ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Redis:Url"] = redis.Url,
            ["Signaling:RedisKeyPrefix"] = _prefix,
            ["Sfu:Enabled"] = "false",
            ["CallMedia:Mode"] = "sfu",
            ["SfuNodes:Secret"] = Secret,
            ["SfuNodes:StaleAfterMs"] = StaleMs.ToString(),
            ["SfuNodes:LossSweepMs"] = SweepMs.ToString(),
            ["Matchmaking:JoinLimit"] = "1000",
        });
        await node;
        _api = await api;
        _callers = new SfuCallers(_api);
    }

    public async Task DisposeAsync()
    {
        await _callers.DisposeAsync();
        foreach (var c in _directClients) await c.DisposeAsync();
        await _api.DisposeAsync();
        foreach (var n in _nodes) await n.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task<string?> MatchedEndReasonAsync(Guid session)
    {
        await using var scope = _api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ControlPlane.Api.Data.ControlPlaneDb>().Set<ControlPlane.Api.Calls.Sessions.ChatSession>()
            .AsNoTracking().Where(s => s.Id == session).Select(s => s.EndReason).FirstOrDefaultAsync();
    }

    private async Task<NodeProcess> StartNodeAsync(string id)
    {
        var node = await NodeProcess.StartAsync(id, _nodeEnv);
        lock (_nodes) _nodes.Add(node);
        await WaitForAsync(() => _registry.ReadAsync(id), r => r is not null, $"{id} registered", TimeSpan.FromSeconds(10));
        return node;
    }

    [Fact]
    public async Task A_killed_nodes_matched_and_direct_calls_end_for_both_sides_and_a_live_nodes_call_goes_on()
    {
        var doomed = _nodes[0];
        var directory = _api.Services.GetRequiredService<IMediaCallDirectory>();

        // A matched call and a direct call, both on the only node.
        var matched = await _callers.StartCallAsync();
        Assert.Equal(doomed.Id, (await directory.GetAsync(matched.Session))!.NodeId);
        var direct = await StartDirectCallAsync();
        Assert.Equal(new[] { matched.Session, direct.Room }.Order(), (await directory.RoomsOnAsync(doomed.Id)).Order());
        await WaitForAsync(() => StatusAsync(doomed), s => s.Node is { Rooms: 2, Transports: 4 }, "both calls' transports on the doomed node", TimeSpan.FromSeconds(8));

        // A second node joins; idle, it takes the next call.
        var survivor = await StartNodeAsync("sfu-survivor");
        var spared = await _callers.StartCallAsync();
        Assert.Equal(survivor.Id, (await directory.GetAsync(spared.Session))!.NodeId);

        await doomed.KillAsync();
        var killedAt = Stopwatch.StartNew();
        // Its record lasts up to its TTL; then it must be seen stale for a whole sweep interval beyond SFU_NODE_STALE_MS.
        var limit = TimeSpan.FromMilliseconds(RecordTtlMs + SweepMs) + TimeSpan.FromSeconds(4);

        foreach (var client in new[] { matched.Offerer, matched.Waiter })
            await WaitForAsync(() => Task.FromResult(client.History), h => h.Any(e => e.Name is "peer-disconnected" or "call-ended"
                && e.Payload.GetProperty("sessionId").GetString() == matched.Session.ToString()), "the matched call's end on both sides", limit - killedAt.Elapsed);
        foreach (var client in new[] { direct.Caller, direct.Receiver })
        {
            var ended = await WaitForAsync(() => Task.FromResult(client.History.FirstOrDefault(e => e.Name == "call-ended")),
                e => e is not null, "the direct call's call-ended on both sides", limit - killedAt.Elapsed);
            Assert.Equal(direct.CallId.ToString(), ended!.Payload.GetProperty("callId").GetString());
            Assert.Equal("media_node_lost", ended.Payload.GetProperty("reason").GetString());
            Assert.Equal("ended", ended.Payload.GetProperty("status").GetString());
        }
        var endedAfter = killedAt.Elapsed;
        output.WriteLine($"Both calls ended {endedAfter.TotalMilliseconds:0} ms after the kill (limit {limit.TotalMilliseconds:0} ms)");

        // The call records say why; the directory and the node's index no longer have the calls.
        var record = await GetCallAsync(direct.CallId, direct.CallerToken);
        Assert.Equal(("ended", "media_node_lost"), (record.GetProperty("status").GetString(), record.GetProperty("endReason").GetString()));
        await WaitForAsync(() => MatchedEndReasonAsync(matched.Session), r => r == "media_node_lost", "the matched call's record ended with media_node_lost", TimeSpan.FromSeconds(5));
        await WaitForAsync(() => directory.GetAsync(matched.Session), e => e is null, "the matched call out of the directory", TimeSpan.FromSeconds(5));
        await WaitForAsync(() => directory.RoomsOnAsync(doomed.Id), r => r.Count == 0, "the doomed node's index empty", TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(doomed.Id, await directory.NodesWithCallsAsync());

        // The live node's call is untouched: still in the directory, its transports open, nobody told anything.
        Assert.Equal(survivor.Id, (await directory.GetAsync(spared.Session))!.NodeId);
        Assert.Equal(new[] { spared.Session }, await directory.RoomsOnAsync(survivor.Id));
        Assert.Equal(1, (await StatusAsync(survivor)).Node.Rooms);
        foreach (var client in new[] { spared.Offerer, spared.Waiter })
            Assert.DoesNotContain(client.History, e => e.Name is "peer-disconnected" or "call-ended");
        await SfuCallers.EndCallAsync(spared);
        Assert.True(endedAfter < limit, $"the calls ended {endedAfter} after the kill");
    }

    private sealed record DirectCallParties(Guid CallId, Guid Room, SignalingClient Caller, SignalingClient Receiver, string CallerToken);

    /// <summary>Seed 003: the caller calls, the receiver accepts (the room opens on a node), both join its media.</summary>
    private async Task<DirectCallParties> StartDirectCallAsync()
    {
        var (caller, callerToken) = await ConnectAsync();
        var (receiver, receiverToken) = await ConnectAsync();
        var started = await PostOkAsync("/api/calls/initiate", callerToken, new { receiverId = receiverToken.DeviceId.ToString(), callType = "video" });
        var callId = Guid.Parse(started.GetProperty("callId").GetString()!);
        var room = Guid.Parse(started.GetProperty("roomId").GetString()!);
        await receiver.WaitAsync("incoming-call");
        var accepted = await PostOkAsync($"/api/calls/{callId}/accept", receiverToken, null);
        var sfuOffer = accepted.GetProperty("offer").GetProperty("sdp").GetString()!;
        await PostOkAsync($"/api/calls/{callId}/webrtc/offer", callerToken, new { sdp = SdpPeer.Offer(video: true) });
        await PostOkAsync($"/api/calls/{callId}/webrtc/answer", receiverToken, new { sdp = SdpPeer.Answer(sfuOffer) });
        var call = await GetCallAsync(callId, callerToken.AccessToken);
        Assert.Equal("answered", call.GetProperty("status").GetString());
        return new DirectCallParties(callId, room, caller, receiver, callerToken.AccessToken);
    }

    private async Task<(SignalingClient, TokenResponse)> ConnectAsync()
    {
        var token = await _api.SignInAsync();
        var client = await SignalingClient.ConnectAsync(_api.BaseAddress, token.AccessToken, token.DeviceId);
        await client.WaitAsync("connected");
        _directClients.Add(client);
        return (client, token);
    }

    private async Task<JsonElement> PostOkAsync(string path, TokenResponse token, object? body)
    {
        using var request = _api.Authorized(HttpMethod.Post, path, token.AccessToken);
        request.Content = JsonContent.Create(body ?? new { }, options: Json);
        using var response = await _api.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("data").Clone();
    }

    private async Task<JsonElement> GetCallAsync(Guid callId, string token)
    {
        using var request = _api.Authorized(HttpMethod.Get, $"/api/calls/{callId}", token);
        using var response = await _api.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET call: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("call").Clone();
    }

    private static Task<SfuNodeStatus> StatusAsync(NodeProcess node) =>
        new RemoteMediaNode(node.Id, node.Url, node.Http, new SfuControlTokens(Secret), TimeProvider.System, TimeSpan.FromSeconds(5)).StatusAsync()!;

    private async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (deadline.Elapsed > within)
            {
                string nodes;
                lock (_nodes) nodes = string.Join("\n", _nodes.Select(n => $"{n.Id}: {n.Output}"));
                throw new TimeoutException($"Waiting {within} for {what}\n{nodes}\nclients: {_callers.Describe()}");
            }
            await Task.Delay(50);
        }
    }
}
