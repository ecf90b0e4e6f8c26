using System.Text;

namespace Redis.Client.Tests;

/// <summary>Every typed command against the real server.</summary>
public class CommandTests : SharedRedisTest
{
    [Fact]
    public async Task Ping()
    {
        var rtt = await Client.PingAsync();
        Assert.True(rtt > TimeSpan.Zero && rtt < TimeSpan.FromSeconds(5));
        Assert.True(Client.IsConnected);
    }

    [Fact]
    public async Task GetSet()
    {
        var key = Key("s");
        Assert.Null(await Client.GetAsync(key));
        Assert.True(await Client.SetAsync(key, "héllo"));
        Assert.Equal("héllo", await Client.GetAsync(key));
        Assert.True(await Client.SetAsync(key, 42));
        Assert.Equal("42", await Client.GetAsync(key));
        Assert.True(await Client.SetAsync(key, 2.5));
        Assert.Equal("2.5", await Client.GetAsync(key));

        var binary = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.True(await Client.SetAsync(Key("bin"), binary));
        Assert.Equal(binary, await Client.GetBytesAsync(Key("bin")));
        Assert.Null(await Client.GetBytesAsync(Key("missing")));
    }

    [Fact]
    public async Task SetWithExpiry()
    {
        Assert.True(await Client.SetAsync(Key("ex"), "v", TimeSpan.FromSeconds(100)));
        Assert.InRange(await Client.TtlAsync(Key("ex")), 98, 100);

        Assert.True(await Client.SetAsync(Key("px"), "v", TimeSpan.FromMilliseconds(1500)));
        long pttl = (await Client.ExecuteAsync("PTTL", Key("px"))).AsInt64();
        Assert.InRange(pttl, 200, 1500); // PX kept the milliseconds (EX 1 or 2 would not)
        Assert.NotEqual(1000, pttl);

        Assert.True(await Client.SetAsync(Key("short"), "v", TimeSpan.FromMilliseconds(100)));
        await Task.Delay(300);
        Assert.Null(await Client.GetAsync(Key("short")));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client.SetAsync(Key("bad"), "v", TimeSpan.Zero));
    }

    [Fact]
    public async Task SetConditions()
    {
        var key = Key("nx");
        Assert.False(await Client.SetAsync(key, "x", condition: SetCondition.IfExists));
        Assert.Null(await Client.GetAsync(key));
        Assert.True(await Client.SetAsync(key, "first", condition: SetCondition.IfNotExists));
        Assert.False(await Client.SetAsync(key, "second", condition: SetCondition.IfNotExists));
        Assert.Equal("first", await Client.GetAsync(key));
        Assert.True(await Client.SetAsync(key, "third", TimeSpan.FromSeconds(30), SetCondition.IfExists));
        Assert.Equal("third", await Client.GetAsync(key));
        Assert.InRange(await Client.TtlAsync(key), 28, 30);
    }

    [Fact]
    public async Task DelAndExists()
    {
        await Client.SetAsync(Key("a"), "1");
        await Client.SetAsync(Key("b"), "2");
        Assert.True(await Client.ExistsAsync(Key("a")));
        Assert.False(await Client.ExistsAsync(Key("c")));
        Assert.Equal(2, await Client.ExistsAsync([Key("a"), Key("b"), Key("c")]));
        Assert.True(await Client.DelAsync(Key("a")));
        Assert.False(await Client.DelAsync(Key("a")));
        Assert.Equal(1, await Client.DelAsync([Key("a"), Key("b"), Key("c")]));
        Assert.Equal(0, await Client.ExistsAsync([Key("a"), Key("b")]));
    }

    [Fact]
    public async Task Counters()
    {
        var key = Key("n");
        Assert.Equal(1, await Client.IncrAsync(key));
        Assert.Equal(2, await Client.IncrAsync(key));
        Assert.Equal(12, await Client.IncrByAsync(key, 10));
        Assert.Equal(-88, await Client.IncrByAsync(key, -100));
        Assert.Equal("-88", await Client.GetAsync(key));
    }

    [Fact]
    public async Task ExpireAndTtl()
    {
        var key = Key("t");
        Assert.Equal(-2, await Client.TtlAsync(key));
        Assert.False(await Client.ExpireAsync(key, TimeSpan.FromSeconds(10)));
        await Client.SetAsync(key, "v");
        Assert.Equal(-1, await Client.TtlAsync(key));
        Assert.True(await Client.ExpireAsync(key, TimeSpan.FromSeconds(50)));
        Assert.InRange(await Client.TtlAsync(key), 48, 50);
        // Fractions round up: 1.2 s becomes 2 s rather than 1 s.
        Assert.True(await Client.ExpireAsync(key, TimeSpan.FromSeconds(1.2)));
        Assert.InRange((await Client.ExecuteAsync("PTTL", key)).AsInt64(), 1_201, 2_000);

        Assert.True(await Client.PExpireAsync(key, TimeSpan.FromMilliseconds(150)));
        Assert.InRange(await Client.TtlAsync(key), 0, 1);
        await Task.Delay(350);
        Assert.False(await Client.ExistsAsync(key));
        Assert.False(await Client.PExpireAsync(key, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Hashes()
    {
        var key = Key("h");
        Assert.True(await Client.HSetAsync(key, "name", "alice"));
        Assert.False(await Client.HSetAsync(key, "name", "bob"));
        Assert.Equal(2, await Client.HSetAsync(key, [new("age", 30), new("city", "Paris"), new("name", "carol")]));
        Assert.Equal("carol", await Client.HGetAsync(key, "name"));
        Assert.Null(await Client.HGetAsync(key, "nope"));
        Assert.Equal(
            new Dictionary<string, string> { ["name"] = "carol", ["age"] = "30", ["city"] = "Paris" },
            await Client.HGetAllAsync(key));
        Assert.Empty(await Client.HGetAllAsync(Key("none")));
        Assert.Equal(35, await Client.HIncrByAsync(key, "age", 5));
        Assert.Equal(1, await Client.HIncrByAsync(key, "visits", 1));
        Assert.True(await Client.HDelAsync(key, "city"));
        Assert.False(await Client.HDelAsync(key, "city"));
        Assert.Equal(2, await Client.HDelAsync(key, ["age", "visits", "nope"]));
        Assert.Equal(["name"], (await Client.HGetAllAsync(key)).Keys);
    }

    [Fact]
    public async Task Sets()
    {
        var key = Key("set");
        Assert.True(await Client.SAddAsync(key, "a"));
        Assert.False(await Client.SAddAsync(key, "a"));
        Assert.Equal(2, await Client.SAddAsync(key, ["a", "b", "c"]));
        Assert.True(await Client.SIsMemberAsync(key, "b"));
        Assert.False(await Client.SIsMemberAsync(key, "z"));
        Assert.Equal(["a", "b", "c"], (await Client.SMembersAsync(key)).Order());
        Assert.True(await Client.SRemAsync(key, "a"));
        Assert.False(await Client.SRemAsync(key, "a"));
        Assert.Equal(1, await Client.SRemAsync(key, ["b", "zz"]));
        Assert.Equal(["c"], await Client.SMembersAsync(key));
        Assert.Empty(await Client.SMembersAsync(Key("none")));
    }

    [Fact]
    public async Task SortedSets()
    {
        var key = Key("z");
        Assert.True(await Client.ZAddAsync(key, "alice", 10));
        Assert.False(await Client.ZAddAsync(key, "alice", 11)); // re-scored, not added
        Assert.Equal(3, await Client.ZAddAsync(key, [new("bob", 5), new("carol", 20.5), new("dave", double.PositiveInfinity)]));
        Assert.Equal(4, await Client.ZCardAsync(key));
        Assert.Equal(11, await Client.ZScoreAsync(key, "alice"));
        Assert.Equal(double.PositiveInfinity, await Client.ZScoreAsync(key, "dave"));
        Assert.Null(await Client.ZScoreAsync(key, "nobody"));

        Assert.False(await Client.ZAddAsync(key, "alice", 99, SetCondition.IfNotExists));
        Assert.Equal(11, await Client.ZScoreAsync(key, "alice"));
        Assert.False(await Client.ZAddAsync(key, "erin", 1, SetCondition.IfExists));
        Assert.Null(await Client.ZScoreAsync(key, "erin"));
        Assert.False(await Client.ZAddAsync(key, "alice", 12, SetCondition.IfExists));
        Assert.Equal(12, await Client.ZScoreAsync(key, "alice"));

        Assert.Equal(["bob", "alice", "carol", "dave"], await Client.ZRangeAsync(key, 0, -1));
        Assert.Equal(["alice", "carol"], await Client.ZRangeAsync(key, 1, 2));
        Assert.Equal(
            [new SortedSetEntry("bob", 5), new SortedSetEntry("alice", 12), new SortedSetEntry("carol", 20.5), new SortedSetEntry("dave", double.PositiveInfinity)],
            await Client.ZRangeWithScoresAsync(key, 0, -1));

        Assert.Equal(["alice", "carol"], await Client.ZRangeByScoreAsync(key, 6, 20.5));
        Assert.Equal(["bob", "alice", "carol", "dave"], await Client.ZRangeByScoreAsync(key, double.NegativeInfinity, double.PositiveInfinity));
        Assert.Equal(["alice", "carol"], await Client.ZRangeByScoreAsync(key, double.NegativeInfinity, double.PositiveInfinity, offset: 1, count: 2));
        Assert.Equal(["carol", "dave"], await Client.ZRangeByScoreAsync(key, 0, double.PositiveInfinity, offset: 2));
        Assert.Equal([new SortedSetEntry("bob", 5)], await Client.ZRangeByScoreWithScoresAsync(key, 0, 10));

        Assert.True(await Client.ZRemAsync(key, "bob"));
        Assert.False(await Client.ZRemAsync(key, "bob"));
        Assert.Equal(2, await Client.ZRemAsync(key, ["alice", "dave", "nobody"]));
        Assert.Equal(["carol"], await Client.ZRangeAsync(key, 0, -1));
    }

    [Fact]
    public async Task Lists()
    {
        var key = Key("l");
        Assert.Equal(1, await Client.RPushAsync(key, "b"));
        Assert.Equal(2, await Client.LPushAsync(key, "a"));
        Assert.Equal(4, await Client.RPushAsync(key, ["c", "d"]));
        Assert.Equal(6, await Client.LPushAsync(key, ["y", "z"])); // each pushed to the head in turn: z, y, a…
        Assert.Equal(["z", "y", "a", "b", "c", "d"], await Client.LRangeAsync(key, 0, -1));
        Assert.Equal(6, await Client.LLenAsync(key));
        await Client.LTrimAsync(key, 1, 3);
        Assert.Equal(["y", "a", "b"], await Client.LRangeAsync(key, 0, -1));
        Assert.Equal(["b"], await Client.LRangeAsync(key, -1, -1));
        Assert.Equal(0, await Client.LLenAsync(Key("none")));
        Assert.Empty(await Client.LRangeAsync(Key("none"), 0, -1));
    }

    [Fact]
    public async Task PublishWithoutSubscribers()
    {
        Assert.Equal(0, await Client.PublishAsync(Key("nobody-listens"), "hello"));
    }

    [Fact]
    public async Task Scripts()
    {
        var reply = await Client.EvalAsync(
            "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], ARGV[2], tonumber(ARGV[1]) * 2, {1, 'x'}}",
            [Key("lua")], [21, "second"]);
        Assert.Equal(Key("lua"), reply[0].AsString());
        Assert.Equal("second", reply[1].AsString());
        Assert.Equal(42, reply[2].AsInt64());
        Assert.Equal(1, reply[3][0].AsInt64());
        Assert.Equal("x", reply[3][1].AsString());
        Assert.Equal("21", await Client.GetAsync(Key("lua")));

        var script = new LuaScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
        Assert.Equal(script.Sha1, await Client.ScriptLoadAsync(script.Source));
        Assert.Equal(5, (await Client.EvalShaAsync(script.Sha1, [Key("c")], [5])).AsInt64());
        Assert.Equal(12, (await Client.EvaluateAsync(script, [Key("c")], [7])).AsInt64());

        Assert.True((await Client.EvalAsync("return nil")).IsNull);
        Assert.Equal("OK", (await Client.EvalAsync("return redis.status_reply('OK')")).AsString());
    }

    [Fact]
    public async Task GenericExecute()
    {
        Assert.Equal("hi there", (await Client.ExecuteAsync("ECHO", "hi there")).AsString());
        var reply = await Client.ExecuteAsync("MSET", Key("x"), 1, Key("y"), 2.5, Key("z"), new byte[] { 65, 66 });
        Assert.Equal("OK", reply.AsString());
        Assert.Equal(new string?[] { "1", "2.5", "AB", null }, (await Client.ExecuteAsync("MGET", Key("x"), Key("y"), Key("z"), Key("none"))).AsStringArray());
        Assert.Equal("string", (await Client.ExecuteAsync("TYPE", Key("x"))).AsString());
        Assert.Equal(1, (await Client.ExecuteAsync("EXISTS", [Key("x")], CancellationToken.None)).AsInt64());
        await Assert.ThrowsAsync<ArgumentException>(() => Client.ExecuteAsync("ECHO", new object()));
    }

    [Fact]
    public async Task LargeValuesRoundTrip()
    {
        // Larger than a pipe segment and the flush threshold in both directions.
        var big = new byte[3 * 1024 * 1024];
        new Random(3).NextBytes(big);
        Assert.True(await Client.SetAsync(Key("big"), big));
        Assert.Equal(big, await Client.GetBytesAsync(Key("big")));

        var many = Enumerable.Range(0, 20_000).Select(i => "item-" + i).ToArray();
        Assert.Equal(many.Length, await Client.RPushAsync(Key("many"), many));
        Assert.Equal(many, await Client.LRangeAsync(Key("many"), 0, -1));
    }

    [Fact]
    public async Task DatabaseFromUrlIsSelected()
    {
        await using var db3 = await RedisClient.ConnectAsync(Server.Url + "/3");
        await db3.SetAsync(Key("db"), "in three");
        Assert.Null(await Client.GetAsync(Key("db")));
        Assert.Equal("in three", await db3.GetAsync(Key("db")));
        Assert.True(await db3.DelAsync(Key("db")));
    }
}
