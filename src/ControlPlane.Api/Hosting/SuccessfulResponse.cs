namespace ControlPlane.Api.Hosting;

/// <summary>Work that must follow a request's commit, and only a successful one (telling other users what happened).</summary>
internal static class SuccessfulResponse
{
    /// <summary>
    /// Runs <paramref name="work"/> as the response starts, if it is a 2xx. By then every transaction of the request
    /// has committed — also the Idempotency-Key filter's, which commits after the handler — and a replayed request
    /// never runs the handler, so the work is not repeated.
    /// </summary>
    public static void Then(HttpContext http, Func<Task> work, ILogger log) =>
        http.Response.OnStarting(async () =>
        {
            if (http.Response.StatusCode is < 200 or > 299) return;
            try { await work(); }
            catch (Exception e) { log.LogError(e, "Follow-up work of {Method} {Path} failed", http.Request.Method, http.Request.Path.Value); }
        });
}
