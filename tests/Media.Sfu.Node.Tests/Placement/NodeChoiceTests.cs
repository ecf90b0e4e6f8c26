using ControlPlane.Api.Calls.Media;
using Media.Sfu.Cluster;

namespace Media.Sfu.Node.Tests.Placement;

/// <summary>Which node a call goes to: the least loaded of the healthy ones.</summary>
public class NodeChoiceTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(3);
    private static readonly HashSet<string> None = [];

    private static SfuNodeRecord Node(string id, int rooms = 0, int transports = 0, int maxRooms = 100, int maxTransports = 200, double ageSeconds = 0.5) =>
        new(id, $"http://127.0.0.1:4000/", maxRooms, maxTransports, rooms, transports, transports, 0, Now - TimeSpan.FromSeconds(ageSeconds), Now);

    private static string? Choose(IEnumerable<SfuNodeRecord> nodes, IReadOnlySet<string>? exclude = null, int seed = 1) =>
        RedisMediaPlacement.Choose(nodes, exclude ?? None, Now, Stale, new Random(seed))?.NodeId;

    [Fact]
    public void The_least_loaded_node_is_chosen()
    {
        Assert.Equal("b", Choose([Node("a", rooms: 10, transports: 20), Node("b", rooms: 3, transports: 6), Node("c", rooms: 50, transports: 100)]));
    }

    [Fact]
    public void Load_is_relative_to_capacity_and_the_fuller_limit_counts()
    {
        // a: 10 of 100 rooms = 0.1; b: 10 of 1000 rooms but 150 of 200 transports = 0.75.
        Assert.Equal("a", Choose([Node("a", rooms: 10, transports: 20), Node("b", rooms: 10, transports: 150, maxRooms: 1000)]));
        // A big node with more calls can still be the less loaded one.
        Assert.Equal("big", Choose([Node("small", rooms: 5, transports: 10, maxRooms: 10, maxTransports: 20), Node("big", rooms: 20, transports: 40, maxRooms: 1000, maxTransports: 2000)]));
    }

    [Fact]
    public void A_node_whose_heartbeat_is_stale_is_left_out()
    {
        Assert.Equal("busy", Choose([Node("idle-but-silent", ageSeconds: 3.5), Node("busy", rooms: 90, transports: 180)]));
        Assert.Null(Choose([Node("silent", ageSeconds: 10)]));
        Assert.Equal("just-in-time", Choose([Node("just-in-time", ageSeconds: 2.9)]));
    }

    [Fact]
    public void Excluded_and_full_nodes_are_left_out()
    {
        Assert.Equal("b", Choose([Node("a"), Node("b", rooms: 5, transports: 10)], exclude: new HashSet<string> { "a" }));
        Assert.Null(Choose([Node("a"), Node("b")], exclude: new HashSet<string> { "a", "b" }));
        Assert.Equal("ok", Choose([Node("rooms-full", rooms: 100, transports: 0), Node("ok", rooms: 99, transports: 198)]));
        // Room for one transport is not room for a call.
        Assert.Null(Choose([Node("one-transport-left", rooms: 1, transports: 199)]));
    }

    [Fact]
    public void Equally_loaded_nodes_share_the_calls()
    {
        var random = new Random(42);
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        for (var i = 0; i < 300; i++)
            counts[RedisMediaPlacement.Choose([Node("a", rooms: 2), Node("b", rooms: 2), Node("c", rooms: 2)], None, Now, Stale, random)!.NodeId]++;
        Assert.All(counts.Values, c => Assert.InRange(c, 60, 140));
    }
}
