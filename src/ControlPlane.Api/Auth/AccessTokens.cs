using Microsoft.Extensions.Options;
using Service.Tokens;

namespace ControlPlane.Api.Auth;

/// <summary>What an access token says about its bearer.</summary>
public sealed record TokenPrincipal(Guid DeviceId, string Role, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>
/// Device access tokens: HS256 JWTs in <see cref="AccessTokenFormat"/> (shared with standalone SFU nodes),
/// validated strictly by <see cref="Hs256Jwt"/> — alg pinned, fixed-time MAC, exp/nbf/iss/aud/typ required.
/// </summary>
public sealed class AccessTokens
{
    private readonly AuthOptions _options;
    private readonly TimeProvider _clock;
    private readonly AccessTokenFormat _format;

    public AccessTokens(IOptions<AuthOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _format = new AccessTokenFormat(new Hs256Jwt(_options.JwtSecret!), _options.Issuer, _options.Audience, _options.ClockSkewSeconds);
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(Guid deviceId, string role) =>
        _format.Issue(deviceId, role, _clock.GetUtcNow(), _options.AccessLifetime);

    public TokenRejection Validate(string? token, out TokenPrincipal? principal)
    {
        principal = null;
        var rejection = _format.Validate(token, _clock.GetUtcNow(), out var claims);
        if (rejection != TokenRejection.None) return rejection;
        principal = new TokenPrincipal(claims!.DeviceId, claims.Role ?? Roles.User, claims.TokenId, claims.ExpiresAt);
        return TokenRejection.None;
    }
}
