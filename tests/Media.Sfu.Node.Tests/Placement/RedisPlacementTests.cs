using ControlPlane.Api.Calls.Media;
using Media.Sfu.Cluster;
using Media.Sfu.Node.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Node.Tests.Placement;

/// <summary>Node records in a real Redis: how they are written, expire, are read and placed on.</summary>
public class RedisPlacementTests
{
    private static RedisMediaPlacement Placement(SfuNodeRegistry registry, int staleMs = 3000) => new(registry, null,
        Options.Create(new MediaNodeOptions { Secret = "a-shared-secret-of-at-least-32-bytes!", StaleAfterMs = staleMs }),
        TimeProvider.System, NullLogger<RedisMediaPlacement>.Instance);

    [Fact]
    public async Task A_record_round_trips_and_lives_only_as_long_as_its_ttl()
    {
        var (redis, _, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var registry = new SfuNodeRegistry(redis, prefix);
        var record = TestRedis.Record("n1", rooms: 3, transports: 6);
        await registry.WriteAsync(record, TimeSpan.FromMilliseconds(400));

        var read = Assert.Single(await registry.ReadAllAsync());
        Assert.Equal(record with { UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(record.UpdatedAt.ToUnixTimeMilliseconds()), StartedAt = read.StartedAt }, read);
        Assert.InRange((await redis.ExecuteAsync("PTTL", registry.RecordKey("n1"))).AsInt64(), 1, 400);

        await Task.Delay(600);
        Assert.Empty(await registry.ReadAllAsync());
        Assert.Empty(await redis.SMembersAsync(registry.IndexKey)); // pruned
    }

    [Fact]
    public async Task Removing_a_record_takes_the_node_out_at_once()
    {
        var (redis, _, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var registry = new SfuNodeRegistry(redis, prefix);
        await registry.WriteAsync(TestRedis.Record("n1"), TimeSpan.FromSeconds(30));
        await registry.WriteAsync(TestRedis.Record("n2"), TimeSpan.FromSeconds(30));
        await registry.RemoveAsync("n1");
        Assert.Equal("n2", Assert.Single(await registry.ReadAllAsync()).NodeId);
    }

    [Fact]
    public async Task Placement_takes_the_least_loaded_fresh_node_and_counts_the_call_at_once()
    {
        var (redis, _, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var registry = new SfuNodeRegistry(redis, prefix);
        using var placement = Placement(registry);
        await registry.WriteAsync(TestRedis.Record("busy", "http://127.0.0.1:4001", rooms: 40, transports: 80), TimeSpan.FromSeconds(30));
        await registry.WriteAsync(TestRedis.Record("idle", "http://127.0.0.1:4002", rooms: 0), TimeSpan.FromSeconds(30));
        await registry.WriteAsync(TestRedis.Record("silent", "http://127.0.0.1:4003", at: DateTimeOffset.UtcNow - TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(30));

        var node = Assert.IsType<RemoteMediaNode>(await placement.PlaceAsync([]));
        Assert.Equal("idle", node.Id);
        Assert.Equal(new Uri("http://127.0.0.1:4002/"), node.BaseAddress);
        var idle = await registry.ReadAsync("idle");
        Assert.Equal((1, 2), (idle!.Rooms, idle.Transports)); // reserved until the node's next heartbeat

        Assert.Equal("busy", (await placement.PlaceAsync(["idle"]))!.Id);
        Assert.Null(await placement.PlaceAsync(["idle", "busy"])); // the stale one is never a candidate
        Assert.Equal("silent", (await placement.FindAsync("silent"))!.Id); // but its calls can still be reached
        Assert.Null(await placement.FindAsync("never-registered"));
    }

    [Fact]
    public async Task Successive_placements_spread_over_equal_nodes_before_any_heartbeat()
    {
        var (redis, _, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var registry = new SfuNodeRegistry(redis, prefix);
        using var placement = Placement(registry);
        await registry.WriteAsync(TestRedis.Record("a", "http://127.0.0.1:4001"), TimeSpan.FromSeconds(30));
        await registry.WriteAsync(TestRedis.Record("b", "http://127.0.0.1:4002"), TimeSpan.FromSeconds(30));
        var placed = new List<string>();
        for (var i = 0; i < 6; i++) placed.Add((await placement.PlaceAsync([]))!.Id);
        Assert.Equal(3, placed.Count(p => p == "a"));
        Assert.Equal(3, placed.Count(p => p == "b"));
    }

    [Fact]
    public async Task Reserving_on_a_vanished_node_does_not_bring_its_record_back()
    {
        var (redis, _, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var registry = new SfuNodeRegistry(redis, prefix);
        Assert.False(await registry.ReserveAsync("gone", 2));
        Assert.False(await redis.ExistsAsync(registry.RecordKey("gone")));
    }

    [Fact]
    public async Task Lost_participants_reach_subscribers()
    {
        var (redis, _, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var registry = new SfuNodeRegistry(redis, prefix);
        var received = new TaskCompletionSource<ParticipantLostMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await registry.SubscribeParticipantLostAsync(m => { received.TrySetResult(m); return Task.CompletedTask; });
        await redis.PublishAsync(registry.ParticipantLostChannel, "not json"); // ignored
        var sent = new ParticipantLostMessage("n1", Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), "ConsentLost");
        await registry.PublishParticipantLostAsync(sent);
        Assert.Equal(sent, await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
