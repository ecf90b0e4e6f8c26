using System.Text.Json.Serialization;
using ControlPlane.Api.Errors;

namespace ControlPlane.Api.Auth;

public sealed record TokenRequest([property: JsonPropertyName("deviceId")] string? DeviceId);
public sealed record RefreshRequest([property: JsonPropertyName("refreshToken")] string? RefreshToken);

/// <summary>Seed 000 §1: POST /auth/token, POST /auth/refresh, GET /auth/verify.</summary>
public static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").WithTags("Auth");

        group.MapPost("/token", async (TokenRequest? body, DeviceSignIn signIn, CancellationToken ct) =>
        {
            var deviceId = ParseDeviceId(body?.DeviceId);
            var pair = await signIn.SignInAsync(deviceId, ct);
            return Results.Ok(new { accessToken = pair.AccessToken, refreshToken = pair.RefreshToken, expiresIn = pair.ExpiresIn });
        });

        // The seed sends the refresh token as the bearer; a JSON body {refreshToken} is accepted too.
        group.MapPost("/refresh", async (HttpRequest request, DeviceSignIn signIn, CancellationToken ct) =>
        {
            string? token = null;
            if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                if (!request.HasJsonContentType())
                    throw new ApiException(415, ErrorCodes.UnsupportedMediaType, "Send the body as application/json");
                var body = await request.ReadFromJsonAsync<RefreshRequest>(ct);
                token = body?.RefreshToken;
            }
            token ??= BearerAuthentication.TokenFrom(request);
            if (string.IsNullOrEmpty(token))
                throw ApiException.Unauthorized(ErrorCodes.RefreshTokenInvalid, "Send the refresh token as {\"refreshToken\": …} or as the bearer token");
            var pair = await signIn.RefreshAsync(token, ct);
            return Results.Ok(new { accessToken = pair.AccessToken, refreshToken = pair.RefreshToken, expiresIn = pair.ExpiresIn });
        });

        group.MapGet("/verify", (HttpContext http) =>
            Results.Ok(new { valid = true, deviceId = http.User.DeviceId().ToString(), role = http.User.Role() }))
            .RequireAuthorization();

        return group;
    }

    /// <summary>A device id must be a UUID in its canonical 8-4-4-4-12 form.</summary>
    public static Guid ParseDeviceId(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw ApiException.BadRequest(ErrorCodes.ValidationFailed, "deviceId is required",
                new[] { new FieldError("deviceId", "required") });
        if (value.Length != 36 || !Guid.TryParseExact(value, "D", out var id) || id == Guid.Empty)
            throw ApiException.BadRequest(ErrorCodes.ValidationFailed, "deviceId must be a UUID like 3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b",
                new[] { new FieldError("deviceId", "not a UUID") });
        return id;
    }
}
