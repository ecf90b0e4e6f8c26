using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Media.Sfu.Sdp;

/// <summary>
/// A parsed or built SDP session description (RFC 8866) with the session-level attributes JSEP
/// (RFC 8829) uses typed. Unknown attributes are kept in <see cref="Attributes"/> and written back.
/// </summary>
public sealed class SessionDescription
{
    public int Version { get; set; }

    public SdpOrigin Origin { get; set; } = new("-", "0", "0", "IN", "IP4", "127.0.0.1");

    public string SessionName { get; set; } = "-";

    /// <summary>Session-level i= u= e= p= r= z= k= lines, verbatim.</summary>
    public List<SdpLine> OtherLines { get; set; } = [];

    public SdpConnection? Connection { get; set; }

    public List<SdpBandwidth> Bandwidths { get; set; } = [];

    public List<SdpTiming> Timings { get; set; } = [];

    public List<SdpGroup> Groups { get; set; } = [];

    public bool ExtmapAllowMixed { get; set; }

    public SdpMsidSemantic? MsidSemantic { get; set; }

    public bool IceLite { get; set; }

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public List<string> IceOptions { get; set; } = [];

    public List<SdpFingerprint> Fingerprints { get; set; } = [];

    public SetupRole? Setup { get; set; }

    /// <summary>Session-level direction: the default for m-sections without one (RFC 8866 §6.7).</summary>
    public MediaDirection? Direction { get; set; }

    public bool EndOfCandidates { get; set; }

    public List<SdpAttribute> Attributes { get; set; } = [];

    public List<MediaDescription> Media { get; set; } = [];

    /// <summary>The first BUNDLE group (RFC 8843), if any.</summary>
    public SdpGroup? BundleGroup
    {
        get
        {
            foreach (var group in Groups)
            {
                if (group.IsBundle) return group;
            }
            return null;
        }
    }

    public MediaDescription? FindMedia(string mid)
    {
        foreach (var media in Media)
        {
            if (media.Mid == mid) return media;
        }
        return null;
    }

    /// <summary>The direction that applies to an m-section: its own, else the session's, else sendrecv.</summary>
    public MediaDirection EffectiveDirection(MediaDescription media) =>
        media.Direction ?? Direction ?? MediaDirection.SendRecv;

    /// <summary>Parses SDP text. Never throws for bad input: the result carries an error and its line.</summary>
    public static SdpParseResult<SessionDescription> Parse(string? text) => SdpParser.ParseSession(text);

    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out SessionDescription? description,
        [NotNullWhen(false)] out string? error)
    {
        var result = SdpParser.ParseSession(text);
        description = result.Value;
        error = result.Error;
        return result.Value is not null;
    }

    /// <summary>Writes the description with CRLF line endings (RFC 8866 §5).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(4096);
        MediaDescription.Line(sb, 'v', SdpGrammar.Num(Version));
        MediaDescription.Line(sb, 'o', Origin.ToString());
        MediaDescription.Line(sb, 's', SessionName);
        // RFC 8866 §5 fixes the order: i u e p c b t r z k a.
        WriteOther(sb, "iuep");
        if (Connection is not null) MediaDescription.Line(sb, 'c', Connection.ToString());
        foreach (var bw in Bandwidths) MediaDescription.Line(sb, 'b', bw.ToString());
        foreach (var t in Timings) MediaDescription.Line(sb, 't', t.ToString());
        WriteOther(sb, "rzk");

        foreach (var group in Groups) MediaDescription.Attr(sb, "group", group.ToString());
        if (ExtmapAllowMixed) MediaDescription.Attr(sb, "extmap-allow-mixed", null);
        // Chrome writes "msid-semantic: WMS" with a space; both forms parse.
        if (MsidSemantic is not null) MediaDescription.Attr(sb, "msid-semantic", " " + MsidSemantic);
        if (IceLite) MediaDescription.Attr(sb, "ice-lite", null);
        if (IceUfrag is not null) MediaDescription.Attr(sb, "ice-ufrag", IceUfrag);
        if (IcePwd is not null) MediaDescription.Attr(sb, "ice-pwd", IcePwd);
        if (IceOptions.Count > 0) MediaDescription.Attr(sb, "ice-options", string.Join(' ', IceOptions));
        foreach (var fp in Fingerprints) MediaDescription.Attr(sb, "fingerprint", fp.ToString());
        if (Setup is SetupRole setup) MediaDescription.Attr(sb, "setup", setup.ToSdp());
        if (Direction is MediaDirection dir) MediaDescription.Attr(sb, dir.ToSdp(), null);
        foreach (var attr in Attributes) MediaDescription.Attr(sb, attr.Name, attr.Value);
        if (EndOfCandidates) MediaDescription.Attr(sb, "end-of-candidates", null);

        foreach (var media in Media) media.WriteTo(sb);
        return sb.ToString();
    }

    private void WriteOther(StringBuilder sb, string types)
    {
        foreach (char type in types)
        {
            foreach (var line in OtherLines)
            {
                if (line.Type == type) MediaDescription.Line(sb, type, line.Value);
            }
        }
    }
}

/// <summary>Outcome of parsing SDP text: a value, or an error message and the 1-based line it refers to.</summary>
public sealed class SdpParseResult<T> where T : class
{
    private SdpParseResult(T? value, string? error, int line)
    {
        Value = value;
        Error = error;
        Line = line;
    }

    public T? Value { get; }

    public string? Error { get; }

    /// <summary>1-based line of the error; 0 when the error is about the whole text.</summary>
    public int Line { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Value is not null;

    internal static SdpParseResult<T> Ok(T value) => new(value, null, 0);

    internal static SdpParseResult<T> Fail(string error, int line) =>
        new(null, line > 0 ? $"line {line}: {error}" : error, line);
}
