using ControlPlane.Api.Calls.Media;
using ControlPlane.Api.Signaling;
using ControlPlane.Api.Tests.Support;
using Microsoft.Extensions.Options;
using Redis.Client;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Media;

/// <summary>The call directory's index of calls per node, in the Redis and the in-process directories.</summary>
public sealed class MediaCallIndexTests : IAsyncLifetime
{
    private RedisClient _redis = null!;
    private string _prefix = "";

    public async Task InitializeAsync() => _redis = await RedisClient.ConnectAsync((await RedisServer.SharedAsync()).Url);
    public async Task DisposeAsync() => await _redis.DisposeAsync();

    public static TheoryData<StateMode> Modes => new() { StateMode.Redis, StateMode.InProcess };

    private IMediaCallDirectory Directory(StateMode mode)
    {
        if (mode == StateMode.InProcess) return new InProcessMediaCallDirectory();
        _prefix = "mi" + Guid.NewGuid().ToString("N")[..10] + ":";
        return new RedisMediaCallDirectory(new SignalingRedis(_redis, Options.Create(new SignalingOptions { RedisKeyPrefix = _prefix })));
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task A_calls_entry_indexes_its_room_under_its_node_until_the_entry_is_removed(StateMode mode)
    {
        var directory = Directory(mode);
        Guid r1 = Guid.NewGuid(), r2 = Guid.NewGuid(), r3 = Guid.NewGuid();
        Assert.Empty(await directory.NodesWithCallsAsync());
        await directory.SetAsync(r1, "sfu-a");
        await directory.SetAsync(r2, "sfu-a");
        await directory.SetAsync(r3, "sfu-b");
        await directory.SetPendingOfferAsync(r1, Guid.NewGuid(), "offer-1");

        Assert.Equal(new[] { "sfu-a", "sfu-b" }, (await directory.NodesWithCallsAsync()).Order());
        Assert.Equal(new[] { r1, r2 }.Order(), (await directory.RoomsOnAsync("sfu-a")).Order());
        Assert.Equal(new[] { r3 }, await directory.RoomsOnAsync("sfu-b"));
        Assert.Empty(await directory.RoomsOnAsync("sfu-c"));

        // The entry's removal takes its room out; only the first removal wins, and a second one disturbs nothing.
        Assert.Equal("sfu-a", (await directory.RemoveAsync(r1))!.NodeId);
        Assert.Null(await directory.RemoveAsync(r1));
        Assert.Equal(new[] { r2 }, await directory.RoomsOnAsync("sfu-a"));

        // A node whose last call ended has no calls any more.
        await directory.RemoveAsync(r2);
        Assert.Empty(await directory.RoomsOnAsync("sfu-a"));
        Assert.Equal(new[] { "sfu-b" }, await directory.NodesWithCallsAsync());
        Assert.Equal("sfu-b", (await directory.GetAsync(r3))!.NodeId);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Rooms_without_an_entry_are_tracked_and_forgotten_and_a_moved_entry_moves_its_room(StateMode mode)
    {
        var directory = Directory(mode);
        Guid direct = Guid.NewGuid(), matched = Guid.NewGuid();

        // A direct call's room: indexed when its node opens it, no entry.
        await directory.TrackRoomAsync("sfu-a", direct);
        await directory.TrackRoomAsync("sfu-a", direct); // idempotent
        Assert.Null(await directory.GetAsync(direct));
        Assert.Equal(new[] { direct }, await directory.RoomsOnAsync("sfu-a"));

        // A matched call's room, tracked by its node and then recorded: one member, removed with the entry.
        await directory.TrackRoomAsync("sfu-b", matched);
        await directory.SetAsync(matched, "sfu-b");
        Assert.Equal(new[] { matched }, await directory.RoomsOnAsync("sfu-b"));

        // Recorded again on another node: the old node no longer lists it.
        await directory.SetAsync(matched, "sfu-c");
        Assert.Empty(await directory.RoomsOnAsync("sfu-b"));
        Assert.Equal(new[] { matched }, await directory.RoomsOnAsync("sfu-c"));
        Assert.Equal(new[] { "sfu-a", "sfu-c" }, (await directory.NodesWithCallsAsync()).Order());

        await directory.ForgetRoomAsync("sfu-a", direct);
        await directory.ForgetRoomAsync("sfu-a", direct);
        await directory.ForgetRoomAsync("sfu-x", Guid.NewGuid());
        Assert.Empty(await directory.RoomsOnAsync("sfu-a"));
        Assert.Equal(new[] { "sfu-c" }, await directory.NodesWithCallsAsync());
        await directory.RemoveAsync(matched);
        Assert.Empty(await directory.NodesWithCallsAsync());
    }

    [Fact]
    public async Task In_redis_the_index_expires_with_its_calls_and_a_node_whose_room_set_expired_is_pruned()
    {
        var directory = Directory(StateMode.Redis);
        var room = Guid.NewGuid();
        await directory.SetAsync(room, "sfu-a");
        var nodeKey = _prefix + "sfu:node-calls:sfu-a";
        Assert.InRange((await _redis.ExecuteAsync("PTTL", nodeKey)).AsInt64(), TimeSpan.FromHours(12).TotalMilliseconds, TimeSpan.FromHours(13).TotalMilliseconds);
        Assert.Equal(new[] { room.ToString("N") }, await _redis.SMembersAsync(nodeKey));

        // The room set expired (the calls' ends were lost): the node drops out of the nodes with calls.
        await _redis.DelAsync(nodeKey);
        Assert.Empty(await directory.NodesWithCallsAsync());
        Assert.Empty(await _redis.SMembersAsync(_prefix + "sfu:nodes-with-calls"));
    }

    [Fact]
    public async Task Concurrent_ends_and_starts_on_one_node_never_lose_a_node_that_still_has_calls()
    {
        var directory = Directory(StateMode.Redis);
        var random = new Random(7);
        var live = new HashSet<Guid>();
        for (var round = 0; round < 30; round++)
        {
            var starts = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Guid.NewGuid()).ToList();
            var ends = live.OrderBy(_ => random.Next()).Take(random.Next(0, live.Count + 1)).ToList();
            await Task.WhenAll(starts.Select(r => directory.SetAsync(r, "sfu-a")).Concat(ends.Select(r => (Task)directory.RemoveAsync(r))));
            live.UnionWith(starts);
            live.ExceptWith(ends);
            Assert.Equal(live.Order(), (await directory.RoomsOnAsync("sfu-a")).Order());
            Assert.Equal(live.Count > 0, (await directory.NodesWithCallsAsync()).Contains("sfu-a"));
        }
    }
}
