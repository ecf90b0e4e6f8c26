using ControlPlane.Api.Calls.Media;
using Media.Sfu.Cluster;
using Media.Sfu.Node.Tests.Node;
using Media.Sfu.Node.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Testing.Services;

namespace Media.Sfu.Node.Tests.Acceptance;

/// <summary>A node that is still in the records but does not answer costs a call nothing: it goes to the next node.</summary>
public sealed class PlacementFailoverTests
{
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

        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Redis:Url"] = url, ["Signaling:RedisKeyPrefix"] = prefix, ["Sfu:Enabled"] = "false", ["CallMedia:Mode"] = "sfu",
            ["SfuNodes:Secret"] = NodeHost.Secret, ["Matchmaking:JoinLimit"] = "1000",
        });
        await using var callers = new SfuCallers(api);
        // Its record is fresh (written now) but nothing listens at its address.
        var ghost = TestRedis.Record("ghost", $"http://127.0.0.1:{FreePort.Tcp()}/") with { MaxRooms = 1000, MaxTransports = 2000 };
        await registry.WriteAsync(ghost, TimeSpan.FromSeconds(30));
        var call = await callers.StartCallAsync();

        Assert.Equal(node.Id, (await api.Services.GetRequiredService<IMediaCallDirectory>().GetAsync(call.Session))!.NodeId);
        Assert.Equal(1, (await registry.ReadAsync("ghost"))!.Rooms); // it was chosen first, and refused
        await NodeControlApiTests.WaitForAsync(() => node.StatusAsync(), s => s.Node is { Rooms: 2, Transports: 2 });
        await SfuCallers.EndCallAsync(call);
        await NodeControlApiTests.WaitForAsync(() => node.StatusAsync(), s => s.Node is { Rooms: 1, Transports: 0 });
    }
}
