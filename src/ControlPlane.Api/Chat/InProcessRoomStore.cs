using ControlPlane.Api.Matchmaking;

namespace ControlPlane.Api.Chat;

/// <summary>Rooms of a single node (no REDIS_URL). One lock; every operation is short.</summary>
public sealed class InProcessRoomStore : IRoomStore
{
    private sealed class Live
    {
        public required RoomSnapshot Room;
        public readonly Queue<StoredMessage> Messages = new();
        public long? Deadline;
    }

    private readonly object _gate = new();
    private readonly Dictionary<Guid, Live> _rooms = new();
    private readonly Dictionary<Guid, Guid> _roomOf = new();

    /// <summary>Called by the in-process match queue, under its own lock, when it pairs two users.</summary>
    internal void Create(RoomSnapshot room)
    {
        lock (_gate)
        {
            _rooms[room.Id] = new Live { Room = room };
            _roomOf[room.A.DeviceId] = room.Id;
            _roomOf[room.B.DeviceId] = room.Id;
        }
    }

    public Task<RoomSnapshot?> GetAsync(Guid roomId, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult(_rooms.TryGetValue(roomId, out var l) ? l.Room : null);
    }

    public Task<RoomSnapshot?> FindByDeviceAsync(Guid deviceId, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult(Of(deviceId)?.Room);
    }

    public Task<RoomSnapshot?> TouchAsync(Guid deviceId, Guid? expectedRoom, ChatType? requiredType, long now, StoredMessage? message, int keep, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var live = Of(deviceId);
            if (live is null || (expectedRoom is { } e && live.Room.Id != e) || (requiredType is { } t && live.Room.Type != t))
                return Task.FromResult<RoomSnapshot?>(null);
            live.Room = live.Room with { LastActivityAt = now };
            if (message is not null)
            {
                live.Messages.Enqueue(message);
                while (live.Messages.Count > keep) live.Messages.Dequeue();
            }
            return Task.FromResult<RoomSnapshot?>(live.Room);
        }
    }

    public Task<IReadOnlyList<StoredMessage>> RecentMessagesAsync(Guid roomId, CancellationToken ct = default)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<StoredMessage>>(_rooms.TryGetValue(roomId, out var l) ? l.Messages.ToArray() : Array.Empty<StoredMessage>());
    }

    public Task<EndedRoom?> EndAsync(Guid roomId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (!_rooms.Remove(roomId, out var live)) return Task.FromResult<EndedRoom?>(null);
            foreach (var p in live.Room.Participants)
                if (_roomOf.TryGetValue(p.DeviceId, out var r) && r == roomId) _roomOf.Remove(p.DeviceId);
            return Task.FromResult<EndedRoom?>(new EndedRoom(live.Room, live.Messages.ToArray()));
        }
    }

    public Task<RoomSnapshot?> UpdateParticipantAsync(Guid deviceId, ParticipantChange change, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var live = Of(deviceId);
            if (live is null) return Task.FromResult<RoomSnapshot?>(null);
            var room = live.Room;
            var self = room.Self(deviceId);
            switch (change)
            {
                case ParticipantChange.Disconnected d:
                    self = self with { DisconnectedAt = d.At };
                    live.Deadline = Earlier(live.Deadline, d.Deadline);
                    break;
                case ParticipantChange.Reconnected:
                    self = self with { DisconnectedAt = null, IceFailedAt = null, ReconnectAttempts = self.ReconnectAttempts + 1 };
                    break;
                case ParticipantChange.Metrics m:
                    self = self with { Metrics = m.Json };
                    if (m.Ice == IceState.Failed && self.IceFailedAt is null)
                    {
                        self = self with { IceFailedAt = m.Now };
                        live.Deadline = Earlier(live.Deadline, m.FailDeadline);
                    }
                    else if (m.Ice == IceState.Connected) self = self with { IceFailedAt = null };
                    break;
            }
            live.Room = room.A.DeviceId == deviceId ? room with { A = self } : room with { B = self };
            return Task.FromResult<RoomSnapshot?>(live.Room);
        }
    }

    public Task<IReadOnlyList<Guid>> DueAsync(long now, long idleBefore, int limit, CancellationToken ct = default)
    {
        var due = new List<Guid>();
        lock (_gate)
            foreach (var (id, live) in _rooms)
            {
                if (due.Count >= limit) break;
                if (live.Deadline <= now || (live.Room.Type != ChatType.Video && live.Room.LastActivityAt <= idleBefore)) due.Add(id);
            }
        return Task.FromResult<IReadOnlyList<Guid>>(due);
    }

    public Task ScheduleAsync(Guid roomId, long? deadline, CancellationToken ct = default)
    {
        lock (_gate)
            if (_rooms.TryGetValue(roomId, out var live)) live.Deadline = deadline;
        return Task.CompletedTask;
    }

    private Live? Of(Guid device) =>
        _roomOf.TryGetValue(device, out var id) && _rooms.TryGetValue(id, out var live) ? live : null;

    private static long Earlier(long? a, long b) => a is { } x && x < b ? x : b;
}
