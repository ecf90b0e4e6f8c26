using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Calls.Media;

/// <summary>How the control plane finds and talks to standalone SFU nodes (section "SfuNodes"; needs REDIS_URL).</summary>
public sealed class MediaNodeOptions : IValidatedOptions
{
    /// <summary>SFU_NODE_SECRET: signs the service tokens the nodes accept; JWT_SECRET when unset. The nodes need the same value.</summary>
    public string? Secret { get; set; }

    /// <summary>True when <see cref="Secret"/> is JWT_SECRET (SFU_NODE_SECRET unset): the auth options validate it then.</summary>
    public bool SecretIsJwtSecret { get; set; }

    /// <summary>SFU_NODE_STALE_MS: a node whose last heartbeat is older than this is left out of placement.</summary>
    public int StaleAfterMs { get; set; } = 3000;

    /// <summary>SFU_NODE_REQUEST_TIMEOUT_MS: how long one request to a node may take before the node counts as failed.</summary>
    public int RequestTimeoutMs { get; set; } = 5000;

    /// <summary>
    /// SFU_NODE_LOSS_SWEEP_MS: how often the control plane looks for nodes that died with calls on them (no heartbeat
    /// for longer than <see cref="StaleAfterMs"/> plus one such interval); their calls then end for both sides.
    /// </summary>
    public int LossSweepMs { get; set; } = 2000;

    public IEnumerable<string> Validate()
    {
        if (!SecretIsJwtSecret) // JWT_SECRET is validated with the auth options
        {
            if (string.IsNullOrEmpty(Secret)) yield return "SFU_NODE_SECRET (or JWT_SECRET) is required";
            else if (System.Text.Encoding.UTF8.GetByteCount(Secret) < 32) yield return "SFU_NODE_SECRET must be at least 32 bytes";
        }
        if (StaleAfterMs is < 200 or > 60_000) yield return "SFU_NODE_STALE_MS must be 200–60000";
        if (RequestTimeoutMs is < 100 or > 60_000) yield return "SFU_NODE_REQUEST_TIMEOUT_MS must be 100–60000";
        if (LossSweepMs is < 100 or > 60_000) yield return "SFU_NODE_LOSS_SWEEP_MS must be 100–60000";
    }
}
