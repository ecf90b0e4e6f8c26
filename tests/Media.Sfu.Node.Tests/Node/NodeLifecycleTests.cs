using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Media.Sfu.Cluster;
using Media.Sfu.Node.Tests.Support;
using Service.Tokens;

namespace Media.Sfu.Node.Tests.Node;

/// <summary>Start-up validation, graceful leaving, and the WHIP API a node serves when it knows the device tokens' secret.</summary>
public class NodeLifecycleTests
{
    [Fact]
    public void Invalid_settings_are_named_at_start_up()
    {
        var errors = new NodeOptions { Id = "local", Port = 0, RedisUrl = "http://x", Secret = "short", HeartbeatMs = 1000, RecordTtlMs = 1500, MaxRooms = 0 }.Validate().ToList();
        Assert.Contains(errors, e => e.Contains("SFU_NODE_ID"));
        Assert.Contains(errors, e => e.Contains("SFU_NODE_PORT"));
        Assert.Contains(errors, e => e.Contains("REDIS_URL"));
        Assert.Contains(errors, e => e.Contains("SFU_NODE_SECRET"));
        Assert.Contains(errors, e => e.Contains("SFU_NODE_RECORD_TTL_MS"));
        Assert.Contains(errors, e => e.Contains("SFU_NODE_MAX_ROOMS"));
        Assert.Contains(new NodeOptions { Id = "n", Host = "0.0.0.0", RedisUrl = "redis://127.0.0.1", Secret = NodeHost.Secret }.Validate(), e => e.Contains("SFU_NODE_URL"));
        Assert.Empty(new NodeOptions { Id = "n-1.a_b", RedisUrl = "redis://127.0.0.1:6379", Secret = NodeHost.Secret }.Validate());
    }

    [Fact]
    public async Task A_node_refuses_to_start_with_invalid_settings()
    {
        var (redis, url, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var e = await Assert.ThrowsAnyAsync<Exception>(() => NodeHost.StartAsync(url, prefix, settings: new Dictionary<string, string?> { ["Node:Secret"] = "short" }));
        Assert.Contains("SFU_NODE_SECRET must be at least 32 bytes", e.ToString());
    }

    [Fact]
    public async Task A_graceful_stop_leaves_placement_at_once_and_reports_its_calls_participants()
    {
        var (redis, url, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var registry = new SfuNodeRegistry(redis, prefix);
        var lost = new List<ParticipantLostMessage>();
        await using var subscription = await registry.SubscribeParticipantLostAsync(m => { lock (lost) lost.Add(m); return Task.CompletedTask; });
        await using var node = await NodeHost.StartAsync(url, prefix, settings: new Dictionary<string, string?> { ["Node:RecordTtlMs"] = "30000" });
        await NodeControlApiTests.WaitForAsync(() => registry.ReadAsync(node.Id), r => r is not null);
        var (room, a, b) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await node.Remote().OpenRoomAsync(room, [a, b], new ControlPlane.Api.Calls.Media.CallMediaSettings(true));

        await node.StopAsync();
        // Gone although its TTL had 30 s left.
        Assert.Null(await registry.ReadAsync(node.Id));
        Assert.DoesNotContain(node.Id, await redis.SMembersAsync(registry.IndexKey));
        await NodeControlApiTests.WaitForAsync(() => Task.FromResult(lost.Count), c => c >= 2);
        lock (lost)
        {
            Assert.All(lost, m => Assert.Equal((node.Id, room.ToString(), "NodeStopping"), (m.NodeId, m.RoomId, m.Reason)));
            Assert.Equal(new[] { a, b }.Select(p => p.ToString()).Order(), lost.Select(m => m.Participant).Order());
        }
    }

    [Fact]
    public async Task With_the_device_token_secret_the_node_serves_WHIP_to_devices()
    {
        const string jwtSecret = "device-token-secret-0123456789abcdefgh";
        var (redis, url, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        await using var node = await NodeHost.StartAsync(url, prefix, settings: new Dictionary<string, string?> { ["Node:AccessTokenSecret"] = jwtSecret });
        var device = new AccessTokenFormat(new Hs256Jwt(jwtSecret), "omegle.media", "omegle.media").Issue(Guid.NewGuid(), "user", DateTimeOffset.UtcNow, TimeSpan.FromHours(1)).Token;

        HttpRequestMessage Whip(string? token)
        {
            var req = node.Request(HttpMethod.Post, "/whip?mode=echo", token);
            req.Content = new StringContent(SdpPeer.Offer(video: true), Encoding.UTF8);
            req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
            return req;
        }
        var created = await node.Http.SendAsync(Whip(device));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("/whip/", created.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.SendAsync(Whip(node.ControlToken()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.SendAsync(Whip(null))).StatusCode);
        // The device token opens no control endpoint.
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.SendAsync(node.Request(HttpMethod.Get, SfuControlApi.Status, device))).StatusCode);
        var deleted = await node.Http.SendAsync(node.Request(HttpMethod.Delete, created.Headers.Location!.ToString(), device));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(0, (await node.StatusAsync()).Node.Transports);
    }

    [Fact]
    public async Task Without_it_the_node_serves_no_WHIP()
    {
        var (redis, url, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        await using var node = await NodeHost.StartAsync(url, prefix);
        var req = node.Request(HttpMethod.Post, "/whip?mode=echo", node.ControlToken());
        req.Content = new StringContent(SdpPeer.Offer(video: false), Encoding.UTF8, "application/sdp");
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.SendAsync(req)).StatusCode);
    }
}
