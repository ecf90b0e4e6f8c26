using System.Globalization;

namespace Media.Sfu.Cluster;

/// <summary>
/// What an SFU node says about itself in Redis, rewritten every heartbeat: where the control plane reaches it,
/// how much it may carry and how much it carries now. <see cref="UpdatedAt"/> is the node's clock at the write.
/// </summary>
public sealed record SfuNodeRecord(
    string NodeId, string Url, int MaxRooms, int MaxTransports,
    int Rooms, int Transports, int Sessions, double PacketsPerSecond,
    DateTimeOffset UpdatedAt, DateTimeOffset StartedAt)
{
    /// <summary>Transports a 1:1 call needs; a node that cannot add them is full.</summary>
    public const int TransportsPerCall = 2;

    /// <summary>RTP streams the node carries (producers + consumers; a 1:1 audio+video call is 8).</summary>
    public int Streams { get; init; }

    /// <summary>The node's stream limit (SFU_MAX_STREAMS); 0 when it has none.</summary>
    public int MaxStreams { get; init; }

    /// <summary>The node process's CPU as a percentage of all its cores, averaged over its last 5 s.</summary>
    public double CpuPercent { get; init; }

    /// <summary>The CPU level above which the node refuses new calls (SFU_MAX_CPU_PERCENT); 0 when it has none.</summary>
    public int MaxCpuPercent { get; init; }

    /// <summary>RTP packets the node forwards per second (what it sends; <see cref="PacketsPerSecond"/> is what it receives).</summary>
    public double PacketsOutPerSecond { get; init; }

    /// <summary>
    /// The fullest of the node's limits, 0 (idle) to 1 (full): rooms and transports always, streams and CPU where the
    /// node has such a limit. CPU without a limit is reported but does not rank nodes: a few percent of noise between
    /// idle nodes would otherwise decide placement instead of the calls they carry.
    /// </summary>
    public double Load => Math.Max(
        Math.Max(MaxRooms > 0 ? (double)Rooms / MaxRooms : 1, MaxTransports > 0 ? (double)Transports / MaxTransports : 1),
        Math.Max(MaxStreams > 0 ? (double)Streams / MaxStreams : 0, MaxCpuPercent > 0 ? CpuPercent / MaxCpuPercent : 0));

    /// <summary>True when the node would refuse a new call (it remains the judge: a 503 moves the call on).</summary>
    public bool IsFull => Rooms >= MaxRooms || Transports + TransportsPerCall > MaxTransports
        || (MaxStreams > 0 && Streams >= MaxStreams) || (MaxCpuPercent > 0 && CpuPercent >= MaxCpuPercent);

    public IEnumerable<KeyValuePair<string, string>> ToFields() =>
    [
        new("id", NodeId), new("url", Url),
        new("maxRooms", Int(MaxRooms)), new("maxTransports", Int(MaxTransports)),
        new("rooms", Int(Rooms)), new("transports", Int(Transports)), new("sessions", Int(Sessions)),
        new("packetsPerSecond", Real(PacketsPerSecond)), new("packetsOutPerSecond", Real(PacketsOutPerSecond)),
        new("streams", Int(Streams)), new("maxStreams", Int(MaxStreams)),
        new("cpuPercent", Real(CpuPercent)), new("maxCpuPercent", Int(MaxCpuPercent)),
        new("updatedAt", UpdatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
        new("startedAt", StartedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>Reads a record written by <see cref="ToFields"/>; false for a partial or foreign hash.</summary>
    public static bool TryParse(IReadOnlyDictionary<string, string> f, out SfuNodeRecord? record)
    {
        record = null;
        if (!f.TryGetValue("id", out var id) || id.Length == 0 || !f.TryGetValue("url", out var url)
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !TryInt(f, "maxRooms", out var maxRooms) || !TryInt(f, "maxTransports", out var maxTransports)
            || !TryInt(f, "rooms", out var rooms) || !TryInt(f, "transports", out var transports)
            || !TryLong(f, "updatedAt", out var updated))
            return false;
        TryInt(f, "sessions", out var sessions);
        TryLong(f, "startedAt", out var started);
        // Fields added later are optional, so records of nodes still running an older version stay readable.
        TryInt(f, "streams", out var streams);
        TryInt(f, "maxStreams", out var maxStreams);
        TryInt(f, "maxCpuPercent", out var maxCpu);
        record = new SfuNodeRecord(id, url, maxRooms, maxTransports, rooms, transports, sessions, TryReal(f, "packetsPerSecond"),
            DateTimeOffset.FromUnixTimeMilliseconds(updated), DateTimeOffset.FromUnixTimeMilliseconds(started))
        {
            Streams = streams, MaxStreams = maxStreams, CpuPercent = TryReal(f, "cpuPercent"), MaxCpuPercent = Math.Min(maxCpu, 100),
            PacketsOutPerSecond = TryReal(f, "packetsOutPerSecond"),
        };
        return true;
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Real(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A finite, non-negative number, or 0.</summary>
    private static double TryReal(IReadOnlyDictionary<string, string> f, string name) =>
        f.TryGetValue(name, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            && double.IsFinite(v) && v >= 0 ? v : 0;

    private static bool TryInt(IReadOnlyDictionary<string, string> f, string name, out int value)
    {
        if (f.TryGetValue(name, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= 0) return true;
        value = 0;
        return false;
    }

    private static bool TryLong(IReadOnlyDictionary<string, string> f, string name, out long value)
    {
        value = 0;
        return f.TryGetValue(name, out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}
