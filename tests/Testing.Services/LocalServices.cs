using System.Diagnostics;

namespace Testing.Services;

/// <summary>
/// Runs scripts/local-services.sh — the same script run.sh uses — to start real servers on loopback in a
/// private folder, and stops them when the test process exits.
/// </summary>
public sealed class LocalServices : IAsyncDisposable
{
    private const string Prefix = "omegle-tests-";
    private static readonly string Script = Path.Combine(RepoRoot.Path, "scripts", "local-services.sh");
    private static readonly Lazy<int> Swept = new(SweepAbandoned);
    private int _stopped;

    public string Directory { get; }

    public LocalServices(string name)
    {
        // Short: PostgreSQL puts its Unix socket here and socket paths are limited to 107 bytes.
        _ = Swept.Value;
        Directory = Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{name}-{Guid.NewGuid().ToString("N")[..8]}");
        System.IO.Directory.CreateDirectory(Directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>Runs a subcommand and returns its last output line (the service URL).</summary>
    public async Task<string> StartAsync(string service, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add(service);
        psi.ArgumentList.Add(Directory);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PG_FAST"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(cts.Token);
        if (p.ExitCode != 0) throw new InvalidOperationException($"local-services.sh {service} failed ({p.ExitCode}): {await stderr}");
        return (await stdout).Trim().Split('\n')[^1].Trim();
    }

    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        StopAndDelete(Directory);
    }

    private static void StopAndDelete(string directory)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("bash", new[] { Script, "stop", directory }) { UseShellExecute = false, RedirectStandardError = true });
            p?.WaitForExit(20_000);
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception) { /* best effort */ }
    }

    /// <summary>
    /// Stops and deletes the folders of test processes that are gone. Deleting at process exit is best effort: a test
    /// host that is killed, or ends before a PostgreSQL data folder (~0.5 GB) is deleted, leaves it behind, and runs
    /// on one machine add up until the disk is full. Folders of live processes (parallel test assemblies) are kept.
    /// </summary>
    private static int SweepAbandoned()
    {
        var swept = 0;
        foreach (var dir in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var name = Path.GetFileName(dir).AsSpan(Prefix.Length);
            var dash = name.IndexOf('-');
            if (dash <= 0 || !int.TryParse(name[..dash], out var pid) || pid == Environment.ProcessId || IsRunning(pid)) continue;
            StopAndDelete(dir);
            swept++;
        }
        return swept;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public ValueTask DisposeAsync() { Stop(); return ValueTask.CompletedTask; }
}
