using System.Text.Json;
using ControlPlane.Api.Calls.Sessions;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Data;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Signaling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Moderation;

/// <summary>A report as submitted over REST (session named) or the hub (the current room).</summary>
public sealed record ReportInput(Guid Reporter, Guid? Reported, Guid? SessionId, ChatType? RoomType, string Reason, string? Comment, string Source);

/// <summary>
/// Files reports. A report about the room the reporter is in ends it for both (reason "reported") and keeps its
/// evidence (the last 30 messages, or the call's metrics); a report about an earlier session of the reporter
/// keeps that session's record. Either way the two devices are never paired again. Everything is checked before
/// anything is stored or the rate limit (3 per 5 minutes) is charged.
/// </summary>
public sealed class ReportService(
    IServiceScopeFactory scopes,
    ChatRooms chat,
    IRateLimiter limiter,
    SessionLog sessions,
    PairBlocks blocks,
    IOptions<ChatOptions> options,
    TimeProvider clock)
{
    public async Task<Guid> SubmitAsync(ReportInput input)
    {
        var room = await chat.FindAsync(input.Reporter);
        RoomSnapshot? live = null;
        ChatSession? past = null;
        if (input.SessionId is { } sid)
        {
            if (room?.Id == sid) live = room;
            else
            {
                await sessions.FlushAsync(TimeSpan.FromSeconds(2));
                await using var scope = scopes.CreateAsyncScope();
                past = await scope.ServiceProvider.GetRequiredService<ControlPlaneDb>().Set<ChatSession>().AsNoTracking()
                    .FirstOrDefaultAsync(s => s.Id == sid && (s.ParticipantA == input.Reporter || s.ParticipantB == input.Reporter));
                if (past is null) throw new HubError(HubErrorCodes.SessionNotFound, "No session with this id that this device took part in");
            }
        }
        else
        {
            if (room is null || (input.RoomType is { } t && room.Type != t)) throw ChatRooms.NotFound(null, input.RoomType);
            live = room;
        }

        var partner = live?.Partner(input.Reporter).DeviceId ?? (past!.ParticipantA == input.Reporter ? past.ParticipantB : past.ParticipantA);
        if (input.Reported is { } r && r != partner)
            throw new HubError(HubErrorCodes.InvalidTarget, "The reported device is not the other participant of this session");

        var now = clock.GetUtcNow();
        var o = options.Value;
        var d = await limiter.TryAcquireAsync("report:" + input.Reporter, o.ReportLimit, (long)(o.ReportWindowSeconds * 1000), now.ToUnixTimeMilliseconds());
        if (!d.Allowed)
            throw new HubError(HubErrorCodes.RateLimited, $"Too many reports: at most {o.ReportLimit} per {o.ReportWindowSeconds / 60:0.#} minutes", d.RetryAfterMs);

        string evidence;
        if (live is not null)
        {
            var ended = await chat.EndAsync(live.Id, EndCause.Reported, input.Reporter);
            evidence = Evidence(ended?.Room ?? live, ended?.Messages ?? Array.Empty<StoredMessage>(), now.ToUnixTimeMilliseconds());
        }
        else evidence = Evidence(past!);

        var report = new Report
        {
            Id = Guid.NewGuid(),
            ReporterId = input.Reporter,
            ReportedId = partner,
            SessionId = live?.Id ?? past!.Id,
            ChatType = live?.Type.Name() ?? past!.ChatType,
            Source = input.Source,
            Reason = input.Reason,
            Comment = string.IsNullOrWhiteSpace(input.Comment) ? null : input.Comment.Trim(),
            Evidence = evidence,
            Status = ReportStatus.Pending,
            CreatedAt = now,
        };
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
            db.Set<Report>().Add(report);
            await db.SaveChangesAsync();
        }
        await blocks.AddAsync(input.Reporter, partner);
        return report.Id;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string Evidence(RoomSnapshot room, IReadOnlyList<StoredMessage> messages, long endedAt) => JsonSerializer.Serialize(new
    {
        roomId = room.Id,
        chatType = room.Type.Name(),
        startedAt = room.CreatedAt,
        endedAt,
        participants = room.Participants.Select(p => new { deviceId = p.DeviceId, dialect = p.Dialect.Name() }),
        messages = messages.Select(m => new { messageId = m.Id, senderId = m.SenderId, content = m.Content, timestamp = m.Timestamp }),
        call = room.Type == ChatType.Text ? null : new
        {
            durationSeconds = (endedAt - room.CreatedAt) / 1000,
            participants = room.Participants.Select(p => new
            {
                deviceId = p.DeviceId,
                maxBitrate = p.MaxBitrate,
                reconnectAttempts = p.ReconnectAttempts,
                metrics = p.Metrics is null ? (JsonElement?)null : JsonDocument.Parse(p.Metrics).RootElement,
            }),
        },
    }, Json);

    private static string Evidence(ChatSession s) => JsonSerializer.Serialize(new
    {
        roomId = s.Id,
        chatType = s.ChatType,
        startedAt = s.StartedAt.ToUnixTimeMilliseconds(),
        endedAt = s.EndedAt?.ToUnixTimeMilliseconds(),
        participants = new[] { new { deviceId = s.ParticipantA }, new { deviceId = s.ParticipantB } },
        messages = Array.Empty<object>(),
        endReason = s.EndReason,
    }, Json);
}
