namespace Redis.Client;

/// <summary>
/// The Redis client: one pipelined, self-reconnecting command connection shared by all callers,
/// plus a dedicated pub/sub connection opened on the first subscription. Thread-safe; create one
/// per process and share it.
/// </summary>
public sealed class RedisClient : IRedisClient
{
    private readonly RedisOptions _options;
    private readonly RedisConnection _connection;
    private readonly object _subscriberLock = new();
    private RedisSubscriber? _subscriber;
    private bool _disposed;

    /// <summary>Starts connecting in the background; commands wait (up to their timeout) for the connection.</summary>
    public RedisClient(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CommandTimeout <= TimeSpan.Zero && options.CommandTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "CommandTimeout must be positive or infinite.");
        }

        _options = options.Clone();
        _connection = new RedisConnection(_options, "Commands");
    }

    /// <summary>Parses the URL (see <see cref="RedisOptions.Parse"/>) and starts connecting in the background.</summary>
    public RedisClient(string url) : this(RedisOptions.Parse(url))
    {
    }

    /// <summary>Where this client connects, without the password (for logs).</summary>
    public string Endpoint => _options.SafeUrl;

    public bool IsConnected => _connection.IsConnected;

    /// <summary>Connects and waits for the first connection; throws <see cref="RedisConnectionException"/> if it fails.</summary>
    public static Task<RedisClient> ConnectAsync(string url, CancellationToken ct = default) =>
        ConnectAsync(RedisOptions.Parse(url), ct);

    public static async Task<RedisClient> ConnectAsync(RedisOptions options, CancellationToken ct = default)
    {
        var client = new RedisClient(options);
        Exception? failure;
        try
        {
            failure = await client._connection.FirstAttempt.WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (failure is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new RedisConnectionException($"Could not connect to {client.Endpoint}: {failure.Message}", failure);
        }

        return client;
    }

    public async Task<TimeSpan> PingAsync(CancellationToken ct = default)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var reply = await RunAsync(["PING"], ct).ConfigureAwait(false);
        if (reply.AsString() != "PONG")
        {
            throw new RedisProtocolException($"Unexpected PING reply {reply}.");
        }

        return System.Diagnostics.Stopwatch.GetElapsedTime(start);
    }

    public Task<RedisReply> ExecuteAsync(string command, params object[] args) =>
        ExecuteAsync(command, args, CancellationToken.None);

    public Task<RedisReply> ExecuteAsync(string command, IReadOnlyList<object> args, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        var parts = new RedisArgument[1 + (args?.Count ?? 0)];
        parts[0] = command;
        for (int i = 1; i < parts.Length; i++)
        {
            parts[i] = RedisArgument.FromObject(args![i - 1]);
        }

        return RunAsync(parts, ct);
    }

    // Strings and keys

    public async Task<string?> GetAsync(string key, CancellationToken ct = default) =>
        (await RunAsync(["GET", key], ct).ConfigureAwait(false)).AsString();

    public async Task<byte[]?> GetBytesAsync(string key, CancellationToken ct = default) =>
        (await RunAsync(["GET", key], ct).ConfigureAwait(false)).AsBytes();

    public async Task<bool> SetAsync(string key, RedisArgument value, TimeSpan? expiry = null, SetCondition condition = SetCondition.Always, CancellationToken ct = default)
    {
        var parts = new List<RedisArgument>(6) { "SET", key, value };
        if (expiry is { } ttl)
        {
            if (ttl <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(expiry), "Expiry must be positive.");
            }

            if (ttl.Ticks % TimeSpan.TicksPerSecond == 0)
            {
                parts.Add("EX");
                parts.Add((long)ttl.TotalSeconds);
            }
            else
            {
                parts.Add("PX");
                parts.Add(CeilingMilliseconds(ttl));
            }
        }

        AddCondition(parts, condition);
        // OK when written; a null bulk string when NX/XX prevented it.
        var reply = await RunAsync(parts.ToArray(), ct).ConfigureAwait(false);
        return !reply.IsNull;
    }

    public async Task<bool> DelAsync(string key, CancellationToken ct = default) =>
        (await RunAsync(["DEL", key], ct).ConfigureAwait(false)).AsInt64() > 0;

    public async Task<long> DelAsync(IEnumerable<string> keys, CancellationToken ct = default) =>
        (await RunAsync(Command("DEL", keys), ct).ConfigureAwait(false)).AsInt64();

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default) =>
        (await RunAsync(["EXISTS", key], ct).ConfigureAwait(false)).AsInt64() > 0;

    public async Task<long> ExistsAsync(IEnumerable<string> keys, CancellationToken ct = default) =>
        (await RunAsync(Command("EXISTS", keys), ct).ConfigureAwait(false)).AsInt64();

    public async Task<long> IncrAsync(string key, CancellationToken ct = default) =>
        (await RunAsync(["INCR", key], ct).ConfigureAwait(false)).AsInt64();

    public async Task<long> IncrByAsync(string key, long increment, CancellationToken ct = default) =>
        (await RunAsync(["INCRBY", key, increment], ct).ConfigureAwait(false)).AsInt64();

    public async Task<bool> ExpireAsync(string key, TimeSpan ttl, CancellationToken ct = default) =>
        (await RunAsync(["EXPIRE", key, (long)Math.Ceiling(ttl.TotalSeconds)], ct).ConfigureAwait(false)).AsBoolean();

    public async Task<bool> PExpireAsync(string key, TimeSpan ttl, CancellationToken ct = default) =>
        (await RunAsync(["PEXPIRE", key, CeilingMilliseconds(ttl)], ct).ConfigureAwait(false)).AsBoolean();

    public async Task<long> TtlAsync(string key, CancellationToken ct = default) =>
        (await RunAsync(["TTL", key], ct).ConfigureAwait(false)).AsInt64();

    // Hashes

    public async Task<bool> HSetAsync(string key, string field, RedisArgument value, CancellationToken ct = default) =>
        (await RunAsync(["HSET", key, field, value], ct).ConfigureAwait(false)).AsInt64() > 0;

    public async Task<long> HSetAsync(string key, IEnumerable<KeyValuePair<string, RedisArgument>> fields, CancellationToken ct = default)
    {
        var parts = new List<RedisArgument> { "HSET", key };
        foreach (var (field, value) in fields)
        {
            parts.Add(field);
            parts.Add(value);
        }

        if (parts.Count == 2)
        {
            throw new ArgumentException("At least one field is required.", nameof(fields));
        }

        return (await RunAsync(parts.ToArray(), ct).ConfigureAwait(false)).AsInt64();
    }

    public async Task<string?> HGetAsync(string key, string field, CancellationToken ct = default) =>
        (await RunAsync(["HGET", key, field], ct).ConfigureAwait(false)).AsString();

    public async Task<Dictionary<string, string>> HGetAllAsync(string key, CancellationToken ct = default)
    {
        var items = (await RunAsync(["HGETALL", key], ct).ConfigureAwait(false)).AsArray() ?? [];
        var result = new Dictionary<string, string>(items.Length / 2, StringComparer.Ordinal);
        for (int i = 0; i + 1 < items.Length; i += 2)
        {
            result[items[i].AsString()!] = items[i + 1].AsString()!;
        }

        return result;
    }

    public async Task<bool> HDelAsync(string key, string field, CancellationToken ct = default) =>
        (await RunAsync(["HDEL", key, field], ct).ConfigureAwait(false)).AsInt64() > 0;

    public async Task<long> HDelAsync(string key, IEnumerable<string> fields, CancellationToken ct = default) =>
        (await RunAsync(Command("HDEL", fields, key), ct).ConfigureAwait(false)).AsInt64();

    public async Task<long> HIncrByAsync(string key, string field, long increment, CancellationToken ct = default) =>
        (await RunAsync(["HINCRBY", key, field, increment], ct).ConfigureAwait(false)).AsInt64();

    // Sets

    public async Task<bool> SAddAsync(string key, RedisArgument member, CancellationToken ct = default) =>
        (await RunAsync(["SADD", key, member], ct).ConfigureAwait(false)).AsInt64() > 0;

    public async Task<long> SAddAsync(string key, IEnumerable<string> members, CancellationToken ct = default) =>
        (await RunAsync(Command("SADD", members, key), ct).ConfigureAwait(false)).AsInt64();

    public async Task<bool> SRemAsync(string key, RedisArgument member, CancellationToken ct = default) =>
        (await RunAsync(["SREM", key, member], ct).ConfigureAwait(false)).AsInt64() > 0;

    public async Task<long> SRemAsync(string key, IEnumerable<string> members, CancellationToken ct = default) =>
        (await RunAsync(Command("SREM", members, key), ct).ConfigureAwait(false)).AsInt64();

    public async Task<string[]> SMembersAsync(string key, CancellationToken ct = default) =>
        Strings(await RunAsync(["SMEMBERS", key], ct).ConfigureAwait(false));

    public async Task<bool> SIsMemberAsync(string key, RedisArgument member, CancellationToken ct = default) =>
        (await RunAsync(["SISMEMBER", key, member], ct).ConfigureAwait(false)).AsInt64() > 0;

    // Sorted sets

    public async Task<bool> ZAddAsync(string key, string member, double score, SetCondition condition = SetCondition.Always, CancellationToken ct = default) =>
        await ZAddAsync(key, [new SortedSetEntry(member, score)], condition, ct).ConfigureAwait(false) > 0;

    public async Task<long> ZAddAsync(string key, IEnumerable<SortedSetEntry> entries, SetCondition condition = SetCondition.Always, CancellationToken ct = default)
    {
        var parts = new List<RedisArgument> { "ZADD", key };
        AddCondition(parts, condition);
        int header = parts.Count;
        foreach (var (member, score) in entries)
        {
            parts.Add(score);
            parts.Add(member);
        }

        if (parts.Count == header)
        {
            throw new ArgumentException("At least one entry is required.", nameof(entries));
        }

        return (await RunAsync(parts.ToArray(), ct).ConfigureAwait(false)).AsInt64();
    }

    public async Task<bool> ZRemAsync(string key, string member, CancellationToken ct = default) =>
        (await RunAsync(["ZREM", key, member], ct).ConfigureAwait(false)).AsInt64() > 0;

    public async Task<long> ZRemAsync(string key, IEnumerable<string> members, CancellationToken ct = default) =>
        (await RunAsync(Command("ZREM", members, key), ct).ConfigureAwait(false)).AsInt64();

    public async Task<string[]> ZRangeAsync(string key, long start, long stop, CancellationToken ct = default) =>
        Strings(await RunAsync(["ZRANGE", key, start, stop], ct).ConfigureAwait(false));

    public async Task<SortedSetEntry[]> ZRangeWithScoresAsync(string key, long start, long stop, CancellationToken ct = default) =>
        Entries(await RunAsync(["ZRANGE", key, start, stop, "WITHSCORES"], ct).ConfigureAwait(false));

    public async Task<string[]> ZRangeByScoreAsync(string key, double min, double max, long? offset = null, long? count = null, CancellationToken ct = default) =>
        Strings(await RunAsync(RangeByScore(key, min, max, offset, count, withScores: false), ct).ConfigureAwait(false));

    public async Task<SortedSetEntry[]> ZRangeByScoreWithScoresAsync(string key, double min, double max, long? offset = null, long? count = null, CancellationToken ct = default) =>
        Entries(await RunAsync(RangeByScore(key, min, max, offset, count, withScores: true), ct).ConfigureAwait(false));

    public async Task<long> ZCardAsync(string key, CancellationToken ct = default) =>
        (await RunAsync(["ZCARD", key], ct).ConfigureAwait(false)).AsInt64();

    public async Task<double?> ZScoreAsync(string key, string member, CancellationToken ct = default) =>
        (await RunAsync(["ZSCORE", key, member], ct).ConfigureAwait(false)).AsNullableDouble();

    // Lists

    public async Task<long> LPushAsync(string key, RedisArgument value, CancellationToken ct = default) =>
        (await RunAsync(["LPUSH", key, value], ct).ConfigureAwait(false)).AsInt64();

    public async Task<long> LPushAsync(string key, IEnumerable<string> values, CancellationToken ct = default) =>
        (await RunAsync(Command("LPUSH", values, key), ct).ConfigureAwait(false)).AsInt64();

    public async Task<long> RPushAsync(string key, RedisArgument value, CancellationToken ct = default) =>
        (await RunAsync(["RPUSH", key, value], ct).ConfigureAwait(false)).AsInt64();

    public async Task<long> RPushAsync(string key, IEnumerable<string> values, CancellationToken ct = default) =>
        (await RunAsync(Command("RPUSH", values, key), ct).ConfigureAwait(false)).AsInt64();

    public async Task<string[]> LRangeAsync(string key, long start, long stop, CancellationToken ct = default) =>
        Strings(await RunAsync(["LRANGE", key, start, stop], ct).ConfigureAwait(false));

    public Task LTrimAsync(string key, long start, long stop, CancellationToken ct = default) =>
        RunAsync(["LTRIM", key, start, stop], ct);

    public async Task<long> LLenAsync(string key, CancellationToken ct = default) =>
        (await RunAsync(["LLEN", key], ct).ConfigureAwait(false)).AsInt64();

    // Scripts

    public Task<RedisReply> EvalAsync(string script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisArgument>? args = null, CancellationToken ct = default) =>
        RunAsync(Script("EVAL", script, keys, args), ct);

    public Task<RedisReply> EvalShaAsync(string sha1, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisArgument>? args = null, CancellationToken ct = default) =>
        RunAsync(Script("EVALSHA", sha1, keys, args), ct);

    public async Task<string> ScriptLoadAsync(string script, CancellationToken ct = default) =>
        (await RunAsync(["SCRIPT", "LOAD", script], ct).ConfigureAwait(false)).AsString()!;

    public async Task<RedisReply> EvaluateAsync(LuaScript script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisArgument>? args = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        try
        {
            return await EvalShaAsync(script.Sha1, keys, args, ct).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.ErrorCode == "NOSCRIPT")
        {
            // The script cache is empty after a restart, failover or SCRIPT FLUSH.
            string sha = await ScriptLoadAsync(script.Source, ct).ConfigureAwait(false);
            if (!string.Equals(sha, script.Sha1, StringComparison.OrdinalIgnoreCase))
            {
                throw new RedisProtocolException($"SCRIPT LOAD returned SHA1 {sha}, expected {script.Sha1}.");
            }

            return await EvalShaAsync(script.Sha1, keys, args, ct).ConfigureAwait(false);
        }
    }

    // Pub/sub

    public async Task<long> PublishAsync(string channel, RedisArgument message, CancellationToken ct = default) =>
        (await RunAsync(["PUBLISH", channel, message], ct).ConfigureAwait(false)).AsInt64();

    public Task<IAsyncDisposable> SubscribeAsync(string channel, Func<RedisMessage, Task> handler, CancellationToken ct = default) =>
        Subscriber().SubscribeAsync(channel, pattern: false, handler, ct);

    public Task<IAsyncDisposable> PSubscribeAsync(string pattern, Func<RedisMessage, Task> handler, CancellationToken ct = default) =>
        Subscriber().SubscribeAsync(pattern, pattern: true, handler, ct);

    public Task UnsubscribeAsync(string channel, CancellationToken ct = default) =>
        Subscriber().UnsubscribeAllAsync(channel, pattern: false, ct);

    public Task PUnsubscribeAsync(string pattern, CancellationToken ct = default) =>
        Subscriber().UnsubscribeAllAsync(pattern, pattern: true, ct);

    /// <summary>Lets commands already queued finish (briefly), then closes both connections.</summary>
    public async ValueTask DisposeAsync()
    {
        RedisSubscriber? subscriber;
        lock (_subscriberLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscriber = _subscriber;
        }

        var closing = _connection.DisposeAsync().AsTask();
        if (subscriber is not null)
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
        }

        await closing.ConfigureAwait(false);
    }

    private RedisSubscriber Subscriber()
    {
        lock (_subscriberLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _subscriber ??= new RedisSubscriber(_options);
        }
    }

    private async Task<RedisReply> RunAsync(RedisArgument[] parts, CancellationToken ct)
    {
        var reply = await _connection.ExecuteAsync(parts, ct).ConfigureAwait(false);
        if (reply.IsError)
        {
            throw new RedisServerException(reply.ErrorMessage!);
        }

        return reply;
    }

    private static RedisArgument[] Command(string name, IEnumerable<string> items, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var parts = new List<RedisArgument> { name };
        if (key is not null)
        {
            parts.Add(key);
        }

        int header = parts.Count;
        foreach (var item in items)
        {
            parts.Add(item);
        }

        if (parts.Count == header)
        {
            throw new ArgumentException($"{name} needs at least one item.", nameof(items));
        }

        return parts.ToArray();
    }

    private static RedisArgument[] Script(string command, string script, IReadOnlyList<string>? keys, IReadOnlyList<RedisArgument>? args)
    {
        ArgumentNullException.ThrowIfNull(script);
        keys ??= [];
        args ??= [];
        var parts = new RedisArgument[3 + keys.Count + args.Count];
        parts[0] = command;
        parts[1] = script;
        parts[2] = keys.Count;
        for (int i = 0; i < keys.Count; i++)
        {
            parts[3 + i] = keys[i];
        }

        for (int i = 0; i < args.Count; i++)
        {
            parts[3 + keys.Count + i] = args[i];
        }

        return parts;
    }

    private static RedisArgument[] RangeByScore(string key, double min, double max, long? offset, long? count, bool withScores)
    {
        var parts = new List<RedisArgument> { "ZRANGEBYSCORE", key, min, max };
        if (withScores)
        {
            parts.Add("WITHSCORES");
        }

        if (offset is not null || count is not null)
        {
            parts.Add("LIMIT");
            parts.Add(offset ?? 0);
            parts.Add(count ?? -1);
        }

        return parts.ToArray();
    }

    private static void AddCondition(List<RedisArgument> parts, SetCondition condition)
    {
        switch (condition)
        {
            case SetCondition.IfNotExists:
                parts.Add("NX");
                break;
            case SetCondition.IfExists:
                parts.Add("XX");
                break;
        }
    }

    private static long CeilingMilliseconds(TimeSpan ttl) =>
        (ttl.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;

    private static string[] Strings(RedisReply reply)
    {
        var items = reply.AsArray() ?? [];
        var result = new string[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            result[i] = items[i].AsString() ?? "";
        }

        return result;
    }

    private static SortedSetEntry[] Entries(RedisReply reply)
    {
        var items = reply.AsArray() ?? [];
        var result = new SortedSetEntry[items.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new SortedSetEntry(items[2 * i].AsString()!, items[2 * i + 1].AsDouble());
        }

        return result;
    }
}
