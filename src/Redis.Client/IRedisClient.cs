namespace Redis.Client;

/// <summary>
/// The Redis operations a control plane needs. Keys are strings (UTF-8); values are
/// <see cref="RedisArgument"/> (string, byte[], integers, floats convert implicitly).
/// Server error replies throw <see cref="RedisServerException"/>; lost connections
/// <see cref="RedisConnectionException"/>; slow replies <see cref="RedisTimeoutException"/>.
/// </summary>
public interface IRedisClient : IAsyncDisposable
{
    /// <summary>True while the command connection is up.</summary>
    bool IsConnected { get; }

    /// <summary>Round-trip time of a PING.</summary>
    Task<TimeSpan> PingAsync(CancellationToken ct = default);

    /// <summary>Any command; returns the raw reply. Arguments: string, byte[], integers, floats, bool.</summary>
    Task<RedisReply> ExecuteAsync(string command, params object[] args);

    Task<RedisReply> ExecuteAsync(string command, IReadOnlyList<object> args, CancellationToken ct);

    // Strings and keys

    Task<string?> GetAsync(string key, CancellationToken ct = default);

    Task<byte[]?> GetBytesAsync(string key, CancellationToken ct = default);

    /// <summary>SET with EX (whole seconds) or PX expiry and NX/XX; false when the condition prevented the write.</summary>
    Task<bool> SetAsync(string key, RedisArgument value, TimeSpan? expiry = null, SetCondition condition = SetCondition.Always, CancellationToken ct = default);

    /// <summary>True if the key existed.</summary>
    Task<bool> DelAsync(string key, CancellationToken ct = default);

    /// <summary>Number of keys removed.</summary>
    Task<long> DelAsync(IEnumerable<string> keys, CancellationToken ct = default);

    Task<bool> ExistsAsync(string key, CancellationToken ct = default);

    /// <summary>How many of the keys exist (a key named twice counts twice).</summary>
    Task<long> ExistsAsync(IEnumerable<string> keys, CancellationToken ct = default);

    Task<long> IncrAsync(string key, CancellationToken ct = default);

    Task<long> IncrByAsync(string key, long increment, CancellationToken ct = default);

    /// <summary>EXPIRE in whole seconds (rounded up); false if the key does not exist.</summary>
    Task<bool> ExpireAsync(string key, TimeSpan ttl, CancellationToken ct = default);

    /// <summary>PEXPIRE in whole milliseconds (rounded up); false if the key does not exist.</summary>
    Task<bool> PExpireAsync(string key, TimeSpan ttl, CancellationToken ct = default);

    /// <summary>Seconds to live; -1 without expiry, -2 when the key does not exist (as TTL replies).</summary>
    Task<long> TtlAsync(string key, CancellationToken ct = default);

    // Hashes

    /// <summary>True if the field is new.</summary>
    Task<bool> HSetAsync(string key, string field, RedisArgument value, CancellationToken ct = default);

    /// <summary>Number of fields that were new.</summary>
    Task<long> HSetAsync(string key, IEnumerable<KeyValuePair<string, RedisArgument>> fields, CancellationToken ct = default);

    Task<string?> HGetAsync(string key, string field, CancellationToken ct = default);

    Task<Dictionary<string, string>> HGetAllAsync(string key, CancellationToken ct = default);

    Task<bool> HDelAsync(string key, string field, CancellationToken ct = default);

    Task<long> HDelAsync(string key, IEnumerable<string> fields, CancellationToken ct = default);

    Task<long> HIncrByAsync(string key, string field, long increment, CancellationToken ct = default);

    // Sets

    /// <summary>True if the member was added.</summary>
    Task<bool> SAddAsync(string key, RedisArgument member, CancellationToken ct = default);

    Task<long> SAddAsync(string key, IEnumerable<string> members, CancellationToken ct = default);

    Task<bool> SRemAsync(string key, RedisArgument member, CancellationToken ct = default);

    Task<long> SRemAsync(string key, IEnumerable<string> members, CancellationToken ct = default);

    Task<string[]> SMembersAsync(string key, CancellationToken ct = default);

    Task<bool> SIsMemberAsync(string key, RedisArgument member, CancellationToken ct = default);

