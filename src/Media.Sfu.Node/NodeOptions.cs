using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Media.Sfu.Node;

/// <summary>A standalone SFU node's own settings (section "Node"); the media settings are <c>SfuOptions</c> (section "Sfu").</summary>
public sealed partial class NodeOptions
{
    /// <summary>SFU_NODE_ID: the node's name in placement and call records; unique per running node. Default: random.</summary>
    public string Id { get; set; } = "";

    /// <summary>SFU_NODE_HOST / SFU_NODE_PORT: where the HTTP API listens.</summary>
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 4000;

    /// <summary>SFU_NODE_URL: how the control plane reaches the HTTP API; default http://{Host}:{Port}.</summary>
    public string? Url { get; set; }

    /// <summary>SFU_NODE_MAX_ROOMS: calls this node takes before it answers 503 SFU_AT_CAPACITY (with SFU_MAX_TRANSPORTS).</summary>
    public int MaxRooms { get; set; } = 1000;

    /// <summary>REDIS_URL: where the node registers itself and reports lost participants.</summary>
    public string? RedisUrl { get; set; }

    /// <summary>REDIS_KEY_PREFIX: the deployment's key prefix, the same as the control plane's.</summary>
    public string RedisKeyPrefix { get; set; } = "omegle:";

    /// <summary>SFU_NODE_SECRET (else JWT_SECRET): the secret the control plane's service tokens are signed with.</summary>
    public string? Secret { get; set; }

    /// <summary>SFU_NODE_HEARTBEAT_MS: how often the node rewrites its record.</summary>
    public int HeartbeatMs { get; set; } = 1000;

    /// <summary>SFU_NODE_RECORD_TTL_MS: how long a record outlives its last heartbeat (a killed node drops out after this).</summary>
    public int RecordTtlMs { get; set; } = 3000;

    /// <summary>JWT_SECRET and JWT_ISSUER: when set, the WHIP API is served too, to bearers of device access tokens.</summary>
    public string? AccessTokenSecret { get; set; }
    public string AccessTokenIssuer { get; set; } = "omegle.media";

    public string PublicUrl => string.IsNullOrWhiteSpace(Url) ? $"http://{HostForUrl}:{Port}" : Url.TrimEnd('/');
    private string HostForUrl => Host.Contains(':') ? $"[{Host}]" : Host;
    public string ListenUrl => $"http://{HostForUrl}:{Port}";
    public bool ServesWhip => !string.IsNullOrEmpty(AccessTokenSecret);

    public IEnumerable<string> Validate()
    {
        if (!IdPattern().IsMatch(Id)) yield return $"SFU_NODE_ID '{Id}' must be 1–64 letters, digits, '.', '_' or '-'";
        else if (Id == "local") yield return "SFU_NODE_ID 'local' is the control plane's in-process SFU";
        if (!IPAddress.TryParse(Host, out var host)) yield return $"SFU_NODE_HOST '{Host}' is not an IP address";
        if (Port is < 1 or > 65535) yield return $"SFU_NODE_PORT {Port} is not a port";
        if (string.IsNullOrWhiteSpace(Url) && host is not null && (host.Equals(IPAddress.Any) || host.Equals(IPAddress.IPv6Any)))
            yield return "SFU_NODE_URL is required when SFU_NODE_HOST listens on every interface";
        if (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/")
            yield return $"SFU_NODE_URL '{Url}' must be an http(s) URL without a path";
        if (MaxRooms < 1) yield return "SFU_NODE_MAX_ROOMS must be positive";
        if (string.IsNullOrWhiteSpace(RedisUrl)) yield return "REDIS_URL is required: nodes register themselves there";
        else if (!Uri.TryCreate(RedisUrl, UriKind.Absolute, out var r) || r.Scheme is not ("redis" or "rediss") || r.Host.Length == 0)
            yield return "REDIS_URL must look like redis://host:6379";
        if (string.IsNullOrEmpty(Secret)) yield return "SFU_NODE_SECRET (or JWT_SECRET) is required";
        else if (Encoding.UTF8.GetByteCount(Secret) < 32) yield return "SFU_NODE_SECRET must be at least 32 bytes";
        if (HeartbeatMs is < 100 or > 10_000) yield return "SFU_NODE_HEARTBEAT_MS must be 100–10000";
        if (RecordTtlMs < 2 * HeartbeatMs || RecordTtlMs > 60_000) yield return "SFU_NODE_RECORD_TTL_MS must be at least twice the heartbeat and at most 60000";
        if (AccessTokenSecret is { Length: > 0 } s && Encoding.UTF8.GetByteCount(s) < 32) yield return "JWT_SECRET must be at least 32 bytes";
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();
}

/// <summary>Environment variable names → configuration keys, as the control plane's SeedEnvironment does it.</summary>
public static class NodeEnvironment
{
    public static readonly (string Env, string Key)[] Names = new (string Env, string Key)[]
    {
        ("SFU_NODE_ID", "Node:Id"),
        ("SFU_NODE_HOST", "Node:Host"),
        ("SFU_NODE_PORT", "Node:Port"),
        ("SFU_NODE_URL", "Node:Url"),
        ("SFU_NODE_MAX_ROOMS", "Node:MaxRooms"),
        ("SFU_NODE_SECRET", "Node:Secret"),
        ("SFU_NODE_HEARTBEAT_MS", "Node:HeartbeatMs"),
        ("SFU_NODE_RECORD_TTL_MS", "Node:RecordTtlMs"),
        ("REDIS_URL", "Node:RedisUrl"),
        ("REDIS_KEY_PREFIX", "Node:RedisKeyPrefix"),
        ("JWT_SECRET", "Node:AccessTokenSecret"),
        ("JWT_ISSUER", "Node:AccessTokenIssuer"),
        ("LOG_LEVEL", "Logging:Level"),
    }.Concat(Media.Sfu.Hosting.SfuOptions.EnvironmentNames).ToArray();

    public static Dictionary<string, string?> Read(Func<string, string?> env)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (name, key) in Names)
            if (env(name) is { Length: > 0 } v) values[key] = v;
        return values;
    }
}
