using System.Security.Cryptography;
using System.Text;

namespace Redis.Client;

/// <summary>When SET (or ZADD) may write: always, only if absent (NX), only if present (XX).</summary>
public enum SetCondition
{
    Always,
    IfNotExists,
    IfExists,
}

/// <summary>A sorted-set member with its score.</summary>
public readonly record struct SortedSetEntry(string Member, double Score);

/// <summary>
/// A Lua script identified by the SHA1 of its source, which Redis uses to cache it. Run with
/// <see cref="IRedisClient.EvaluateAsync"/>: EVALSHA first, SCRIPT LOAD and retry on NOSCRIPT.
/// Create once (e.g. static readonly) and reuse.
/// </summary>
public sealed class LuaScript
{
    public LuaScript(string source)
    {
        Source = source ?? throw new ArgumentNullException(nameof(source));
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
    }

    public string Source { get; }

    /// <summary>Lower-case hex, as SCRIPT LOAD returns it.</summary>
    public string Sha1 { get; }

    public override string ToString() => $"LuaScript {Sha1}";
}

/// <summary>A pub/sub message as delivered to a subscription handler.</summary>
public sealed class RedisMessage
{
    private string? _text;

    public RedisMessage(string channel, byte[] payload, string? pattern = null)
    {
        Channel = channel ?? throw new ArgumentNullException(nameof(channel));
        Payload = payload ?? throw new ArgumentNullException(nameof(payload));
        Pattern = pattern;
    }

    /// <summary>The channel it was published on.</summary>
    public string Channel { get; }

    /// <summary>The pattern that matched, for PSUBSCRIBE subscriptions; otherwise null.</summary>
    public string? Pattern { get; }

    public byte[] Payload { get; }

    /// <summary>The payload decoded as UTF-8.</summary>
    public string Text => _text ??= Encoding.UTF8.GetString(Payload);

    public override string ToString() => $"{Channel}: {Text}";
}
