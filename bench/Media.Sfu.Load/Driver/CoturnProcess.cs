using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Media.Sfu.Load.Driver;

/// <summary>
/// A real coturn for the reference, started with scripts/local-services.sh (what run.sh and the tests use, i.e.
/// deploy/coturn/start.sh with TURN_ALLOW_LOOPBACK=1) in a private folder; relay ports from a range wide enough
/// for every allocation of the largest sweep step.
/// </summary>
public sealed class CoturnProcess : IAsyncDisposable
{
    private readonly string _script, _dir;

    private CoturnProcess(string script, string dir, int port, string secret, int pid, int minPort, int maxPort)
    {
        _script = script; _dir = dir; Port = port; Secret = secret; Pid = pid; MinRelayPort = minPort; MaxRelayPort = maxPort;
    }

    public int Port { get; }
    public string Secret { get; }
    public int Pid { get; }
    public int MinRelayPort { get; }
    public int MaxRelayPort { get; }
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public static async Task<CoturnProcess> StartAsync(string repoRoot, int allocations)
    {
        var script = Path.Combine(repoRoot, "scripts", "local-services.sh");
        var dir = Path.Combine(Path.GetTempPath(), $"omegle-bench-turn-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var port = FreeTcpPort();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var minPort = 50000;
        var maxPort = minPort + Math.Max(200, allocations * 3);
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "coturn", dir, port.ToString(), secret }) psi.ArgumentList.Add(a);
        psi.Environment["TURN_ALLOW_LOOPBACK"] = "1";
        psi.Environment["TURN_MIN_PORT"] = minPort.ToString();
        psi.Environment["TURN_MAX_PORT"] = maxPort.ToString();
        psi.Environment["TURN_USER_QUOTA"] = "4";
        psi.Environment["TURN_TOTAL_QUOTA"] = Math.Max(2000, allocations * 2).ToString();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException("coturn did not start: " + await err);
        var pidFile = Path.Combine(dir, "coturn", "turnserver.pid");
        for (var i = 0; i < 50 && !File.Exists(pidFile); i++) await Task.Delay(100);
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
        if (ProcStat.Nice() < 0) ProcStat.SetAutogroupNice(pid, ProcStat.Nice()); // coturn runs in a session of its own
        return new CoturnProcess(script, dir, port, secret, pid, minPort, maxPort);
    }

    private static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public string LogTail(int lines = 20)
    {
        var log = Path.Combine(_dir, "coturn", "coturn.log");
        return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(lines)) : "";
    }

    public async ValueTask DisposeAsync()
    {
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { _script, "stop", _dir }) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!) await p.WaitForExitAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
