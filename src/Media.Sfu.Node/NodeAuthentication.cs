using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Service.Tokens;

namespace Media.Sfu.Node;

/// <summary>
/// Bearer authentication for the node's two kinds of callers: the control plane with an
/// <see cref="SfuControlTokens"/> service token issued for this node (scheme <see cref="ControlScheme"/>),
/// and devices with their control-plane access token on the WHIP API (scheme <see cref="DeviceScheme"/>).
/// </summary>
public abstract class NodeBearerAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string ControlScheme = "SfuControl";
    public const string DeviceScheme = "Bearer";
    public const string ControlPolicy = "sfu-control";
    private const string RejectionKey = "node.auth.rejection";

    protected abstract TokenRejection Validate(string token, out ClaimsIdentity? identity);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        string? token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : header.Length > 0 ? "" : null;
        if (token is null) return Task.FromResult(AuthenticateResult.NoResult());
        var rejection = Validate(token, out var identity);
        if (rejection != TokenRejection.None)
        {
            Context.Items[RejectionKey] = rejection;
            return Task.FromResult(AuthenticateResult.Fail(rejection.ToString()));
        }
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity!), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var rejection = Context.Items.TryGetValue(RejectionKey, out var r) ? (TokenRejection)r! : TokenRejection.Missing;
        Response.Headers.WWWAuthenticate = "Bearer";
        var (code, message) = rejection switch
        {
            TokenRejection.Missing => ("UNAUTHORIZED", "Authentication required: send Authorization: Bearer <token>"),
            TokenRejection.Expired => ("TOKEN_EXPIRED", "The token has expired"),
            TokenRejection.WrongAlgorithm => ("INVALID_TOKEN", "The token must be signed with HS256"),
            _ => ("INVALID_TOKEN", "The token is invalid"),
        };
        return NodeErrors.WriteAsync(Context, 401, code, message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        NodeErrors.WriteAsync(Context, 403, "FORBIDDEN", "This token may not do this");
}

public sealed class ControlTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptions<NodeOptions> node, SfuControlTokens tokens, TimeProvider clock) : NodeBearerAuthentication(options, logger, encoder)
{
    protected override TokenRejection Validate(string token, out ClaimsIdentity? identity)
    {
        identity = null;
        var rejection = tokens.Validate(token, node.Value.Id, clock.GetUtcNow());
        if (rejection == TokenRejection.None)
            identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "control-plane"), new Claim(ClaimTypes.Role, SfuControlTokens.Type)], ControlScheme);
        return rejection;
    }
}

public sealed class DeviceTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokenFormat tokens, TimeProvider clock) : NodeBearerAuthentication(options, logger, encoder)
{
    protected override TokenRejection Validate(string token, out ClaimsIdentity? identity)
    {
        identity = null;
        var rejection = tokens.Validate(token, clock.GetUtcNow(), out var claims);
        if (rejection == TokenRejection.None)
            identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, claims!.DeviceId.ToString()), new Claim(ClaimTypes.Role, claims.Role ?? "user")], DeviceScheme);
        return rejection;
    }
}
