using System.Security.Claims;
using System.Text.Encodings.Web;
using ControlPlane.Api.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Service.Tokens;

namespace ControlPlane.Api.Auth;

/// <summary>
/// Authenticates "Authorization: Bearer &lt;access token&gt;" (or ?access_token= for WebSocket upgrades, where
/// browsers cannot set headers) with <see cref="AccessTokens"/>. JwtBearer does not restore here.
/// </summary>
public sealed class BearerAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string ModeratorPolicy = "moderator";
    private const string RejectionKey = "auth.rejection";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = TokenFrom(Request);
        var rejection = tokens.Validate(token, out var principal);
        if (rejection == TokenRejection.Missing) return Task.FromResult(AuthenticateResult.NoResult());
        if (rejection != TokenRejection.None)
        {
            Context.Items[RejectionKey] = rejection;
            return Task.FromResult(AuthenticateResult.Fail(rejection.ToString()));
        }
        var identity = new ClaimsIdentity(new[]
        {
            new Claim(ClaimTypes.NameIdentifier, principal!.DeviceId.ToString()),
            new Claim(ClaimTypes.Role, principal.Role),
            new Claim("jti", principal.TokenId),
        }, SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var rejection = Context.Items.TryGetValue(RejectionKey, out var r) ? (TokenRejection)r! : TokenRejection.Missing;
        Response.Headers.WWWAuthenticate = "Bearer";
        var (code, message) = rejection switch
        {
            TokenRejection.Missing => (ErrorCodes.Unauthorized, "Authentication required: send Authorization: Bearer <accessToken>"),
            TokenRejection.Expired => (ErrorCodes.TokenExpired, "The access token has expired; refresh it"),
            TokenRejection.WrongAlgorithm => (ErrorCodes.InvalidToken, "The access token must be signed with HS256"),
            _ => (ErrorCodes.InvalidToken, "The access token is invalid"),
        };
        return ErrorResponses.WriteAsync(Context, 401, code, message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorResponses.WriteAsync(Context, 403, ErrorCodes.Forbidden, "This action requires the moderator role");

    public static string? TokenFrom(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header[7..].Trim();
        if (header.Length > 0) return "";   // some other scheme: present but unusable
        var q = request.Query["access_token"].ToString();
        return q.Length > 0 ? q : null;
    }
}

public static class PrincipalExtensions
{
    public static Guid DeviceId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? Roles.User;
}
