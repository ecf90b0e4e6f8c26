using Testing.Services;

namespace Redis.Client.Tests;

/// <summary>
/// Base for tests on the shared redis-server: a connected client and keys unique to the test
/// instance (deleted afterwards), so test classes can run in parallel on one server.
/// </summary>
public abstract class SharedRedisTest : IAsyncLifetime
{
    private readonly string _prefix = "test:" + Guid.NewGuid().ToString("N")[..12] + ":";

    protected RedisServer Server { get; private set; } = null!;

    protected RedisClient Client { get; private set; } = null!;

    protected string Key(string name) => _prefix + name;

    public virtual async Task InitializeAsync()
    {
        Server = await RedisServer.SharedAsync();
        Client = await RedisClient.ConnectAsync(Server.Url);
    }

    public virtual async Task DisposeAsync()
    {
        try
        {
            var keys = (await Client.ExecuteAsync("KEYS", _prefix + "*")).AsStringArray();
            if (keys.Length > 0)
            {
                await Client.DelAsync(keys!);
            }
        }
        finally
        {
            await Client.DisposeAsync();
        }
    }

    /// <summary>Polls until the condition holds; fails the test after the timeout.</summary>
    protected static async Task Eventually(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"Timed out after {timeoutMs} ms waiting for {what}.");
    }
}
