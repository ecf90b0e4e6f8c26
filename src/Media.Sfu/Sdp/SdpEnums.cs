namespace Media.Sfu.Sdp;

/// <summary>Media direction attribute of an m-section (RFC 3264 §5.1, RFC 8866 §6.7).</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>DTLS connection role attribute <c>a=setup</c> (RFC 4145 §4, RFC 5763 §5).</summary>
public enum SetupRole
{
    ActPass,
    Active,
    Passive,
    HoldConn,
}

/// <summary>Which side of the DTLS handshake the SFU plays on the bundled transport.</summary>
public enum DtlsRole
{
    /// <summary>The SFU sends the ClientHello (<c>a=setup:active</c>).</summary>
    Client,

    /// <summary>The SFU waits for the ClientHello (<c>a=setup:passive</c>).</summary>
    Server,
}

/// <summary>Kind of RTP media an m-section carries.</summary>
public enum MediaKind
{
    Audio,
    Video,
}

/// <summary>ICE candidate type (RFC 8445, RFC 8839 §5.1 <c>typ</c>).</summary>
public enum IceCandidateType
{
    Host,
    ServerReflexive,
    PeerReflexive,
    Relayed,
}

/// <summary>Token conversions and offer/answer rules for the SDP enums.</summary>
public static class SdpEnumText
{
    public static string ToSdp(this MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    public static bool TryParseDirection(string? text, out MediaDirection direction)
    {
        switch (text)
        {
            case "sendrecv": direction = MediaDirection.SendRecv; return true;
            case "sendonly": direction = MediaDirection.SendOnly; return true;
            case "recvonly": direction = MediaDirection.RecvOnly; return true;
            case "inactive": direction = MediaDirection.Inactive; return true;
            default: direction = MediaDirection.SendRecv; return false;
        }
    }

    /// <summary>True when the side holding this direction sends media.</summary>
    public static bool Sends(this MediaDirection direction) =>
        direction is MediaDirection.SendRecv or MediaDirection.SendOnly;

    /// <summary>True when the side holding this direction receives media.</summary>
    public static bool Receives(this MediaDirection direction) =>
        direction is MediaDirection.SendRecv or MediaDirection.RecvOnly;

    /// <summary>The same stream seen from the other side: sendonly becomes recvonly.</summary>
    public static MediaDirection Reverse(this MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => MediaDirection.RecvOnly,
        MediaDirection.RecvOnly => MediaDirection.SendOnly,
        _ => direction,
    };

    public static MediaDirection FromFlags(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => MediaDirection.SendRecv,
        (true, false) => MediaDirection.SendOnly,
        (false, true) => MediaDirection.RecvOnly,
        _ => MediaDirection.Inactive,
    };

    public static string ToSdp(this SetupRole role) => role switch
    {
        SetupRole.Active => "active",
        SetupRole.Passive => "passive",
        SetupRole.HoldConn => "holdconn",
        _ => "actpass",
    };

    public static bool TryParseSetup(string? text, out SetupRole role)
    {
        switch (text)
        {
            case "actpass": role = SetupRole.ActPass; return true;
            case "active": role = SetupRole.Active; return true;
            case "passive": role = SetupRole.Passive; return true;
            case "holdconn": role = SetupRole.HoldConn; return true;
            default: role = SetupRole.ActPass; return false;
        }
    }

    public static string ToSdp(this MediaKind kind) => kind == MediaKind.Audio ? "audio" : "video";

    public static bool TryParseKind(string? text, out MediaKind kind)
    {
        switch (text)
        {
            case "audio": kind = MediaKind.Audio; return true;
            case "video": kind = MediaKind.Video; return true;
            default: kind = MediaKind.Audio; return false;
        }
    }

    public static string ToSdp(this IceCandidateType type) => type switch
    {
        IceCandidateType.ServerReflexive => "srflx",
        IceCandidateType.PeerReflexive => "prflx",
        IceCandidateType.Relayed => "relay",
        _ => "host",
    };

    public static bool TryParseCandidateType(string? text, out IceCandidateType type)
    {
        switch (text?.ToLowerInvariant())
        {
            case "host": type = IceCandidateType.Host; return true;
            case "srflx": type = IceCandidateType.ServerReflexive; return true;
            case "prflx": type = IceCandidateType.PeerReflexive; return true;
            case "relay": type = IceCandidateType.Relayed; return true;
            default: type = IceCandidateType.Host; return false;
        }
    }
}
