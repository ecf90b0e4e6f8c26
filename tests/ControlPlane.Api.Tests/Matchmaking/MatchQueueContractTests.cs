using ControlPlane.Api.Chat;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Moderation;
using ControlPlane.Api.Signaling;
using ControlPlane.Api.Tests.Support;
using Microsoft.Extensions.Options;
using Redis.Client;
using Testing.Services;

namespace ControlPlane.Api.Tests.Matchmaking;

/// <summary>
/// The match rules, run against both queue implementations: the Redis Lua script and the in-process one must
/// agree on every case. Times are explicit, so relaxation is tested without waiting.
/// </summary>
public sealed class MatchQueueContractTests : IAsyncLifetime
{
    private const long T0 = 1_800_000_000_000;
    private RedisClient _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisClient.ConnectAsync((await RedisServer.SharedAsync()).Url);
    public async Task DisposeAsync() => await _redis.DisposeAsync();

    public static TheoryData<StateMode> Modes => new() { StateMode.Redis, StateMode.InProcess };

    private sealed record Queue(IMatchQueue Q, IRoomStore Rooms, IBanList Bans);

    private Queue Create(StateMode mode, MatchmakingOptions? o = null)
    {
        var options = Options.Create(o ?? new MatchmakingOptions());
        if (mode == StateMode.InProcess)
        {
            var rooms = new InProcessRoomStore();
            var bans = new InProcessBanList();
            return new Queue(new InProcessMatchQueue(options, rooms, bans), rooms, bans);
        }
        var redis = new SignalingRedis(_redis, Options.Create(new SignalingOptions { RedisKeyPrefix = "mq" + Guid.NewGuid().ToString("N")[..10] + ":" }));
        return new Queue(new RedisMatchQueue(redis, options), new RedisRoomStore(redis), new RedisBanList(redis));
    }

    private static QueueEntry E(long joinedAt = T0, string type = "video", string region = "", string language = "", string gender = "",
        string pref = "", string[]? interests = null, int tier = 0, int minTier = 0, bool premium = false, Guid[]? blocked = null,
        Guid? id = null, string dialect = "omegle") => new()
    {
        DeviceId = id ?? Guid.NewGuid(), Type = type, Dialect = dialect, Region = region, Language = language, Gender = gender,
        GenderPreference = pref, Interests = interests ?? Array.Empty<string>(), Tier = tier, MinTier = minTier, Premium = premium,
        JoinedAt = joinedAt, Blocked = blocked ?? Array.Empty<Guid>(),
    };

    private static Task<JoinOutcome> Join(Queue q, QueueEntry e) => q.Q.JoinAsync(e, Guid.NewGuid(), e.JoinedAt);

    private static Task<IReadOnlyList<MatchedPair>> Sweep(Queue q, ChatType type, long now) =>
        q.Q.SweepAsync(type, now, Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList());

