using System.Collections.Concurrent;
using Redis.Client;

namespace ControlPlane.Api.Signaling;

/// <summary>Allowed or not, how many calls remain in the window, and when the next one would be allowed.</summary>
public readonly record struct RateDecision(bool Allowed, int Remaining, long RetryAfterMs);

/// <summary>
/// Sliding-window limits (seed 004: "in-memory with sliding window"): at most <c>limit</c> accepted calls in any
/// window of <c>windowMs</c>. Refused calls do not count. Keys name the limit and the device, e.g. "msg:{id}".
/// </summary>
public interface IRateLimiter
{
    Task<RateDecision> TryAcquireAsync(string key, int limit, long windowMs, long now, CancellationToken ct = default);
}

public sealed class InProcessRateLimiter : IRateLimiter
{
    private readonly ConcurrentDictionary<string, Queue<long>> _windows = new();
    private long _lastPrune;

    public Task<RateDecision> TryAcquireAsync(string key, int limit, long windowMs, long now, CancellationToken ct = default)
    {
        var q = _windows.GetOrAdd(key, _ => new Queue<long>());
        RateDecision decision;
        lock (q)
        {
            while (q.Count > 0 && q.Peek() <= now - windowMs) q.Dequeue();
            if (q.Count >= limit) decision = new RateDecision(false, 0, q.Peek() + windowMs - now);
            else
            {
                q.Enqueue(now);
                decision = new RateDecision(true, limit - q.Count, 0);
            }
        }
        if (now - Interlocked.Read(ref _lastPrune) > 60_000) Prune(now, windowMs);
        return Task.FromResult(decision);
    }

    /// <summary>Drops windows with nothing recent so idle devices do not accumulate.</summary>
    private void Prune(long now, long windowMs)
    {
        Interlocked.Exchange(ref _lastPrune, now);
        foreach (var (key, q) in _windows)
            lock (q)
                if (q.Count == 0 || q.Last() <= now - Math.Max(windowMs, 600_000)) _windows.TryRemove(key, out _);
    }
}

/// <summary>One sorted set per key (member per accepted call, scored by time), trimmed and counted in one script.</summary>
public sealed class RedisRateLimiter(SignalingRedis redis) : IRateLimiter
{
    // KEYS[1] the window; ARGV: now, window ms, limit, unique member
    private static readonly LuaScript Acquire = new("""
        local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        local count = redis.call('ZCARD', KEYS[1])
        if count >= limit then
          local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          return { 0, 0, tonumber(oldest[2]) + window - now }
        end
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return { 1, limit - count - 1, 0 }
        """);

    private long _counter;

    public async Task<RateDecision> TryAcquireAsync(string key, int limit, long windowMs, long now, CancellationToken ct = default)
    {
        var member = now + ":" + Environment.ProcessId + ":" + Interlocked.Increment(ref _counter) + ":" + Random.Shared.Next();
        var r = await redis.Client.EvaluateAsync(Acquire, new[] { redis.Key("rl:" + key) }, new RedisArgument[] { now, windowMs, limit, member }, ct);
        return new RateDecision(r[0].AsInt64() == 1, (int)r[1].AsInt64(), r[2].AsInt64());
    }
}
