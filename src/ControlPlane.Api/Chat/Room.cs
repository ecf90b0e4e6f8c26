using System.Text.Json;
using System.Text.Json.Serialization;
using ControlPlane.Api.Matchmaking;

namespace ControlPlane.Api.Chat;

/// <summary>One side of a room: who, which seed's events it speaks, and its connection and call state.</summary>
public sealed record RoomParticipant(
    Guid DeviceId,
    Dialect Dialect,
    int MaxBitrate = 0,
    long? DisconnectedAt = null,
    long? IceFailedAt = null,
    int ReconnectAttempts = 0,
    string? Metrics = null);

/// <summary>
/// A live pairing of two devices: seed 000's "session" and seed 004's "room" are the same thing and share one id.
/// A is the side that waited (it makes the WebRTC offer); times are Unix milliseconds.
/// </summary>
public sealed record RoomSnapshot(Guid Id, ChatType Type, long CreatedAt, long LastActivityAt, RoomParticipant A, RoomParticipant B)
{
    public bool Has(Guid device) => A.DeviceId == device || B.DeviceId == device;
    public RoomParticipant Self(Guid device) => A.DeviceId == device ? A : B;
    public RoomParticipant Partner(Guid device) => A.DeviceId == device ? B : A;
    public IEnumerable<RoomParticipant> Participants { get { yield return A; yield return B; } }

    /// <summary>When something about this room next needs the sweeper: a reconnection or ICE window running out.</summary>
    public long? NextDeadline(long windowMs)
    {
        long? next = null;
        foreach (var p in Participants)
        {
            if (p.DisconnectedAt is { } d) next = Min(next, d + windowMs);
            if (p.IceFailedAt is { } f) next = Min(next, f + windowMs);
        }
        return next;
    }

    private static long Min(long? a, long b) => a is { } x && x < b ? x : b;
}

/// <summary>A chat message as kept in a room's recent-message buffer (never persisted except as report evidence).</summary>
public sealed record StoredMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("s")] Guid SenderId,
    [property: JsonPropertyName("c")] string Content,
    [property: JsonPropertyName("t")] long Timestamp)
{
    public string ToJson() => JsonSerializer.Serialize(this);
    public static StoredMessage? FromJson(string json)
    {
        try { return JsonSerializer.Deserialize<StoredMessage>(json); }
        catch (JsonException) { return null; }
    }
}

/// <summary>What ending a room returns to the one caller that actually ended it.</summary>
public sealed record EndedRoom(RoomSnapshot Room, IReadOnlyList<StoredMessage> Messages);

/// <summary>A change to one participant's state.</summary>
public abstract record ParticipantChange
{
    /// <summary>The connection dropped at <paramref name="At"/>; the room waits until <paramref name="Deadline"/>.</summary>
    public sealed record Disconnected(long At, long Deadline) : ParticipantChange;

    /// <summary>Back (or renegotiating a call): clears the disconnection and ICE failure, counts the attempt.</summary>
    public sealed record Reconnected : ParticipantChange;

    /// <summary>Latest call metrics; "failed" ICE starts a window (ending at <paramref name="FailDeadline"/>), "connected"/"completed" clears it.</summary>
    public sealed record Metrics(string Json, IceState Ice, long Now, long FailDeadline) : ParticipantChange;
}

public enum IceState { Other, Failed, Connected }

/// <summary>
/// Live rooms, shared by all nodes (Redis) or held by this one (in-process). Every operation that changes
/// who is in a room is atomic, and <see cref="EndAsync"/> succeeds for exactly one caller, so a room's end is
/// announced once however many nodes race to end it.
/// </summary>
public interface IRoomStore
{
    Task<RoomSnapshot?> GetAsync(Guid roomId, CancellationToken ct = default);

    Task<RoomSnapshot?> FindByDeviceAsync(Guid deviceId, CancellationToken ct = default);

    /// <summary>
    /// Marks activity in the device's room and appends <paramref name="message"/> (keeping the newest
    /// <paramref name="keep"/>). Null when the device has no room, or it is not <paramref name="expectedRoom"/>
    /// or not of <paramref name="requiredType"/>; then nothing is stored.
    /// </summary>
    Task<RoomSnapshot?> TouchAsync(Guid deviceId, Guid? expectedRoom, ChatType? requiredType, long now, StoredMessage? message, int keep, CancellationToken ct = default);

    Task<IReadOnlyList<StoredMessage>> RecentMessagesAsync(Guid roomId, CancellationToken ct = default);

    /// <summary>Removes the room and returns it with its recent messages; null if it had already ended.</summary>
    Task<EndedRoom?> EndAsync(Guid roomId, CancellationToken ct = default);

    /// <summary>Applies the change to the device's side of its room; null when it has no room.</summary>
    Task<RoomSnapshot?> UpdateParticipantAsync(Guid deviceId, ParticipantChange change, CancellationToken ct = default);

    /// <summary>Rooms with a window deadline at or before <paramref name="now"/> or no activity since <paramref name="idleBefore"/>.</summary>
    Task<IReadOnlyList<Guid>> DueAsync(long now, long idleBefore, int limit, CancellationToken ct = default);

    /// <summary>Sets (or clears, with null) when the sweeper should look at the room again.</summary>
    Task ScheduleAsync(Guid roomId, long? deadline, CancellationToken ct = default);
}
