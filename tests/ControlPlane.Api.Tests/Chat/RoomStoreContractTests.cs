using ControlPlane.Api.Chat;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Moderation;
using ControlPlane.Api.Signaling;
using ControlPlane.Api.Tests.Support;
using Microsoft.Extensions.Options;
using Redis.Client;
using Testing.Services;

namespace ControlPlane.Api.Tests.Chat;

/// <summary>Room state semantics, run against the Redis and the in-process stores.</summary>
public sealed class RoomStoreContractTests : IAsyncLifetime
{
    private const long T0 = 1_800_000_000_000;
    private RedisClient _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisClient.ConnectAsync((await RedisServer.SharedAsync()).Url);
    public async Task DisposeAsync() => await _redis.DisposeAsync();

    public static TheoryData<StateMode> Modes => new() { StateMode.Redis, StateMode.InProcess };

    /// <summary>A store with one room of <paramref name="type"/> between two fresh devices (opened by the queue, as in production).</summary>
    private async Task<(IRoomStore Store, RoomSnapshot Room)> OpenAsync(StateMode mode, string type = "text")
    {
        var options = Options.Create(new MatchmakingOptions());
        IRoomStore store;
        IMatchQueue queue;
        if (mode == StateMode.InProcess)
        {
            var rooms = new InProcessRoomStore();
            store = rooms;
            queue = new InProcessMatchQueue(options, rooms, new InProcessBanList());
        }
        else
        {
            var redis = new SignalingRedis(_redis, Options.Create(new SignalingOptions { RedisKeyPrefix = "rs" + Guid.NewGuid().ToString("N")[..10] + ":" }));
            store = new RedisRoomStore(redis);
            queue = new RedisMatchQueue(redis, options);
        }
        var a = new QueueEntry { DeviceId = Guid.NewGuid(), Type = type, Dialect = "omegoo-text", JoinedAt = T0, MaxBitrate = 48 };
        var b = new QueueEntry { DeviceId = Guid.NewGuid(), Type = type, Dialect = "omegle", JoinedAt = T0 + 10 };
        await queue.JoinAsync(a, Guid.NewGuid(), T0);
        var outcome = await queue.JoinAsync(b, Guid.NewGuid(), T0 + 10);
        return (store, outcome.Pair!.Room);
    }

    private static StoredMessage Msg(Guid sender, int n) => new($"msg_{n}", sender, "message " + n, T0 + n);

