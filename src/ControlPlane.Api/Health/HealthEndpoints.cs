using ControlPlane.Api.Payments;
using ControlPlane.Api.Signaling;
using Media.Sfu.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Health;

/// <summary>
/// Seed 000 §7: GET /health (liveness with a timestamp) and GET /health/ready (dependencies). Seed 002's health family:
/// live, info, system, metrics, database, memory, cpu, disk, external, uptime, version, dependencies — each a real
/// reading, in seed 002's envelope {success, status, timestamp, data}; "unhealthy" answers 503.
/// </summary>
public static class HealthEndpoints
{
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();

        // Seed 000's shape (status "ok", timestamp in ms) plus seed 002's comprehensive report under data.
        group.MapGet("", async (IEnumerable<IReadinessCheck> checks, SystemProbes probes, CancellationToken ct) =>
        {
            var all = (await Dependencies(checks, ct)).Concat([probes.Memory(), probes.Cpu(), probes.Disk()]).ToList();
            var overall = Worst(all);
            return Results.Json(new
            {
                success = overall != HealthLevel.Unhealthy,
                status = overall == HealthLevel.Unhealthy ? "unhealthy" : "ok",
                timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                data = new
                {
                    status = StatusOf(overall),
                    uptime = SystemProbes.UptimeMs,
                    checks = all.ToDictionary(c => c.Name, c => new { status = c.Status, responseTime = c.ResponseTime, data = c.Data }),
                    summary = new
                    {
                        total = all.Count,
                        healthy = all.Count(c => c.Level == HealthLevel.Healthy),
                        unhealthy = all.Count(c => c.Level == HealthLevel.Unhealthy),
                        warning = all.Count(c => c.Level == HealthLevel.Warning),
                    },
                },
            }, statusCode: overall == HealthLevel.Unhealthy ? 503 : 200);
        });

        group.MapGet("/live", () => Results.Ok(new
        {
            success = true,
            status = "alive",
            uptime = SystemProbes.UptimeMs,
            timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }));

