using System.Security.Cryptography;
using System.Text;

namespace Service.Tokens;

/// <summary>
/// Service tokens with which the control plane calls an SFU node's control API: HS256, typ "sfu-control",
/// aud = the node's id (a token for one node is refused by every other), valid for about a minute. Both sides
/// hold the shared secret (SFU_NODE_SECRET); the MAC key is derived from it for this purpose only, so even a
/// secret shared with the access tokens never makes an access token's MAC valid here, nor the reverse.
/// </summary>
public sealed class SfuControlTokens
{
    public const string Type = "sfu-control";
    public const string Issuer = "omegle.media/control-plane";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);
    private static readonly byte[] Purpose = "omegle.media sfu-control token key v1"u8.ToArray();
    private const int ClockSkewSeconds = 30;

    private readonly Hs256Jwt _jwt;

    public SfuControlTokens(string sharedSecret)
    {
        if (Encoding.UTF8.GetByteCount(sharedSecret) < Hs256Jwt.MinimumKeyBytes)
            throw new ArgumentException($"the SFU node secret is at least {Hs256Jwt.MinimumKeyBytes} bytes", nameof(sharedSecret));
        _jwt = new Hs256Jwt(HMACSHA256.HashData(Encoding.UTF8.GetBytes(sharedSecret), Purpose));
    }

    public string Issue(string nodeId, DateTimeOffset now, TimeSpan? lifetime = null) => _jwt.Sign(new Dictionary<string, object>
    {
        ["iss"] = Issuer,
        ["aud"] = nodeId,
        ["typ"] = Type,
        ["sub"] = "control-plane",
        ["jti"] = Guid.NewGuid().ToString("N"),
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = (now + (lifetime ?? DefaultLifetime)).ToUnixTimeSeconds(),
    });

    /// <summary>Accepts only a token the control plane issued for <paramref name="nodeId"/> and that is current.</summary>
    public TokenRejection Validate(string? token, string nodeId, DateTimeOffset now) =>
        _jwt.Validate(token, new TokenRules(Issuer, nodeId, Type, ClockSkewSeconds), now, out _);
}
