namespace Media.Sfu.Node;

/// <summary>The control plane's error shape: {success:false, status:"error", message, errorCode, timestamp}.</summary>
public static class NodeErrors
{
    public static Task WriteAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(Body(code, message));
    }

    public static IResult Result(int status, string code, string message) => Results.Json(Body(code, message), statusCode: status);

    private static Dictionary<string, object?> Body(string code, string message) => new()
    {
        ["success"] = false, ["status"] = "error", ["message"] = message, ["errorCode"] = code,
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
    };

    /// <summary>Empty 4xx/5xx answers (unknown routes, wrong methods, failures) in the error shape.</summary>
    public static IApplicationBuilder UseNodeErrorShape(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(branch => branch.Run(http =>
        {
            var error = http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
            if (error is BadHttpRequestException bad) return WriteAsync(http, bad.StatusCode, "VALIDATION_FAILED", "The request is malformed");
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Media.Sfu.Node.Errors")
                .LogError(error, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path.Value);
            return WriteAsync(http, 500, "INTERNAL_ERROR", "An internal error occurred");
        }));
        app.UseStatusCodePages(ctx =>
        {
            var http = ctx.HttpContext;
            var status = http.Response.StatusCode;
            var (code, message) = status switch
            {
                401 => ("UNAUTHORIZED", "Authentication required"),
                403 => ("FORBIDDEN", "This token may not do this"),
                404 => ("NOT_FOUND", $"No route for {http.Request.Method} {http.Request.Path}"),
                405 => ("METHOD_NOT_ALLOWED", $"{http.Request.Method} is not allowed on {http.Request.Path}"),
                413 => ("PAYLOAD_TOO_LARGE", "The request body is too large"),
                415 => ("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json"),
                _ => (status >= 500 ? "INTERNAL_ERROR" : "HTTP_" + status, "The request failed"),
            };
            return WriteAsync(http, status, code, message);
        });
        return app;
    }
}
