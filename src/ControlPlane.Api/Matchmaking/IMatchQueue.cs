using ControlPlane.Api.Chat;

namespace ControlPlane.Api.Matchmaking;

/// <summary>Two users the queue paired, and the room it opened for them. <see cref="Waited"/> was ahead in the queue.</summary>
public sealed record MatchedPair(RoomSnapshot Room, QueueEntry Waited, QueueEntry Joined)
{
    public static RoomSnapshot OpenRoom(Guid roomId, QueueEntry waited, QueueEntry joined, long now) => new(
        roomId, waited.ChatType, now, now,
        new RoomParticipant(waited.DeviceId, waited.Speaks, waited.MaxBitrate),
        new RoomParticipant(joined.DeviceId, joined.Speaks, joined.MaxBitrate));
}

public enum JoinStatus { Queued, Matched, Banned }

/// <summary>Queued: 1-based position and queue length. Matched: the pair (the room exists already).</summary>
public sealed record JoinOutcome(JoinStatus Status, long Position = 0, long QueueSize = 0, MatchedPair? Pair = null);

/// <summary>
/// The waiting lines, one per chat type. Matching is atomic: joining either pairs the newcomer with the best
/// compatible waiting user (see <see cref="MatchRules"/>) and opens their room in the same step, or enqueues it;
/// a user is in at most one queue at a time. Sweeping pairs users whose constraints have relaxed meanwhile.
/// </summary>
public interface IMatchQueue
{
    /// <summary>Enqueues or matches <paramref name="entry"/> (replacing any earlier entry of the device); <paramref name="roomId"/> names the room if a match is made.</summary>
    Task<JoinOutcome> JoinAsync(QueueEntry entry, Guid roomId, long now, CancellationToken ct = default);

    /// <summary>Removes the device from whichever queue holds it; returns that queue's type, or null.</summary>
    Task<ChatType?> LeaveAsync(Guid deviceId, CancellationToken ct = default);

    /// <summary>Pairs waiting users of one type that have become compatible, at most one pair per room id given.</summary>
    Task<IReadOnlyList<MatchedPair>> SweepAsync(ChatType type, long now, IReadOnlyList<Guid> roomIds, CancellationToken ct = default);

    Task<long> CountAsync(ChatType type, CancellationToken ct = default);

    Task<QueueEntry?> FindAsync(Guid deviceId, CancellationToken ct = default);
}
