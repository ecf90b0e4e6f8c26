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

    /// <summary>The fuller of the two limits, 0 (idle) to 1 (full).</summary>
    public double Load => Math.Max(
        MaxRooms > 0 ? (double)Rooms / MaxRooms : 1,
        MaxTransports > 0 ? (double)Transports / MaxTransports : 1);

    public bool IsFull => Rooms >= MaxRooms || Transports + TransportsPerCall > MaxTransports;

    public IEnumerable<KeyValuePair<string, string>> ToFields() =>
    [
        new("id", NodeId), new("url", Url),
        new("maxRooms", Int(MaxRooms)), new("maxTransports", Int(MaxTransports)),
        new("rooms", Int(Rooms)), new("transports", Int(Transports)), new("sessions", Int(Sessions)),
        new("packetsPerSecond", PacketsPerSecond.ToString("0.#", CultureInfo.InvariantCulture)),
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
        var pps = f.TryGetValue("packetsPerSecond", out var p) && double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
        record = new SfuNodeRecord(id, url, maxRooms, maxTransports, rooms, transports, sessions, pps,
            DateTimeOffset.FromUnixTimeMilliseconds(updated), DateTimeOffset.FromUnixTimeMilliseconds(started));
        return true;
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static bool TryInt(IReadOnlyDictionary<string, string> f, string name, out int value)
    {
        value = 0;
        return f.TryGetValue(name, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= 0;
    }

    private static bool TryLong(IReadOnlyDictionary<string, string> f, string name, out long value)
    {
        value = 0;
        return f.TryGetValue(name, out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}
