using Testing.Services;

namespace Redis.Client.Tests;

/// <summary>A private server started with --requirepass.</summary>
public class AuthTests : IAsyncLifetime
{
    private const string Password = "s3cr:t@/pw";
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartPrivateAsync(Password);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RightPasswordConnects()
    {
        Assert.Contains("%40", _server.AuthenticatedUrl); // the URL form percent-encodes the password
        await using var client = await RedisClient.ConnectAsync(_server.AuthenticatedUrl);
        await client.SetAsync("k", "v");
        Assert.Equal("v", await client.GetAsync("k"));
        Assert.Equal("default", (await client.ExecuteAsync("ACL", "WHOAMI")).AsString());
    }

    [Fact]
    public async Task WrongPasswordIsAClearConnectError()
    {
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisClient.ConnectAsync($"redis://:wrong@127.0.0.1:{_server.Port}"));
        Assert.Contains("WRONGPASS", ex.Message);
        Assert.DoesNotContain("wrong@", ex.Message);
        var server = Assert.IsType<RedisServerException>(ex.InnerException);
        Assert.Equal("WRONGPASS", server.ErrorCode);
    }

    [Fact]
    public async Task MissingPasswordSurfacesNoAuth()
    {
        await using var client = await RedisClient.ConnectAsync(_server.Url);
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => client.GetAsync("k"));
        Assert.Equal("NOAUTH", ex.ErrorCode);
    }

    [Fact]
    public async Task AclUserFromTheUrl()
    {
        await using (var admin = await RedisClient.ConnectAsync(_server.AuthenticatedUrl))
        {
            await admin.ExecuteAsync("ACL", "SETUSER", "alice", "on", ">wonderland", "~app:*", "+@all");
        }

        await using var alice = await RedisClient.ConnectAsync($"redis://alice:wonderland@127.0.0.1:{_server.Port}/1");
        Assert.Equal("alice", (await alice.ExecuteAsync("ACL", "WHOAMI")).AsString());
        await alice.SetAsync("app:x", "1");
        var denied = await Assert.ThrowsAsync<RedisServerException>(() => alice.SetAsync("other", "1"));
        Assert.Equal("NOPERM", denied.ErrorCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task AuthenticatesAgainAfterReconnect()
    {
        var options = RedisOptions.Parse(_server.AuthenticatedUrl);
        options.ReconnectMinDelay = TimeSpan.FromMilliseconds(20);
        options.CommandTimeout = TimeSpan.FromSeconds(10);
        await using var client = await RedisClient.ConnectAsync(options);
        await using var sub = await client.SubscribeAsync("c", _ => Task.CompletedTask);
        await _server.StopAsync();
        await _server.StartAsync();
        Assert.Equal(1, await client.IncrAsync("n"));
        // The subscriber connection reconnects (and re-authenticates) on its own schedule.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await client.PublishAsync("c", "back") != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the subscription was not renewed");
            await Task.Delay(50);
        }
    }
}
