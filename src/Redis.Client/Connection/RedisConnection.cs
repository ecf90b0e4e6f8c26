using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Redis.Client;

/// <summary>
/// A pipelined connection that stays up: callers on any thread queue commands; one writer loop
/// sends them and one reader loop answers them in order. When the socket drops, commands
/// already sent fail with <see cref="RedisConnectionException"/>, queued ones wait for the
/// reconnection (bounded by their timeout), and reconnection retries with exponential backoff.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private static readonly TimeSpan QuitGrace = TimeSpan.FromSeconds(2);

    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly Func<RedisReply, bool>? _pushHandler;
    private readonly Func<RedisLink, CancellationToken, Task>? _onConnected;
    private readonly Channel<PendingCommand> _queue = Channel.CreateUnbounded<PendingCommand>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<Exception?> _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _supervisor;
    private volatile RedisLink? _link;
    private volatile Exception? _lastError;
    private int _disposed;

    /// <param name="pushHandler">Sees every reply first; returning true means it was an out-of-band push, not an answer.</param>
    /// <param name="onConnected">Runs on every new link before queued commands flow (e.g. to resubscribe).</param>
    public RedisConnection(RedisOptions options, string role, Func<RedisReply, bool>? pushHandler = null,
        Func<RedisLink, CancellationToken, Task>? onConnected = null)
    {
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger($"Redis.Client.{role}");
        _pushHandler = pushHandler;
        _onConnected = onConnected;
        _supervisor = Task.Run(SuperviseAsync);
    }

    public bool IsConnected => _link?.IsAlive == true;

    /// <summary>Completes with null once the first connection is up, or with the first attempt's failure.</summary>
    public Task<Exception?> FirstAttempt => _firstAttempt.Task;

    public async Task<RedisReply> ExecuteAsync(RedisArgument[] parts, CancellationToken ct)
    {
        var command = new PendingCommand(parts);
        if (!_queue.Writer.TryWrite(command))
        {
            throw new ObjectDisposedException(nameof(RedisClient), $"The Redis client for {_options.SafeUrl} is disposed.");
        }

        try
        {
            return await command.Task.WaitAsync(_options.CommandTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            command.TrySetCanceled();
            string state = IsConnected
                ? "no reply"
                : $"not connected{(_lastError is { } e ? ": " + e.Message : "")}";
            throw new RedisTimeoutException(
                $"Redis command {command.Name} timed out after {_options.CommandTimeout.TotalMilliseconds:0} ms ({state}).", ex);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            command.TrySetCanceled(ct);
            throw;
        }
    }

    private async Task SuperviseAsync()
    {
        var token = _lifetime.Token;
        int failures = 0;
        while (!token.IsCancellationRequested && Volatile.Read(ref _disposed) == 0)
        {
            RedisLink link;
            try
            {
                link = await ConnectAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                _lastError = ex;
                _firstAttempt.TrySetResult(ex);
                failures++;
                var delay = Backoff(failures);
                _logger.LogWarning("Connecting to {Endpoint} failed (attempt {Attempt}): {Error}; retrying in {Delay} ms",
                    _options.SafeUrl, failures, ex.Message, (int)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }
            catch (Exception)
            {
                break;
            }

            failures = 0;
            _lastError = null;
            _link = link;
            _firstAttempt.TrySetResult(null);
            _logger.LogInformation("Connected to {Endpoint}", _options.SafeUrl);

            var writer = link.RunWriterAsync(_queue.Reader);
            Exception reason;
            using (token.Register(static l => ((RedisLink)l!).Abort(new RedisConnectionException("The client is disposed.")), link))
            {
                reason = await WatchAsync(link, token).ConfigureAwait(false);
            }

            _link = null;
            _lastError = reason;
            await writer.ConfigureAwait(false);
            await link.DisposeAsync().ConfigureAwait(false);
            if (!token.IsCancellationRequested && Volatile.Read(ref _disposed) == 0)
            {
                _logger.LogWarning("Connection to {Endpoint} lost: {Error}; reconnecting", _options.SafeUrl, reason.Message);
            }
        }

        _firstAttempt.TrySetResult(new ObjectDisposedException(nameof(RedisClient)));
    }

    /// <summary>Waits for the link to close, closing it first if replies stall.</summary>
    private async Task<Exception> WatchAsync(RedisLink link, CancellationToken token)
    {
        var limit = _options.StalledConnectionTimeout;
        if (limit == Timeout.InfiniteTimeSpan || limit <= TimeSpan.Zero)
        {
            return await link.Closed.ConfigureAwait(false);
        }

        var period = TimeSpan.FromTicks(Math.Clamp(limit.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        while (!link.Closed.IsCompleted && !token.IsCancellationRequested)
        {
            await Task.WhenAny(link.Closed, Task.Delay(period, token)).ConfigureAwait(false);
            if (link.IsStalled(limit))
            {
                link.Abort(new RedisConnectionException(
                    $"No reply from {_options.SafeUrl} for {limit.TotalMilliseconds:0} ms; the connection is presumed dead."));
            }
        }

        return await link.Closed.ConfigureAwait(false);
    }

    private async Task<RedisLink> ConnectAsync(CancellationToken lifetime)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        attempt.CancelAfter(_options.ConnectTimeout);
        RedisLink? link = null;
        try
        {
            link = await RedisLink.ConnectAsync(_options, _pushHandler, attempt.Token).ConfigureAwait(false);
            if (_options.Password is not null)
            {
                RedisArgument[] auth = _options.User is null
                    ? ["AUTH", _options.Password]
                    : ["AUTH", _options.User, _options.Password];
                var reply = await link.SendAsync(auth, attempt.Token).ConfigureAwait(false);
                if (reply.IsError)
                {
                    throw new RedisServerException(reply.ErrorMessage!);
                }
            }

            if (_options.Database != 0)
            {
                var reply = await link.SendAsync(["SELECT", _options.Database], attempt.Token).ConfigureAwait(false);
                if (reply.IsError)
                {
                    throw new RedisServerException(reply.ErrorMessage!);
                }
            }

            if (_onConnected is not null)
            {
                await _onConnected(link, attempt.Token).ConfigureAwait(false);
            }

            return link;
        }
        catch (Exception ex)
        {
            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }

            if (ex is OperationCanceledException && !lifetime.IsCancellationRequested)
            {
                throw new RedisConnectionException(
                    $"Connecting to {_options.SafeUrl} timed out after {_options.ConnectTimeout.TotalMilliseconds:0} ms.", ex);
            }

            throw;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        double min = Math.Max(1, _options.ReconnectMinDelay.TotalMilliseconds);
        double max = Math.Max(min, _options.ReconnectMaxDelay.TotalMilliseconds);
        double ms = Math.Min(max, min * Math.Pow(2, Math.Min(failures - 1, 30)));
        // ±20 % jitter so many clients do not reconnect in lockstep.
        ms *= 0.8 + 0.4 * Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>Lets already-queued commands finish (QUIT is answered after them), then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (IsConnected)
        {
            var quit = new PendingCommand(["QUIT"]);
            if (_queue.Writer.TryWrite(quit))
            {
                _queue.Writer.TryComplete();
                try
                {
                    // The supervisor ends early if the link drops meanwhile (no reconnect after dispose).
                    await Task.WhenAny(quit.Task, _supervisor).WaitAsync(QuitGrace).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Closing anyway.
                }
            }
        }

        _queue.Writer.TryComplete();
        _lifetime.Cancel();
        await _supervisor.ConfigureAwait(false);

        var disposed = new ObjectDisposedException(nameof(RedisClient), $"The Redis client for {_options.SafeUrl} was disposed before the command was sent.");
        while (_queue.Reader.TryRead(out var command))
        {
            command.TrySetException(disposed);
        }

        _lifetime.Dispose();
    }
}
