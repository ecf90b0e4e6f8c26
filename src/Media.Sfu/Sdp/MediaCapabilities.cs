namespace Media.Sfu.Sdp;

/// <summary>RTP header extension URIs the SFU understands (RFC 8285 registrations and WebRTC drafts).</summary>
public static class HeaderExtensionUris
{
    /// <summary>RFC 8843 RTP header extension: the mid of the m-section a packet belongs to.</summary>
    public const string Mid = "urn:ietf:params:rtp-hdrext:sdes:mid";

    public const string AbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    public const string TransportWideCc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>RFC 6464 client-to-mixer audio level.</summary>
    public const string AudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /// <summary>RFC 8852 RtpStreamId (simulcast rid).</summary>
    public const string RtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

    public const string RepairedRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
}

/// <summary>
/// A codec the SFU forwards. <see cref="Parameters"/> is the fmtp the SFU writes for it; matching an
/// offered codec uses the name, clock rate, channels and the format parameters that define a
/// distinct bitstream (H.264 profile and packetization-mode, VP9 profile-id, AV1 profile).
/// </summary>
public sealed record CodecCapability
{
    public required MediaKind Kind { get; init; }

    public required string Name { get; init; }

    public required int ClockRate { get; init; }

    /// <summary>Audio channel count as in a=rtpmap (Opus is always 2, RFC 7587 §7); 1 for video.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>fmtp parameters the SFU writes, e.g. "minptime=10;useinbandfec=1".</summary>
    public string Parameters { get; init; } = "";

    /// <summary>RTCP feedback kept in answers and written in offers; payload type ignored.</summary>
    public IReadOnlyList<SdpRtcpFeedback> Feedback { get; init; } = [];

    /// <summary>Payload type used when the SFU writes the offer.</summary>
    public int PayloadType { get; init; }

    /// <summary>When set, RTX (RFC 4588) is negotiated for this codec; the value is the PT the SFU offers.</summary>
    public int? RtxPayloadType { get; init; }

    public static IReadOnlyList<SdpRtcpFeedback> VideoFeedback { get; } = Array.AsReadOnly(new[]
    {
        SdpRtcpFeedback.Of("goog-remb"),
        SdpRtcpFeedback.Of("transport-cc"),
        SdpRtcpFeedback.Of("ccm", "fir"),
        SdpRtcpFeedback.Of("nack"),
        SdpRtcpFeedback.Of("nack", "pli"),
    });

    /// <summary>Opus: the only audio feedback browsers offer is transport-cc; the SFU keeps no audio NACK cache.</summary>
    public static CodecCapability Opus(string parameters = "minptime=10;useinbandfec=1", int payloadType = 111) => new()
    {
        Kind = MediaKind.Audio,
        Name = "opus",
        ClockRate = 48000,
        Channels = 2,
        Parameters = parameters,
        Feedback = Array.AsReadOnly(new[] { SdpRtcpFeedback.Of("transport-cc") }),
        PayloadType = payloadType,
    };

    public static CodecCapability Vp8(int payloadType = 96, int? rtxPayloadType = 97) => new()
    {
        Kind = MediaKind.Video,
        Name = "VP8",
        ClockRate = 90000,
        Feedback = VideoFeedback,
        PayloadType = payloadType,
        RtxPayloadType = rtxPayloadType,
    };

    public static CodecCapability Vp9(int profileId = 0, int payloadType = 98, int? rtxPayloadType = 99) => new()
    {
        Kind = MediaKind.Video,
        Name = "VP9",
        ClockRate = 90000,
        Parameters = $"profile-id={profileId}",
        Feedback = VideoFeedback,
        PayloadType = payloadType,
        RtxPayloadType = rtxPayloadType,
    };

    /// <summary>H.264 packetization-mode 1 matched on the profile of <paramref name="profileLevelId"/> (RFC 6184 §8.1).</summary>
    public static CodecCapability H264(string profileLevelId = "42e01f", int payloadType = 102, int? rtxPayloadType = 103) => new()
    {
        Kind = MediaKind.Video,
        Name = "H264",
        ClockRate = 90000,
        Parameters = $"level-asymmetry-allowed=1;packetization-mode=1;profile-level-id={profileLevelId}",
        Feedback = VideoFeedback,
        PayloadType = payloadType,
        RtxPayloadType = rtxPayloadType,
    };
}

/// <summary>A header extension the SFU supports; <see cref="Kind"/> null means audio and video.</summary>
public sealed record HeaderExtensionCapability(string Uri, MediaKind? Kind, int Id)
{
    public bool AppliesTo(MediaKind kind) => Kind is null || Kind == kind;
}

