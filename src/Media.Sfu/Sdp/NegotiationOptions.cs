namespace Media.Sfu.Sdp;

/// <summary>The SFU's side of the bundled transport: ICE credentials, DTLS fingerprint, candidates.</summary>
public sealed class LocalTransportParameters
{
    /// <summary>4–256 ice-chars (RFC 8839 §5.4).</summary>
    public required string IceUfrag { get; init; }

    /// <summary>22–256 ice-chars (RFC 8839 §5.4).</summary>
    public required string IcePwd { get; init; }

    /// <summary>Writes a=ice-lite (RFC 8445 §2.5): the SFU never sends checks.</summary>
    public bool IceLite { get; init; } = true;

    /// <summary>Fingerprint of the SFU's DTLS certificate, e.g. ("sha-256", "AB:CD:…").</summary>
    public required SdpFingerprint Fingerprint { get; init; }

    /// <summary>Candidate attributes formatted by the caller ("candidate:…", "a=candidate:…" or bare).</summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>Writes a=end-of-candidates: an ICE-lite server knows all its candidates up front.</summary>
    public bool EndOfCandidates { get; init; } = true;

    /// <summary>Optional a=ice-options tokens (e.g. "trickle", "ice2").</summary>
    public IReadOnlyList<string> IceOptions { get; init; } = [];
}

/// <summary>How the SFU answers a browser's offer.</summary>
public sealed class AnswerOptions
{
    public required LocalTransportParameters Transport { get; init; }

    public MediaCapabilities Capabilities { get; init; } = MediaCapabilities.Default;

    /// <summary>Role taken when the offer says actpass: Passive (DTLS server, the default) or Active.</summary>
    public SetupRole SetupWhenOfferActPass { get; init; } = SetupRole.Passive;

    /// <summary>Per-call audio cap: Opus maxaveragebitrate plus b=AS/b=TIAS on audio m-sections.</summary>
    public int? AudioBitrateCapKbps { get; init; }

    /// <summary>Per-call video cap: b=AS/b=TIAS on video m-sections.</summary>
    public int? VideoBitrateCapKbps { get; init; }

    /// <summary>
    /// Per mid, the most the SFU wants on that m-section (its own view). The answer is this
    /// intersected with what the offer allows (RFC 3264 §6.1); absent mids default to sendrecv.
    /// </summary>
    public IReadOnlyDictionary<string, MediaDirection> Directions { get; init; } = new Dictionary<string, MediaDirection>();

    /// <summary>Per mid, the stream the SFU will send there (announced with a=ssrc/a=msid).</summary>
    public IReadOnlyDictionary<string, OutgoingStream> OutgoingStreams { get; init; } = new Dictionary<string, OutgoingStream>();

    /// <summary>o= session id; random when null. Keep it across renegotiations (RFC 3264 §8).</summary>
    public ulong? SessionId { get; init; }

    public ulong SessionVersion { get; init; } = 1;

    /// <summary>Echo a=extmap-allow-mixed when the offer has it (the RTP layer reads two-byte headers).</summary>
    public bool AllowMixedExtmap { get; init; } = true;

    /// <summary>Offers with more m-sections are refused; each accepted one costs a transceiver and answer text.</summary>
    public int MaxMediaSections { get; init; } = 512;
}

/// <summary>An m-section the SFU puts in its own offer.</summary>
public sealed record OfferedMediaSection(string Mid, MediaKind Kind)
{
    /// <summary>Direction from the SFU's view: SendOnly for a subscriber's downstream track.</summary>
    public MediaDirection Direction { get; init; } = MediaDirection.SendRecv;

    public OutgoingStream? Stream { get; init; }

    /// <summary>
    /// The m-section as negotiated before, for renegotiation: its payload types, codecs and
    /// header extension ids are offered again unchanged (RFC 8829 §5.2.2).
    /// </summary>
    public NegotiatedMedia? Previous { get; init; }

    /// <summary>A stopped transceiver keeps its m-line with port 0 (RFC 8829 §5.2.2).</summary>
    public bool Stopped { get; init; }
}

/// <summary>How the SFU writes an offer (renegotiation, SFU-initiated sessions).</summary>
public sealed class OfferOptions
{
    public required LocalTransportParameters Transport { get; init; }

    public MediaCapabilities Capabilities { get; init; } = MediaCapabilities.Default;

    /// <summary>m-sections in m-line order; on renegotiation, existing ones first in their old order.</summary>
    public required IReadOnlyList<OfferedMediaSection> Media { get; init; }

    public int? AudioBitrateCapKbps { get; init; }

    public int? VideoBitrateCapKbps { get; init; }

    public ulong? SessionId { get; init; }

    public ulong SessionVersion { get; init; } = 1;

    public bool ExtmapAllowMixed { get; init; } = true;
}
