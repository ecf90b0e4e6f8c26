using System.Diagnostics;
using Testing.Services;

namespace Redis.Client.Tests;

/// <summary>Server errors, timeouts, cancellation, unreachable servers and disposal.</summary>
public class ErrorTests : SharedRedisTest
{
    [Fact]
    public async Task ServerErrorsCarryTheServerMessage()
    {
        await Client.SetAsync(Key("s"), "text");

        var notInteger = await Assert.ThrowsAsync<RedisServerException>(() => Client.IncrAsync(Key("s")));
        Assert.Equal("ERR value is not an integer or out of range", notInteger.Message);
        Assert.Equal("ERR", notInteger.ErrorCode);

        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => Client.LPushAsync(Key("s"), "x"));
        Assert.Equal("WRONGTYPE", wrongType.ErrorCode);
        Assert.StartsWith("WRONGTYPE Operation against a key holding the wrong kind of value", wrongType.Message);

        var unknown = await Assert.ThrowsAsync<RedisServerException>(() => Client.ExecuteAsync("NOSUCHCOMMAND", "a"));
        Assert.Contains("unknown command", unknown.Message);

        var noScript = await Assert.ThrowsAsync<RedisServerException>(() => Client.EvalShaAsync(new string('0', 40)));
        Assert.Equal("NOSCRIPT", noScript.ErrorCode);

        var luaError = await Assert.ThrowsAsync<RedisServerException>(() => Client.EvalAsync("return redis.call('INCR', KEYS[1])", [Key("s")]));
        Assert.Contains("not an integer", luaError.Message);

        // The connection is unaffected.
        Assert.Equal("text", await Client.GetAsync(Key("s")));
    }

    [Fact(Timeout = 30_000)]
    public async Task SlowReplyTimesOutAndLaterRepliesStayMatched()
    {
        // Timeouts are wide enough that only BLPOP's block can exceed them, even on a busy machine.
        await using var client = await RedisClient.ConnectAsync(new RedisOptions
        {
            Host = Server.Host, Port = Server.Port, CommandTimeout = TimeSpan.FromSeconds(1),
        });

        // BLPOP blocks this connection for 3 s; everything behind it waits too.
        var clock = Stopwatch.StartNew();
        var blocked = await Assert.ThrowsAsync<RedisTimeoutException>(() => client.ExecuteAsync("BLPOP", Key("empty"), 3));
        Assert.InRange(clock.ElapsedMilliseconds, 900, 2_900);
        Assert.Contains("BLPOP timed out after 1000 ms (no reply)", blocked.Message);
        await Assert.ThrowsAsync<RedisTimeoutException>(() => client.GetAsync(Key("x")));

        // Once BLPOP's late reply (and GET's) arrive they are discarded, not given to newer commands.
        while (clock.ElapsedMilliseconds < 3_300)
        {
            await Task.Delay(50);
        }

        await client.SetAsync(Key("x"), "fresh");
        Assert.Equal("fresh", await client.GetAsync(Key("x")));
        Assert.Equal(7, await client.IncrByAsync(Key("n"), 7));
    }

    [Fact]
    public async Task CancellationStopsWaiting()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Client.ExecuteAsync("BLPOP", [Key("nothing"), 1], cts.Token));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client.GetAsync(Key("a"), cancelled.Token));
        await Task.Delay(1_100);
        Assert.True(await Client.SetAsync(Key("after"), "ok"));
        Assert.Equal("ok", await Client.GetAsync(Key("after")));
    }

    [Fact(Timeout = 30_000)]
    public async Task UnreachableServerFailsConnectAndTimesOutCommands()
    {
        int closedPort = FreePort.Tcp(); // nothing listens there

        var connect = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync($"redis://127.0.0.1:{closedPort}"));
        Assert.Contains($"Could not connect to redis://127.0.0.1:{closedPort}", connect.Message);
        Assert.NotNull(connect.InnerException);

        await using var lazy = new RedisClient(new RedisOptions
        {
            Port = closedPort, CommandTimeout = TimeSpan.FromMilliseconds(300), ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        });
        var clock = Stopwatch.StartNew();
        var timeout = await Assert.ThrowsAsync<RedisTimeoutException>(() => lazy.GetAsync("k"));
        Assert.InRange(clock.ElapsedMilliseconds, 250, 5_000);
        Assert.Contains("not connected", timeout.Message);
        Assert.False(lazy.IsConnected);
    }

    [Fact(Timeout = 30_000)]
    public async Task DisposeLetsQueuedCommandsFinishThenRefusesNewOnes()
    {
        var client = await RedisClient.ConnectAsync(Server.Url);
        var pending = Enumerable.Range(0, 1_000).Select(_ => client.IncrAsync(Key("d"))).ToArray();
        await client.DisposeAsync();

        // QUIT went after them, so they were all answered.
        Assert.Equal(Enumerable.Range(1, 1_000).Select(i => (long)i), await Task.WhenAll(pending));
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetAsync(Key("d")));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.SubscribeAsync("c", _ => Task.CompletedTask));
        await client.DisposeAsync(); // twice is fine
    }

    [Fact(Timeout = 30_000)]
    public async Task DisposeWhileDisconnectedFailsQueuedCommandsPromptly()
    {
        var client = new RedisClient(new RedisOptions { Port = FreePort.Tcp(), CommandTimeout = TimeSpan.FromSeconds(20) });
        var queued = client.GetAsync("k");
        var clock = Stopwatch.StartNew();
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }
}
