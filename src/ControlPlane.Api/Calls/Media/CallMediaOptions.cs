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

    /// <summary>CALL_AUDIO_CAP_KBPS: the Opus cap of a voice call (seed 004: 32–64 kbps); a client's own maxBitrate may only lower it.</summary>
    public int AudioCallAudioCapKbps { get; set; } = 64;

    /// <summary>CALL_VIDEO_AUDIO_CAP_KBPS: the Opus cap inside a video call.</summary>
    public int VideoCallAudioCapKbps { get; set; } = 64;

    /// <summary>CALL_PREMIUM_AUDIO_CAP_KBPS: the Opus cap when both users are premium (the higher tier); 0 = as for everyone.</summary>
    public int PremiumAudioCapKbps { get; set; } = 96;

    /// <summary>CALL_AUDIO_CEILING_KBPS: the operator's ceiling; no configuration or client wish goes above it.</summary>
    public int AudioCeilingKbps { get; set; } = 128;

    /// <summary>CALL_VIDEO_CAP_KBPS: the video cap, sent to publishers as REMB and b=AS.</summary>
    public int VideoCapKbps { get; set; } = 1500;

    /// <summary>CALL_PREMIUM_VIDEO_CAP_KBPS: the video cap when both users are premium; 0 = as for everyone.</summary>
    public int PremiumVideoCapKbps { get; set; } = 2500;

    /// <summary>CALL_OVER_CAP_POLICY: "report" (count violations) or "drop" (also drop audio beyond the cap's budget).</summary>
    public string OverCapPolicy { get; set; } = "report";

    public bool DropsOverCap => string.Equals(OverCapPolicy, "drop", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A call's caps: the configuration for its type and the pair's tier (premium only when both are), lowered by
    /// the smaller of the two users' own maxBitrate wishes (seed 004 join_voice_queue, seed 000 preferences.maxBitrate),
    /// and never above the ceiling.
    /// </summary>
    public (int AudioKbps, int? VideoKbps) CapsFor(bool video, bool bothPremium, int wishA, int wishB)
    {
        var audio = video ? VideoCallAudioCapKbps : AudioCallAudioCapKbps;
        if (bothPremium && PremiumAudioCapKbps > 0) audio = PremiumAudioCapKbps;
        foreach (var wish in new[] { wishA, wishB }) if (wish > 0) audio = Math.Min(audio, wish);
        audio = Math.Clamp(audio, 6, Math.Max(6, AudioCeilingKbps));
        int? videoCap = video ? (bothPremium && PremiumVideoCapKbps > 0 ? PremiumVideoCapKbps : VideoCapKbps) : null;
        return (audio, videoCap);
    }

    public bool UsesSfu => string.Equals(Mode, "sfu", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!UsesSfu && !string.Equals(Mode, "p2p", StringComparison.OrdinalIgnoreCase))
            yield return $"CALL_MEDIA_MODE must be sfu or p2p, not '{Mode}'";
        // RFC 7587 §6.1: maxaveragebitrate is 6–510 kbps.
        foreach (var (name, v) in new[] { ("CALL_AUDIO_CAP_KBPS", AudioCallAudioCapKbps), ("CALL_VIDEO_AUDIO_CAP_KBPS", VideoCallAudioCapKbps), ("CALL_AUDIO_CEILING_KBPS", AudioCeilingKbps) })
            if (v is < 6 or > 510) yield return $"{name} must be 6–510 kbps";
        if (PremiumAudioCapKbps is not 0 and (< 6 or > 510)) yield return "CALL_PREMIUM_AUDIO_CAP_KBPS must be 0 or 6–510 kbps";
        if (VideoCapKbps is < 30 or > 100_000) yield return "CALL_VIDEO_CAP_KBPS must be 30–100000 kbps";
        if (PremiumVideoCapKbps is not 0 and (< 30 or > 100_000)) yield return "CALL_PREMIUM_VIDEO_CAP_KBPS must be 0 or 30–100000 kbps";
        if (!DropsOverCap && !string.Equals(OverCapPolicy, "report", StringComparison.OrdinalIgnoreCase))
            yield return $"CALL_OVER_CAP_POLICY must be report or drop, not '{OverCapPolicy}'";
    }
}
