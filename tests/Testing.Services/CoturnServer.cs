using System.Diagnostics;

namespace Testing.Services;

/// <summary>A real coturn started from deploy/coturn (the same script production uses), on loopback.</summary>
public sealed class CoturnServer : IAsyncDisposable
{
    private readonly LocalServices _services;

    public int Port { get; }
    public string Secret { get; }
    public string Url => $"turn:127.0.0.1:{Port}";

    private CoturnServer(LocalServices services, int port, string secret) { _services = services; Port = port; Secret = secret; }

    public static async Task<CoturnServer> StartAsync(string? secret = null)
    {
        secret ??= "test-" + Guid.NewGuid().ToString("N");
        var services = new LocalServices("turn");
        var port = FreePort.Tcp();
        await services.StartAsync("coturn", port.ToString(), secret);
        return new CoturnServer(services, port, secret);
    }

    /// <summary>Allocates a relay with turnutils_uclient (a real TURN client); returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> AllocateWithUclientAsync(string username, string password)
    {
        var psi = new ProcessStartInfo("turnutils_uclient",
            new[] { "-p", Port.ToString(), "-u", username, "-w", password, "-y", "-n", "5", "-m", "1", "-L", "127.0.0.1", "127.0.0.1" })
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); throw new TimeoutException("turnutils_uclient did not finish in 30 s"); }
        return (p.ExitCode, await outTask + await errTask);
    }

    public string Log => File.Exists(Path.Combine(_services.Directory, "coturn", "coturn.log"))
        ? File.ReadAllText(Path.Combine(_services.Directory, "coturn", "coturn.log")) : "";

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
