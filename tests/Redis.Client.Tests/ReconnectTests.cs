using System.Collections.Concurrent;
using Testing.Services;

namespace Redis.Client.Tests;

/// <summary>A private redis-server is stopped and started again on the same port.</summary>
public class ReconnectTests : IAsyncLifetime
{
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartPrivateAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private RedisOptions Options(TimeSpan commandTimeout) => new()
    {
        Host = _server.Host,
        Port = _server.Port,
        CommandTimeout = commandTimeout,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    [Fact(Timeout = 60_000)]
    public async Task CommandsSucceedAgainAfterServerRestart()
    {
        await using var client = await RedisClient.ConnectAsync(Options(TimeSpan.FromSeconds(10)));
        await client.SetAsync("k", "before");

        // In flight when the server dies: fails, with a message that says so.
        var blocked = client.ExecuteAsync("BLPOP", "list", 5);
        await Task.Delay(100);
        await _server.StopAsync();
        var lost = await Assert.ThrowsAsync<RedisConnectionException>(() => blocked);
        Assert.Contains("lost before the reply", lost.Message);
        await SpinUntil(() => !client.IsConnected);

        // Issued while down: waits for the reconnection instead of failing.
        var waiting = client.SetAsync("k", "after");
        await Task.Delay(500);
        Assert.False(waiting.IsCompleted);
        await _server.StartAsync();

        Assert.True(await waiting);
        Assert.Equal("after", await client.GetAsync("k"));
        Assert.True(client.IsConnected);
        Assert.Equal(1, await client.IncrAsync("fresh")); // the restarted server starts empty
    }

    [Fact(Timeout = 60_000)]
    public async Task CommandsWaitingTooLongForTheReconnectionTimeOut()
    {
        await using var client = await RedisClient.ConnectAsync(Options(TimeSpan.FromMilliseconds(400)));
        await _server.StopAsync();
        await SpinUntil(() => !client.IsConnected);
        var ex = await Assert.ThrowsAsync<RedisTimeoutException>(() => client.GetAsync("k"));
        Assert.Contains("not connected", ex.Message);

        await _server.StartAsync();
        await SpinUntil(() => client.IsConnected);
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
    }

    [Fact(Timeout = 60_000)]
    public async Task SubscriptionsResumeAfterServerRestart()
    {
        await using var subscriber = await RedisClient.ConnectAsync(Options(TimeSpan.FromSeconds(10)));
        await using var publisher = await RedisClient.ConnectAsync(Options(TimeSpan.FromSeconds(10)));
        var channelMessages = new ConcurrentQueue<string>();
        var patternMessages = new ConcurrentQueue<string>();
        await using var byChannel = await subscriber.SubscribeAsync("events", m => { channelMessages.Enqueue(m.Text); return Task.CompletedTask; });
        await using var byPattern = await subscriber.PSubscribeAsync("ev*", m => { patternMessages.Enqueue(m.Text); return Task.CompletedTask; });

        await publisher.PublishAsync("events", "one");
        await SpinUntil(() => channelMessages.Contains("one") && patternMessages.Contains("one"));

        await _server.StopAsync();
        await Task.Delay(300);
        await _server.StartAsync();

        // Publish until the renewed subscriptions pick it up (pub/sub does not buffer while down).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!(channelMessages.Contains("two") && patternMessages.Contains("two")))
        {
            Assert.True(DateTime.UtcNow < deadline, "subscriptions were not renewed");
            await publisher.PublishAsync("events", "two");
            await Task.Delay(50);
        }

        // Renewed exactly once per channel and pattern on the server.
        Assert.Equal(1, (await publisher.ExecuteAsync("PUBSUB", "NUMSUB", "events"))[1].AsInt64());
        Assert.Equal(1, (await publisher.ExecuteAsync("PUBSUB", "NUMPAT")).AsInt64());
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyRestartsWithTrafficInFlightNeverMismatchReplies()
    {
        await using var client = await RedisClient.ConnectAsync(Options(TimeSpan.FromSeconds(10)));
        using var stop = new CancellationTokenSource();
        long mismatches = 0, successes = 0, failures = 0;
        var traffic = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string value = $"{t}-{i}";
                try
                {
                    var echoed = (await client.ExecuteAsync("ECHO", value)).AsString();
                    if (echoed != value)
                    {
                        Interlocked.Increment(ref mismatches);
                    }

                    Interlocked.Increment(ref successes);
                }
                catch (RedisConnectionException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        for (int restart = 0; restart < 3; restart++)
        {
            await Task.Delay(300);
            await _server.StopAsync();
            await Task.Delay(200);
            await _server.StartAsync();
        }

        await Task.Delay(300);
        stop.Cancel();
        await Task.WhenAll(traffic);
        Assert.Equal(0, mismatches);
        Assert.True(successes > 100, $"only {successes} commands succeeded");
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
    }

    private static async Task SpinUntil(Func<bool> condition, int timeoutMs = 15_000, int pollMs = 20)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(pollMs);
        }
    }
}
