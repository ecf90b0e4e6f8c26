using System.Text.Json;

namespace Service.Tokens;

/// <summary>What a device access token says about its bearer.</summary>
public sealed record AccessTokenClaims(Guid DeviceId, string? Role, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>
/// The control plane's device access tokens (typ "access", sub = device id): issued by the control plane,
/// accepted by it and by standalone SFU nodes for their WHIP API. iss and aud are the deployment's JWT_ISSUER.
/// </summary>
public sealed class AccessTokenFormat(Hs256Jwt jwt, string issuer, string audience, int clockSkewSeconds = 30)
{
    public const string Type = "access";

    private readonly TokenRules _rules = new(issuer, audience, Type, clockSkewSeconds);

    public (string Token, DateTimeOffset ExpiresAt) Issue(Guid deviceId, string role, DateTimeOffset now, TimeSpan lifetime)
    {
        var exp = (now + lifetime).ToUnixTimeSeconds();
        var token = jwt.Sign(new Dictionary<string, object>
        {
            ["sub"] = deviceId.ToString(),
            ["deviceId"] = deviceId.ToString(),
            ["role"] = role,
            ["typ"] = Type,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iss"] = issuer,
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = exp,
        });
        return (token, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    public TokenRejection Validate(string? token, DateTimeOffset now, out AccessTokenClaims? claims)
    {
        claims = null;
        var rejection = jwt.Validate(token, _rules, now, out var root);
        if (rejection != TokenRejection.None) return rejection;
        if (!Guid.TryParse(Hs256Jwt.String(root, "sub"), out var device)) return TokenRejection.Malformed;
        Hs256Jwt.TryLong(root, "exp", out var exp);
        claims = new AccessTokenClaims(device, Hs256Jwt.String(root, "role"), Hs256Jwt.String(root, "jti") ?? "", DateTimeOffset.FromUnixTimeSeconds(exp));
        return TokenRejection.None;
    }
}
