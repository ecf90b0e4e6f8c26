using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace ControlPlane.Api.Errors;

/// <summary>Turns every failure (thrown or an empty 4xx/5xx) into the API's error shape.</summary>
public static class ErrorResponses
{
    public static Task WriteAsync(HttpContext http, int status, string code, string message, IReadOnlyList<FieldError>? errors = null)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsJsonAsync(new ApiError(message, code, errors));
    }

    public static IApplicationBuilder UseApiErrorShape(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(branch => branch.Run(async http =>
        {
            var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, code, message, fields) = Classify(error);
            if (status >= 500)
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ControlPlane.Api.Errors")
                    .LogError(error, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path.Value);
            await WriteAsync(http, status, code, message, fields);
        }));
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            var status = http.Response.StatusCode;
            var (code, message) = status switch
            {
                400 => (ErrorCodes.ValidationFailed, "The request is malformed"),
                401 => (ErrorCodes.Unauthorized, "Authentication required: send a valid access token"),
                403 => (ErrorCodes.Forbidden, "This action is not allowed for this token"),
                404 => (ErrorCodes.NotFound, $"No route for {http.Request.Method} {http.Request.Path}"),
                405 => (ErrorCodes.MethodNotAllowed, $"{http.Request.Method} is not allowed on {http.Request.Path}"),
                413 => (ErrorCodes.PayloadTooLarge, "The request body is too large"),
                415 => (ErrorCodes.UnsupportedMediaType, "Send the body as application/json"),
                429 => (ErrorCodes.RateLimited, "Too many requests"),
                _ => (status >= 500 ? ErrorCodes.Internal : "HTTP_" + status, "The request failed"),
            };
            await WriteAsync(http, status, code, message);
        });
        return app;
    }

    private static (int, string, string, IReadOnlyList<FieldError>?) Classify(Exception? error) => error switch
    {
        ApiException api => (api.StatusCode, api.ErrorCode, api.Message, api.Errors),
        BadHttpRequestException { StatusCode: 413 } => (413, ErrorCodes.PayloadTooLarge, "The request body is too large", null),
        BadHttpRequestException { StatusCode: 415 } => (415, ErrorCodes.UnsupportedMediaType, "Send the body as application/json", null),
        BadHttpRequestException { InnerException: JsonException je } => (400, ErrorCodes.InvalidJson, "The body is not valid JSON: " + FirstLine(je.Message), null),
        BadHttpRequestException bad when bad.Message.Contains("JSON", StringComparison.OrdinalIgnoreCase) => (400, ErrorCodes.InvalidJson, "The body is not valid JSON", null),
        BadHttpRequestException bad => (bad.StatusCode, ErrorCodes.ValidationFailed, FirstLine(bad.Message), null),
        JsonException je => (400, ErrorCodes.InvalidJson, "The body is not valid JSON: " + FirstLine(je.Message), null),
        OperationCanceledException => (499, "CLIENT_CLOSED_REQUEST", "The request was cancelled", null),
        _ => (500, ErrorCodes.Internal, "An internal error occurred", null),
    };

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        var line = i < 0 ? s : s[..i];
        return line.Length > 200 ? line[..200] : line;
    }
}
