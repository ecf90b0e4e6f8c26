using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Redis.Client;

/// <summary>
/// The dedicated pub/sub connection. In RESP2 a subscribed connection receives "message" and
/// "pmessage" pushes between ordinary replies; everything else (subscribe confirmations) is
/// matched FIFO, which holds because every (UN)SUBSCRIBE names exactly one channel and so
/// produces exactly one confirmation.
/// </summary>
internal sealed class RedisSubscriber : IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly RedisConnection _connection;
    private readonly object _registryLock = new();
    private readonly Dictionary<string, Subscription[]> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Subscription[]> _patterns = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1); // orders (un)subscribe commands on the wire

    public RedisSubscriber(RedisOptions options)
    {
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Redis.Client.Subscriber");
        _connection = new RedisConnection(options, "Subscriber", OnPush, ResubscribeAsync);
    }

    public bool IsConnected => _connection.IsConnected;

    public Task<IAsyncDisposable> SubscribeAsync(string name, bool pattern, Func<RedisMessage, Task> handler, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        return SubscribeCoreAsync(name, pattern, handler, ct);
    }

    private async Task<IAsyncDisposable> SubscribeCoreAsync(string name, bool pattern, Func<RedisMessage, Task> handler, CancellationToken ct)
    {
        var subscription = new Subscription(this, name, pattern, handler);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            bool first = Add(pattern ? _patterns : _channels, subscription);
            if (first)
            {
                try
                {
                    await SendAsync(pattern ? "PSUBSCRIBE" : "SUBSCRIBE", name, ct).ConfigureAwait(false);
                }
                catch
                {
                    Remove(pattern ? _patterns : _channels, subscription);
                    subscription.Stop();
                    throw;
                }
            }

            subscription.Start();
            return subscription;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes all handlers of a channel or pattern.</summary>
    public async Task UnsubscribeAllAsync(string name, bool pattern, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Subscription[]? removed;
            lock (_registryLock)
            {
                var registry = pattern ? _patterns : _channels;
                registry.Remove(name, out removed);
            }

            foreach (var s in removed ?? [])
            {
                s.Stop();
            }

            await SendUnsubscribeAsync(name, pattern, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task UnsubscribeOneAsync(Subscription subscription)
    {
        subscription.Stop();
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Remove(subscription.IsPattern ? _patterns : _channels, subscription))
            {
                await SendUnsubscribeAsync(subscription.Name, subscription.IsPattern, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendUnsubscribeAsync(string name, bool pattern, CancellationToken ct)
    {
        try
        {
            await SendAsync(pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", name, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            // Not renewed on reconnect since it left the registry; stray messages find no handler.
            _logger.LogDebug("Unsubscribing from {Name} did not reach the server: {Error}", name, ex.Message);
        }
    }

    private async Task SendAsync(string command, string name, CancellationToken ct)
    {
        var reply = await _connection.ExecuteAsync([command, name], ct).ConfigureAwait(false);
        if (reply.IsError)
        {
            throw new RedisServerException(reply.ErrorMessage!);
        }
    }

    /// <summary>Renews every subscription on a new link before queued commands flow.</summary>
    private async Task ResubscribeAsync(RedisLink link, CancellationToken ct)
    {
        string[] channels, patterns;
        lock (_registryLock)
        {
            channels = _channels.Keys.ToArray();
            patterns = _patterns.Keys.ToArray();
        }

        if (channels.Length + patterns.Length == 0)
        {
            return;
        }

        var confirmations = new List<PendingCommand>(channels.Length + patterns.Length);
        foreach (var c in channels)
        {
            confirmations.Add(link.Send(["SUBSCRIBE", c]));
        }

        foreach (var p in patterns)
        {
            confirmations.Add(link.Send(["PSUBSCRIBE", p]));
        }

        await link.FlushAsync().ConfigureAwait(false);
        foreach (var confirmation in confirmations)
        {
            var reply = await link.WaitAsync(confirmation, ct).ConfigureAwait(false);
            if (reply.IsError)
            {
                throw new RedisServerException(reply.ErrorMessage!);
            }
        }

        _logger.LogInformation("Renewed {Channels} channel and {Patterns} pattern subscriptions", channels.Length, patterns.Length);
    }

    /// <summary>Runs on the reader loop: recognise a push and hand it to the subscriptions' queues.</summary>
    private bool OnPush(RedisReply reply)
    {
        if (reply.Kind != RedisReplyKind.Array || reply.IsNull || reply.Count is not (3 or 4) ||
            reply[0].Kind != RedisReplyKind.BulkString)
        {
            return false;
        }

        string? kind = reply[0].AsString();
        if (kind == "message" && reply.Count == 3)
        {
            string channel = reply[1].AsString() ?? "";
            Deliver(_channels, channel, new RedisMessage(channel, reply[2].AsBytes() ?? []));
            return true;
        }

        if (kind == "pmessage" && reply.Count == 4)
        {
            string pattern = reply[1].AsString() ?? "";
            string channel = reply[2].AsString() ?? "";
            Deliver(_patterns, pattern, new RedisMessage(channel, reply[3].AsBytes() ?? [], pattern));
            return true;
        }

        return false;
    }

    private void Deliver(Dictionary<string, Subscription[]> registry, string name, RedisMessage message)
    {
        Subscription[]? targets;
        lock (_registryLock)
        {
            registry.TryGetValue(name, out targets);
        }

        foreach (var s in targets ?? [])
        {
            s.Post(message);
        }
    }

    private bool Add(Dictionary<string, Subscription[]> registry, Subscription subscription)
    {
        lock (_registryLock)
        {
            // Copy-on-write so Deliver can use the array outside the lock.
            registry.TryGetValue(subscription.Name, out var existing);
            registry[subscription.Name] = [.. existing ?? [], subscription];
            return existing is null;
        }
    }

    /// <summary>Returns true when the last handler of that name left.</summary>
    private bool Remove(Dictionary<string, Subscription[]> registry, Subscription subscription)
    {
        lock (_registryLock)
        {
            if (!registry.TryGetValue(subscription.Name, out var existing) || Array.IndexOf(existing, subscription) < 0)
            {
                return false;
            }

            var rest = existing.Where(s => s != subscription).ToArray();
            if (rest.Length == 0)
            {
                registry.Remove(subscription.Name);
                return true;
            }

            registry[subscription.Name] = rest;
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Subscription[] all;
        lock (_registryLock)
        {
            all = _channels.Values.Concat(_patterns.Values).SelectMany(x => x).ToArray();
            _channels.Clear();
            _patterns.Clear();
        }

        foreach (var s in all)
        {
            s.Stop();
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One handler with its own bounded queue and pump task.</summary>
    private sealed class Subscription : IAsyncDisposable
    {
        private readonly RedisSubscriber _owner;
        private readonly Func<RedisMessage, Task> _handler;
        private readonly Channel<RedisMessage> _queue;
        private readonly CancellationTokenSource _stop = new();
        private long _dropped;
        private int _disposed;

        public Subscription(RedisSubscriber owner, string name, bool isPattern, Func<RedisMessage, Task> handler)
        {
            _owner = owner;
            Name = name;
            IsPattern = isPattern;
            _handler = handler;
            _queue = Channel.CreateBounded<RedisMessage>(
                new BoundedChannelOptions(Math.Max(1, owner._options.SubscriptionQueueCapacity))
                {
                    FullMode = BoundedChannelFullMode.DropOldest,
                    SingleReader = true,
                    SingleWriter = true,
                },
                OnDropped);
        }

        public string Name { get; }

        public bool IsPattern { get; }

        public void Start() => _ = Task.Run(PumpAsync);

        public void Post(RedisMessage message) => _queue.Writer.TryWrite(message);

        public void Stop()
        {
            if (_queue.Writer.TryComplete())
            {
                _stop.Cancel();
            }
        }

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _disposed, 1) == 0 ? new ValueTask(_owner.UnsubscribeOneAsync(this)) : ValueTask.CompletedTask;

        private void OnDropped(RedisMessage message)
        {
            long dropped = Interlocked.Increment(ref _dropped);
            if (dropped == 1 || dropped % 1000 == 0)
            {
                _owner._logger.LogWarning("Subscription {Name}: handler too slow, {Dropped} messages dropped so far", Name, dropped);
            }
        }

        private async Task PumpAsync()
        {
            try
            {
                await foreach (var message in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await _handler(message).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        _owner._logger.LogError(ex, "Handler of subscription {Name} failed on a message from {Channel}", Name, message.Channel);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Unsubscribed: messages still queued are discarded.
            }
        }
    }
}
