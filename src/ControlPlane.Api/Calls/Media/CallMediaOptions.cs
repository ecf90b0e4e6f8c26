using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Calls.Media;

/// <summary>How matched audio and video calls carry their media (section "CallMedia").</summary>
public sealed class CallMediaOptions : IValidatedOptions
{
    /// <summary>
    /// CALL_MEDIA_MODE: "sfu" (default) sends both sides' media through an SFU node, so peers never learn each
    /// other's addresses; "p2p" relays offers, answers and candidates between the peers as seed 000 describes.
    /// </summary>
    public string Mode { get; set; } = "sfu";

    /// <summary>
    /// CALL_MEDIA_P2P_FALLBACK: when no SFU node can take a call, connect the peers directly instead of failing
    /// the match. Off by default: a direct connection reveals each peer's IP address to the other.
    /// </summary>
    public bool P2pFallback { get; set; }

    public bool UsesSfu => string.Equals(Mode, "sfu", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!UsesSfu && !string.Equals(Mode, "p2p", StringComparison.OrdinalIgnoreCase))
            yield return $"CALL_MEDIA_MODE must be sfu or p2p, not '{Mode}'";
    }
}
