using System.Net.Sockets;
using Testing.Services;

namespace Redis.Client.Tests;

/// <summary>The test support itself: shared and private servers, restart on the same port.</summary>
public class RedisServerTests
{
    [Fact]
    public async Task SharedInstanceIsOneServer()
    {
        var a = await RedisServer.SharedAsync();
        var b = await RedisServer.SharedAsync();
        Assert.Same(a, b);
        Assert.True(a.IsRunning);
        await a.DisposeAsync(); // does not stop the shared server
        Assert.True(a.IsRunning);
        await using var client = await RedisClient.ConnectAsync(a.Url);
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
    }

    [Fact(Timeout = 60_000)]
    public async Task PrivateServerRestartsOnTheSamePortAndIsRemovedOnDispose()
    {
        var server = await RedisServer.StartPrivateAsync();
        Assert.Equal($"redis://127.0.0.1:{server.Port}", server.Url);
        Assert.NotEqual((await RedisServer.SharedAsync()).Port, server.Port);
        Assert.True(File.Exists(server.LogPath));
        Assert.False(server.IsExternal);

        await server.StopAsync();
        Assert.False(server.IsRunning);
        Assert.False(await Accepts(server.Port));

        await server.StartAsync();
        Assert.True(server.IsRunning);
        Assert.True(await Accepts(server.Port));

        string dir = server.DataDirectory;
        await server.DisposeAsync();
        Assert.False(await Accepts(server.Port));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task ExtraArgumentsReachTheServer()
    {
        await using var server = await RedisServer.StartPrivateAsync(null, "--maxmemory", "12345678");
        await using var client = await RedisClient.ConnectAsync(server.Url);
        Assert.Equal("12345678", (await client.ExecuteAsync("CONFIG", "GET", "maxmemory"))[1].AsString());
        Assert.Equal("", (await client.ExecuteAsync("CONFIG", "GET", "save"))[1].AsString());
        Assert.Equal("no", (await client.ExecuteAsync("CONFIG", "GET", "appendonly"))[1].AsString());
    }

    private static async Task<bool> Accepts(int port)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
