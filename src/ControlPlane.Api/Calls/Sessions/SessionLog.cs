using System.Threading.Channels;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Data;
using ControlPlane.Api.Matchmaking;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ControlPlane.Api.Calls.Sessions;

/// <summary>
/// Persists session starts and ends off the hot path: pairing and hang-ups enqueue, a background writer upserts
/// batches into chat_sessions (one statement per batch, a start and end of the same session merged). A slow
/// database delays the records, never the pairing; if the backlog exceeds its bound, records are dropped and logged.
/// </summary>
public sealed class SessionLog(IServiceScopeFactory scopes, ILogger<SessionLog> log) : BackgroundService
{
    private sealed record Entry(Guid Id, string Type, Guid A, Guid B, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Reason, Guid? EndedBy,
        string? MediaNode = null, string? Quality = null);

    private const int MaxBatch = 1000;
    private readonly Channel<Entry> _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(200_000) { SingleReader = true });
    private long _enqueued;
    private long _written;

    /// <param name="mediaNode">The SFU node carrying the call's media, if it has one.</param>
    public void Started(RoomSnapshot room, string? mediaNode = null) =>
        Enqueue(new Entry(room.Id, room.Type.Name(), room.A.DeviceId, room.B.DeviceId, FromMs(room.CreatedAt), null, null, null, mediaNode));

    /// <param name="quality">The call's quality summary (JSON) when its media ran through an SFU and was sampled here.</param>
    public void Ended(RoomSnapshot room, string reason, Guid? endedBy, long now, string? quality = null) =>
        Enqueue(new Entry(room.Id, room.Type.Name(), room.A.DeviceId, room.B.DeviceId, FromMs(room.CreatedAt), FromMs(now), reason, endedBy, null, quality));

    /// <summary>Waits until everything enqueued before the call is written (or the timeout passes).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var target = Interlocked.Read(ref _enqueued);
        var deadline = DateTime.UtcNow + timeout;
        while (Interlocked.Read(ref _written) < target && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    private void Enqueue(Entry e)
    {
        if (_queue.Writer.TryWrite(e)) Interlocked.Increment(ref _enqueued);
        else log.LogWarning("Session log backlog full; dropped the record of session {Session}", e.Id);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var batch = new List<Entry>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stop))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var e)) batch.Add(e);
                await WriteAsync(batch, stop);
                Interlocked.Add(ref _written, batch.Count);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        // Shutting down: write what is left, briefly.
        batch.Clear();
        while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var rest)) batch.Add(rest);
        if (batch.Count > 0)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await WriteAsync(batch, cts.Token);
        }
    }

    private async Task WriteAsync(List<Entry> batch, CancellationToken ct)
    {
        // Merge per session: the end record carries everything, a lone start only the start.
        var merged = new Dictionary<Guid, Entry>();
        foreach (var e in batch)
            merged[e.Id] = merged.TryGetValue(e.Id, out var prior)
                ? (e.EndedAt is null ? prior : e with { MediaNode = e.MediaNode ?? prior.MediaNode, Quality = e.Quality ?? prior.Quality })
                : e;
        var rows = merged.Values.ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
                var conn = (NpgsqlConnection)db.Database.GetDbConnection();
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("""
                    INSERT INTO chat_sessions (id, chat_type, participant_a, participant_b, started_at, ended_at, end_reason, ended_by, duration_seconds, media_node, quality)
                    SELECT id, type, a, b, started, ended, reason, endedby, duration, node, quality::jsonb
                    FROM unnest(@id, @type, @a, @b, @started, @ended, @reason, @by, @duration, @node, @quality)
                      AS t(id, type, a, b, started, ended, reason, endedby, duration, node, quality)
                    ON CONFLICT (id) DO UPDATE SET
                      quality = COALESCE(EXCLUDED.quality, chat_sessions.quality),
                      media_node = COALESCE(EXCLUDED.media_node, chat_sessions.media_node),
                      ended_at = COALESCE(EXCLUDED.ended_at, chat_sessions.ended_at),
                      end_reason = COALESCE(EXCLUDED.end_reason, chat_sessions.end_reason),
                      ended_by = COALESCE(EXCLUDED.ended_by, chat_sessions.ended_by),
                      duration_seconds = COALESCE(EXCLUDED.duration_seconds, chat_sessions.duration_seconds)
                    """, conn);
                cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = rows.Select(r => r.Id).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Type).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = rows.Select(r => r.A).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = rows.Select(r => r.B).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("started", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => r.StartedAt.UtcDateTime).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("ended", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => r.EndedAt?.UtcDateTime).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("reason", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Reason).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("by", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = rows.Select(r => r.EndedBy).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("duration", NpgsqlDbType.Array | NpgsqlDbType.Integer)
                {
                    Value = rows.Select(r => r.EndedAt is { } end ? (int?)Math.Max(0, (int)Math.Round((end - r.StartedAt).TotalSeconds)) : null).ToArray(),
                });
                cmd.Parameters.Add(new NpgsqlParameter("node", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.MediaNode).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("quality", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Quality).ToArray() });
                await cmd.ExecuteNonQueryAsync(ct);
                return;
            }
            catch (Exception e) when (attempt < 5 && !ct.IsCancellationRequested && e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                log.LogWarning("Writing {Count} session records failed (attempt {Attempt}): {Error}", rows.Count, attempt, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogError(e, "Dropped {Count} session records", rows.Count);
                return;
            }
        }
    }

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
