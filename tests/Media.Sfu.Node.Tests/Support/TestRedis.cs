using Media.Sfu.Cluster;
using Redis.Client;
using Testing.Services;

namespace Media.Sfu.Node.Tests.Support;

/// <summary>The shared test Redis with a key prefix of each test's own.</summary>
public static class TestRedis
{
    public static async Task<(RedisClient Client, string Url, string Prefix)> ConnectAsync()
    {
        var server = await RedisServer.SharedAsync();
        var client = await RedisClient.ConnectAsync(server.Url);
        return (client, server.Url, "t" + Guid.NewGuid().ToString("N")[..10] + ":");
    }

    public static SfuNodeRecord Record(string id, string url = "http://127.0.0.1:1/", int rooms = 0, int transports = 0, DateTimeOffset? at = null) =>
        new(id, url, 100, 200, rooms, transports, transports, 12.5, at ?? DateTimeOffset.UtcNow, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));
}
