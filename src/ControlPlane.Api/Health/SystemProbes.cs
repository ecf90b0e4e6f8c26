using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ControlPlane.Api.Health;

/// <summary>Seed 002's health levels: healthy and warning answer 200, unhealthy 503.</summary>
public enum HealthLevel { Healthy, Warning, Unhealthy }

/// <summary>One named check of seed 002's health family, with its figures.</summary>
public sealed record HealthCheck(string Name, HealthLevel Level, object Data, long? ResponseTime = null)
{
    public string Status => Level switch { HealthLevel.Healthy => "healthy", HealthLevel.Warning => "warning", _ => "unhealthy" };
}

/// <summary>
/// What the process and its machine look like right now, read from the runtime and /proc: memory (GC heap, working
/// set, machine total and available), CPU (this process's share since the previous sample, load average) and disk
/// (free space where the process runs). Memory: warning from 85 % used, unhealthy from 95 %; disk: free below 10 % / 5 %;
/// CPU (this process or the load average per core) from 85 %: a warning only.
/// </summary>
public sealed class SystemProbes
{
    private readonly object _gate = new();
    private TimeSpan _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
    private long _lastTicks = Stopwatch.GetTimestamp();

    public static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;

    public static string Version =>
        typeof(SystemProbes).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(SystemProbes).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static long UptimeMs => (long)(DateTimeOffset.UtcNow - StartedAt).TotalMilliseconds;

    public HealthCheck Memory()
    {
        using var p = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        var (total, available) = MachineMemory();
        var usedShare = total > 0 && available >= 0 ? 1 - (double)available / total : 0;
        var level = Level(usedShare, 0.85, 0.95);
        return new HealthCheck("memory", level, new
        {
            processWorkingSetBytes = p.WorkingSet64,
            gcHeapBytes = GC.GetTotalMemory(false),
            gcCommittedBytes = gc.TotalCommittedBytes,
            gcCollections = new { gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2) },
            machineTotalBytes = total,
            machineAvailableBytes = available,
            machineUsedPercent = Math.Round(usedShare * 100, 1),
        });
    }

    public HealthCheck Cpu()
    {
        double share;
        lock (_gate)
        {
            using var p = Process.GetCurrentProcess();
            var cpu = p.TotalProcessorTime;
            var now = Stopwatch.GetTimestamp();
            var wall = Stopwatch.GetElapsedTime(_lastTicks, now);
            share = wall.TotalMilliseconds > 0 ? (cpu - _lastCpu).TotalMilliseconds / wall.TotalMilliseconds / Environment.ProcessorCount : 0;
            _lastCpu = cpu;
            _lastTicks = now;
        }
        var load = LoadAverage();
        var loadShare = load is { } l ? l[0] / Environment.ProcessorCount : 0;
        // A busy CPU slows requests but does not stop them: at most a warning, never a 503 that would take the node out of rotation.
        var level = Math.Max(share, loadShare) >= 0.85 ? HealthLevel.Warning : HealthLevel.Healthy;
        return new HealthCheck("cpu", level, new
        {
            cores = Environment.ProcessorCount,
            processPercent = Math.Round(Math.Clamp(share, 0, 1) * 100, 1),
            loadAverage = load,
        });
    }

    public HealthCheck Disk()
    {
        var drive = new DriveInfo(Path.GetPathRoot(AppContext.BaseDirectory) ?? "/");
        var free = drive.IsReady && drive.TotalSize > 0 ? (double)drive.AvailableFreeSpace / drive.TotalSize : 1;
        return new HealthCheck("disk", Level(1 - free, 0.90, 0.95), new
        {
            path = drive.RootDirectory.FullName,
            totalBytes = drive.IsReady ? drive.TotalSize : 0,
            freeBytes = drive.IsReady ? drive.AvailableFreeSpace : 0,
            freePercent = Math.Round(free * 100, 1),
        });
    }

    public static object Machine() => new
    {
        os = RuntimeInformation.OSDescription,
        architecture = RuntimeInformation.OSArchitecture.ToString(),
        runtime = RuntimeInformation.FrameworkDescription,
        cores = Environment.ProcessorCount,
        hostname = Environment.MachineName,
        machineMemoryBytes = MachineMemory().Total,
        processId = Environment.ProcessId,
    };

    private static HealthLevel Level(double share, double warning, double unhealthy) =>
        share >= unhealthy ? HealthLevel.Unhealthy : share >= warning ? HealthLevel.Warning : HealthLevel.Healthy;

    /// <summary>MemTotal and MemAvailable from /proc/meminfo (bytes); the GC's view where /proc is absent.</summary>
    private static (long Total, long Available) MachineMemory()
    {
        try
        {
            long total = -1, available = -1;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = Kb(line);
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = Kb(line);
            }
            if (total > 0) return (total, available);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, -1);

        static long Kb(string line) =>
            long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb) ? kb * 1024 : -1;
    }

    private static double[]? LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Take(3).Select(p => double.Parse(p, global::System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }
}
