namespace Media.Sfu.Sdp;

/// <summary>Why an offer/answer exchange failed.</summary>
public enum NegotiationError
{
    None,

    /// <summary>The remote SDP did not parse.</summary>
    MalformedSdp,

    /// <summary>No a=group:BUNDLE; the SFU runs everything over one transport (RFC 8843).</summary>
    MissingBundle,

    /// <summary>The BUNDLE group names a mid no m-section has, or mids repeat.</summary>
    InvalidBundle,

    /// <summary>An audio/video m-section lacks a=rtcp-mux (RFC 8858; required with BUNDLE).</summary>
    MissingRtcpMux,

    MissingIceCredentials,

    MalformedIceCredentials,

    MissingFingerprint,

    MalformedFingerprint,

    /// <summary>a=setup the SFU cannot pair with (holdconn, or actpass in an answer).</summary>
    InvalidSetupRole,

    /// <summary>Not one audio or video m-section could be accepted.</summary>
    NoUsableMedia,

    /// <summary>The caller's own parameters are invalid (credentials, fingerprint, candidates, caps, streams).</summary>
    InvalidLocalParameters,

    /// <summary>An answer that does not fit the offer it answers (m-line count, mids, payload types).</summary>
    AnswerMismatch,

    /// <summary>More m-sections than <see cref="AnswerOptions.MaxMediaSections"/>: bounds the work and the answer size.</summary>
    TooManyMediaSections,
}

/// <summary>Result of answering an offer or applying an answer.</summary>
public sealed class NegotiationResult
{
    private NegotiationResult(NegotiationError error, string? message, SessionDescription? answer, NegotiatedSession? session)
    {
        Error = error;
        ErrorMessage = message;
        Answer = answer;
        Session = session;
    }

    public NegotiationError Error { get; }

    public string? ErrorMessage { get; }

    public bool IsSuccess => Error == NegotiationError.None;

    /// <summary>The answer: the one the SFU wrote (answerer) or the remote one it applied (offerer).</summary>
    public SessionDescription? Answer { get; }

    /// <summary>The answer as SDP text with CRLF lines.</summary>
    public string? AnswerSdp => Answer?.ToString();

    public NegotiatedSession? Session { get; }

    internal static NegotiationResult Fail(NegotiationError error, string message) => new(error, message, null, null);

    internal static NegotiationResult Ok(SessionDescription answer, NegotiatedSession session) =>
        new(NegotiationError.None, null, answer, session);

    public override string ToString() => IsSuccess ? "negotiated" : $"{Error}: {ErrorMessage}";
}

/// <summary>What an offer/answer exchange settled, in the terms the SFU routes and secures media by.</summary>
public sealed class NegotiatedSession
{
    public required string RemoteIceUfrag { get; init; }

    public required string RemoteIcePwd { get; init; }

    public bool RemoteIceLite { get; init; }

    public IReadOnlyList<string> RemoteIceOptions { get; init; } = [];

    /// <summary>The fingerprint to check the peer's DTLS certificate against (sha-256 preferred).</summary>
    public required SdpFingerprint RemoteFingerprint { get; init; }

    /// <summary>Every fingerprint the peer announced for the bundled transport (RFC 8122 §5 allows several).</summary>
    public IReadOnlyList<SdpFingerprint> RemoteFingerprints { get; init; } = [];

    public SetupRole RemoteSetup { get; init; }

    public SetupRole LocalSetup { get; init; }

    /// <summary>The SFU's side of the DTLS handshake: passive → server, active → client (RFC 5763 §5).</summary>
    public DtlsRole LocalDtlsRole { get; init; }

    /// <summary>Mids of the answer's BUNDLE group; the first is the tagged m-section (RFC 8843).</summary>
    public IReadOnlyList<string> BundleMids { get; init; } = [];

    public IReadOnlyList<NegotiatedMedia> Media { get; init; } = [];

    public IReadOnlyList<RejectedMedia> Rejected { get; init; } = [];

    /// <summary>Candidates of the remote's bundled transport (from its tagged m-section).</summary>
    public IReadOnlyList<IceCandidate> RemoteCandidates { get; init; } = [];

    public bool RemoteEndOfCandidates { get; init; }

    /// <summary>Both sides allow one- and two-byte header extensions in one session (RFC 8285).</summary>
    public bool ExtmapAllowMixed { get; init; }

    public NegotiatedMedia? FindMedia(string mid)
    {
        foreach (var m in Media)
        {
            if (m.Mid == mid) return m;
        }
        return null;
    }
}

