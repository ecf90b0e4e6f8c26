using System.Globalization;

namespace Media.Sfu.Load.Driver;

/// <summary>CPU time and resident memory of a process, and per-socket UDP drop counters, from /proc.</summary>
public static class ProcStat
{
    private const double ClockTicksPerSecond = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64 and arm64

    /// <summary>utime + stime of every thread of <paramref name="pid"/>, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may contain spaces; fields after the closing parenthesis are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
    }

    /// <summary>This process's nice value (field 19 of /proc/self/stat); children inherit it.</summary>
    public static int Nice()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// With sched_autogroup (Debian's default) the kernel first shares the CPU fairly between sessions, and a thread's
    /// nice value only counts inside its session. This sets the nice value of <paramref name="pid"/>'s session group
    /// (negative needs CAP_SYS_NICE); false where autogroups do not exist.
    /// </summary>
    public static bool SetAutogroupNice(int pid, int nice)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/autogroup", nice.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The 1-minute load average (/proc/loadavg): runnable tasks competing for the cores.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    /// <summary>Drops per local UDP port (IPv4 sockets): the last column of /proc/net/udp — datagrams the kernel discarded for a full receive queue.</summary>
    public static Dictionary<int, long> UdpDropsByPort()
    {
        var drops = new Dictionary<int, long>();
        foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 13) continue;
            var local = f[1];
            var port = int.Parse(local[(local.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            drops[port] = drops.GetValueOrDefault(port) + long.Parse(f[^1], CultureInfo.InvariantCulture);
        }
        return drops;
    }

    public static long SumDrops(Dictionary<int, long> before, Dictionary<int, long> after, Func<int, bool> portFilter)
    {
        long sum = 0;
        foreach (var (port, d) in after)
            if (portFilter(port)) sum += d - before.GetValueOrDefault(port);
        return sum;
    }
}
