using System.Diagnostics;

namespace Redis.Client.Tests;

public class PipelineTests : SharedRedisTest
{
    [Fact(Timeout = 60_000)]
    public async Task TenThousandConcurrentCommandsFromManyTasksAreAnsweredInOrder()
    {
        const int Tasks = 50, PerTask = 100; // 50 tasks × (100 INCR + 100 ECHO) = 10 000 commands in flight
        using var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            start.Wait();
            var key = Key("counter" + t);
            var increments = new Task<long>[PerTask];
            var echoes = new Task<RedisReply>[PerTask];
            // Issue everything before awaiting anything: all of it is in flight at once.
            for (int i = 0; i < PerTask; i++)
            {
                increments[i] = Client.IncrAsync(key);
                echoes[i] = Client.ExecuteAsync("ECHO", $"{t}/{i}");
            }

            var counts = await Task.WhenAll(increments);
            var texts = await Task.WhenAll(echoes);
            // A task's commands enter the queue in call order, so its INCRs see 1, 2, 3…
            Assert.Equal(Enumerable.Range(1, PerTask).Select(i => (long)i), counts);
            Assert.Equal(Enumerable.Range(0, PerTask).Select(i => $"{t}/{i}"), texts.Select(x => x.AsString()));
        })).ToArray();

        var clock = Stopwatch.StartNew();
        start.Set();
        await Task.WhenAll(workers);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");

        for (int t = 0; t < Tasks; t++)
        {
            Assert.Equal(PerTask.ToString(), await Client.GetAsync(Key("counter" + t)));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyThreadsAwaitingOneByOneShareTheConnection()
    {
        var workers = Enumerable.Range(0, 16).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                string value = $"{t}:{i}";
                await Client.SetAsync(Key("k" + t), value);
                Assert.Equal(value, await Client.GetAsync(Key("k" + t)));
            }
        }));
        await Task.WhenAll(workers);
    }

    [Fact(Timeout = 60_000)]
    public async Task ErrorsInThePipelineOnlyFailTheirOwnCommand()
    {
        await Client.SetAsync(Key("text"), "not a number");
        var tasks = new List<Task>();
        var good = new List<Task<long>>();
        var bad = new List<Task<long>>();
        for (int i = 0; i < 500; i++)
        {
            var ok = Client.IncrAsync(Key("num"));
            var fail = Client.IncrAsync(Key("text"));
            good.Add(ok);
            bad.Add(fail);
        }

        foreach (var t in bad)
        {
            var ex = await Assert.ThrowsAsync<RedisServerException>(() => t);
            Assert.Equal("ERR", ex.ErrorCode);
        }

        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), await Task.WhenAll(good));
    }
}
