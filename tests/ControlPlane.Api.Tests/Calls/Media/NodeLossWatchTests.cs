using System.Collections.Concurrent;
using ControlPlane.Api.Calls.Media;
using ControlPlane.Api.Signaling;
using Media.Sfu.Cluster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Redis.Client;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Media;

/// <summary>
/// NodeLossWatch's decisions, on a clock that moves only when told, against real Redis (records, claims, the index):
/// which nodes are lost, when, and who ends their calls.
/// </summary>
public sealed class NodeLossWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2000);
    private static readonly TimeSpan Stale = TimeSpan.FromMilliseconds(3000);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly string _prefix = "nl" + Guid.NewGuid().ToString("N")[..10] + ":";
    private RedisClient _redis = null!;
    private SfuNodeRegistry _registry = null!;
    private IMediaCallDirectory _directory = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisClient.ConnectAsync((await RedisServer.SharedAsync()).Url);
        (_registry, _directory) = Cluster(_redis, _prefix);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private static (SfuNodeRegistry, IMediaCallDirectory) Cluster(IRedisClient redis, string prefix) =>
        (new SfuNodeRegistry(redis, prefix), new RedisMediaCallDirectory(new SignalingRedis(redis, Options.Create(new SignalingOptions { RedisKeyPrefix = prefix }))));

    private NodeLossWatch Watch(IMediaNodeLossHandler handler, ListLogger<NodeLossWatch>? log = null, SfuNodeRegistry? registry = null, IMediaCallDirectory? directory = null) =>
        new(directory ?? _directory, registry ?? _registry, [handler],
            Options.Create(new MediaNodeOptions { StaleAfterMs = (int)Stale.TotalMilliseconds, LossSweepMs = (int)Interval.TotalMilliseconds }),
            _clock, log ?? new ListLogger<NodeLossWatch>());

    /// <summary>The node's heartbeat, dated now on the test clock (the Redis TTL is real time: long enough for a test).</summary>
    private Task HeartbeatAsync(string node) =>
        _registry.WriteAsync(new SfuNodeRecord(node, "http://127.0.0.1:1/", 100, 200, 1, 2, 2, 0, _clock.GetUtcNow(), _clock.GetUtcNow() - TimeSpan.FromMinutes(1)), TimeSpan.FromMinutes(5));

    private async Task<List<Guid>> CallsOnAsync(string node, int matched, int direct)
    {
        var rooms = new List<Guid>();
        for (var i = 0; i < matched; i++) { var r = Guid.NewGuid(); await _directory.SetAsync(r, node); rooms.Add(r); }
        for (var i = 0; i < direct; i++) { var r = Guid.NewGuid(); await _directory.TrackRoomAsync(node, r); rooms.Add(r); }
        return rooms;
    }

    [Fact]
    public async Task A_node_that_keeps_heartbeating_is_never_lost_and_a_late_heartbeat_kills_nothing()
    {
        var handler = new RecordingHandler();
        var watch = Watch(handler);
        await CallsOnAsync("sfu-a", 2, 1);
        for (var i = 0; i < 5; i++)
        {
            await HeartbeatAsync("sfu-a");
            Assert.Empty(await watch.SweepAsync());
            _clock.Jump(Interval);
        }
        // One heartbeat comes late: stale at one round, fresh again at the next.
        _clock.Jump(Stale - Interval + Ms);
        Assert.Empty(await watch.SweepAsync());
        await HeartbeatAsync("sfu-a");
        _clock.Jump(Interval);
        Assert.Empty(await watch.SweepAsync());
        Assert.Empty(handler.Ended);
        Assert.Equal(3, (await _directory.RoomsOnAsync("sfu-a")).Count);
    }

    [Fact]
    public async Task A_stale_node_is_lost_one_whole_interval_after_it_went_stale_and_all_its_calls_end()
    {
        var handler = new RecordingHandler();
        var log = new ListLogger<NodeLossWatch>();
        var watch = Watch(handler, log);
        var rooms = await CallsOnAsync("sfu-a", 2, 1);
        var other = await CallsOnAsync("sfu-b", 1, 0);
        await HeartbeatAsync("sfu-a");
        await HeartbeatAsync("sfu-b");

        _clock.Jump(Stale + Ms); // A stops; B keeps on
        await HeartbeatAsync("sfu-b");
        Assert.Empty(await watch.SweepAsync()); // first seen stale
        _clock.Jump(Interval - Ms);
        await HeartbeatAsync("sfu-b");
        Assert.Empty(await watch.SweepAsync()); // not yet a whole interval
        _clock.Jump(Ms);
        Assert.Equal(["sfu-a"], await watch.SweepAsync());

        Assert.Equal(rooms.Order(), handler.Ended.Where(e => e.Node == "sfu-a").Select(e => e.Room).Order());
        Assert.DoesNotContain(handler.Ended, e => e.Node == "sfu-b");
        // Gone from the directory and its index; B untouched.
        foreach (var r in rooms) Assert.Null(await _directory.GetAsync(r));
        Assert.Empty(await _directory.RoomsOnAsync("sfu-a"));
        Assert.Equal(["sfu-b"], await _directory.NodesWithCallsAsync());
        Assert.Equal(other, await _directory.RoomsOnAsync("sfu-b"));
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("sfu-a", warning.State["Node"]);
        Assert.Equal(3, warning.State["RoomCount"]);

        // Nothing left to do in later rounds.
        _clock.Jump(Interval);
        Assert.Empty(await watch.SweepAsync());
        Assert.Equal(3, handler.Ended.Count);
    }

    [Fact]
    public async Task A_missing_record_counts_from_when_it_is_first_seen_missing_and_from_the_last_heartbeat_seen()
    {
        var handler = new RecordingHandler();
        var watch = Watch(handler);
        await CallsOnAsync("sfu-a", 1, 0);
        await CallsOnAsync("sfu-never", 0, 1);
        await HeartbeatAsync("sfu-a");
        Assert.Empty(await watch.SweepAsync()); // A fresh; the node never seen is seen missing
        await _registry.RemoveAsync("sfu-a"); // A's record expires early (a short TTL)

        _clock.Jump(Interval);
        Assert.Equal(["sfu-never"], await watch.SweepAsync()); // missing for a whole interval, no heartbeat ever seen
        _clock.Jump(Interval);
        Assert.Empty(await watch.SweepAsync()); // A: missing for an interval, but its last heartbeat is 4 s old
        _clock.Jump(Stale + Interval - 2 * Interval + Ms);
        Assert.Equal(["sfu-a"], await watch.SweepAsync());
        Assert.Equal(2, handler.Ended.Count);
        Assert.Empty(await _directory.NodesWithCallsAsync());
    }

    [Fact]
    public async Task Of_two_control_planes_only_one_ends_a_lost_nodes_calls_and_it_keeps_the_node()
    {
        RecordingHandler first = new(), second = new();
        var (registry2, directory2) = Cluster(_redis, _prefix); // the other process's own objects, on the same Redis
        var watches = new[] { Watch(first), Watch(second, registry: registry2, directory: directory2) };
        var rooms = await CallsOnAsync("sfu-a", 3, 2);
        await HeartbeatAsync("sfu-a");
        _clock.Jump(Stale + Ms);
        foreach (var w in watches) Assert.Empty(await w.SweepAsync());
        _clock.Jump(Interval);

        var acted = await Task.WhenAll(watches.Select(w => w.SweepAsync()));
        Assert.Single(acted, a => a.SequenceEqual(["sfu-a"]));
        Assert.Single(acted, a => a.Count == 0);
        Assert.Equal(rooms.Order(), first.Ended.Concat(second.Ended).Select(e => e.Room).Order()); // each call ended once
        var winner = acted[0].Count == 1 ? 0 : 1;

        // A call recorded on the dead node afterwards (placed just before it died) is ended by the same process.
        var straggler = await CallsOnAsync("sfu-a", 1, 0);
        _clock.Jump(Interval);
        acted = await Task.WhenAll(watches.Select(w => w.SweepAsync()));
        Assert.Equal(["sfu-a"], acted[winner]);
        Assert.Empty(acted[1 - winner]);
        Assert.Equal(straggler[0], (winner == 0 ? first : second).Ended.Last().Room);
        Assert.Equal(6, first.Ended.Count + second.Ended.Count);
    }

    [Fact]
    public async Task The_in_process_sfu_is_never_swept()
    {
        var handler = new RecordingHandler();
        var watch = Watch(handler);
        var rooms = await CallsOnAsync(LocalMediaNode.LocalId, 2, 0);
        for (var i = 0; i < 6; i++)
        {
            Assert.Empty(await watch.SweepAsync());
            _clock.Jump(Interval + Stale);
        }
        Assert.Empty(handler.Ended);
        Assert.Equal(rooms.Order(), (await _directory.RoomsOnAsync(LocalMediaNode.LocalId)).Order());
        Assert.False(await _redis.ExistsAsync(_registry.NodeLossClaimKey(LocalMediaNode.LocalId)));
    }

    [Fact]
    public async Task A_call_whose_end_failed_stays_indexed_and_is_ended_at_the_next_round()
    {
        var handler = new RecordingHandler { FailuresLeft = 1 };
        var watch = Watch(handler);
        var rooms = await CallsOnAsync("sfu-a", 2, 0);
        await HeartbeatAsync("sfu-a");
        _clock.Jump(Stale + Ms);
        await watch.SweepAsync();
        _clock.Jump(Interval);
        Assert.Equal(["sfu-a"], await watch.SweepAsync());
        Assert.Single(handler.Ended);
        var failed = Assert.Single(await _directory.RoomsOnAsync("sfu-a"));
        Assert.Contains(failed, rooms);
        Assert.NotNull(await _directory.GetAsync(failed));

        _clock.Jump(Interval);
        Assert.Equal(["sfu-a"], await watch.SweepAsync());
        Assert.Equal(rooms.Order(), handler.Ended.Select(e => e.Room).Order());
        Assert.Empty(await _directory.NodesWithCallsAsync());
    }

    [Fact]
    public async Task While_redis_is_down_rounds_are_skipped_logged_once_and_never_throw()
    {
        await using var server = await RedisServer.StartPrivateAsync();
        var options = RedisOptions.Parse(server.Url);
        options.CommandTimeout = options.ConnectTimeout = TimeSpan.FromMilliseconds(300);
        await using var redis = await RedisClient.ConnectAsync(options);
        var (registry, directory) = Cluster(redis, _prefix);
        var handler = new RecordingHandler();
        var log = new ListLogger<NodeLossWatch>();
        var watch = Watch(handler, log, registry, directory);
        await directory.SetAsync(Guid.NewGuid(), "sfu-a");
        Assert.Empty(await watch.SweepAsync()); // seen missing

        await server.StopAsync();
        for (var i = 0; i < 3; i++)
        {
            _clock.Jump(Interval);
            Assert.Empty(await watch.SweepAsync());
        }
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Empty(handler.Ended);

        // Back (empty, as a restarted Redis without persistence): the sweep works again and says so once.
        await server.StartAsync();
        var room = Guid.NewGuid();
        await NodeLossWait.UntilAsync(async () =>
        {
            try { await directory.TrackRoomAsync("sfu-b", room); return true; }
            catch (RedisException) { return false; }
        });
        Assert.Empty(await watch.SweepAsync()); // sfu-b first seen missing now: sightings before the outage are forgotten
        Assert.Single(log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("again"));
        _clock.Jump(Interval);
        Assert.Equal(["sfu-b"], await watch.SweepAsync());
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("failed"));
    }

    [Fact]
    public void The_sweep_interval_is_validated()
    {
        var secret = new string('x', 32);
        Assert.Empty(new MediaNodeOptions { Secret = secret }.Validate());
        Assert.Equal(2000, new MediaNodeOptions().LossSweepMs);
        foreach (var bad in new[] { 0, 99, 60_001 })
            Assert.Contains("SFU_NODE_LOSS_SWEEP_MS must be 100–60000", new MediaNodeOptions { Secret = secret, LossSweepMs = bad }.Validate());
    }

    [Fact]
    public void The_environment_name_maps_to_the_setting()
    {
        var config = ControlPlane.Api.Configuration.SeedEnvironment.Read(n => n == "SFU_NODE_LOSS_SWEEP_MS" ? "750" : null);
        Assert.Equal("750", config["SfuNodes:LossSweepMs"]);
    }

    private sealed class RecordingHandler : IMediaNodeLossHandler
    {
        private readonly ConcurrentQueue<(Guid Room, string Node)> _ended = new();
        public int FailuresLeft;
        public IReadOnlyList<(Guid Room, string Node)> Ended => _ended.ToList();

        public Task<bool> EndCallOnLostNodeAsync(Guid roomId, string nodeId)
        {
            if (Interlocked.Decrement(ref FailuresLeft) >= 0) throw new InvalidOperationException("the database is away");
            _ended.Enqueue((roomId, nodeId));
            return Task.FromResult(true);
        }
    }
}

internal static class NodeLossWait
{
    public static async Task UntilAsync(Func<Task<bool>> done, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Condition not reached");
            await Task.Delay(50);
        }
    }
}

/// <summary>Keeps what is logged, with its structured properties.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public sealed record Entry(LogLevel Level, string Message, IReadOnlyDictionary<string, object?> State);

    private readonly ConcurrentQueue<Entry> _entries = new();
    public IReadOnlyList<Entry> Entries => _entries.ToList();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : new Dictionary<string, object?>();
        _entries.Enqueue(new Entry(logLevel, formatter(state, exception), properties));
    }
}
