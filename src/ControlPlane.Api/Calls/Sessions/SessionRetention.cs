using ControlPlane.Api.Data;
using ControlPlane.Api.Moderation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Calls.Sessions;

/// <summary>
/// Seed 004's retention: session metadata and report evidence live 90 days. Deletes older sessions and erases older
/// evidence (the report row stays as the moderation record). Runs at start-up and then periodically; every node
/// may run it, the statements are idempotent.
/// </summary>
public sealed class SessionRetention(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock,
    ILogger<SessionRetention> log) : BackgroundService
{
    public async Task<(int Sessions, int Evidence)> RunOnceAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var cutoff = now - TimeSpan.FromDays(options.Value.Days);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        var sessions = await db.Set<ChatSession>().Where(s => s.StartedAt < cutoff).ExecuteDeleteAsync(ct);
        var evidence = await db.Set<Report>().Where(r => r.CreatedAt < cutoff && r.Evidence != null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Evidence, (string?)null).SetProperty(r => r.EvidenceErasedAt, now), ct);
        if (sessions + evidence > 0)
            log.LogInformation("Retention: deleted {Sessions} sessions and erased evidence of {Reports} reports older than {Days} days",
                sessions, evidence, options.Value.Days);
        return (sessions, evidence);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var every = TimeSpan.FromMinutes(options.Value.IntervalMinutes);
        // A little after start-up, so migrations and the first requests come first.
        await Task.Delay(TimeSpan.FromSeconds(30), stop);
        while (!stop.IsCancellationRequested)
        {
            try { await RunOnceAsync(stop); }
            catch (Exception e) when (!stop.IsCancellationRequested) { log.LogWarning("Retention run failed: {Error}", e.Message); }
            await Task.Delay(every, stop);
        }
    }
}
