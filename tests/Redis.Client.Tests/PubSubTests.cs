using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Redis.Client.Tests;

/// <summary>Pub/sub between two clients on the shared server (channel names unique per test).</summary>
public class PubSubTests : SharedRedisTest
{
    private RedisClient _publisher = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _publisher = await RedisClient.ConnectAsync(Server.Url);
    }

    public override async Task DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await base.DisposeAsync();
    }

    private static (Func<RedisMessage, Task> Handler, ChannelReader<RedisMessage> Received) Collector()
    {
        var channel = Channel.CreateUnbounded<RedisMessage>();
        return (m => channel.Writer.WriteAsync(m).AsTask(), channel.Reader);
    }

    private static async Task<RedisMessage> Next(ChannelReader<RedisMessage> received)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await received.ReadAsync(timeout.Token);
    }

    [Fact(Timeout = 30_000)]
    public async Task SubscriberReceivesWhatAnotherConnectionPublishes()
    {
        var (handler, received) = Collector();
        await using var subscription = await Client.SubscribeAsync(Key("news"), handler);

        Assert.Equal(1, await _publisher.PublishAsync(Key("news"), "héllo"));
        var message = await Next(received);
        Assert.Equal(Key("news"), message.Channel);
        Assert.Equal("héllo", message.Text);
        Assert.Null(message.Pattern);

        var binary = new byte[] { 0, 13, 10, 255 };
        await _publisher.PublishAsync(Key("news"), binary);
        Assert.Equal(binary, (await Next(received)).Payload);

        // Commands keep working on the command connection alongside.
        Assert.Equal(1, await Client.IncrAsync(Key("n")));
    }

    [Fact(Timeout = 30_000)]
    public async Task PatternSubscriptionGetsMatchingChannels()
    {
        var (handler, received) = Collector();
        await using var subscription = await Client.PSubscribeAsync(Key("room:*"), handler);

        Assert.Equal(1, await _publisher.PublishAsync(Key("room:42"), "joined"));
        Assert.Equal(0, await _publisher.PublishAsync(Key("lobby"), "ignored"));
        var message = await Next(received);
        Assert.Equal(Key("room:42"), message.Channel);
        Assert.Equal(Key("room:*"), message.Pattern);
        Assert.Equal("joined", message.Text);
    }

    [Fact(Timeout = 30_000)]
    public async Task MessagesArriveInPublishOrder()
    {
        var (handler, received) = Collector();
        await using var subscription = await Client.SubscribeAsync(Key("seq"), handler);
        var publishes = Enumerable.Range(0, 2_000).Select(i => _publisher.PublishAsync(Key("seq"), i)).ToArray();
        Assert.All(await Task.WhenAll(publishes), n => Assert.Equal(1, n));
        for (int i = 0; i < 2_000; i++)
        {
            Assert.Equal(i.ToString(), (await Next(received)).Text);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task SeveralHandlersPerChannelAndUnsubscribing()
    {
        var (first, firstReceived) = Collector();
        var (second, secondReceived) = Collector();
        var one = await Client.SubscribeAsync(Key("c"), first);
        var two = await Client.SubscribeAsync(Key("c"), second);

        // One connection is subscribed, whatever the number of local handlers.
        Assert.Equal(1, await _publisher.PublishAsync(Key("c"), "both"));
        Assert.Equal("both", (await Next(firstReceived)).Text);
        Assert.Equal("both", (await Next(secondReceived)).Text);

        await one.DisposeAsync();
        Assert.Equal(1, await _publisher.PublishAsync(Key("c"), "only second"));
        Assert.Equal("only second", (await Next(secondReceived)).Text);
        Assert.False(firstReceived.TryRead(out _));

        await two.DisposeAsync();
        Assert.Equal(0, await _publisher.PublishAsync(Key("c"), "nobody"));

        await Client.SubscribeAsync(Key("d"), first);
        await Client.SubscribeAsync(Key("d"), second);
        await Client.PSubscribeAsync(Key("p*"), first);
        Assert.Equal(1, await _publisher.PublishAsync(Key("d"), "x"));
        await Client.UnsubscribeAsync(Key("d"));
        Assert.Equal(0, await _publisher.PublishAsync(Key("d"), "y"));
        Assert.Equal(1, await _publisher.PublishAsync(Key("pq"), "z"));
        await Client.PUnsubscribeAsync(Key("p*"));
        Assert.Equal(0, await _publisher.PublishAsync(Key("pq"), "z"));
    }

    [Fact(Timeout = 30_000)]
    public async Task SlowHandlerDoesNotHoldUpOtherSubscriptions()
    {
        var release = new TaskCompletionSource();
        var slowSeen = new ConcurrentQueue<string>();
        await using var slow = await Client.SubscribeAsync(Key("slow"), async m =>
        {
            await release.Task;
            slowSeen.Enqueue(m.Text);
        });
        var (fast, fastReceived) = Collector();
        await using var quick = await Client.SubscribeAsync(Key("fast"), fast);

        for (int i = 0; i < 50; i++)
        {
            await _publisher.PublishAsync(Key("slow"), "s" + i);
        }

        await _publisher.PublishAsync(Key("fast"), "f");
        Assert.Equal("f", (await Next(fastReceived)).Text);
        Assert.Empty(slowSeen);

        release.SetResult();
        await Eventually(() => Task.FromResult(slowSeen.Count == 50), "the slow handler to catch up");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "s" + i), slowSeen);
    }

    [Fact(Timeout = 30_000)]
    public async Task FailingHandlerKeepsItsSubscription()
    {
        var (handler, received) = Collector();
        int calls = 0;
        await using var subscription = await Client.SubscribeAsync(Key("flaky"), m =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("boom") : handler(m));
        await _publisher.PublishAsync(Key("flaky"), "first");
        await _publisher.PublishAsync(Key("flaky"), "second");
        Assert.Equal("second", (await Next(received)).Text);
    }

    [Fact(Timeout = 30_000)]
    public async Task FullQueueDropsOldestMessages()
    {
        await using var client = await RedisClient.ConnectAsync(new RedisOptions
        {
            Host = Server.Host, Port = Server.Port, SubscriptionQueueCapacity = 5,
        });
        var release = new TaskCompletionSource();
        var seen = new ConcurrentQueue<string>();
        await using var subscription = await client.SubscribeAsync(Key("burst"), async m =>
        {
            await release.Task;
            seen.Enqueue(m.Text);
        });
        var (fence, fenceReceived) = Collector();
        await using var fenceSubscription = await client.SubscribeAsync(Key("fence"), fence);

        for (int i = 0; i < 100; i++)
        {
            await _publisher.PublishAsync(Key("burst"), i);
        }

        await _publisher.PublishAsync(Key("burst"), "last");
        // Pushes are dispatched in arrival order: once the fence arrives, all of the burst was queued.
        await _publisher.PublishAsync(Key("fence"), "after");
        await Next(fenceReceived);
        release.SetResult();

        await Eventually(() => Task.FromResult(seen.Contains("last")), "the newest message");
        await Task.Delay(100);
        // The handler held one message (if it had started); only the newest 5 waited behind it.
        Assert.InRange(seen.Count, 5, 6);
        Assert.Equal(["96", "97", "98", "99", "last"], seen.TakeLast(5));
    }

    [Fact]
    public async Task SubscribeValidatesArguments()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client.SubscribeAsync("", _ => Task.CompletedTask));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Client.SubscribeAsync("c", null!));
    }
}
