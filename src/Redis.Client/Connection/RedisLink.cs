using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Redis.Client;

/// <summary>
/// One TCP connection: a reader loop that matches replies to commands in FIFO order, and a
/// writer loop that drains the shared command queue. Lives until the socket fails once;
/// reconnecting creates a new link.
/// </summary>
internal sealed class RedisLink : IAsyncDisposable
{
    private const int FlushThreshold = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly ConcurrentQueue<PendingCommand> _inFlight = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<RedisReply, bool>? _pushHandler;
    private readonly RespLimits _limits;
    private readonly string _endpoint;
    private Task _readerLoop = Task.CompletedTask;
    private long _lastReceived = Stopwatch.GetTimestamp();

    private RedisLink(Socket socket, RedisOptions options, Func<RedisReply, bool>? pushHandler)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        _pushHandler = pushHandler;
        _limits = options.Limits;
        _endpoint = options.SafeUrl;
    }

    /// <summary>Completes with the reason once the link is unusable.</summary>
    public Task<Exception> Closed => _closed.Task;

    public bool IsAlive => !_closed.Task.IsCompleted;

    public static async Task<RedisLink> ConnectAsync(RedisOptions options, Func<RedisReply, bool>? pushHandler, CancellationToken ct)
    {
        // Dual-mode socket: resolves host names and accepts IPv4 and IPv6 endpoints.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            TuneKeepAlive(socket);
            await socket.ConnectAsync(options.Host, options.Port, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var link = new RedisLink(socket, options, pushHandler);
        link._readerLoop = link.ReadLoopAsync();
        return link;
    }

    /// <summary>
    /// Probe an idle peer after 30 s, every 5 s, 3 times: a vanished server is noticed in about
    /// 45 s instead of the OS default of 2 hours.
    /// </summary>
    private static void TuneKeepAlive(Socket socket)
    {
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
        }
        catch (Exception ex) when (ex is SocketException or PlatformNotSupportedException)
        {
            // Keep the OS defaults.
        }
    }

    /// <summary>
    /// True when the oldest unanswered command has waited longer than <paramref name="limit"/>
    /// and not a byte arrived in that time: the server or the path to it is gone.
    /// </summary>
    public bool IsStalled(TimeSpan limit)
    {
        if (!_inFlight.TryPeek(out var oldest))
        {
            return false;
        }

        long since = Math.Max(oldest.SentAt, Volatile.Read(ref _lastReceived));
        return Stopwatch.GetElapsedTime(since) > limit;
    }

    /// <summary>Sends one command directly and waits for its reply; only while no writer loop runs (handshake).</summary>
    public async Task<RedisReply> SendAsync(RedisArgument[] parts, CancellationToken ct)
    {
        var command = Send(parts);
        await FlushAsync().ConfigureAwait(false);
        return await WaitAsync(command, ct).ConfigureAwait(false);
    }

    /// <summary>Queues one command on the wire without flushing; only while no writer loop runs.</summary>
    public PendingCommand Send(RedisArgument[] parts)
    {
        var command = new PendingCommand(parts) { SentAt = Stopwatch.GetTimestamp() };
        _inFlight.Enqueue(command);
        RespWriter.WriteCommand(_output, parts);
        return command;
    }

    public async Task FlushAsync()
    {
        var result = await _output.FlushAsync(_cts.Token).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new RedisConnectionException($"Connection to {_endpoint} closed while writing.");
        }
    }

    /// <summary>Waits for a reply, failing early if the link dies.</summary>
    public async Task<RedisReply> WaitAsync(PendingCommand command, CancellationToken ct)
    {
        var finished = await Task.WhenAny(command.Task, _closed.Task).WaitAsync(ct).ConfigureAwait(false);
        if (finished == command.Task || command.Task.IsCompleted)
        {
            return await command.Task.ConfigureAwait(false);
        }

        var reason = await _closed.Task.ConfigureAwait(false);
        throw new RedisConnectionException($"Connection to {_endpoint} closed: {reason.Message}", reason);
    }

    /// <summary>Writes queued commands until the queue completes or the link dies.</summary>
    public async Task RunWriterAsync(ChannelReader<PendingCommand> queue)
    {
        try
        {
            while (await queue.WaitToReadAsync(_cts.Token).ConfigureAwait(false))
            {
                long unflushed = 0;
                while (!_cts.IsCancellationRequested && queue.TryRead(out var command))
                {
                    if (command.IsAbandoned)
                    {
                        continue;
                    }

                    // Enqueue before the bytes leave: the reply may arrive before WriteCommand returns.
                    command.SentAt = Stopwatch.GetTimestamp();
                    _inFlight.Enqueue(command);
                    unflushed += RespWriter.WriteCommand(_output, command.Parts);
                    if (unflushed >= FlushThreshold)
                    {
                        await FlushAsync().ConfigureAwait(false);
                        unflushed = 0;
                    }
                }

                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Abort(ex);
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception reason;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_cts.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
                var buffer = result.Buffer;
                while (true)
                {
                    var status = RespReplyReader.TryRead(ref buffer, out var reply, out var error, _limits);
                    if (status == RespParseStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status == RespParseStatus.ProtocolError)
                    {
                        throw new RedisProtocolException($"Invalid reply from {_endpoint}: {error}");
                    }

                    Dispatch(reply!);
                }

                // Examined everything: do not wake up again until new bytes arrive.
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    reason = buffer.IsEmpty
                        ? new RedisConnectionException($"Connection to {_endpoint} closed by the server.")
                        : new RedisProtocolException($"Connection to {_endpoint} closed in the middle of a reply.");
                    break;
                }

                if (result.IsCanceled)
                {
                    reason = new RedisConnectionException($"Connection to {_endpoint} closed.");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            reason = new RedisConnectionException($"Connection to {_endpoint} closed.");
        }
        catch (Exception ex)
        {
            reason = ex;
        }

        Abort(reason);
        FailInFlight();
    }

    private void Dispatch(RedisReply reply)
    {
        if (_pushHandler is not null && _pushHandler(reply))
        {
            return;
        }

        if (!_inFlight.TryDequeue(out var command))
        {
            throw new RedisProtocolException($"Unexpected reply from {_endpoint} with no command waiting: {reply}");
        }

        command.TrySetResult(reply);
    }

    /// <summary>Marks the link dead and closes the socket so both loops end.</summary>
    public void Abort(Exception reason)
    {
        if (!_closed.TrySetResult(reason))
        {
            return;
        }

        _cts.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
            // Already closed by the peer.
        }

        _socket.Dispose();
    }

    /// <summary>Fails every command sent on this link but not answered.</summary>
    public void FailInFlight()
    {
        if (_inFlight.IsEmpty)
        {
            return;
        }

        var reason = _closed.Task.IsCompleted ? _closed.Task.Result : null;
        var error = new RedisConnectionException(
            $"Connection to {_endpoint} was lost before the reply arrived; the command may or may not have been executed. ({reason?.Message})",
            reason);
        while (_inFlight.TryDequeue(out var command))
        {
            command.TrySetException(error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort(new RedisConnectionException($"Connection to {_endpoint} closed by the client."));
        await _readerLoop.ConfigureAwait(false);
        FailInFlight();
        await _input.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Unflushed bytes can no longer be written to the closed socket.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _cts.Dispose();
    }
}
