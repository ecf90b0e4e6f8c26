using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using ControlPlane.Api.Signaling;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Api.Moderation;

/// <summary>The moderators' side: the next report to review, the list, statistics, and decisions (ban, warn, dismiss).</summary>
public sealed class ReportReview(ControlPlaneDb db, DeviceBans bans, DeviceMessenger messenger, TimeProvider clock)
{
    /// <summary>A claimed report is another moderator's for this long; then it returns to the pool.</summary>
    public static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The moderator's current claim, else the oldest unclaimed report, now claimed (safe with several moderators).</summary>
    public async Task<Report?> NextAsync(Guid moderator, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var mine = await db.Set<Report>().AsNoTracking()
            .Where(r => r.Status == ReportStatus.InReview && r.ModeratorId == moderator && r.ClaimedAt > now - ClaimLifetime)
            .OrderBy(r => r.CreatedAt).FirstOrDefaultAsync(ct);
        if (mine is not null) return mine;
        var stale = now - ClaimLifetime;
        var claimed = await db.Database.SqlQuery<Guid>($"""
            UPDATE reports SET status = 'in_review', claimed_at = {now}, moderator_id = {moderator}
            WHERE id = (SELECT id FROM reports
                        WHERE status = 'pending' OR (status = 'in_review' AND claimed_at < {stale})
                        ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        return claimed.Count == 0 ? null : await db.Set<Report>().AsNoTracking().FirstAsync(r => r.Id == claimed[0], ct);
    }

    public Task<List<Report>> ListAsync(int limit, string? status, CancellationToken ct)
    {
        var q = db.Set<Report>().AsNoTracking();
        if (status is not null) q = q.Where(r => r.Status == status);
        return q.OrderByDescending(r => r.CreatedAt).Take(limit).ToListAsync(ct);
    }

    public Task<Report?> GetAsync(Guid id, CancellationToken ct) => db.Set<Report>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);

    public async Task<(int Total, int Pending, int InReview, int Resolved)> StatsAsync(CancellationToken ct)
    {
        var counts = await db.Set<Report>().GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int Of(string s) => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0;
        return (counts.Sum(c => c.Count), Of(ReportStatus.Pending) + Of(ReportStatus.InReview), Of(ReportStatus.InReview), Of(ReportStatus.Resolved));
    }

    public async Task<Report> DecideAsync(Guid reportId, string decision, Guid moderator, CancellationToken ct)
    {
        var report = await db.Set<Report>().FirstOrDefaultAsync(r => r.Id == reportId, ct)
                     ?? throw ApiException.NotFound("REPORT_NOT_FOUND", "No report with this id");
        if (report.Status == ReportStatus.Resolved)
            throw ApiException.Conflict("REPORT_ALREADY_RESOLVED", $"This report was already resolved ({report.Decision})");
        var now = clock.GetUtcNow();
        report.Status = ReportStatus.Resolved;
        report.Decision = decision;
        report.ModeratorId = moderator;
        report.ResolvedAt = now;
        await db.SaveChangesAsync(ct);

        switch (decision)
        {
            case "ban":
                await bans.BanAsync(report.ReportedId, $"report {report.Id}: {report.Reason}");
                // Every other open report about the device is settled by the ban.
                await db.Set<Report>().Where(r => r.ReportedId == report.ReportedId && r.Status != ReportStatus.Resolved)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReportStatus.Resolved).SetProperty(r => r.Decision, "ban")
                        .SetProperty(r => r.ModeratorId, moderator).SetProperty(r => r.ResolvedAt, now), ct);
                break;
            case "warn":
                await messenger.SendAsync(report.ReportedId, "moderation-alert", new
                {
                    type = "warning", message = "A moderator reviewed a report about you (" + report.Reason + "). Further violations lead to a ban.",
                });
                break;
        }
        return report;
    }
}
