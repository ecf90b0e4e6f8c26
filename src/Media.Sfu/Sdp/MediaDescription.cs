using System.Text;

namespace Media.Sfu.Sdp;

/// <summary>
/// One m-section (RFC 8866 §5.14) with the attributes WebRTC uses typed; anything else stays in
/// <see cref="Attributes"/> (including a=rid, a=simulcast, a=rtcp, a=sctp-port) and is written back.
/// </summary>
public sealed class MediaDescription
{
    /// <summary>Media type token: audio, video, application, …</summary>
    public string Media { get; set; } = "audio";

    /// <summary>0 rejects the section unless <see cref="BundleOnly"/> is set (RFC 8843 bundle-only).</summary>
    public int Port { get; set; } = 9;

    /// <summary>The "/number of ports" suffix of the m= port, when present.</summary>
    public int? PortCount { get; set; }

    public string Protocol { get; set; } = "UDP/TLS/RTP/SAVPF";

    /// <summary>Payload types (or other format tokens) in the offerer's preference order.</summary>
    public List<string> Formats { get; set; } = [];

    public SdpConnection? Connection { get; set; }

    public List<SdpBandwidth> Bandwidths { get; set; } = [];

    /// <summary>Media-level i= and k= lines, verbatim.</summary>
    public List<SdpLine> OtherLines { get; set; } = [];

    public string? Mid { get; set; }

    /// <summary>Direction attribute as written; null when absent (then the session's, else sendrecv, applies).</summary>
    public MediaDirection? Direction { get; set; }

    public bool RtcpMux { get; set; }

    public bool RtcpReducedSize { get; set; }

    public bool BundleOnly { get; set; }

    public bool ExtmapAllowMixed { get; set; }

    public List<SdpRtpMap> RtpMaps { get; set; } = [];

    public List<SdpFmtp> Fmtps { get; set; } = [];

    public List<SdpRtcpFeedback> RtcpFeedbacks { get; set; } = [];

    public List<SdpExtmap> Extmaps { get; set; } = [];

    public List<SdpSsrcAttribute> Ssrcs { get; set; } = [];

    public List<SdpSsrcGroup> SsrcGroups { get; set; } = [];

    public List<SdpMsid> Msids { get; set; } = [];

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public List<string> IceOptions { get; set; } = [];

    public List<SdpFingerprint> Fingerprints { get; set; } = [];

    public SetupRole? Setup { get; set; }

    public List<IceCandidate> Candidates { get; set; } = [];

    public bool EndOfCandidates { get; set; }

    /// <summary>Attributes without a typed field, in written order.</summary>
    public List<SdpAttribute> Attributes { get; set; } = [];

    /// <summary>Port 0 without bundle-only: the section is rejected or stopped (RFC 3264 §6, RFC 8843 bundle-only).</summary>
    public bool IsRejected => Port == 0 && !BundleOnly;

    public SdpRtpMap? FindRtpMap(int payloadType)
    {
        foreach (var map in RtpMaps)
        {
            if (map.PayloadType == payloadType) return map;
        }
        return null;
    }

    public SdpFmtp? FindFmtp(int payloadType)
    {
        foreach (var fmtp in Fmtps)
        {
            if (fmtp.PayloadType == payloadType) return fmtp;
        }
        return null;
    }