/// <summary>An accepted m-section.</summary>
public sealed class NegotiatedMedia
{
    public required string Mid { get; init; }

    public MediaKind Kind { get; init; }

    /// <summary>m-line index in the SDP (0-based).</summary>
    public int Index { get; init; }

    /// <summary>Direction from the SFU's point of view (what its own m-section says).</summary>
    public MediaDirection Direction { get; init; }

    public bool SfuReceives => Direction.Receives();

    public bool SfuSends => Direction.Sends();

    /// <summary>Media codecs in the answer's preference order (RTX listed separately).</summary>
    public IReadOnlyList<NegotiatedCodec> Codecs { get; init; } = [];

    /// <summary>RTX payload type → the payload type it repairs (RFC 4588 apt parameter).</summary>
    public IReadOnlyDictionary<int, int> RtxPayloadTypes { get; init; } = new Dictionary<int, int>();

    /// <summary>Header extension URI → negotiated id.</summary>
    public IReadOnlyDictionary<string, int> HeaderExtensions { get; init; } = new Dictionary<string, int>();

    /// <summary>Streams the remote announced with a=ssrc lines.</summary>
    public IReadOnlyList<RemoteStream> RemoteStreams { get; init; } = [];

    /// <summary>Remote a=ssrc-group lines (FID, SIM, …) as written.</summary>
    public IReadOnlyList<SdpSsrcGroup> RemoteSsrcGroups { get; init; } = [];

    /// <summary>Remote a=msid of the m-section (unified plan: one track per m-section).</summary>
    public SdpMsid? RemoteMsid { get; init; }

    /// <summary>Raw a=rid values and a=simulcast value of the remote m-section (not negotiated here).</summary>
    public IReadOnlyList<string> RemoteRids { get; init; } = [];

    public string? RemoteSimulcast { get; init; }

    /// <summary>What the SFU announced it sends on this m-section.</summary>
    public IReadOnlyList<OutgoingStream> LocalStreams { get; init; } = [];

    /// <summary>Cap the SFU asked the remote to keep to on this m-section (b=TIAS / b=AS, Opus maxaveragebitrate).</summary>
    public int? BitrateCapKbps { get; init; }

    /// <summary>Both sides agreed to reduced-size RTCP (RFC 5506).</summary>
    public bool RtcpReducedSize { get; init; }

    public NegotiatedCodec? FindCodec(int payloadType)
    {
        foreach (var c in Codecs)
        {
            if (c.PayloadType == payloadType) return c;
        }
        return null;
    }

    /// <summary>Negotiated id of a header extension, or 0 when it was not negotiated.</summary>
    public int HeaderExtensionId(string uri) => HeaderExtensions.TryGetValue(uri, out int id) ? id : 0;
}

/// <summary>A negotiated media codec.</summary>
public sealed record NegotiatedCodec
{
    public int PayloadType { get; init; }

    public required string Name { get; init; }

    public int ClockRate { get; init; }

    public int Channels { get; init; } = 1;

    /// <summary>fmtp the SFU wrote for this payload type (what it wants to receive), as text.</summary>
    public string Fmtp { get; init; } = "";

    /// <summary><see cref="Fmtp"/> as name → value.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>fmtp the remote wrote (what it wants to receive from the SFU).</summary>
    public IReadOnlyDictionary<string, string> RemoteParameters { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<SdpRtcpFeedback> Feedback { get; init; } = [];

    /// <summary>Payload type of the RTX stream for this codec, if RTX was negotiated.</summary>
    public int? RtxPayloadType { get; init; }

    public bool HasFeedback(string type, string? parameter = null)
    {
        var probe = new SdpRtcpFeedback(null, type, parameter);
        foreach (var fb in Feedback)
        {
            if (fb.SameKind(probe)) return true;
        }
        return false;
    }
}

/// <summary>A stream the remote announced: primary SSRC, its RTX SSRC (ssrc-group FID), cname and msid.</summary>
public sealed record RemoteStream(uint Ssrc, uint? RtxSsrc, string? Cname, string? StreamId, string? TrackId);

/// <summary>An m-section the answer rejected (port 0) and why.</summary>
public sealed record RejectedMedia(int Index, string? Mid, string Media, string Reason);

/// <summary>
/// A stream the SFU announces on an m-section: SSRC, optional RTX SSRC (written as
/// a=ssrc-group:FID), cname and msid stream/track ids (RFC 8830).
/// </summary>
public sealed record OutgoingStream(uint Ssrc, uint? RtxSsrc, string Cname, string StreamId, string TrackId);
