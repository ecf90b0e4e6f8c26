namespace Media.Sfu.Sdp;

/// <summary>
/// Line parser for RFC 8866 session descriptions. Every malformed input ends in an error result;
/// nothing here throws for bad text. Unknown attribute names are kept, malformed values of the
/// attributes WebRTC relies on are errors (as in browsers' setRemoteDescription).
/// </summary>
internal static class SdpParser
{
    public static SdpParseResult<SessionDescription> ParseSession(string? text)
    {
        if (text is null) return SdpParseResult<SessionDescription>.Fail("SDP text is null", 0);
        if (text.Length > SdpGrammar.MaxTextLength)
        {
            return SdpParseResult<SessionDescription>.Fail($"SDP text is longer than {SdpGrammar.MaxTextLength} characters", 0);
        }
        if (text.Length == 0) return SdpParseResult<SessionDescription>.Fail("SDP text is empty", 0);

        var session = new SessionDescription();
        MediaDescription? media = null;
        bool sawVersion = false, sawOrigin = false, sawName = false;
        int lineNumber = 0;

        foreach (var (number, line) in Lines(text))
        {
            lineNumber = number;
            if (line.Length == 0) continue;
            string? error = CheckLine(line);
            if (error is not null) return SdpParseResult<SessionDescription>.Fail(error, number);

            char type = line[0];
            string value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v') return SdpParseResult<SessionDescription>.Fail("the first line must be v=0", number);
                if (value != "0") return SdpParseResult<SessionDescription>.Fail($"unsupported SDP version '{value}'", number);
                sawVersion = true;
                continue;
            }

            error = media is null
                ? SessionLine(session, type, value, ref sawOrigin, ref sawName, ref media)
                : MediaLine(session, ref media, type, value);
            if (error is not null) return SdpParseResult<SessionDescription>.Fail(error, number);
        }

