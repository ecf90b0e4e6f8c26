using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Auth;

/// <summary>What an access token says about its bearer.</summary>
public sealed record TokenPrincipal(Guid DeviceId, string Role, string TokenId, DateTimeOffset ExpiresAt);

public enum TokenRejection { None, Missing, Malformed, WrongAlgorithm, BadSignature, Expired, NotYetValid, WrongIssuer, WrongAudience, WrongType }

/// <summary>
/// HS256 JSON Web Tokens (RFC 7519, RFC 7515), validated strictly: the header must say exactly
/// alg HS256 (no "none", no key confusion), the MAC is compared in fixed time, and exp, nbf, iss, aud
/// and our token type are all required to match.
/// </summary>
public sealed class AccessTokens
{
    private const int MaxTokenLength = 4096;
    private static readonly byte[] Header = Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}""");
    private readonly byte[] _key;
    private readonly AuthOptions _options;
    private readonly TimeProvider _clock;

    public AccessTokens(IOptions<AuthOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _key = Encoding.UTF8.GetBytes(_options.JwtSecret!);
        _clock = clock;
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(Guid deviceId, string role)
    {
        var now = _clock.GetUtcNow();
        var exp = now + _options.AccessLifetime;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = deviceId.ToString(),
            ["deviceId"] = deviceId.ToString(),
            ["role"] = role,
            ["typ"] = "access",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iss"] = _options.Issuer,
            ["aud"] = _options.Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = exp.ToUnixTimeSeconds(),
        });
        var signingInput = B64(Header) + "." + B64(payload);
        var mac = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signingInput));
        return (signingInput + "." + B64(mac), DateTimeOffset.FromUnixTimeSeconds(exp.ToUnixTimeSeconds()));
    }

    public TokenRejection Validate(string? token, out TokenPrincipal? principal)
    {
        principal = null;
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
                if (!h.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
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
            var now = _clock.GetUtcNow().ToUnixTimeSeconds();
            var skew = _options.ClockSkewSeconds;
            if (!TryLong(root, "exp", out var exp)) return TokenRejection.Malformed;
            if (now > exp + skew) return TokenRejection.Expired;
            if (TryLong(root, "nbf", out var nbf) && now + skew < nbf) return TokenRejection.NotYetValid;
            if (Str(root, "iss") != _options.Issuer) return TokenRejection.WrongIssuer;
            if (Str(root, "aud") != _options.Audience) return TokenRejection.WrongAudience;
            if (Str(root, "typ") != "access") return TokenRejection.WrongType;
            if (!Guid.TryParse(Str(root, "sub"), out var device)) return TokenRejection.Malformed;
            var role = Str(root, "role") ?? Roles.User;
            principal = new TokenPrincipal(device, role, Str(root, "jti") ?? "", DateTimeOffset.FromUnixTimeSeconds(exp));
            return TokenRejection.None;
        }
        catch (JsonException) { return TokenRejection.Malformed; }
    }

    private static bool TryLong(JsonElement e, string name, out long value)
    {
        value = 0;
        return e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out value);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string B64(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);

    private static byte[]? FromB64(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return null;
        foreach (var c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return null; // no padding, no standard alphabet
        try { return Base64Url.DecodeFromChars(text); }
        catch (FormatException) { return null; }
    }
}
