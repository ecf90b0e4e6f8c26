using ControlPlane.Api.Calls.Media;
using Media.Sfu.Cluster;
using Media.Sfu.Node.Tests.Node;
using Media.Sfu.Node.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Testing.Services;

namespace Media.Sfu.Node.Tests.Acceptance;

/// <summary>Nodes that fail: their calls move on, or end for both sides.</summary>
public sealed class PlacementFailoverTests
{
    private static Task<ApiHost> ControlPlaneAsync(string redisUrl, string prefix) => ApiHost.StartAsync(new Dictionary<string, string?>
    {
        ["Redis:Url"] = redisUrl, ["Signaling:RedisKeyPrefix"] = prefix, ["Sfu:Enabled"] = "false", ["CallMedia:Mode"] = "sfu",
        ["SfuNodes:Secret"] = NodeHost.Secret, ["Matchmaking:JoinLimit"] = "1000",
    });

    /// <summary>A node that is still in the records but does not answer costs a call nothing: it goes to the next node.</summary>
    [Fact]
    public async Task A_call_placed_on_a_dead_node_moves_to_a_live_one()
    {
        var (redis, url, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        var registry = new SfuNodeRegistry(redis, prefix);
        await using var node = await NodeHost.StartAsync(url, prefix);
        // The live node carries one call, so the idle-looking dead one ranks first.
        await node.Remote().OpenRoomAsync(Guid.NewGuid(), [Guid.NewGuid(), Guid.NewGuid()], new CallMediaSettings(true));
        await NodeControlApiTests.WaitForAsync(() => registry.ReadAsync(node.Id), r => r?.Rooms == 1);

        await using var api = await ControlPlaneAsync(url, prefix);
        await using var callers = new SfuCallers(api);
        // Its record stays fresh for the whole test (dated ahead, as a heartbeat that never lapses), but nothing
        // listens at its address.
        var ghost = TestRedis.Record("ghost", $"http://127.0.0.1:{FreePort.Tcp()}/", at: DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1))
            with { MaxRooms = 1000, MaxTransports = 2000 };
        await registry.WriteAsync(ghost, TimeSpan.FromSeconds(30));
        var call = await callers.StartCallAsync();

        Assert.Equal(node.Id, (await api.Services.GetRequiredService<IMediaCallDirectory>().GetAsync(call.Session))!.NodeId);
        Assert.Equal(1, (await registry.ReadAsync("ghost"))!.Rooms); // it was chosen first, and refused
        await NodeControlApiTests.WaitForAsync(() => node.StatusAsync(), s => s.Node is { Rooms: 2, Transports: 2 });
        await SfuCallers.EndCallAsync(call);
        await NodeControlApiTests.WaitForAsync(() => node.StatusAsync(), s => s.Node is { Rooms: 1, Transports: 0 });
    }

    /// <summary>
    /// A node that stops reports its calls' participants as lost (over Redis); the control plane ends those calls, so
    /// both sides hear it at once instead of waiting for their ICE to fail.
    /// </summary>
    [Fact]
    public async Task A_node_that_stops_ends_its_calls_for_both_sides()
    {
        var (redis, url, prefix) = await TestRedis.ConnectAsync();
        await using var _ = redis;
        await using var node = await NodeHost.StartAsync(url, prefix);
        await NodeControlApiTests.WaitForAsync(() => new SfuNodeRegistry(redis, prefix).ReadAsync(node.Id), r => r is not null);
        await using var api = await ControlPlaneAsync(url, prefix);
        await using var callers = new SfuCallers(api);
        var call = await callers.StartCallAsync();
        await NodeControlApiTests.WaitForAsync(() => node.StatusAsync(), s => s.Node.Transports == 2);

        await node.StopAsync();
        string[] ended = ["call-ended", "peer-disconnected"];
        foreach (var client in new[] { call.Offerer, call.Waiter })
            await NodeControlApiTests.WaitForAsync(() => Task.FromResult(client.History), h => h.Any(e => ended.Contains(e.Name)
                && e.Payload.GetProperty("sessionId").GetString() == call.Session.ToString()));
        // The room leaves the directory while both sides are told (the close runs beside the notification).
        var directory = api.Services.GetRequiredService<IMediaCallDirectory>();
        await NodeControlApiTests.WaitForAsync(() => directory.GetAsync(call.Session), e => e is null);
    }
}
