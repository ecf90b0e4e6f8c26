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
    public void Streams_and_cpu_rank_nodes_only_where_the_node_sets_such_a_limit()
    {
        // Without limits, CPU and streams are reported but do not decide: the node with fewer calls wins.
        var hot = Node("hot", rooms: 1, transports: 2) with { CpuPercent = 60, Streams = 8 };
        var cool = Node("cool", rooms: 2, transports: 4) with { CpuPercent = 5, Streams = 16 };
        Assert.Equal("hot", Choose([hot, cool]));
        // With a CPU limit, 60 % of 80 % is a load of 0.75, far above 2 of 100 rooms.
        Assert.Equal("cool", Choose([hot with { MaxCpuPercent = 80 }, cool with { MaxCpuPercent = 80 }]));
        Assert.Equal(0.75, (hot with { MaxCpuPercent = 80 }).Load, 6);
        // With a stream limit, 16 of 20 streams (0.8) outweighs 1 of 100 rooms.
        Assert.Equal("hot", Choose([hot with { MaxStreams = 1000 }, cool with { MaxStreams = 20 }]));
        Assert.Equal(0.8, (cool with { MaxStreams = 20 }).Load, 6);
    }

    [Fact]
    public void A_node_at_its_stream_or_cpu_limit_is_full()
    {
        Assert.True((Node("a") with { Streams = 40, MaxStreams = 40 }).IsFull);
        Assert.False((Node("a") with { Streams = 39, MaxStreams = 40 }).IsFull);
        Assert.True((Node("a") with { CpuPercent = 80, MaxCpuPercent = 80 }).IsFull);
        Assert.False((Node("a") with { CpuPercent = 99, MaxCpuPercent = 0 }).IsFull);
        Assert.Equal("ok", Choose([Node("cpu-full") with { CpuPercent = 85, MaxCpuPercent = 80 }, Node("ok", rooms: 90, transports: 180)]));
    }

    [Fact]
    public void Records_carry_the_load_fields_and_older_records_without_them_still_parse()
    {
        var record = Node("n", rooms: 3, transports: 6) with
        {
            Streams = 24, MaxStreams = 1200, CpuPercent = 37.5, MaxCpuPercent = 80, PacketsOutPerSecond = 900.5,
        };
        var fields = record.ToFields().ToDictionary(f => f.Key, f => f.Value);
        Assert.True(SfuNodeRecord.TryParse(fields, out var read));
        Assert.Equal((24, 1200, 37.5, 80, 900.5), (read!.Streams, read.MaxStreams, read.CpuPercent, read.MaxCpuPercent, read.PacketsOutPerSecond));

        foreach (var added in new[] { "streams", "maxStreams", "cpuPercent", "maxCpuPercent", "packetsOutPerSecond" }) fields.Remove(added);
        Assert.True(SfuNodeRecord.TryParse(fields, out var old));
        Assert.Equal((0, 0, 0.0, 0), (old!.Streams, old.MaxStreams, old.CpuPercent, old.MaxCpuPercent));
        Assert.Equal(3.0 / 100, old.Load, 6);

        // Nonsense in the new fields reads as "not reported", never as a load that would steer placement.
        fields["cpuPercent"] = "NaN"; fields["maxCpuPercent"] = "-5"; fields["streams"] = "lots"; fields["packetsOutPerSecond"] = "-1";
        Assert.True(SfuNodeRecord.TryParse(fields, out var odd));
        Assert.Equal((0, 0.0, 0, 0.0), (odd!.Streams, odd.CpuPercent, odd.MaxCpuPercent, odd.PacketsOutPerSecond));
    }

    [Fact]
    public void Random_and_mutated_record_fields_never_throw_and_never_parse_to_negative_or_infinite_load()
    {
        var random = new Random(20261121);
        var valid = (Node("n", rooms: 3, transports: 6) with { Streams = 24, MaxStreams = 100, CpuPercent = 12.5, MaxCpuPercent = 80 })
            .ToFields().ToDictionary(f => f.Key, f => f.Value);
        string[] junk = ["", "-1", "NaN", "Infinity", "-Infinity", "1e308", "1e-320", "2147483648", "9999999999999999999", " 5", "0x10", "½", "\0", "http://x/"];
        for (var i = 0; i < 5000; i++)
        {
            var fields = new Dictionary<string, string>(valid);
            foreach (var key in valid.Keys)
            {
                var roll = random.Next(10);
                if (roll == 0) fields.Remove(key);
                else if (roll == 1) fields[key] = junk[random.Next(junk.Length)];
                else if (roll == 2) fields[key] = new string((char)random.Next(32, 127), random.Next(0, 12));
            }
            if (!SfuNodeRecord.TryParse(fields, out var r)) continue;
            Assert.True(r!.Rooms >= 0 && r.Transports >= 0 && r.Streams >= 0 && r.MaxStreams >= 0 && r.MaxCpuPercent is >= 0 and <= 100);
            Assert.True(double.IsFinite(r.CpuPercent) && r.CpuPercent >= 0 && double.IsFinite(r.PacketsOutPerSecond) && r.PacketsOutPerSecond >= 0);
            Assert.True(double.IsFinite(r.Load) && r.Load >= 0, $"load {r.Load}");
        }
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
