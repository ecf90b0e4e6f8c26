using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Testing.Services;

/// <summary>
/// A real redis-server for tests: loopback only, a free port, a temp dir, no persistence
/// (<c>--save '' --appendonly no</c>). Can be stopped and started again on the same port to
/// test reconnection (data is lost on restart). Killed when the test process exits, and by a
/// watchdog if the test process dies without running its exit handlers.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string ExternalUrlVariable = "TEST_REDIS_URL";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly Lazy<Task<RedisServer>> Shared = new(CreateSharedAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly List<RedisServer> Running = [];

    private readonly string[] _extraArguments;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private bool _disposed;

    static RedisServer()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private RedisServer(string host, int port, string? password, string[] extraArguments, string? externalUrl)
    {
        Host = host;
        Port = port;
        Password = password;
        _extraArguments = extraArguments;
        IsExternal = externalUrl is not null;
        Url = externalUrl ?? $"redis://{host}:{port}";
        DataDirectory = IsExternal ? "" : Directory.CreateTempSubdirectory("redis-test-").FullName;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>redis://127.0.0.1:port (or TEST_REDIS_URL for the shared instance), without the password.</summary>
    public string Url { get; }

    /// <summary>The requirepass of a private server, or null.</summary>
    public string? Password { get; }

    /// <summary>Url with the password in it (redis://:password@127.0.0.1:port), or Url when there is none.</summary>
    public string AuthenticatedUrl =>
        Password is null ? Url : $"redis://:{Uri.EscapeDataString(Password)}@{Host}:{Port}";

    /// <summary>True when the shared instance points at TEST_REDIS_URL; it cannot be stopped.</summary>
    public bool IsExternal { get; }

    public bool IsRunning => IsExternal || _process is { HasExited: false };

    public string DataDirectory { get; }

    public string LogPath => Path.Combine(DataDirectory, "redis.log");

    /// <summary>
    /// The process-wide server shared by all tests (TEST_REDIS_URL if set). Tests using it must
    /// use their own keys and must not stop it, flush it or change its configuration.
    /// </summary>
    public static Task<RedisServer> SharedAsync() => Shared.Value;

    /// <summary>A server of your own (dispose it), e.g. to restart it or to require a password.</summary>
    /// <param name="extraArguments">More redis-server options, e.g. "--enable-debug-command", "local".</param>
    public static async Task<RedisServer> StartPrivateAsync(string? password = null, params string[] extraArguments)
    {
        Exception? last = null;
        // A port found free may be taken before redis binds it: try a few.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var server = new RedisServer("127.0.0.1", FreePort.Tcp(), password, extraArguments, externalUrl: null);
            try
            {
                await server.StartAsync().ConfigureAwait(false);
                return server;
            }
            catch (Exception ex)
            {
                last = ex;
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"Could not start redis-server: {last?.Message}", last);
    }

    /// <summary>Starts (again) on the same port; returns once it answers PING.</summary>
    public async Task StartAsync()
    {
        ThrowIfExternal();
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is { HasExited: false })
            {
                return;
            }

            _process?.Dispose();
            _process = Launch();
            lock (Running)
            {
                Running.Add(this);
            }

            StartWatchdog(_process.Id);
            await WaitUntilReadyAsync(_process).ConfigureAwait(false);
        }
        catch
        {
            KillProcess();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Kills the server (clients see their connections drop); the port stays reserved for StartAsync.</summary>
    public async Task StopAsync()
    {
        ThrowIfExternal();
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var process = _process;
            KillProcess();
            if (process is not null)
            {
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops a private server and deletes its directory; does nothing for the shared one.</summary>
    public async ValueTask DisposeAsync()
    {
        if (IsExternal || (Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully && Shared.Value.Result == this))
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            var process = _process;
            KillProcess();
            if (process is not null)
            {
                await process.WaitForExitAsync().ConfigureAwait(false);
                process.Dispose();
            }

            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override string ToString() => IsExternal ? $"external Redis at {Url}" : $"redis-server on {Url}";

    private static async Task<RedisServer> CreateSharedAsync()
    {
        string? external = Environment.GetEnvironmentVariable(ExternalUrlVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var uri = new Uri(external);
            return new RedisServer(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port, null, [], external);
        }

        return await StartPrivateAsync().ConfigureAwait(false);
    }

    private Process Launch()
    {
        var info = new ProcessStartInfo(FindRedisServer())
        {
            UseShellExecute = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            WorkingDirectory = DataDirectory,
        };
        foreach (var arg in new[]
                 {
                     "--bind", Host, "--port", Port.ToString(), "--save", "", "--appendonly", "no",
                     "--dir", DataDirectory, "--daemonize", "no", "--logfile", LogPath,
                 })
        {
            info.ArgumentList.Add(arg);
        }

        if (Password is not null)
        {
            info.ArgumentList.Add("--requirepass");
            info.ArgumentList.Add(Password);
        }

        foreach (var arg in _extraArguments)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
    }

    private static string FindRedisServer()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            string candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "redis-server not found on PATH. Install it (apt-get update && apt-get install -y redis-server) " +
            $"or point {ExternalUrlVariable} at a running server.");
    }

    /// <summary>Kills redis if the test host disappears without running ProcessExit (e.g. SIGKILL).</summary>
    private static void StartWatchdog(int redisPid)
    {
        int self = Environment.ProcessId;
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(
            $"while kill -0 {self} 2>/dev/null && kill -0 {redisPid} 2>/dev/null; do sleep 1; done; kill -9 {redisPid} 2>/dev/null; exit 0");
        try
        {
            using var _ = Process.Start(info);
        }
        catch (Exception)
        {
            // ProcessExit still covers the normal case.
        }
    }

    private async Task WaitUntilReadyAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"redis-server on port {Port} exited with code {process.ExitCode}: {ReadLogTail()}");
            }

            if (await AnswersPingAsync().ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s: {ReadLogTail()}");
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(Host), Port), timeout.Token).ConfigureAwait(false);
            await socket.SendAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            string reply = Encoding.ASCII.GetString(buffer, 0, n);
            // A password-protected server answers NOAUTH, which proves it is up just as well.
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    private string ReadLogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogPath);
            return string.Join(Environment.NewLine, lines.TakeLast(10));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private void KillProcess()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        lock (Running)
        {
            Running.Remove(this);
        }
    }

    private void ThrowIfExternal()
    {
        if (IsExternal)
        {
            throw new InvalidOperationException($"The shared Redis comes from {ExternalUrlVariable} and cannot be stopped or started.");
        }
    }

    private static void KillAll()
    {
        RedisServer[] servers;
        lock (Running)
        {
            servers = Running.ToArray();
        }

        foreach (var server in servers)
        {
            server.KillProcess();
        }
    }
}
