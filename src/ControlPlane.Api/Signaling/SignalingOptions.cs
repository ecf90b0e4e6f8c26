using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Signaling;

/// <summary>The /signaling hub and the state it shares between nodes (section "Signaling").</summary>
public sealed class SignalingOptions : IValidatedOptions
{
    /// <summary>This node's name on the bus (SIGNALING_NODE_ID); a random one when empty. Must be unique per running node.</summary>
    public string? NodeId { get; set; }

    /// <summary>Prefix of every Redis key and channel this feature uses (REDIS_KEY_PREFIX), so deployments can share a server.</summary>
    public string RedisKeyPrefix { get; set; } = "omegle:";

    /// <summary>Largest hub message accepted. Above SignalR's 32 KB default so that an oversized field is answered with
    /// an error event instead of a dropped connection; larger messages still close the connection.</summary>
    public int MaxMessageBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Upper bound of an SDP or ICE candidate relayed between peers (characters of its JSON).</summary>
    public int MaxSignalChars { get; set; } = 100_000;

    public IEnumerable<string> Validate()
    {
        if (NodeId is { Length: > 64 }) yield return "SIGNALING_NODE_ID must be at most 64 characters";
        if (NodeId is { Length: > 0 } && NodeId.Any(c => char.IsWhiteSpace(c) || c == '|')) yield return "SIGNALING_NODE_ID must not contain spaces or '|'";
        if (RedisKeyPrefix is null || RedisKeyPrefix.Length > 64) yield return "REDIS_KEY_PREFIX must be at most 64 characters";
        if (MaxMessageBytes is < 64 * 1024 or > 64 * 1024 * 1024) yield return "Signaling:MaxMessageBytes must be between 64 KB and 64 MB";
        if (MaxSignalChars is < 1024 or > 10_000_000) yield return "Signaling:MaxSignalChars must be between 1024 and 10,000,000";
    }
}