        group.MapGet("/ready", async (IEnumerable<IReadinessCheck> checks, CancellationToken ct) =>
        {
            var results = await RunAsync(checks, ct);
            var ready = results.All(r => r.State != DependencyState.Failed || !r.Critical);
            var body = new Dictionary<string, object> { ["success"] = ready, ["status"] = ready ? "ready" : "not_ready" };
            foreach (var r in results) body[r.Name] = r.Label;
            body["checks"] = results.ToDictionary(r => r.Name, r => new { status = r.Label, responseTime = r.ResponseTimeMs, error = r.Error });
            body["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            return Results.Json(body, statusCode: ready ? 200 : 503);
        });

        group.MapGet("/info", (IHostEnvironment env, NodeIdentity node) => Envelope(HealthLevel.Healthy, new
        {
            name = "Omegle.Media control plane",
            version = SystemProbes.Version,
            environment = env.EnvironmentName,
            nodeId = node.Id,
            startedAt = SystemProbes.StartedAt,
            uptime = SystemProbes.UptimeMs,
        }));

        group.MapGet("/system", () => Envelope(HealthLevel.Healthy, SystemProbes.Machine()));

        group.MapGet("/metrics", (SystemProbes probes, LocalConnections connections, IServiceProvider services) =>
        {
            var sfu = services.GetService<SfuNode>();
            return Envelope(HealthLevel.Healthy, new
            {
                memory = probes.Memory().Data,
                cpu = probes.Cpu().Data,
                threads = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
                threadPoolThreads = ThreadPool.ThreadCount,
                hubConnections = connections.Count,
                sfu = sfu?.Stats(),
                uptime = SystemProbes.UptimeMs,
            });
        });

        group.MapGet("/database", async (IEnumerable<IReadinessCheck> checks, CancellationToken ct) =>
            Single((await Dependencies(checks.Where(c => c.Name == "database"), ct)).Single()));
        group.MapGet("/memory", (SystemProbes probes) => Single(probes.Memory()));
        group.MapGet("/cpu", (SystemProbes probes) => Single(probes.Cpu()));
        group.MapGet("/disk", (SystemProbes probes) => Single(probes.Disk()));

        // External services the API depends on but does not run: the TURN server (probed with a STUN binding request) and
        // Stripe (configuration only: health checks must not spend an account's API rate limit).
        group.MapGet("/external", async (IEnumerable<IReadinessCheck> checks, IOptions<StripeOptions> stripe, CancellationToken ct) =>
        {
            var turn = (await Dependencies(checks.Where(c => c.Name == "turn"), ct)).Single();
            var stripeConfigured = !string.IsNullOrEmpty(stripe.Value.SecretKey);
            var payments = new HealthCheck("stripe", HealthLevel.Healthy, new
            {
                configured = stripeConfigured,
                apiHost = stripeConfigured && Uri.TryCreate(stripe.Value.ApiBase, UriKind.Absolute, out var u) ? u.Host : null,
            });
            var all = new[] { turn, payments };
            return Envelope(Worst(all), all.ToDictionary(c => c.Name, c => new { status = c.Status, responseTime = c.ResponseTime, data = c.Data }));
        });

        group.MapGet("/uptime", () => Envelope(HealthLevel.Healthy, new
        {
            uptime = SystemProbes.UptimeMs,
            uptimeSeconds = SystemProbes.UptimeMs / 1000,
            startedAt = SystemProbes.StartedAt,
        }));

        group.MapGet("/version", () => Envelope(HealthLevel.Healthy, new
        {
            version = SystemProbes.Version,
            runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        }));

        group.MapGet("/dependencies", async (IEnumerable<IReadinessCheck> checks, CancellationToken ct) =>
        {
            var all = await Dependencies(checks, ct);
            return Envelope(Worst(all), all.ToDictionary(c => c.Name, c => new { status = c.Status, responseTime = c.ResponseTime, data = c.Data }));
        });

        // Prometheus scrapes at the root, unauthenticated like the probes (it carries counts, no personal data).
        app.MapGet("/metrics", async (ControlPlaneMetrics metrics, IServiceProvider services, CancellationToken ct) =>
            Results.Text(await metrics.RenderAsync(services, ct), Prometheus.Text.PrometheusTextWriter.ContentType)).AllowAnonymous();

        return group;
    }

    private static async Task<DependencyStatus[]> RunAsync(IEnumerable<IReadinessCheck> checks, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(3));
        return await Task.WhenAll(checks.Select(c => c.CheckAsync(cts.Token)));
    }

    /// <summary>Readiness results as seed 002 checks: a failed dependency is unhealthy; one not configured is healthy (not needed).</summary>
    private static async Task<IReadOnlyList<HealthCheck>> Dependencies(IEnumerable<IReadinessCheck> checks, CancellationToken ct) =>
        (await RunAsync(checks, ct)).Select(r => new HealthCheck(r.Name,
            r.State != DependencyState.Failed ? HealthLevel.Healthy : r.Critical ? HealthLevel.Unhealthy : HealthLevel.Warning,
            new { state = r.Label, error = r.Error }, r.ResponseTimeMs)).ToList();

    private static HealthLevel Worst(IEnumerable<HealthCheck> checks) =>
        checks.Select(c => c.Level).DefaultIfEmpty(HealthLevel.Healthy).Max();

    private static string StatusOf(HealthLevel level) => new HealthCheck("", level, new { }).Status;

    private static IResult Single(HealthCheck check) => Envelope(check.Level, new { check = check.Name, responseTime = check.ResponseTime, details = check.Data });

    private static IResult Envelope(HealthLevel level, object data) => Results.Json(new
    {
        success = level != HealthLevel.Unhealthy,
        status = StatusOf(level),
        timestamp = DateTimeOffset.UtcNow,
        data,
    }, statusCode: level == HealthLevel.Unhealthy ? 503 : 200);
}
