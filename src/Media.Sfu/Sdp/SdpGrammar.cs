using System.Globalization;

namespace Media.Sfu.Sdp;

/// <summary>Lexical rules shared by the SDP parsers (RFC 8866 §9, RFC 8839 §5).</summary>
internal static class SdpGrammar
{
    /// <summary>Largest SDP text we accept; real offers are a few tens of KB.</summary>
    public const int MaxTextLength = 1 << 20;

    public static readonly char[] Space = [' '];

    public static string[] Tokens(string text) =>
        text.Split(Space, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>RFC 8866 §9 token: visible ASCII except separators.</summary>
    public static bool IsToken(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        foreach (char c in text)
        {
            if (!IsTokenChar(c)) return false;
        }
        return true;
    }

    public static bool IsTokenChar(char c) =>
        c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '{' or '|' or '}' or '~'
        || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

    /// <summary>Any visible ASCII or non-ASCII text without spaces or control characters.</summary>
    public static bool IsNonSpaceText(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        foreach (char c in text)
        {
            if (c <= ' ' || c == '\u007f') return false;
        }
        return true;
    }

    /// <summary>RFC 8839 §5.4 ice-char = ALPHA / DIGIT / "+" / "/".</summary>
    public static bool IsIceChars(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        foreach (char c in text)
        {
            bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '+' || c == '/';
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>RFC 8839 §5.4: ice-ufrag is 4–256 ice-chars.</summary>
    public static bool IsValidIceUfrag(string? ufrag) =>
        ufrag is { Length: >= 4 and <= 256 } && IsIceChars(ufrag);

    /// <summary>RFC 8839 §5.4: ice-pwd is 22–256 ice-chars.</summary>
    public static bool IsValidIcePwd(string? pwd) =>
        pwd is { Length: >= 22 and <= 256 } && IsIceChars(pwd);

    public static bool TryParseInt(string? text, int min, int max, out int value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 10) return false;
        foreach (char c in text)
        {
            if (c < '0' || c > '9') return false;
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed)) return false;
        if (parsed < min || parsed > max) return false;
        value = (int)parsed;
        return true;
    }

    public static bool TryParseUInt32(string? text, out uint value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 10) return false;
        foreach (char c in text)
        {
            if (c < '0' || c > '9') return false;
        }
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseUInt64(string? text, out ulong value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 20) return false;
        foreach (char c in text)
        {
            if (c < '0' || c > '9') return false;
        }
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Num(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Digest length in bytes for the hash names of RFC 8122 §5 (IANA "Hash Function Textual Names").</summary>
    public static int FingerprintDigestLength(string algorithm) => algorithm.ToLowerInvariant() switch
    {
        "sha-1" => 20,
        "sha-224" => 28,
        "sha-256" => 32,
        "sha-384" => 48,
        "sha-512" => 64,
        "md5" or "md2" => 16,
        _ => 0,
    };

    /// <summary>RFC 8122 §5: fingerprint = 2HEXDIG *(":" 2HEXDIG); checked against the digest size.</summary>
    public static bool IsValidFingerprintValue(string algorithm, string value)
    {
        int bytes = FingerprintDigestLength(algorithm);
        if (bytes == 0 || value.Length != bytes * 3 - 1) return false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (i % 3 == 2)
            {
                if (c != ':') return false;
            }
            else if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
