using Microsoft.EntityFrameworkCore;
using System.Text.Json;
using System.Text.Json.Serialization;
using ControlPlane.Api.Auth;
using ControlPlane.Api.Errors;
using ControlPlane.Api.Signaling;

namespace ControlPlane.Api.Moderation;

public sealed record ReportRequest(
    [property: JsonPropertyName("reportedPeerId")] string? ReportedPeerId,
    [property: JsonPropertyName("sessionId")] string? SessionId,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("comment")] string? Comment);

public sealed record ModerateRequest(
    [property: JsonPropertyName("reportId")] string? ReportId,
    [property: JsonPropertyName("decision")] string? Decision);

/// <summary>Seed 000 §4: POST /reports for users; GET /reports/next, GET /reports, POST /reports/moderate, GET /reports/stats for moderators.</summary>
public static class ModerationEndpoints
{
    public const int MaxComment = 1000;

    public static RouteGroupBuilder MapModeration(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/reports").WithTags("Reports").RequireAuthorization();

        group.MapPost("", async (ReportRequest? body, HttpContext http, ReportService reports) =>
        {
            var reported = Uuid(body?.ReportedPeerId, "reportedPeerId");
            var session = Uuid(body?.SessionId, "sessionId");
            var reason = body?.Reason?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(reason) || !ReportReasons.Api.Contains(reason))
                throw ApiException.BadRequest(ErrorCodes.ValidationFailed, "reason must be one of " + string.Join(", ", ReportReasons.Api),
                    new[] { new FieldError("reason", "invalid") });
            if (body!.Comment is { Length: > MaxComment })
                throw ApiException.BadRequest(ErrorCodes.ValidationFailed, $"comment must be at most {MaxComment} characters",
                    new[] { new FieldError("comment", "too long") });
            try
            {
                var id = await reports.SubmitAsync(new ReportInput(http.User.DeviceId(), reported, session, null, reason, body.Comment, ReportSources.Api));
                return Results.Created($"/reports/{id}", new { reportId = id });
            }
            catch (HubError e)
            {
                throw e.Code switch
                {
                    HubErrorCodes.SessionNotFound => ApiException.NotFound(e.Code, e.Message),
                    HubErrorCodes.RateLimited => new ApiException(429, ErrorCodes.RateLimited, e.Message),
                    _ => ApiException.BadRequest(e.Code, e.Message),
                };
            }
        });

        var mod = app.MapGroup("/reports").WithTags("Reports").RequireAuthorization(BearerAuthentication.ModeratorPolicy);

        mod.MapGet("/next", async (HttpContext http, ReportReview review, Data.ControlPlaneDb db, CancellationToken ct) =>
            await review.NextAsync(http.User.DeviceId(), ct) is { } r ? Results.Ok(View(r, withEvidence: true, await CallQualityAsync(db, r, ct))) : Results.NoContent());

        mod.MapGet("", async (HttpContext http, ReportReview review, CancellationToken ct) =>
        {
            var limit = 50;
            if (http.Request.Query["limit"] is { Count: > 0 } l && (!int.TryParse(l.ToString(), out limit) || limit is < 1 or > 500))
                throw ApiException.BadRequest(ErrorCodes.ValidationFailed, "limit must be a whole number from 1 to 500", new[] { new FieldError("limit", "invalid") });
            string? status = null;
            if (http.Request.Query["status"] is { Count: > 0 } s)
            {
                status = s.ToString();
                if (status is not (ReportStatus.Pending or ReportStatus.InReview or ReportStatus.Resolved))
                    throw ApiException.BadRequest(ErrorCodes.ValidationFailed, "status must be pending, in_review or resolved", new[] { new FieldError("status", "invalid") });
            }
            return Results.Ok((await review.ListAsync(limit, status, ct)).Select(r => View(r, withEvidence: false)));
        });

        mod.MapGet("/stats", async (ReportReview review, CancellationToken ct) =>
        {
            var (total, pending, inReview, resolved) = await review.StatsAsync(ct);
            return Results.Ok(new { totalReports = total, pendingReports = pending, resolvedReports = resolved, inReviewReports = inReview });
        });

        mod.MapGet("/{id:guid}", async (Guid id, ReportReview review, Data.ControlPlaneDb db, CancellationToken ct) =>
            await review.GetAsync(id, ct) is { } r ? Results.Ok(View(r, withEvidence: true, await CallQualityAsync(db, r, ct)))
                : throw ApiException.NotFound("REPORT_NOT_FOUND", "No report with this id"));

        mod.MapPost("/moderate", async (ModerateRequest? body, HttpContext http, ReportReview review, CancellationToken ct) =>
        {
            var id = Uuid(body?.ReportId, "reportId");
            var decision = body!.Decision?.Trim().ToLowerInvariant();
            if (decision is null || !ReportReasons.Decisions.Contains(decision))
                throw ApiException.BadRequest(ErrorCodes.ValidationFailed, "decision must be ban, warn or dismiss", new[] { new FieldError("decision", "invalid") });
            var r = await review.DecideAsync(id, decision, http.User.DeviceId(), ct);
            return Results.Ok(new { success = true, reportId = r.Id, decision = r.Decision, status = r.Status });
        });

        return group;
    }

    private static Guid Uuid(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw ApiException.BadRequest(ErrorCodes.ValidationFailed, $"{field} is required", new[] { new FieldError(field, "required") });
        if (!Guid.TryParse(value, out var id))
            throw ApiException.BadRequest(ErrorCodes.ValidationFailed, $"{field} must be a UUID", new[] { new FieldError(field, "not a UUID") });
        return id;
    }

    /// <summary>The quality summary of the call the report cites (stored when that call ended), if it ran through an SFU.</summary>
    private static async Task<JsonElement?> CallQualityAsync(Data.ControlPlaneDb db, Report r, CancellationToken ct)
    {
        if (r.SessionId is not { } session) return null;
        var json = await db.Set<Calls.Sessions.ChatSession>().AsNoTracking().Where(s => s.Id == session).Select(s => s.Quality)
            .FirstOrDefaultAsync(ct);
        return json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>Seed 000's report shape {reportId, reporterId, reportedPeerId, reason, timestamp} plus the review fields.</summary>
    private static object View(Report r, bool withEvidence, JsonElement? callQuality = null) => new
    {
        reportId = r.Id,
        reporterId = r.ReporterId,
        reportedPeerId = r.ReportedId,
        reason = r.Reason,
        timestamp = r.CreatedAt.ToUnixTimeMilliseconds(),
        sessionId = r.SessionId,
        chatType = r.ChatType,
        source = r.Source,
        comment = r.Comment,
        status = r.Status,
        decision = r.Decision,
        moderatorId = r.ModeratorId,
        createdAt = r.CreatedAt,
        resolvedAt = r.ResolvedAt,
        hasEvidence = r.Evidence is not null,
        evidence = withEvidence && r.Evidence is not null ? JsonDocument.Parse(r.Evidence).RootElement : (JsonElement?)null,
        callQuality,
    };
}