/// <summary>What the SFU can receive and forward: codecs in preference order and header extensions.</summary>
public sealed class MediaCapabilities
{
    public IReadOnlyList<CodecCapability> Codecs { get; init; } = [];

    public IReadOnlyList<HeaderExtensionCapability> HeaderExtensions { get; init; } = [];

    /// <summary>
    /// opus/48000/2, VP8, VP9 profile 0, H.264 constrained baseline (42e01f, packetization-mode 1),
    /// RTX for each video codec; mid, abs-send-time, transport-wide-cc and (audio) ssrc-audio-level.
    /// </summary>
    public static MediaCapabilities Default { get; } = new()
    {
        Codecs = Array.AsReadOnly(new[]
        {
            CodecCapability.Opus(),
            CodecCapability.Vp8(),
            CodecCapability.Vp9(),
            CodecCapability.H264(),
        }),
        HeaderExtensions = Array.AsReadOnly(new[]
        {
            new HeaderExtensionCapability(HeaderExtensionUris.AudioLevel, MediaKind.Audio, 1),
            new HeaderExtensionCapability(HeaderExtensionUris.AbsSendTime, null, 2),
            new HeaderExtensionCapability(HeaderExtensionUris.TransportWideCc, null, 3),
            new HeaderExtensionCapability(HeaderExtensionUris.Mid, null, 4),
        }),
    };

    /// <summary>Same capabilities with Opus written with other fmtp parameters (e.g. "minptime=10;useinbandfec=1;stereo=0").</summary>
    public MediaCapabilities WithOpusParameters(string parameters)
    {
        var codecs = new List<CodecCapability>(Codecs.Count);
        foreach (var codec in Codecs)
        {
            codecs.Add(CodecMatching.IsNamed(codec.Name, "opus") ? codec with { Parameters = parameters } : codec);
        }
        return new MediaCapabilities { Codecs = codecs.AsReadOnly(), HeaderExtensions = HeaderExtensions };
    }
}

/// <summary>Codec identity rules used to match an offered payload type against a capability.</summary>
internal static class CodecMatching
{
    public static bool IsNamed(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    public static bool IsRtx(SdpRtpMap map) => IsNamed(map.EncodingName, "rtx");

    /// <summary>
    /// True when the offered codec is the same bitstream format as the capability. A lower
    /// <paramref name="rank"/> is a better match (used to pick one PT among several variants).
    /// </summary>
    public static bool Matches(CodecCapability cap, MediaKind kind, SdpRtpMap map, FormatParameters fmtp, out int rank)
    {
        rank = 0;
        if (cap.Kind != kind || !IsNamed(cap.Name, map.EncodingName) || cap.ClockRate != map.ClockRate) return false;
        if (kind == MediaKind.Audio && (map.Channels ?? 1) != cap.Channels) return false;

        var capParams = FormatParameters.Parse(cap.Parameters);
        if (IsNamed(cap.Name, "H264"))
        {
            // RFC 6184 §8.1: packetization-mode defaults to 0 and must be equal; the profile must be
            // equal while the level may differ (level-asymmetry-allowed, RFC 6184 §8.2.2).
            if ((fmtp.Get("packetization-mode") ?? "0") != (capParams.Get("packetization-mode") ?? "0")) return false;
            var offered = ParseProfile(fmtp.Get("profile-level-id"));
            var wanted = ParseProfile(capParams.Get("profile-level-id"));
            if (offered is null || wanted is null) return false;
            if (offered.Value.Profile == H264Profile.Unknown || offered.Value.Profile != wanted.Value.Profile) return false;
            if (string.Equals(fmtp.Get("profile-level-id"), capParams.Get("profile-level-id"), StringComparison.OrdinalIgnoreCase)) rank = 0;
            else rank = fmtp.Get("level-asymmetry-allowed") == "1" ? 1 : 2;
            return true;
        }
        if (IsNamed(cap.Name, "VP9"))
        {
            // RFC 9628 (VP9 payload format): profile-id defaults to 0.
            return (fmtp.Get("profile-id") ?? "0") == (capParams.Get("profile-id") ?? "0");
        }
        if (IsNamed(cap.Name, "AV1"))
        {
            return (fmtp.Get("profile") ?? "0") == (capParams.Get("profile") ?? "0");
        }
        return true;
    }

    private static H264ProfileLevelId? ParseProfile(string? text)
    {
        if (text is null) return H264ProfileLevelId.Default;
        return H264ProfileLevelId.TryParse(text, out var value) ? value : null;
    }

    /// <summary>libwebrtc clamps Opus maxaveragebitrate to 6000–510000 bps (RFC 7587 range).</summary>
    public static int OpusMaxAverageBitrate(int capKbps) => (int)Math.Clamp(capKbps * 1000L, 6000, 510000);
}