    [Theory, MemberData(nameof(Modes))]
    public async Task A_newcomer_is_paired_with_the_waiting_user_and_their_room_opens(StateMode mode)
    {
        var q = Create(mode);
        var a = E(dialect: "omegoo-text", type: "text");
        var b = E(T0 + 500, type: "text");
        var first = await Join(q, a);
        Assert.Equal(JoinStatus.Queued, first.Status);
        Assert.Equal(1, first.Position);
        Assert.Equal(1, first.QueueSize);
        var roomId = Guid.NewGuid();
        var second = await q.Q.JoinAsync(b, roomId, b.JoinedAt);
        Assert.Equal(JoinStatus.Matched, second.Status);
        Assert.Equal(a.DeviceId, second.Pair!.Waited.DeviceId);
        Assert.Equal(b.DeviceId, second.Pair.Joined.DeviceId);
        Assert.Equal(0, await q.Q.CountAsync(ChatType.Text));

        var room = await q.Rooms.FindByDeviceAsync(b.DeviceId);
        Assert.NotNull(room);
        Assert.Equal(roomId, room!.Id);
        Assert.Equal(ChatType.Text, room.Type);
        Assert.Equal(a.DeviceId, room.A.DeviceId);
        Assert.Equal(Dialect.OmegooText, room.A.Dialect);
        Assert.Equal(Dialect.Omegle, room.B.Dialect);
        Assert.Equal(b.JoinedAt, room.CreatedAt);
        Assert.Equal(roomId, (await q.Rooms.FindByDeviceAsync(a.DeviceId))!.Id);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Each_chat_type_has_its_own_queue(StateMode mode)
    {
        var q = Create(mode);
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(type: "text"))).Status);
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(type: "audio"))).Status);
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(type: "video"))).Status);
        Assert.Empty(await Sweep(q, ChatType.Text, T0 + 3_600_000));
        foreach (var t in ChatTypes.All) Assert.Equal(1, await q.Q.CountAsync(t));
        Assert.Equal(JoinStatus.Matched, (await Join(q, E(type: "audio"))).Status);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Different_regions_wait_until_the_region_relaxes_while_global_matches_any(StateMode mode)
    {
        var q = Create(mode, new MatchmakingOptions { RegionRelaxSeconds = 3 });
        var eu = E(region: "eu");
        Assert.Equal(JoinStatus.Queued, (await Join(q, eu)).Status);
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(T0 + 100, region: "us"))).Status);
        Assert.Empty(await Sweep(q, ChatType.Video, T0 + 2_000));           // the "us" user has waited 1.9 s
        var relaxed = await Sweep(q, ChatType.Video, T0 + 3_100);            // both have waited 3 s
        Assert.Single(relaxed);

        Assert.Equal(JoinStatus.Queued, (await Join(q, E(T0 + 10_000, region: "eu"))).Status);
        Assert.Equal(JoinStatus.Matched, (await Join(q, E(T0 + 10_001, region: "global"))).Status);
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(T0 + 20_000, region: "eu"))).Status);
        Assert.Equal(JoinStatus.Matched, (await Join(q, E(T0 + 20_001, region: "eu"))).Status);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task A_language_is_required_until_it_relaxes(StateMode mode)
    {
        var q = Create(mode, new MatchmakingOptions { LanguageRelaxSeconds = 10 });
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(language: "en"))).Status);
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(T0 + 1, language: "de"))).Status);
        Assert.Empty(await Sweep(q, ChatType.Video, T0 + 9_000));
        Assert.Equal(JoinStatus.Matched, (await Join(q, E(T0 + 9_500, language: "en"))).Status);
        var fr = E(T0 + 9_600, language: "fr");
        Assert.Equal(JoinStatus.Queued, (await Join(q, fr)).Status);
        Assert.Empty(await Sweep(q, ChatType.Video, T0 + 19_000));          // fr has waited 9.4 s
        var pair = Assert.Single(await Sweep(q, ChatType.Video, T0 + 19_700));
        Assert.Equal(fr.DeviceId, pair.Joined.DeviceId);
    }

    [Theory]
    [InlineData(StateMode.Redis, "male", "female", "female", "male", true)]
    [InlineData(StateMode.Redis, "male", "female", "female", "female", false)]
    [InlineData(StateMode.Redis, "male", "female", "male", "any", false)]
    [InlineData(StateMode.Redis, "male", "any", "female", "any", true)]
    [InlineData(StateMode.Redis, "", "female", "female", "any", true)]
    [InlineData(StateMode.Redis, "female", "female", "", "any", false)]
    [InlineData(StateMode.Redis, "other", "", "male", "other", true)]
    [InlineData(StateMode.InProcess, "male", "female", "female", "male", true)]
    [InlineData(StateMode.InProcess, "male", "female", "female", "female", false)]
    [InlineData(StateMode.InProcess, "male", "female", "male", "any", false)]
    [InlineData(StateMode.InProcess, "male", "any", "female", "any", true)]
    [InlineData(StateMode.InProcess, "", "female", "female", "any", true)]
    [InlineData(StateMode.InProcess, "female", "female", "", "any", false)]
    [InlineData(StateMode.InProcess, "other", "", "male", "other", true)]
    public async Task Gender_preferences_must_accept_each_other_and_never_relax(StateMode mode, string ga, string pa, string gb, string pb, bool pairs)
    {
        var q = Create(mode);
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(gender: ga, pref: pa))).Status);
        Assert.Equal(pairs ? JoinStatus.Matched : JoinStatus.Queued, (await Join(q, E(T0 + 1, gender: gb, pref: pb))).Status);
        if (!pairs) Assert.Empty(await Sweep(q, ChatType.Video, T0 + 3_600_000));
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Shared_interests_are_preferred_and_required_until_they_relax(StateMode mode)
    {
        var q = Create(mode, new MatchmakingOptions { InterestsRelaxSeconds = 3 });
        var plain = E();
        var sports = E(T0 + 1, interests: new[] { "sports" });
        var music = E(T0 + 2, interests: new[] { "music", "movies" });
        await Join(q, plain);
        await Join(q, sports);   // plain has no interests, sports has: sports insists for 3 s
        await Join(q, music);
        Assert.Equal(3, await q.Q.CountAsync(ChatType.Video));

        // A newcomer sharing "movies" takes the music fan, though two others waited longer.
        var fan = await Join(q, E(T0 + 100, interests: new[] { "movies" }));
        Assert.Equal(JoinStatus.Matched, fan.Status);
        Assert.Equal(music.DeviceId, fan.Pair!.Waited.DeviceId);

        // After 3 s the sports fan's interests no longer stand in the way.
        Assert.Empty(await Sweep(q, ChatType.Video, T0 + 2_000));
        var late = await Sweep(q, ChatType.Video, T0 + 3_100);
        Assert.Equal(new[] { plain.DeviceId, sports.DeviceId }.Order(), late.SelectMany(p => new[] { p.Waited.DeviceId, p.Joined.DeviceId }).Order());
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Minimum_tier_is_required_on_both_sides(StateMode mode)
    {
        var q = Create(mode);
        await Join(q, E(minTier: 2, tier: 0));
        Assert.Equal(JoinStatus.Queued, (await Join(q, E(T0 + 1, tier: 1))).Status);
        Assert.Empty(await Sweep(q, ChatType.Video, T0 + 3_600_000));
        var ok = await Join(q, E(T0 + 2, tier: 2));
        Assert.Equal(JoinStatus.Matched, ok.Status);
        Assert.Equal(2, ok.Pair!.Waited.MinTier);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Premium_users_are_served_first_but_do_not_starve_others(StateMode mode)
    {
        var q = Create(mode, new MatchmakingOptions { PremiumHeadStartSeconds = 10 });
        // Two men who only want women wait; they cannot match each other.
        var regular = E(T0, gender: "male", pref: "female");
        var premium = E(T0 + 1_000, gender: "male", pref: "female", premium: true);
        await Join(q, regular);
        var p = await Join(q, premium);
        Assert.Equal(1, p.Position);     // ahead of the one who waited a second longer
        var woman = await Join(q, E(T0 + 2_000, gender: "female", pref: "any"));
        Assert.Equal(premium.DeviceId, woman.Pair!.Waited.DeviceId);

        // A premium newcomer does not overtake someone who has waited longer than the head start.
        var late = E(T0 + 12_000, gender: "male", pref: "female", premium: true);
        Assert.Equal(2, (await Join(q, late)).Position);
        var another = await Join(q, E(T0 + 12_500, gender: "female"));
        Assert.Equal(regular.DeviceId, another.Pair!.Waited.DeviceId);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task The_previous_partners_are_not_paired_back_to_back(StateMode mode)
    {
        var q = Create(mode);
        var a = E();
        var b = E(T0 + 1);
        await Join(q, a);
        Assert.Equal(JoinStatus.Matched, (await Join(q, b)).Status);
        // Both skip and queue again at once.
        await Join(q, a with { JoinedAt = T0 + 10_000 });
        Assert.Equal(JoinStatus.Queued, (await Join(q, b with { JoinedAt = T0 + 10_001 })).Status);
        Assert.Empty(await Sweep(q, ChatType.Video, T0 + 3_000_000));
        var c = await Join(q, E(T0 + 20_000));
        Assert.Equal(a.DeviceId, c.Pair!.Waited.DeviceId);
        // b's previous partner is still a: a queues again and still does not get b.
        Assert.Equal(JoinStatus.Queued, (await Join(q, a with { JoinedAt = T0 + 30_000 })).Status);
        var d = await Join(q, E(T0 + 40_000));
        Assert.Equal(b.DeviceId, d.Pair!.Waited.DeviceId);
        // Now both have had someone else in between, so they may meet again.
        var again = await Join(q, b with { JoinedAt = T0 + 50_000 });
        Assert.Equal(a.DeviceId, again.Pair!.Waited.DeviceId);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Blocked_pairs_and_banned_devices_are_never_paired(StateMode mode)
    {
        var q = Create(mode);
        var a = E();
        var b = E(T0 + 1, blocked: new[] { a.DeviceId });
        await Join(q, a);
        Assert.Equal(JoinStatus.Queued, (await Join(q, b)).Status);   // b blocked a
        var c = E(T0 + 2, blocked: new[] { Guid.NewGuid() });
        var third = await Join(q, c);
        Assert.Equal(JoinStatus.Matched, third.Status);
        Assert.Equal(a.DeviceId, third.Pair!.Waited.DeviceId);
        // a's own block list works the other way round.
        var d = E(T0 + 3, blocked: new[] { b.DeviceId });
        Assert.Equal(JoinStatus.Queued, (await Join(q, d)).Status);
        Assert.Empty(await Sweep(q, ChatType.Video, T0 + 3_600_000));

        var banned = E(T0 + 4);
        await q.Bans.AddAsync(banned.DeviceId);
        Assert.Equal(JoinStatus.Banned, (await Join(q, banned)).Status);
        Assert.Null(await q.Q.FindAsync(banned.DeviceId));
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Leaving_and_rejoining_keep_one_entry_per_device(StateMode mode)
    {
        var q = Create(mode);
        var a = E(type: "text", gender: "male", pref: "female");
        await Join(q, a);
        await Join(q, a with { Type = "audio", JoinedAt = T0 + 5 });
        Assert.Equal(0, await q.Q.CountAsync(ChatType.Text));
        Assert.Equal(1, await q.Q.CountAsync(ChatType.Audio));
        Assert.Equal("audio", (await q.Q.FindAsync(a.DeviceId))!.Type);
        Assert.Equal(ChatType.Audio, await q.Q.LeaveAsync(a.DeviceId));
        Assert.Null(await q.Q.LeaveAsync(a.DeviceId));
        Assert.Null(await q.Q.FindAsync(a.DeviceId));
        Assert.Equal(0, await q.Q.CountAsync(ChatType.Audio));
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Sweeping_opens_no_more_rooms_than_ids_given(StateMode mode)
    {
        var q = Create(mode, new MatchmakingOptions { RegionRelaxSeconds = 1 });
        for (var i = 0; i < 8; i++) await Join(q, E(T0 + i, region: "r" + i));
        var pairs = await q.Q.SweepAsync(ChatType.Video, T0 + 5_000, new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() });
        Assert.Equal(3, pairs.Count);
        Assert.Equal(2, await q.Q.CountAsync(ChatType.Video));
        foreach (var p in pairs)
        {
            var room = await q.Rooms.GetAsync(p.Room.Id);
            Assert.NotNull(room);
            Assert.True(room!.Has(p.Waited.DeviceId) && room.Has(p.Joined.DeviceId));
            Assert.True(p.Waited.JoinedAt < p.Joined.JoinedAt);
        }
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Concurrent_joins_pair_every_device_at_most_once(StateMode mode)
    {
        var q = Create(mode);
        var entries = Enumerable.Range(0, 300).Select(i => E(T0 + i, gender: i % 3 == 0 ? "female" : "male", pref: i % 5 == 0 ? "female" : "any")).ToList();
        var outcomes = await Task.WhenAll(entries.Select(e => Task.Run(() => Join(q, e))));
        var paired = outcomes.Where(o => o.Status == JoinStatus.Matched)
            .SelectMany(o => new[] { o.Pair!.Waited.DeviceId, o.Pair.Joined.DeviceId }).ToList();
        Assert.Equal(paired.Count, paired.Distinct().Count());
        Assert.Equal(300, paired.Count + await q.Q.CountAsync(ChatType.Video));
        foreach (var o in outcomes.Where(o => o.Status == JoinStatus.Matched))
        {
            Assert.True(MatchRules.Accepts(o.Pair!.Waited.GenderPreference, o.Pair.Joined.Gender));
            Assert.True(MatchRules.Accepts(o.Pair.Joined.GenderPreference, o.Pair.Waited.Gender));
            Assert.Equal(o.Pair.Room.Id, (await q.Rooms.FindByDeviceAsync(o.Pair.Joined.DeviceId))!.Id);
        }
    }
}