    [Theory, MemberData(nameof(Modes))]
    public async Task The_room_reads_back_as_opened(StateMode mode)
    {
        var (store, room) = await OpenAsync(mode, "audio");
        var read = await store.GetAsync(room.Id);
        Assert.Equal(room, read);
        Assert.Equal(48, read!.A.MaxBitrate);
        Assert.Equal(room, await store.FindByDeviceAsync(room.B.DeviceId));
        Assert.Null(await store.FindByDeviceAsync(Guid.NewGuid()));
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Touch_checks_room_and_type_and_keeps_only_the_newest_messages(StateMode mode)
    {
        var (store, room) = await OpenAsync(mode);
        var a = room.A.DeviceId;
        Assert.Null(await store.TouchAsync(a, Guid.NewGuid(), null, T0 + 100, Msg(a, 0), 30));
        Assert.Null(await store.TouchAsync(a, null, ChatType.Audio, T0 + 100, Msg(a, 0), 30));
        Assert.Empty(await store.RecentMessagesAsync(room.Id));
        for (var i = 1; i <= 35; i++)
        {
            var touched = await store.TouchAsync(i % 2 == 0 ? a : room.B.DeviceId, room.Id, ChatType.Text, T0 + 1000 + i, Msg(i % 2 == 0 ? a : room.B.DeviceId, i), 30);
            Assert.Equal(T0 + 1000 + i, touched!.LastActivityAt);
        }
        var kept = await store.RecentMessagesAsync(room.Id);
        Assert.Equal(Enumerable.Range(6, 30).Select(i => "msg_" + i), kept.Select(m => m.Id));
        Assert.Equal(T0 + 1035, (await store.GetAsync(room.Id))!.LastActivityAt);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task A_room_ends_once_and_hands_back_its_messages(StateMode mode)
    {
        var (store, room) = await OpenAsync(mode);
        await store.TouchAsync(room.A.DeviceId, null, null, T0 + 50, Msg(room.A.DeviceId, 1), 30);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.EndAsync(room.Id))));
        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal("msg_1", Assert.Single(winner!.Messages).Id);
        Assert.Null(await store.GetAsync(room.Id));
        Assert.Null(await store.FindByDeviceAsync(room.A.DeviceId));
        Assert.Null(await store.FindByDeviceAsync(room.B.DeviceId));
        Assert.Empty(await store.RecentMessagesAsync(room.Id));
        Assert.Null(await store.UpdateParticipantAsync(room.A.DeviceId, new ParticipantChange.Reconnected()));
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Disconnection_schedules_the_room_and_reconnection_clears_it(StateMode mode)
    {
        var (store, room) = await OpenAsync(mode);
        var a = room.A.DeviceId;
        var gone = await store.UpdateParticipantAsync(a, new ParticipantChange.Disconnected(T0 + 1_000, T0 + 31_000));
        Assert.Equal(T0 + 1_000, gone!.A.DisconnectedAt);
        Assert.Null(gone.B.DisconnectedAt);
        Assert.Empty(await store.DueAsync(T0 + 30_000, 0, 100));
        Assert.Equal(room.Id, Assert.Single(await store.DueAsync(T0 + 31_000, 0, 100)));

        var back = await store.UpdateParticipantAsync(a, new ParticipantChange.Reconnected());
        Assert.Null(back!.A.DisconnectedAt);
        Assert.Equal(1, back.A.ReconnectAttempts);
        Assert.Null(back.NextDeadline(30_000));
        await store.ScheduleAsync(room.Id, null);
        Assert.Empty(await store.DueAsync(T0 + 31_000, 0, 100));
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Failed_ice_starts_a_window_that_connected_ice_clears(StateMode mode)
    {
        var (store, room) = await OpenAsync(mode, "audio");
        var b = room.B.DeviceId;
        var failed = await store.UpdateParticipantAsync(b, new ParticipantChange.Metrics("{\"jitter\":3}", IceState.Failed, T0 + 500, T0 + 30_500));
        Assert.Equal(T0 + 500, failed!.B.IceFailedAt);
        Assert.Equal("{\"jitter\":3}", failed.B.Metrics);
        // A second "failed" keeps the first failure time.
        var again = await store.UpdateParticipantAsync(b, new ParticipantChange.Metrics("{}", IceState.Failed, T0 + 900, T0 + 30_900));
        Assert.Equal(T0 + 500, again!.B.IceFailedAt);
        Assert.Equal(room.Id, Assert.Single(await store.DueAsync(T0 + 30_500, 0, 10)));
        var ok = await store.UpdateParticipantAsync(b, new ParticipantChange.Metrics("{}", IceState.Connected, T0 + 1000, T0 + 31_000));
        Assert.Null(ok!.B.IceFailedAt);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Idle_rooms_are_due_except_video(StateMode mode)
    {
        var (store, text) = await OpenAsync(mode, "text");
        Assert.Equal(text.Id, Assert.Single(await store.DueAsync(T0 + 100, T0 + 10, 10)));
        await store.TouchAsync(text.A.DeviceId, null, null, T0 + 5_000, null, 30);
        Assert.Empty(await store.DueAsync(T0 + 100, T0 + 4_000, 10));

        var (videoStore, _) = await OpenAsync(mode, "video");
        Assert.Empty(await videoStore.DueAsync(T0 + 100, T0 + 1_000_000, 10));
    }
}
