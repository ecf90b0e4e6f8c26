using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Redis.Client.Tests;

/// <summary>
/// A scripted TCP server on loopback that breaks the protocol in ways a real redis-server does
/// not: the client must fail the affected commands clearly, drop the connection and reconnect.
/// </summary>
public class MisbehavingServerTests
{
    /// <summary>Runs <c>script(connectionIndex, stream)</c> for each accepted connection.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _connections;

        public ScriptedServer(Func<int, NetworkStream, CancellationToken, Task> script)
        {
            _listener.Start();
            _accepting = Task.Run(async () =>
            {
                var sessions = new List<Task>();
                try
                {
                    while (true)
                    {
                        var socket = await _listener.AcceptSocketAsync(_stop.Token);
                        int index = Interlocked.Increment(ref _connections) - 1;
                        sessions.Add(Task.Run(async () =>
                        {
                            await using var stream = new NetworkStream(socket, ownsSocket: true);
                            try
                            {
                                await script(index, stream, _stop.Token);
                            }
                            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
                            {
                            }
                        }));
                    }
                }
                catch (OperationCanceledException)
                {
                }

                await Task.WhenAll(sessions);
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _accepting;
        }
    }

    /// <summary>Reads one client command (an array of bulk strings) off the stream.</summary>
    private static async Task<string[]?> ReadCommand(NetworkStream stream, List<byte> pending, CancellationToken ct)
    {
        var chunk = new byte[4096];
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            if (RespReplyReader.TryRead(ref buffer, out var command, out _) == RespParseStatus.Complete)
            {
                pending.RemoveRange(0, pending.Count - (int)buffer.Length);
                return command!.AsStringArray()!;
            }

            int n = await stream.ReadAsync(chunk, ct);
            if (n == 0)
            {
                return null;
            }

            pending.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    }

    private static Task Send(NetworkStream stream, string wire, CancellationToken ct) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(wire), ct).AsTask();

    /// <summary>Behaves like Redis for PING/ECHO from the second connection on.</summary>
    private static async Task Echo(NetworkStream stream, CancellationToken ct)
    {
        var pending = new List<byte>();
        while (await ReadCommand(stream, pending, ct) is { } command)
        {
            string reply = command[0] == "PING" ? "PONG" : command.Length > 1 ? command[1] : "";
            await Send(stream, $"${Encoding.UTF8.GetByteCount(reply)}\r\n{reply}\r\n", ct);
        }
    }

    private static RedisOptions Options(int port) => new()
    {
        Port = port,
        CommandTimeout = TimeSpan.FromSeconds(10),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
    };

    [Theory(Timeout = 30_000)]
    [InlineData("!garbage\r\n", "Unexpected RESP type byte")]
    [InlineData(":12x\r\n", "non-digit")]
    [InlineData("$600000000\r\n", "exceeds the limit")]
    [InlineData("*1\r\n*1\r\n$3\r\nabcd\r\n", "not followed by CRLF")]
    public async Task MalformedReplyFailsTheCommandAndTheClientReconnects(string badReply, string expected)
    {
        await using var server = new ScriptedServer(async (index, stream, ct) =>
        {
            if (index == 0)
            {
                await ReadCommand(stream, [], ct);
                await Send(stream, badReply, ct);
                await Task.Delay(Timeout.Infinite, ct); // the client must hang up, not wait
            }
            else
            {
                await Echo(stream, ct);
            }
        });
        await using var client = await RedisClient.ConnectAsync(Options(server.Port));

        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync("ECHO", "x"));
        var protocol = Assert.IsType<RedisProtocolException>(ex.InnerException);
        Assert.Contains(expected, protocol.Message);

        Assert.Equal("again", (await client.ExecuteAsync("ECHO", "again")).AsString());
        Assert.Equal(2, server.Connections);
    }

    [Fact(Timeout = 30_000)]
    public async Task UnsolicitedReplyIsAProtocolError()
    {
        await using var server = new ScriptedServer(async (index, stream, ct) =>
        {
            if (index == 0)
            {
                var pending = new List<byte>();
                await ReadCommand(stream, pending, ct);
                // Two replies to one command.
                await Send(stream, "$1\r\na\r\n$1\r\nb\r\n", ct);
                await Task.Delay(Timeout.Infinite, ct);
            }
            else
            {
                await Echo(stream, ct);
            }
        });
        await using var client = await RedisClient.ConnectAsync(Options(server.Port));
        Assert.Equal("a", (await client.ExecuteAsync("ECHO", "a")).AsString());
        // The stray "b" kills that connection; the next command runs on a new one.
        var deadline = Stopwatch.StartNew();
        while (server.Connections < 2)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10));
            await Task.Delay(20);
        }

        Assert.Equal("c", (await client.ExecuteAsync("ECHO", "c")).AsString());
    }

    [Fact(Timeout = 30_000)]
    public async Task ConnectionClosedMidReplyFailsInFlightCommands()
    {
        await using var server = new ScriptedServer(async (index, stream, ct) =>
        {
            if (index == 0)
            {
                await ReadCommand(stream, [], ct);
                await Send(stream, "$10\r\nhalf", ct);
                stream.Socket.Shutdown(SocketShutdown.Both);
            }
            else
            {
                await Echo(stream, ct);
            }
        });
        await using var client = await RedisClient.ConnectAsync(Options(server.Port));
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync("ECHO", "x"));
        Assert.Contains("may or may not have been executed", ex.Message);
        Assert.Contains("in the middle of a reply", ex.InnerException!.Message);
        Assert.Equal("ok", (await client.ExecuteAsync("ECHO", "ok")).AsString());
    }

    [Fact(Timeout = 30_000)]
    public async Task SilentServerIsDetectedAsStalledAndReplaced()
    {
        await using var server = new ScriptedServer(async (index, stream, ct) =>
        {
            if (index == 0)
            {
                // Accepts and reads, never answers: like a half-open connection.
                var sink = new byte[4096];
                while (await stream.ReadAsync(sink, ct) > 0)
                {
                }
            }
            else
            {
                await Echo(stream, ct);
            }
        });
        var options = Options(server.Port);
        options.StalledConnectionTimeout = TimeSpan.FromMilliseconds(300);
        await using var client = await RedisClient.ConnectAsync(options);

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync("ECHO", "x"));
        Assert.InRange(clock.ElapsedMilliseconds, 250, 5_000);
        Assert.Contains("presumed dead", ex.InnerException!.Message);
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
    }

    [Fact(Timeout = 30_000)]
    public async Task FailedHandshakeIsRetriedInTheBackground()
    {
        // The first connection refuses AUTH; later ones accept it.
        await using var server = new ScriptedServer(async (index, stream, ct) =>
        {
            var pending = new List<byte>();
            var auth = await ReadCommand(stream, pending, ct);
            Assert.Equal(["AUTH", "pw"], auth!);
            if (index == 0)
            {
                await Send(stream, "-ERR not ready\r\n", ct);
                return;
            }

            await Send(stream, "+OK\r\n", ct);
            await Echo(stream, ct);
        });
        var options = Options(server.Port);
        options.Password = "pw";

        var first = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync(options));
        Assert.Contains("ERR not ready", first.Message);

        await using var background = new RedisClient(options);
        Assert.Equal("hi", (await background.ExecuteAsync("ECHO", "hi")).AsString());
    }
}
