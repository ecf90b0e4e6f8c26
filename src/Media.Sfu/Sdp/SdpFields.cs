namespace Media.Sfu.Sdp;

/// <summary><c>o=</c> line (RFC 8866 §5.2). Session id and version stay text so any numeric width survives.</summary>
public sealed record SdpOrigin(
    string Username,
    string SessionId,
    string SessionVersion,
    string NetworkType,
    string AddressType,
    string Address)
{
    public override string ToString() =>
        $"{Username} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}";
}

/// <summary><c>c=</c> line (RFC 8866 §5.7); the address keeps any multicast TTL/count suffix.</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    public static SdpConnection Unspecified { get; } = new("IN", "IP4", "0.0.0.0");

    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary><c>b=</c> line (RFC 8866 §5.8): AS in kbps, TIAS in bps (RFC 3890).</summary>
public sealed record SdpBandwidth(string Type, long Value)
{
    public override string ToString() => $"{Type}:{SdpGrammar.Num(Value)}";
}

/// <summary><c>t=</c> line (RFC 8866 §5.9).</summary>
public sealed record SdpTiming(ulong Start, ulong Stop)
{
    public override string ToString() => $"{SdpGrammar.Num(Start)} {SdpGrammar.Num(Stop)}";
}

/// <summary>A rarely used line kept verbatim (<c>i= u= e= p= r= z= k=</c>).</summary>
public sealed record SdpLine(char Type, string Value);

/// <summary>An <c>a=</c> line the model has no field for; kept in order and written back.</summary>
public sealed record SdpAttribute(string Name, string? Value)
{
    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}

/// <summary><c>a=group</c> (RFC 5888 §5), e.g. BUNDLE (RFC 8843) or LS.</summary>
public sealed record SdpGroup(string Semantics, IReadOnlyList<string> Mids)
{
    public bool IsBundle => string.Equals(Semantics, "BUNDLE", StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Mids.Count == 0 ? Semantics : $"{Semantics} {string.Join(' ', Mids)}";
}

/// <summary><c>a=fingerprint</c> (RFC 8122 §5): hash name and colon-separated hex digest.</summary>
public sealed record SdpFingerprint(string Algorithm, string Value)
{
    public override string ToString() => $"{Algorithm} {Value}";
}

/// <summary><c>a=msid-semantic</c> (legacy Plan B WMS line Chrome still writes).</summary>
public sealed record SdpMsidSemantic(string Semantic, IReadOnlyList<string> Identifiers)
{
    public override string ToString() =>
        Identifiers.Count == 0 ? Semantic : $"{Semantic} {string.Join(' ', Identifiers)}";
}

/// <summary><c>a=rtpmap</c> (RFC 8866 §6.6): payload type → encoding/clock rate[/channels].</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels)
{
    public override string ToString() => Channels is int ch
        ? $"{PayloadType} {EncodingName}/{ClockRate}/{ch}"
        : $"{PayloadType} {EncodingName}/{ClockRate}";
}

/// <summary><c>a=fmtp</c> for an RTP payload type (RFC 8866 §6.15); parameters kept as written.</summary>
public sealed record SdpFmtp(int PayloadType, string Parameters)
{
    public FormatParameters ParseParameters() => FormatParameters.Parse(Parameters);

    public override string ToString() => Parameters.Length == 0 ? $"{PayloadType}" : $"{PayloadType} {Parameters}";
}

/// <summary><c>a=rtcp-fb</c> (RFC 4585 §4.2); a null payload type is the "*" wildcard.</summary>
public sealed record SdpRtcpFeedback(int? PayloadType, string Type, string? Parameter)
{
    public static SdpRtcpFeedback Of(string type, string? parameter = null) => new(null, type, parameter);

    /// <summary>Same feedback kind, ignoring the payload type (names are case-insensitive tokens).</summary>
    public bool SameKind(SdpRtcpFeedback other) =>
        string.Equals(Type, other.Type, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Parameter ?? "", other.Parameter ?? "", StringComparison.OrdinalIgnoreCase);

    public override string ToString()
    {
        string pt = PayloadType is int p ? SdpGrammar.Num(p) : "*";
        return Parameter is null ? $"{pt} {Type}" : $"{pt} {Type} {Parameter}";
    }
}

/// <summary><c>a=extmap</c> (RFC 8285): id[/direction] URI [extension attributes].</summary>
public sealed record SdpExtmap(int Id, MediaDirection? Direction, string Uri, string? Attributes)
{
    public override string ToString()
    {
        string id = Direction is MediaDirection d ? $"{Id}/{d.ToSdp()}" : SdpGrammar.Num(Id);
        return Attributes is null ? $"{id} {Uri}" : $"{id} {Uri} {Attributes}";
    }
}

/// <summary>One <c>a=ssrc</c> line (RFC 5576 §4.1): SSRC, attribute name, optional value.</summary>
public sealed record SdpSsrcAttribute(uint Ssrc, string Name, string? Value)
{
    public override string ToString() => Value is null ? $"{Ssrc} {Name}" : $"{Ssrc} {Name}:{Value}";
}

/// <summary><c>a=ssrc-group</c> (RFC 5576 §4.2), e.g. FID (primary, RTX) or SIM.</summary>
public sealed record SdpSsrcGroup(string Semantics, IReadOnlyList<uint> Ssrcs)
{
    public override string ToString() => $"{Semantics} {string.Join(' ', Ssrcs)}";
}

/// <summary><c>a=msid</c> (RFC 8830): stream id and optional track id ("appdata").</summary>
public sealed record SdpMsid(string StreamId, string? TrackId)
{
    public override string ToString() => TrackId is null ? StreamId : $"{StreamId} {TrackId}";
}
