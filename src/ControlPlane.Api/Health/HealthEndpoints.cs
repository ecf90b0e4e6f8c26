namespace ControlPlane.Api.Health;

/// <summary>Seed 000 §7: GET /health (liveness with a timestamp) and GET /health/ready (dependencies).</summary>
public static class HealthEndpoints
{
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();

        group.MapGet("", () => Results.Ok(new { status = "ok", timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }));

        group.MapGet("/live", () => Results.Ok(new
        {
            status = "alive",
            uptime = (long)(DateTimeOffset.UtcNow - StartedAt).TotalMilliseconds,
            timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }));

        group.MapGet("/ready", async (IEnumerable<IReadinessCheck> checks, CancellationToken ct) =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(3));
            var results = await Task.WhenAll(checks.Select(c => c.CheckAsync(cts.Token)));
            var ready = results.All(r => r.State != DependencyState.Failed);
            var body = new Dictionary<string, object> { ["status"] = ready ? "ready" : "not_ready" };
            foreach (var r in results) body[r.Name] = r.Label;
            body["checks"] = results.ToDictionary(r => r.Name, r => new { status = r.Label, responseTime = r.ResponseTimeMs, error = r.Error });
            body["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            return Results.Json(body, statusCode: ready ? 200 : 503);
        });

        return group;
    }
}