    /// <summary>Feedback for the payload type, including "*" wildcard lines (RFC 4585 §4.2).</summary>
    public List<SdpRtcpFeedback> FeedbackFor(int payloadType)
    {
        var list = new List<SdpRtcpFeedback>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var fb in RtcpFeedbacks)
        {
            if ((fb.PayloadType is null || fb.PayloadType == payloadType) && seen.Add($"{fb.Type} {fb.Parameter}"))
            {
                list.Add(fb with { PayloadType = payloadType });
            }
        }
        return list;
    }

    /// <summary>Values of every unknown attribute named <paramref name="name"/> (e.g. "rid").</summary>
    public List<string> AttributeValues(string name)
    {
        var list = new List<string>();
        foreach (var a in Attributes)
        {
            if (a.Name == name) list.Add(a.Value ?? "");
        }
        return list;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(1024);
        WriteTo(sb);
        return sb.ToString();
    }

    internal void WriteTo(StringBuilder sb)
    {
        sb.Append("m=").Append(Media).Append(' ').Append(SdpGrammar.Num(Port));
        if (PortCount is int count) sb.Append('/').Append(SdpGrammar.Num(count));
        sb.Append(' ').Append(Protocol);
        foreach (string fmt in Formats) sb.Append(' ').Append(fmt);
        sb.Append("\r\n");

        foreach (var line in OtherLines)
        {
            if (line.Type == 'i') Line(sb, 'i', line.Value);
        }
        if (Connection is not null) Line(sb, 'c', Connection.ToString());
        foreach (var bw in Bandwidths) Line(sb, 'b', bw.ToString());
        foreach (var line in OtherLines)
        {
            if (line.Type != 'i') Line(sb, line.Type, line.Value);
        }

        if (IceUfrag is not null) Attr(sb, "ice-ufrag", IceUfrag);
        if (IcePwd is not null) Attr(sb, "ice-pwd", IcePwd);
        if (IceOptions.Count > 0) Attr(sb, "ice-options", string.Join(' ', IceOptions));
        foreach (var fp in Fingerprints) Attr(sb, "fingerprint", fp.ToString());
        if (Setup is SetupRole setup) Attr(sb, "setup", setup.ToSdp());
        if (Mid is not null) Attr(sb, "mid", Mid);
        if (BundleOnly) Attr(sb, "bundle-only", null);
        if (ExtmapAllowMixed) Attr(sb, "extmap-allow-mixed", null);
        foreach (var ext in Extmaps) Attr(sb, "extmap", ext.ToString());
        if (Direction is MediaDirection dir) Attr(sb, dir.ToSdp(), null);
        foreach (var msid in Msids) Attr(sb, "msid", msid.ToString());
        if (RtcpMux) Attr(sb, "rtcp-mux", null);
        if (RtcpReducedSize) Attr(sb, "rtcp-rsize", null);

        foreach (var fb in RtcpFeedbacks)
        {
            if (fb.PayloadType is null) Attr(sb, "rtcp-fb", fb.ToString());
        }
        // Chrome's layout: per payload type in m= order, rtpmap then rtcp-fb then fmtp.
        var written = new HashSet<int>();
        foreach (string fmt in Formats)
        {
            if (SdpGrammar.TryParseInt(fmt, 0, 127, out int pt) && written.Add(pt)) WritePayload(sb, pt);
        }
        foreach (var map in RtpMaps)
        {
            if (written.Add(map.PayloadType)) WritePayload(sb, map.PayloadType);
        }
        foreach (var fmtp in Fmtps)
        {
            if (written.Add(fmtp.PayloadType)) WritePayload(sb, fmtp.PayloadType);
        }
        foreach (var fb in RtcpFeedbacks)
        {
            if (fb.PayloadType is int pt && written.Add(pt)) WritePayload(sb, pt);
        }

        foreach (var group in SsrcGroups) Attr(sb, "ssrc-group", group.ToString());
        foreach (var ssrc in Ssrcs) Attr(sb, "ssrc", ssrc.ToString());
        foreach (var attr in Attributes) Attr(sb, attr.Name, attr.Value);
        foreach (var candidate in Candidates) Attr(sb, "candidate", candidate.ToValue());
        if (EndOfCandidates) Attr(sb, "end-of-candidates", null);
    }

    private void WritePayload(StringBuilder sb, int pt)
    {
        foreach (var map in RtpMaps)
        {
            if (map.PayloadType == pt) Attr(sb, "rtpmap", map.ToString());
        }
        foreach (var fb in RtcpFeedbacks)
        {
            if (fb.PayloadType == pt) Attr(sb, "rtcp-fb", fb.ToString());
        }
        foreach (var fmtp in Fmtps)
        {
            if (fmtp.PayloadType == pt) Attr(sb, "fmtp", fmtp.ToString());
        }
    }

    internal static void Line(StringBuilder sb, char type, string value) =>
        sb.Append(type).Append('=').Append(value).Append("\r\n");

    internal static void Attr(StringBuilder sb, string name, string? value)
    {
        sb.Append("a=").Append(name);
        if (value is not null) sb.Append(':').Append(value);
        sb.Append("\r\n");
    }
}
