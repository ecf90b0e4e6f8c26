using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Service.Tokens;

/// <summary>Why a token was refused (<see cref="TokenRejection.None"/>: it was accepted).</summary>
public enum TokenRejection { None, Missing, Malformed, WrongAlgorithm, BadSignature, Expired, NotYetValid, WrongIssuer, WrongAudience, WrongType }

/// <summary>What a token must say to be accepted: its issuer, audience and our token type ("typ" claim).</summary>
public sealed record TokenRules(string Issuer, string Audience, string Type, int ClockSkewSeconds = 30);

/// <summary>
/// HS256 JSON Web Tokens (RFC 7519, RFC 7515) signed and validated strictly: the header must say exactly alg
/// HS256 (no "none", no key confusion) and carry no "crit" extensions, the MAC is compared in fixed time, and
/// exp (required), nbf (when present), iss, aud and typ are checked. One key per instance.
/// </summary>
public sealed class Hs256Jwt
{
    public const int MinimumKeyBytes = 32;
    public const int MaxTokenLength = 4096;
    private static readonly string EncodedHeader = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
    private readonly byte[] _key;

    public Hs256Jwt(ReadOnlySpan<byte> key)
    {
        // RFC 7518 §3.2: a key of the hash's size at least.
        if (key.Length < MinimumKeyBytes) throw new ArgumentException($"an HS256 key is at least {MinimumKeyBytes} bytes", nameof(key));
        _key = key.ToArray();
    }

    public Hs256Jwt(string secret) : this(Encoding.UTF8.GetBytes(secret)) { }

    /// <summary>Signs the claims (serialized as a JSON object) under the fixed HS256 header.</summary>
    public string Sign(IReadOnlyDictionary<string, object> claims)
    {
        var signingInput = EncodedHeader + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var mac = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// Checks structure, algorithm, MAC, then exp/nbf/iss/aud/typ against <paramref name="rules"/> at
    /// <paramref name="now"/>. On success <paramref name="claims"/> is the payload object (detached from the token).
    /// </summary>
    public TokenRejection Validate(string? token, TokenRules rules, DateTimeOffset now, out JsonElement claims)
    {
        claims = default;
        if (string.IsNullOrEmpty(token)) return TokenRejection.Missing;
        if (token.Length > MaxTokenLength) return TokenRejection.Malformed;
        var first = token.IndexOf('.');
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.Length - 1 || token.IndexOf('.', second + 1) >= 0)
            return TokenRejection.Malformed;

        var header = FromB64(token.AsSpan(0, first));
        var payload = FromB64(token.AsSpan(first + 1, second - first - 1));
        var signature = FromB64(token.AsSpan(second + 1));
        if (header is null || payload is null || signature is null) return TokenRejection.Malformed;

        try
        {
            using (var h = JsonDocument.Parse(header))
            {
                if (h.RootElement.ValueKind != JsonValueKind.Object) return TokenRejection.Malformed;
                if (!h.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || !alg.ValueEquals("HS256"u8))
                    return TokenRejection.WrongAlgorithm;
                if (h.RootElement.TryGetProperty("crit", out _)) return TokenRejection.Malformed; // RFC 7515 §4.1.11: we understand no extensions
            }

            Span<byte> expected = stackalloc byte[32];
            HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(token[..second]), expected);
            if (signature.Length != 32 || !CryptographicOperations.FixedTimeEquals(expected, signature))
                return TokenRejection.BadSignature;

            using var p = JsonDocument.Parse(payload);
            var root = p.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return TokenRejection.Malformed;
            var seconds = now.ToUnixTimeSeconds();
            var skew = rules.ClockSkewSeconds;
            if (!TryLong(root, "exp", out var exp)) return TokenRejection.Malformed;
            if (seconds > exp + skew) return TokenRejection.Expired;
            if (TryLong(root, "nbf", out var nbf) && seconds + skew < nbf) return TokenRejection.NotYetValid;
            if (String(root, "iss") != rules.Issuer) return TokenRejection.WrongIssuer;
            if (String(root, "aud") != rules.Audience) return TokenRejection.WrongAudience;
            if (String(root, "typ") != rules.Type) return TokenRejection.WrongType;
            claims = root.Clone();
            return TokenRejection.None;
        }
        catch (JsonException) { return TokenRejection.Malformed; }
        catch (InvalidOperationException) { return TokenRejection.Malformed; } // a string that is not valid UTF-8
    }

    public static bool TryLong(JsonElement e, string name, out long value)
    {
        value = 0;
        return e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out value);
    }

    public static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[]? FromB64(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return null;
        foreach (var c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return null; // no padding, no standard alphabet
        try { return Base64Url.DecodeFromChars(text); }
        catch (FormatException) { return null; }
    }
}
