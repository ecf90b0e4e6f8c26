using ControlPlane.Api.Auth;
using ControlPlane.Api.Errors;
using Microsoft.Extensions.Options;
using Turn.Auth;

namespace ControlPlane.Api.Turn;

/// <summary>Seed 000 §3: POST /turn/credentials → time-limited coturn credentials for the signed-in device.</summary>
public static class TurnEndpoints
{
    public static RouteGroupBuilder MapTurn(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/turn").WithTags("Turn").RequireAuthorization();
        group.MapPost("/credentials", (HttpContext http, IOptions<TurnOptions> options, IServiceProvider services) =>
        {
            if (options.Value.Secrets.Count == 0)
                throw new ApiException(503, ErrorCodes.ServiceUnavailable, "TURN is not configured on this server (TURN_SECRET, TURN_SERVER_URL)");
            var c = services.GetRequiredService<TurnCredentialIssuer>().Issue(http.User.DeviceId().ToString());
            return Results.Ok(new { urls = c.Urls, username = c.Username, credential = c.Credential, ttl = c.Ttl });
        });
        return group;
    }
}
