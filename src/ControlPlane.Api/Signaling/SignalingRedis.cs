using Microsoft.Extensions.Options;
using Redis.Client;

namespace ControlPlane.Api.Signaling;

/// <summary>The Redis client plus this deployment's key prefix; registered only when REDIS_URL is set.</summary>
public sealed class SignalingRedis(IRedisClient client, IOptions<SignalingOptions> options)
{
    public IRedisClient Client { get; } = client;
    public string Prefix { get; } = options.Value.RedisKeyPrefix;
    public string Key(string suffix) => Prefix + suffix;
}