    // Sorted sets

    /// <summary>True if the member was added (not just re-scored). NX/XX through <paramref name="condition"/>.</summary>
    Task<bool> ZAddAsync(string key, string member, double score, SetCondition condition = SetCondition.Always, CancellationToken ct = default);

    Task<long> ZAddAsync(string key, IEnumerable<SortedSetEntry> entries, SetCondition condition = SetCondition.Always, CancellationToken ct = default);

    Task<bool> ZRemAsync(string key, string member, CancellationToken ct = default);

    Task<long> ZRemAsync(string key, IEnumerable<string> members, CancellationToken ct = default);

    /// <summary>Members by rank, inclusive; negative indexes count from the end.</summary>
    Task<string[]> ZRangeAsync(string key, long start, long stop, CancellationToken ct = default);

    Task<SortedSetEntry[]> ZRangeWithScoresAsync(string key, long start, long stop, CancellationToken ct = default);

    /// <summary>Members with min ≤ score ≤ max (infinities allowed), optionally paged with LIMIT offset count.</summary>
    Task<string[]> ZRangeByScoreAsync(string key, double min, double max, long? offset = null, long? count = null, CancellationToken ct = default);

    Task<SortedSetEntry[]> ZRangeByScoreWithScoresAsync(string key, double min, double max, long? offset = null, long? count = null, CancellationToken ct = default);

    Task<long> ZCardAsync(string key, CancellationToken ct = default);

    Task<double?> ZScoreAsync(string key, string member, CancellationToken ct = default);

    // Lists

    /// <summary>Length of the list after the push.</summary>
    Task<long> LPushAsync(string key, RedisArgument value, CancellationToken ct = default);

    Task<long> LPushAsync(string key, IEnumerable<string> values, CancellationToken ct = default);

    Task<long> RPushAsync(string key, RedisArgument value, CancellationToken ct = default);

    Task<long> RPushAsync(string key, IEnumerable<string> values, CancellationToken ct = default);

    Task<string[]> LRangeAsync(string key, long start, long stop, CancellationToken ct = default);

    Task LTrimAsync(string key, long start, long stop, CancellationToken ct = default);

    Task<long> LLenAsync(string key, CancellationToken ct = default);

    // Scripts

    /// <summary>EVAL with the script source.</summary>
    Task<RedisReply> EvalAsync(string script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisArgument>? args = null, CancellationToken ct = default);

    /// <summary>EVALSHA; throws RedisServerException with ErrorCode NOSCRIPT when the server does not know it.</summary>
    Task<RedisReply> EvalShaAsync(string sha1, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisArgument>? args = null, CancellationToken ct = default);

    /// <summary>SCRIPT LOAD; returns the SHA1.</summary>
    Task<string> ScriptLoadAsync(string script, CancellationToken ct = default);

    /// <summary>EVALSHA, loading the script and retrying once if the server answers NOSCRIPT.</summary>
    Task<RedisReply> EvaluateAsync(LuaScript script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisArgument>? args = null, CancellationToken ct = default);

    // Pub/sub

    /// <summary>Number of subscribers that received the message.</summary>
    Task<long> PublishAsync(string channel, RedisArgument message, CancellationToken ct = default);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to a channel (on a dedicated connection, created on
    /// first use). Returns once the server confirmed. Each subscription has its own queue, so a
    /// slow handler delays only itself; handler exceptions are logged. Dispose the result to
    /// remove this handler. Subscriptions are renewed after a reconnect (messages published
    /// while disconnected are lost, as with Redis pub/sub generally).
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(string channel, Func<RedisMessage, Task> handler, CancellationToken ct = default);

    /// <summary>Like <see cref="SubscribeAsync"/> for a glob pattern (PSUBSCRIBE).</summary>
    Task<IAsyncDisposable> PSubscribeAsync(string pattern, Func<RedisMessage, Task> handler, CancellationToken ct = default);

    /// <summary>Removes every handler of the channel and unsubscribes.</summary>
    Task UnsubscribeAsync(string channel, CancellationToken ct = default);

    /// <summary>Removes every handler of the pattern and unsubscribes.</summary>
    Task PUnsubscribeAsync(string pattern, CancellationToken ct = default);
}
