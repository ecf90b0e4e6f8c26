using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Media.Sfu.Sdp;

/// <summary>
/// An ICE candidate attribute (RFC 8839 §5.1):
/// <c>candidate:foundation component transport priority address port typ type [raddr a] [rport p] *(name value)</c>.
/// The address stays text: it may be IPv4, IPv6 or an mDNS ".local" name.
/// </summary>
public sealed class IceCandidate
{
    public required string Foundation { get; init; }

    /// <summary>1 = RTP, 2 = RTCP; always 1 with rtcp-mux.</summary>
    public int Component { get; init; } = 1;

    /// <summary>"udp" or "tcp" as written (compare case-insensitively).</summary>
    public string Transport { get; init; } = "udp";

    public uint Priority { get; init; }

    public required string Address { get; init; }

    public int Port { get; init; }

    public IceCandidateType Type { get; init; }

    public string? RelatedAddress { get; init; }

    public int? RelatedPort { get; init; }

    /// <summary>RFC 6544 tcptype: active, passive or so.</summary>
    public string? TcpType { get; init; }

    /// <summary>Other extension pairs in written order (generation, ufrag, network-id, network-cost, …).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; init; } = [];

    public bool IsUdp => string.Equals(Transport, "udp", StringComparison.OrdinalIgnoreCase);

    public bool IsTcp => string.Equals(Transport, "tcp", StringComparison.OrdinalIgnoreCase);

    public string? GetExtension(string name)
    {
        foreach (var pair in Extensions)
        {
            if (string.Equals(pair.Key, name, StringComparison.Ordinal)) return pair.Value;
        }
        return null;
    }

    /// <summary>
    /// Parses a candidate as found in SDP (<c>a=candidate:…</c>), in JavaScript
    /// (<c>candidate:…</c>) or bare (<c>foundation component …</c>).
    /// </summary>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out IceCandidate? candidate,
        [NotNullWhen(false)] out string? error)
    {
        candidate = null;
        if (text is null)
        {
            error = "candidate is null";
            return false;
        }
        string body = text.Trim();
        if (body.StartsWith("a=", StringComparison.Ordinal)) body = body[2..];
        if (body.StartsWith("candidate:", StringComparison.Ordinal)) body = body["candidate:".Length..];

        string[] t = SdpGrammar.Tokens(body);
        if (t.Length < 8)
        {
            error = $"candidate needs at least 8 fields, found {t.Length}";
            return false;
        }
        if (t[0].Length > 32 || !SdpGrammar.IsIceChars(t[0]))
        {
            error = $"candidate foundation '{t[0]}' is not 1-32 ice-chars";
            return false;
        }
        if (!SdpGrammar.TryParseInt(t[1], 1, 256, out int component))
        {
            error = $"candidate component '{t[1]}' is not 1-256";
            return false;
        }
        if (!SdpGrammar.IsToken(t[2]))
        {
            error = $"candidate transport '{t[2]}' is not a token";
            return false;
        }
        if (!SdpGrammar.TryParseUInt32(t[3], out uint priority) || priority == 0)
        {
            error = $"candidate priority '{t[3]}' is not 1-4294967295";
            return false;
        }
        if (!SdpGrammar.IsNonSpaceText(t[4]))
        {
            error = "candidate address is empty";
            return false;
        }
        if (!SdpGrammar.TryParseInt(t[5], 0, 65535, out int port))
        {
            error = $"candidate port '{t[5]}' is not 0-65535";
            return false;
        }
        if (t[6] != "typ")
        {
            error = $"expected 'typ' in candidate, found '{t[6]}'";
            return false;
        }
        if (!SdpEnumText.TryParseCandidateType(t[7], out var type))
        {
            error = $"unknown candidate type '{t[7]}'";
            return false;
        }
        if ((t.Length - 8) % 2 != 0)
        {
            error = $"candidate extension '{t[^1]}' has no value";
            return false;
        }

        string? raddr = null, tcpType = null;
        int? rport = null;
        var extensions = new List<KeyValuePair<string, string>>();
        for (int i = 8; i < t.Length; i += 2)
        {
            string name = t[i], value = t[i + 1];
            switch (name)
            {
                case "raddr":
                    if (raddr is not null) { error = "duplicate raddr in candidate"; return false; }
                    raddr = value;
                    break;
                case "rport":
                    if (rport is not null) { error = "duplicate rport in candidate"; return false; }
                    if (!SdpGrammar.TryParseInt(value, 0, 65535, out int rp))
                    {
                        error = $"candidate rport '{value}' is not 0-65535";
                        return false;
                    }
                    rport = rp;
                    break;
                case "tcptype":
                    if (tcpType is not null) { error = "duplicate tcptype in candidate"; return false; }
                    tcpType = value;
                    break;
                default:
                    if (!SdpGrammar.IsToken(name))
                    {
                        error = $"candidate extension name '{name}' is not a token";
                        return false;
                    }
                    extensions.Add(new(name, value));
                    break;
            }
        }

        candidate = new IceCandidate
        {
            Foundation = t[0],
            Component = component,
            Transport = t[2],
            Priority = priority,
            Address = t[4],
            Port = port,
            Type = type,
            RelatedAddress = raddr,
            RelatedPort = rport,
            TcpType = tcpType,
            Extensions = extensions,
        };
        error = null;
        return true;
    }

    /// <summary>The attribute value without "candidate:" (what follows <c>a=candidate:</c>).</summary>
    public string ToValue()
    {
        var sb = new StringBuilder(96);
        sb.Append(Foundation).Append(' ')
          .Append(SdpGrammar.Num(Component)).Append(' ')
          .Append(Transport).Append(' ')
          .Append(SdpGrammar.Num(Priority)).Append(' ')
          .Append(Address).Append(' ')
          .Append(SdpGrammar.Num(Port)).Append(" typ ")
          .Append(Type.ToSdp());
        if (RelatedAddress is not null) sb.Append(" raddr ").Append(RelatedAddress);
        if (RelatedPort is int rp) sb.Append(" rport ").Append(SdpGrammar.Num(rp));
        if (TcpType is not null) sb.Append(" tcptype ").Append(TcpType);
        foreach (var pair in Extensions) sb.Append(' ').Append(pair.Key).Append(' ').Append(pair.Value);
        return sb.ToString();
    }

    /// <summary>"candidate:…", the form of RTCIceCandidate.candidate in browsers.</summary>
    public override string ToString() => "candidate:" + ToValue();
}
