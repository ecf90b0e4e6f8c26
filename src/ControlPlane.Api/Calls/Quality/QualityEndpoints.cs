using System.Reflection;
using System.Text.Json;
using ControlPlane.Api.Auth;
using ControlPlane.Api.Calls.Sessions;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Api.Calls.Quality;

/// <summary>
/// Moderators' call quality: the live page (GET /moderation/live), the live view as JSON, a call's quality by id
/// (live while it runs, its stored summary once it ended), and the hub at /moderation/live/hub.
/// </summary>
public static class QualityEndpoints
{
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(QualityEndpoints).Assembly.GetManifestResourceStream("ControlPlane.Api.Calls.Quality.moderator-live.html")
            ?? throw new InvalidOperationException("moderator-live.html is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IEndpointRouteBuilder MapCallQuality(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/moderation").WithTags("Moderation").RequireAuthorization(BearerAuthentication.ModeratorPolicy);

        group.MapGet("/live", () => Results.Content(Page.Value, "text/html; charset=utf-8"));

        group.MapGet("/calls/live", (CallQualityMonitor monitor) => Results.Ok(new { success = true, data = monitor.Latest }));

        group.MapGet("/calls/{callId}/quality", async (string callId, CallQualityMonitor monitor, ControlPlaneDb db, CancellationToken ct) =>
        {
            if (!Guid.TryParse(callId, out var id)) throw new ApiException(400, "VALIDATION_ERROR", "callId must be a UUID");
            if (monitor.Latest.Calls.FirstOrDefault(c => c.CallId == id.ToString()) is { } live)
                return Results.Ok(new { success = true, data = new { callId = id, live = true, quality = (object)live } });
            var record = await db.Set<ChatSession>().AsNoTracking().Where(s => s.Id == id)
                .Select(s => new { s.Id, s.ChatType, s.MediaNode, s.StartedAt, s.EndedAt, s.EndReason, s.DurationSeconds, s.Quality })
                .FirstOrDefaultAsync(ct) ?? throw new ApiException(404, "CALL_NOT_FOUND", "No call with this id");
            return Results.Ok(new
            {
                success = true,
                data = new
                {
                    callId = record.Id, live = false, chatType = record.ChatType, node = record.MediaNode, startedAt = record.StartedAt,
                    endedAt = record.EndedAt, endReason = record.EndReason, durationSeconds = record.DurationSeconds,
                    quality = record.Quality is null ? (object?)null : JsonDocument.Parse(record.Quality).RootElement.Clone(),
                },
            });
        });

        app.MapHub<ModeratorHub>("/moderation/live/hub");
        return app;
    }
}
