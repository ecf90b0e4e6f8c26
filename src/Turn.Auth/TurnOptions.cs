namespace Turn.Auth;

/// <summary>How time-limited TURN credentials are minted (TURN REST API scheme, draft-uberti-behave-turn-rest-00).</summary>
public sealed class TurnOptions
{
    /// <summary>Shared secrets, newest first. Credentials are signed with the first; coturn lists all of them
    /// (static-auth-secret may repeat), so rotating means prepending a new one and later dropping the oldest.</summary>
    public List<string> Secrets { get; set; } = new();

    /// <summary>Lifetime of issued credentials in seconds (seed 000: 24 h).</summary>
    public int TtlSeconds { get; set; } = 86400;

    /// <summary>URLs handed to clients, e.g. turn:host:3478 and turn:host:3478?transport=tcp.</summary>
    public List<string> Urls { get; set; } = new();

    /// <summary>Realm configured on coturn; informational for clients and the deployment template.</summary>
    public string Realm { get; set; } = "omegle.media";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Secrets.Count == 0) errors.Add("at least one TURN secret is required");
        for (var i = 0; i < Secrets.Count; i++)
            if (string.IsNullOrWhiteSpace(Secrets[i]) || Secrets[i].Length < 16)
                errors.Add($"TURN secret #{i + 1} must be at least 16 characters");
        if (TtlSeconds is < 60 or > 7 * 86400) errors.Add("TURN credential TTL must be between 60 s and 7 days");
        if (Urls.Count == 0) errors.Add("at least one TURN URL is required");
        foreach (var url in Urls)
            if (!TurnUrl.IsValid(url)) errors.Add($"'{url}' is not a turn:/turns:/stun: URL (RFC 7065)");
        return errors;
    }

    /// <summary>Builds the URL list for one server: UDP and TCP always, TLS when a TLS port is given.</summary>
    public static List<string> UrlsFor(string host, int port, int? tlsPort = null)
    {
        var h = host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
        var urls = new List<string> { $"turn:{h}:{port}?transport=udp", $"turn:{h}:{port}?transport=tcp" };
        if (tlsPort is { } tls) urls.Add($"turns:{h}:{tls}?transport=tcp");
        return urls;
    }
}

public static class TurnUrl
{
    /// <summary>RFC 7065 turnURI / RFC 7064 stunURI, loosely: scheme, host, optional port and transport.</summary>
    public static bool IsValid(string url) => TryParse(url, out _, out _);

    /// <summary>Splits a turn:/turns:/stun:/stuns: URL into its host (without brackets) and port (3478 when absent).</summary>
    public static bool TryParse(string url, out string host, out int port)
    {
        host = "";
        port = 3478;
        if (string.IsNullOrWhiteSpace(url)) return false;
        var colon = url.IndexOf(':');
        if (colon <= 0) return false;
        var scheme = url[..colon];
        if (scheme is not ("turn" or "turns" or "stun" or "stuns")) return false;
        var rest = url[(colon + 1)..];
        var q = rest.IndexOf('?');
        if (q >= 0)
        {
            var query = rest[(q + 1)..];
            if (query is not ("transport=udp" or "transport=tcp")) return false;
            rest = rest[..q];
        }
        if (rest.Length == 0 || rest.Contains('/') || rest.Contains('@')) return false;
        host = rest;
        if (rest.StartsWith('['))
        {
            var end = rest.IndexOf(']');
            if (end < 0) return false;
            host = rest[1..end];
            var after = rest[(end + 1)..];
            if (after.Length > 0 && (!after.StartsWith(':') || !IsPort(after[1..], out port))) return false;
        }
        else
        {
            var pc = rest.LastIndexOf(':');
            if (pc >= 0)
            {
                if (!IsPort(rest[(pc + 1)..], out port)) return false;
                host = rest[..pc];
            }
        }
        return host.Length > 0 && !host.Contains(' ');
    }

    private static bool IsPort(string s, out int port) => int.TryParse(s, out port) && port is > 0 and < 65536;
}