        if (!sawVersion) return SdpParseResult<SessionDescription>.Fail("SDP has no v= line", 0);
        if (!sawOrigin) return SdpParseResult<SessionDescription>.Fail("SDP has no o= line", 0);
        if (!sawName) return SdpParseResult<SessionDescription>.Fail("SDP has no s= line", 0);
        if (session.Timings.Count == 0) return SdpParseResult<SessionDescription>.Fail("SDP has no t= line", 0);
        return SdpParseResult<SessionDescription>.Ok(session);
    }

    /// <summary>Splits on LF, dropping one trailing CR per line (RFC 8866 §5: parsers should accept bare LF).</summary>
    internal static IEnumerable<(int Number, string Line)> Lines(string text)
    {
        int number = 0, start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            int stop = end > start && text[end - 1] == '\r' ? end - 1 : end;
            number++;
            yield return (number, text[start..stop]);
            start = end + 1;
        }
    }

    /// <summary>Checks the "&lt;type&gt;=&lt;value&gt;" shape; null when it is fine.</summary>
    internal static string? CheckLine(string line)
    {
        if (line.Length < 2 || line[1] != '=') return "expected a line of the form <type>=<value>";
        if (line[0] < 'a' || line[0] > 'z') return $"line type '{Printable(line[0])}' is not a lowercase letter";
        foreach (char c in line)
        {
            if (c == '\r' || c == '\0') return "line contains a CR or NUL character";
        }
        return null;
    }

    private static string Printable(char c) => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString();

    private static string? SessionLine(
        SessionDescription session, char type, string value, ref bool sawOrigin, ref bool sawName, ref MediaDescription? media)
    {
        switch (type)
        {
            case 'v':
                return "duplicate v= line";
            case 'o':
                if (sawOrigin) return "duplicate o= line";
                string[] o = SdpGrammar.Tokens(value);
                if (o.Length != 6) return $"o= needs 6 fields, found {o.Length}";
                session.Origin = new SdpOrigin(o[0], o[1], o[2], o[3], o[4], o[5]);
                sawOrigin = true;
                return null;
            case 's':
                if (sawName) return "duplicate s= line";
                session.SessionName = value;
                sawName = true;
                return null;
            case 'i' or 'u' or 'e' or 'p' or 'r' or 'z' or 'k':
                session.OtherLines.Add(new SdpLine(type, value));
                return null;
            case 'c':
                if (session.Connection is not null) return "duplicate session-level c= line";
                if (!TryConnection(value, out var connection, out string? cError)) return cError;
                session.Connection = connection;
                return null;
            case 'b':
                if (!TryBandwidth(value, out var bandwidth, out string? bError)) return bError;
                session.Bandwidths.Add(bandwidth!);
                return null;
            case 't':
                string[] t = SdpGrammar.Tokens(value);
                if (t.Length != 2 || !SdpGrammar.TryParseUInt64(t[0], out ulong start) || !SdpGrammar.TryParseUInt64(t[1], out ulong stop))
                {
                    return "t= needs two decimal times";
                }
                session.Timings.Add(new SdpTiming(start, stop));
                return null;
            case 'a':
                return SessionAttribute(session, value);
            case 'm':
                if (!sawOrigin || !sawName || session.Timings.Count == 0) return "m= line before the o=, s= and t= lines";
                return StartMedia(session, value, out media);
            default:
                return $"unknown line type '{type}='";
        }
    }

    private static string? MediaLine(SessionDescription session, ref MediaDescription? media, char type, string value)
    {
        var m = media!;
        switch (type)
        {
            case 'm':
                return StartMedia(session, value, out media);
            case 'i' or 'k':
                m.OtherLines.Add(new SdpLine(type, value));
                return null;
            case 'c':
                if (m.Connection is not null) return "duplicate c= line in m-section";
                if (!TryConnection(value, out var connection, out string? cError)) return cError;
                m.Connection = connection;
                return null;
            case 'b':
                if (!TryBandwidth(value, out var bandwidth, out string? bError)) return bError;
                m.Bandwidths.Add(bandwidth!);
                return null;
            case 'a':
                return MediaAttribute(m, value);
            default:
                return $"line type '{type}=' is not allowed in an m-section";
        }
    }

    private static string? StartMedia(SessionDescription session, string value, out MediaDescription? media)
    {
        media = null;
        string[] t = SdpGrammar.Tokens(value);
        if (t.Length < 4) return "m= needs media, port, protocol and at least one format";
        if (!SdpGrammar.IsToken(t[0])) return $"media type '{t[0]}' is not a token";
        string portText = t[1];
        int? portCount = null;
        int slash = portText.IndexOf('/');
        if (slash >= 0)
        {
            if (!SdpGrammar.TryParseInt(portText[(slash + 1)..], 1, 65535, out int count)) return $"bad port count in '{portText}'";
            portCount = count;
            portText = portText[..slash];
        }
        if (!SdpGrammar.TryParseInt(portText, 0, 65535, out int port)) return $"m= port '{t[1]}' is not 0-65535";
        if (!SdpGrammar.IsNonSpaceText(t[2])) return "m= protocol is empty";
        for (int i = 3; i < t.Length; i++)
        {
            if (!SdpGrammar.IsNonSpaceText(t[i])) return $"m= format '{t[i]}' is not printable";
        }
        media = new MediaDescription
        {
            Media = t[0],
            Port = port,
            PortCount = portCount,
            Protocol = t[2],
            Formats = [.. t[3..]],
        };
        session.Media.Add(media);
        return null;
    }

    private static bool TryConnection(string value, out SdpConnection? connection, out string? error)
    {
        connection = null;
        string[] c = SdpGrammar.Tokens(value);
        if (c.Length != 3)
        {
            error = $"c= needs 3 fields, found {c.Length}";
            return false;
        }
        connection = new SdpConnection(c[0], c[1], c[2]);
        error = null;
        return true;
    }

    private static bool TryBandwidth(string value, out SdpBandwidth? bandwidth, out string? error)
    {
        bandwidth = null;
        int colon = value.IndexOf(':');
        if (colon <= 0 || !SdpGrammar.IsToken(value[..colon]))
        {
            error = "b= must be <type>:<value>";
            return false;
        }
        if (!SdpGrammar.TryParseUInt64(value[(colon + 1)..], out ulong amount) || amount > long.MaxValue)
        {
            error = $"b= value '{value[(colon + 1)..]}' is not a number";
            return false;
        }
        bandwidth = new SdpBandwidth(value[..colon], (long)amount);
        error = null;
        return true;
    }

    /// <summary>Splits "name[:value]"; null when the name is not a token.</summary>
    internal static bool TrySplitAttribute(string text, out string name, out string? value)
    {
        int colon = text.IndexOf(':');
        name = colon < 0 ? text : text[..colon];
        value = colon < 0 ? null : text[(colon + 1)..];
        return SdpGrammar.IsToken(name);
    }

    private static string? SessionAttribute(SessionDescription s, string text)
    {
        if (!TrySplitAttribute(text, out string name, out string? value)) return $"attribute name '{Clip(text)}' is not a token";
        string? v = value?.Trim();
        switch (name)
        {
            case "group":
                if (!TryGroup(v, out var group, out string? gError)) return gError;
                s.Groups.Add(group!);
                return null;
            case "msid-semantic":
                if (s.MsidSemantic is not null) return "duplicate a=msid-semantic";
                string[] ms = SdpGrammar.Tokens(v ?? "");
                if (ms.Length == 0) return "a=msid-semantic needs a semantic";
                s.MsidSemantic = new SdpMsidSemantic(ms[0], ms[1..]);
                return null;
            case "extmap-allow-mixed":
                return Flag(name, value, () => s.ExtmapAllowMixed = true);
            case "ice-lite":
                return Flag(name, value, () => s.IceLite = true);
            case "end-of-candidates":
                return Flag(name, value, () => s.EndOfCandidates = true);
            case "ice-ufrag":
                if (s.IceUfrag is not null) return "duplicate session-level a=ice-ufrag";
                return Word(name, v, w => s.IceUfrag = w);
            case "ice-pwd":
                if (s.IcePwd is not null) return "duplicate session-level a=ice-pwd";
                return Word(name, v, w => s.IcePwd = w);
            case "ice-options":
                return IceOptions(v, s.IceOptions);
            case "fingerprint":
                if (!TryFingerprint(v, out var fp, out string? fError)) return fError;
                s.Fingerprints.Add(fp!);
                return null;
            case "setup":
                if (s.Setup is not null) return "duplicate session-level a=setup";
                if (!SdpEnumText.TryParseSetup(v, out var role)) return $"unknown a=setup value '{Clip(v)}'";
                s.Setup = role;
                return null;
            case "sendrecv" or "sendonly" or "recvonly" or "inactive":
                if (value is not null) return $"a={name} takes no value";
                if (s.Direction is not null) return "more than one session-level direction attribute";
                SdpEnumText.TryParseDirection(name, out var dir);
                s.Direction = dir;
                return null;
            default:
                s.Attributes.Add(new SdpAttribute(name, value));
                return null;
        }
    }

    private static string? MediaAttribute(MediaDescription m, string text)
    {
        if (!TrySplitAttribute(text, out string name, out string? value)) return $"attribute name '{Clip(text)}' is not a token";
        string? v = value?.Trim();
        switch (name)
        {
            case "mid":
                if (m.Mid is not null) return "duplicate a=mid";
                return Word(name, v, w => m.Mid = w);
            case "sendrecv" or "sendonly" or "recvonly" or "inactive":
                if (value is not null) return $"a={name} takes no value";
                if (m.Direction is not null) return "more than one direction attribute in m-section";
                SdpEnumText.TryParseDirection(name, out var dir);
                m.Direction = dir;
                return null;
            case "rtcp-mux":
                return Flag(name, value, () => m.RtcpMux = true);
            case "rtcp-rsize":
                return Flag(name, value, () => m.RtcpReducedSize = true);
            case "bundle-only":
                return Flag(name, value, () => m.BundleOnly = true);
            case "extmap-allow-mixed":
                return Flag(name, value, () => m.ExtmapAllowMixed = true);
            case "end-of-candidates":
                return Flag(name, value, () => m.EndOfCandidates = true);
            case "rtpmap":
                return RtpMap(m, v);
            case "fmtp":
                return Fmtp(m, name, value, v);
            case "rtcp-fb":
                return RtcpFeedback(m, v);
            case "extmap":
                return Extmap(m, v);
            case "ssrc":
                return Ssrc(m, v);
            case "ssrc-group":
                string[] g = SdpGrammar.Tokens(v ?? "");
                if (g.Length < 2 || !SdpGrammar.IsToken(g[0])) return "a=ssrc-group needs semantics and at least one SSRC";
                var ssrcs = new uint[g.Length - 1];
                for (int i = 1; i < g.Length; i++)
                {
                    if (!SdpGrammar.TryParseUInt32(g[i], out ssrcs[i - 1])) return $"a=ssrc-group SSRC '{Clip(g[i])}' is not a 32-bit number";
                }
                m.SsrcGroups.Add(new SdpSsrcGroup(g[0], ssrcs));
                return null;
            case "msid":
                string[] msid = SdpGrammar.Tokens(v ?? "");
                if (msid.Length is < 1 or > 2) return "a=msid needs a stream id and an optional track id";
                m.Msids.Add(new SdpMsid(msid[0], msid.Length == 2 ? msid[1] : null));
                return null;
            case "ice-ufrag":
                if (m.IceUfrag is not null) return "duplicate a=ice-ufrag in m-section";
                return Word(name, v, w => m.IceUfrag = w);
            case "ice-pwd":
                if (m.IcePwd is not null) return "duplicate a=ice-pwd in m-section";
                return Word(name, v, w => m.IcePwd = w);
            case "ice-options":
                return IceOptions(v, m.IceOptions);
            case "fingerprint":
                if (!TryFingerprint(v, out var fp, out string? fError)) return fError;
                m.Fingerprints.Add(fp!);
                return null;
            case "setup":
                if (m.Setup is not null) return "duplicate a=setup in m-section";
                if (!SdpEnumText.TryParseSetup(v, out var role)) return $"unknown a=setup value '{Clip(v)}'";
                m.Setup = role;
                return null;
            case "candidate":
                if (!IceCandidate.TryParse(v ?? "", out var candidate, out string? candError)) return candError;
                m.Candidates.Add(candidate);
                return null;
            default:
                m.Attributes.Add(new SdpAttribute(name, value));
                return null;
        }
    }

    private static string? RtpMap(MediaDescription m, string? v)
    {
        string[] t = SdpGrammar.Tokens(v ?? "");
        if (t.Length != 2) return "a=rtpmap must be '<payload type> <encoding>/<clock rate>[/<channels>]'";
        if (!SdpGrammar.TryParseInt(t[0], 0, 127, out int pt)) return $"a=rtpmap payload type '{Clip(t[0])}' is not 0-127";
        string[] enc = t[1].Split('/');
        if (enc.Length is < 2 or > 3 || !SdpGrammar.IsToken(enc[0])) return $"a=rtpmap encoding '{Clip(t[1])}' is not <name>/<clock rate>[/<channels>]";
        if (!SdpGrammar.TryParseInt(enc[1], 1, int.MaxValue, out int clock)) return $"a=rtpmap clock rate '{Clip(enc[1])}' is not a positive number";
        int? channels = null;
        if (enc.Length == 3)
        {
            if (!SdpGrammar.TryParseInt(enc[2], 1, 255, out int ch)) return $"a=rtpmap channel count '{Clip(enc[2])}' is not 1-255";
            channels = ch;
        }
        if (m.FindRtpMap(pt) is not null) return $"duplicate a=rtpmap for payload type {pt}";
        m.RtpMaps.Add(new SdpRtpMap(pt, enc[0], clock, channels));
        return null;
    }

    private static string? Fmtp(MediaDescription m, string name, string? raw, string? v)
    {
        string body = v ?? "";
        int space = body.IndexOf(' ');
        string format = space < 0 ? body : body[..space];
        if (!SdpGrammar.TryParseInt(format, 0, 127, out int pt))
        {
            // Non-RTP formats (e.g. legacy SCTP "webrtc-datachannel") are not payload types: keep verbatim.
            if (format.Length == 0) return "a=fmtp needs a format";
            m.Attributes.Add(new SdpAttribute(name, raw));
            return null;
        }
        if (m.FindFmtp(pt) is not null) return $"duplicate a=fmtp for payload type {pt}";
        m.Fmtps.Add(new SdpFmtp(pt, space < 0 ? "" : body[(space + 1)..].Trim()));
        return null;
    }

    private static string? RtcpFeedback(MediaDescription m, string? v)
    {
        string[] t = SdpGrammar.Tokens(v ?? "");
        if (t.Length < 2) return "a=rtcp-fb needs a payload type and a feedback type";
        int? pt = null;
        if (t[0] != "*")
        {
            if (!SdpGrammar.TryParseInt(t[0], 0, 127, out int p)) return $"a=rtcp-fb payload type '{Clip(t[0])}' is not 0-127 or *";
            pt = p;
        }
        if (!SdpGrammar.IsToken(t[1])) return $"a=rtcp-fb type '{Clip(t[1])}' is not a token";
        m.RtcpFeedbacks.Add(new SdpRtcpFeedback(pt, t[1], t.Length > 2 ? string.Join(' ', t[2..]) : null));
        return null;
    }

    private static string? Extmap(MediaDescription m, string? v)
    {
        string[] t = SdpGrammar.Tokens(v ?? "");
        if (t.Length < 2) return "a=extmap needs an id and a URI";
        string idText = t[0];
        MediaDirection? direction = null;
        int slash = idText.IndexOf('/');
        if (slash >= 0)
        {
            if (!SdpEnumText.TryParseDirection(idText[(slash + 1)..], out var d)) return $"a=extmap direction in '{Clip(idText)}' is unknown";
            direction = d;
            idText = idText[..slash];
        }
        // RFC 8285: ids 1-14 for one-byte headers, up to 255 with two-byte headers.
        if (!SdpGrammar.TryParseInt(idText, 1, 255, out int id)) return $"a=extmap id '{Clip(idText)}' is not 1-255";
        foreach (var existing in m.Extmaps)
        {
            if (existing.Id == id) return $"duplicate a=extmap id {id}";
        }
        m.Extmaps.Add(new SdpExtmap(id, direction, t[1], t.Length > 2 ? string.Join(' ', t[2..]) : null));
        return null;
    }

    private static string? Ssrc(MediaDescription m, string? v)
    {
        string body = v ?? "";
        int space = body.IndexOf(' ');
        if (space < 0) return "a=ssrc needs an SSRC and an attribute";
        if (!SdpGrammar.TryParseUInt32(body[..space], out uint ssrc)) return $"a=ssrc '{Clip(body[..space])}' is not a 32-bit number";
        string attr = body[(space + 1)..].Trim();
        int colon = attr.IndexOf(':');
        string attrName = colon < 0 ? attr : attr[..colon];
        if (!SdpGrammar.IsToken(attrName)) return $"a=ssrc attribute name '{Clip(attrName)}' is not a token";
        m.Ssrcs.Add(new SdpSsrcAttribute(ssrc, attrName, colon < 0 ? null : attr[(colon + 1)..]));
        return null;
    }

    internal static bool TryGroup(string? v, out SdpGroup? group, out string? error)
    {
        group = null;
        string[] t = SdpGrammar.Tokens(v ?? "");
        if (t.Length == 0 || !SdpGrammar.IsToken(t[0]))
        {
            error = "a=group needs a semantics token";
            return false;
        }
        group = new SdpGroup(t[0], t[1..]);
        error = null;
        return true;
    }

    internal static bool TryFingerprint(string? v, out SdpFingerprint? fingerprint, out string? error)
    {
        fingerprint = null;
        string[] t = SdpGrammar.Tokens(v ?? "");
        if (t.Length != 2 || !SdpGrammar.IsToken(t[0]))
        {
            error = "a=fingerprint must be '<hash name> <hex digest>'";
            return false;
        }
        fingerprint = new SdpFingerprint(t[0], t[1]);
        error = null;
        return true;
    }

    internal static string? IceOptions(string? v, List<string> into)
    {
        string[] t = SdpGrammar.Tokens(v ?? "");
        if (t.Length == 0) return "a=ice-options needs at least one option";
        into.AddRange(t);
        return null;
    }

    internal static string? Flag(string name, string? value, Action set)
    {
        if (value is not null) return $"a={name} takes no value";
        set();
        return null;
    }

    internal static string? Word(string name, string? value, Action<string> set)
    {
        if (!SdpGrammar.IsNonSpaceText(value)) return $"a={name} needs a single non-empty value";
        set(value!);
        return null;
    }

    internal static string Clip(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";
}
