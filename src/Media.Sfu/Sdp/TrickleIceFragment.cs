using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Media.Sfu.Sdp;

/// <summary>
/// An <c>application/trickle-ice-sdpfrag</c> body (RFC 8840), as carried by WHIP/WHEP PATCH
/// (RFC 9725 WHIP): session-level ICE credentials and options, then pseudo m-sections that name
/// a mid and carry candidates and end-of-candidates.
/// </summary>
public sealed class TrickleIceFragment
{
    public const string MediaType = "application/trickle-ice-sdpfrag";

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public List<string> IceOptions { get; set; } = [];

    public bool IceLite { get; set; }

    public List<SdpGroup> Groups { get; set; } = [];

    /// <summary>Session-level end-of-candidates: gathering finished for every m-section (RFC 8838).</summary>
    public bool EndOfCandidates { get; set; }

    /// <summary>
    /// Candidates written before any m= line. Not in RFC 8840's grammar, but some WHIP clients send
    /// them that way; with a single BUNDLE transport they belong to it.
    /// </summary>
    public List<IceCandidate> Candidates { get; set; } = [];

    public List<SdpAttribute> Attributes { get; set; } = [];

    public List<TrickleIceMedia> Media { get; set; } = [];

    /// <summary>Parses a fragment. Never throws for bad input.</summary>
    public static SdpParseResult<TrickleIceFragment> Parse(string? text)
    {
        if (text is null) return SdpParseResult<TrickleIceFragment>.Fail("fragment text is null", 0);
        if (text.Length > SdpGrammar.MaxTextLength)
        {
            return SdpParseResult<TrickleIceFragment>.Fail($"fragment is longer than {SdpGrammar.MaxTextLength} characters", 0);
        }

        var fragment = new TrickleIceFragment();
        TrickleIceMedia? media = null;
        bool any = false;
        foreach (var (number, line) in SdpParser.Lines(text))
        {
            if (line.Length == 0) continue;
            string? error = SdpParser.CheckLine(line) ?? Line(fragment, ref media, line[0], line[2..]);
            if (error is not null) return SdpParseResult<TrickleIceFragment>.Fail(error, number);
            any = true;
        }
        if (!any) return SdpParseResult<TrickleIceFragment>.Fail("fragment is empty", 0);
        foreach (var m in fragment.Media)
        {
            if (m.Mid is null) return SdpParseResult<TrickleIceFragment>.Fail($"m-section {m.Index} of the fragment has no a=mid", 0);
        }
        return SdpParseResult<TrickleIceFragment>.Ok(fragment);
    }

    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out TrickleIceFragment? fragment,
        [NotNullWhen(false)] out string? error)
    {
        var result = Parse(text);
        fragment = result.Value;
        error = result.Error;
        return result.IsSuccess;
    }

    private static string? Line(TrickleIceFragment f, ref TrickleIceMedia? media, char type, string value)
    {
        switch (type)
        {
            case 'v' or 'o' or 's' or 't' or 'c' or 'b':
                // Not part of the fragment grammar; some clients send them anyway. Nothing in them matters here.
                return null;
            case 'm':
                string[] t = SdpGrammar.Tokens(value);
                if (t.Length < 3 || !SdpGrammar.IsToken(t[0])) return "m= in a fragment needs media, port and protocol";
                if (!SdpGrammar.TryParseInt(t[1], 0, 65535, out int port)) return $"m= port '{SdpParser.Clip(t[1])}' is not 0-65535";
                for (int i = 2; i < t.Length; i++)
                {
                    if (!SdpGrammar.IsNonSpaceText(t[i])) return "m= field is not printable";
                }
                media = new TrickleIceMedia
                {
                    Index = f.Media.Count,
                    Kind = t[0],
                    Port = port,
                    Protocol = t[2],
                    Formats = t.Length > 3 ? [.. t[3..]] : ["0"],
                };
                f.Media.Add(media);
                return null;
            case 'a':
                return media is null ? SessionAttribute(f, value) : MediaAttribute(media, value);
            default:
                return $"line type '{type}=' is not allowed in a trickle ICE fragment";
        }
    }

    private static string? SessionAttribute(TrickleIceFragment f, string text)
    {
        if (!SdpParser.TrySplitAttribute(text, out string name, out string? value)) return $"attribute name '{SdpParser.Clip(text)}' is not a token";
        string? v = value?.Trim();
        switch (name)
        {
            case "ice-ufrag":
                if (f.IceUfrag is not null) return "duplicate a=ice-ufrag";
                return SdpParser.Word(name, v, w => f.IceUfrag = w);
            case "ice-pwd":
                if (f.IcePwd is not null) return "duplicate a=ice-pwd";
                return SdpParser.Word(name, v, w => f.IcePwd = w);
            case "ice-options":
                return SdpParser.IceOptions(v, f.IceOptions);
            case "ice-lite":
                return SdpParser.Flag(name, value, () => f.IceLite = true);
            case "end-of-candidates":
                return SdpParser.Flag(name, value, () => f.EndOfCandidates = true);
            case "group":
                if (!SdpParser.TryGroup(v, out var group, out string? error)) return error;
                f.Groups.Add(group!);
                return null;
            case "candidate":
                if (!IceCandidate.TryParse(v ?? "", out var candidate, out string? candidateError)) return candidateError;
                f.Candidates.Add(candidate);
                return null;
            default:
                f.Attributes.Add(new SdpAttribute(name, value));
                return null;
        }
    }

    private static string? MediaAttribute(TrickleIceMedia m, string text)
    {
        if (!SdpParser.TrySplitAttribute(text, out string name, out string? value)) return $"attribute name '{SdpParser.Clip(text)}' is not a token";
        string? v = value?.Trim();
        switch (name)
        {
            case "mid":
                if (m.Mid is not null) return "duplicate a=mid";
                return SdpParser.Word(name, v, w => m.Mid = w);
            case "ice-ufrag":
                if (m.IceUfrag is not null) return "duplicate a=ice-ufrag in m-section";
                return SdpParser.Word(name, v, w => m.IceUfrag = w);
            case "ice-pwd":
                if (m.IcePwd is not null) return "duplicate a=ice-pwd in m-section";
                return SdpParser.Word(name, v, w => m.IcePwd = w);
            case "candidate":
                if (!IceCandidate.TryParse(v ?? "", out var candidate, out string? error)) return error;
                m.Candidates.Add(candidate);
                return null;
            case "end-of-candidates":
                return SdpParser.Flag(name, value, () => m.EndOfCandidates = true);
            default:
                m.Attributes.Add(new SdpAttribute(name, value));
                return null;
        }
    }

    /// <summary>Ufrag that applies to an m-section: its own, else the session-level one.</summary>
    public string? EffectiveIceUfrag(TrickleIceMedia media) => media.IceUfrag ?? IceUfrag;

    public string? EffectiveIcePwd(TrickleIceMedia media) => media.IcePwd ?? IcePwd;

    public TrickleIceMedia? FindMedia(string mid)
    {
        foreach (var m in Media)
        {
            if (m.Mid == mid) return m;
        }
        return null;
    }

    /// <summary>Writes the fragment with CRLF line endings.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(512);
        if (IceLite) MediaDescription.Attr(sb, "ice-lite", null);
        if (IceOptions.Count > 0) MediaDescription.Attr(sb, "ice-options", string.Join(' ', IceOptions));
        foreach (var group in Groups) MediaDescription.Attr(sb, "group", group.ToString());
        if (IceUfrag is not null) MediaDescription.Attr(sb, "ice-ufrag", IceUfrag);
        if (IcePwd is not null) MediaDescription.Attr(sb, "ice-pwd", IcePwd);
        foreach (var attr in Attributes) MediaDescription.Attr(sb, attr.Name, attr.Value);
        foreach (var c in Candidates) MediaDescription.Attr(sb, "candidate", c.ToValue());
        if (EndOfCandidates) MediaDescription.Attr(sb, "end-of-candidates", null);
        foreach (var m in Media)
        {
            sb.Append("m=").Append(m.Kind).Append(' ').Append(SdpGrammar.Num(m.Port)).Append(' ').Append(m.Protocol);
            foreach (string fmt in m.Formats) sb.Append(' ').Append(fmt);
            sb.Append("\r\n");
            if (m.Mid is not null) MediaDescription.Attr(sb, "mid", m.Mid);
            if (m.IceUfrag is not null) MediaDescription.Attr(sb, "ice-ufrag", m.IceUfrag);
            if (m.IcePwd is not null) MediaDescription.Attr(sb, "ice-pwd", m.IcePwd);
            foreach (var attr in m.Attributes) MediaDescription.Attr(sb, attr.Name, attr.Value);
            foreach (var c in m.Candidates) MediaDescription.Attr(sb, "candidate", c.ToValue());
            if (m.EndOfCandidates) MediaDescription.Attr(sb, "end-of-candidates", null);
        }
        return sb.ToString();
    }
}

/// <summary>A pseudo m-section of a trickle fragment: which mid the candidates belong to.</summary>
public sealed class TrickleIceMedia
{
    /// <summary>Position among the fragment's m-sections (not necessarily the m-line index of the session).</summary>
    public int Index { get; set; }

    public string? Mid { get; set; }

    /// <summary>m= fields are placeholders in a fragment (RFC 8840 uses "audio 9 RTP/AVP 0").</summary>
    public string Kind { get; set; } = "audio";

    public int Port { get; set; } = 9;

    public string Protocol { get; set; } = "UDP/TLS/RTP/SAVPF";

    public List<string> Formats { get; set; } = ["0"];

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public List<IceCandidate> Candidates { get; set; } = [];

    public bool EndOfCandidates { get; set; }

    public List<SdpAttribute> Attributes { get; set; } = [];
}
