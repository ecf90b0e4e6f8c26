using ControlPlane.Api.Chat;
using ControlPlane.Api.Moderation;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Matchmaking;

/// <summary>The queues of a single node (no REDIS_URL): the same rules as the Redis script, under one lock.</summary>
public sealed class InProcessMatchQueue(IOptions<MatchmakingOptions> options, InProcessRoomStore rooms, InProcessBanList bans) : IMatchQueue
{
    private readonly record struct Slot(long Score, long Seq, Guid Device);

    private sealed class SlotOrder : IComparer<Slot>
    {
        public int Compare(Slot x, Slot y) => x.Score != y.Score ? x.Score.CompareTo(y.Score) : x.Seq.CompareTo(y.Seq);
    }

    private readonly object _gate = new();
    private readonly Dictionary<ChatType, SortedSet<Slot>> _queues = ChatTypes.All.ToDictionary(t => t, _ => new SortedSet<Slot>(new SlotOrder()));
    private readonly Dictionary<Guid, (QueueEntry Entry, Slot Slot)> _entries = new();
    private readonly Dictionary<Guid, (Guid Peer, long Until)> _lastPeer = new();
    private long _seq;
    private MatchmakingOptions O => options.Value;

    public Task<JoinOutcome> JoinAsync(QueueEntry entry, Guid roomId, long now, CancellationToken ct = default)
    {
        lock (_gate)
        {
            Remove(entry.DeviceId);
            if (bans.Contains(entry.DeviceId)) return Task.FromResult(new JoinOutcome(JoinStatus.Banned));
            var queue = _queues[entry.ChatType];
            var waiting = queue.Take(O.ScanLimit).Select(s => _entries[s.Device].Entry).ToList();
            var k = MatchRules.PickPartner(entry, waiting, 0, null, now, O, d => LastPeer(d, now));
            if (k >= 0)
            {
                var partner = waiting[k];
                Remove(partner.DeviceId);
                return Task.FromResult(new JoinOutcome(JoinStatus.Matched, Pair: Pair(roomId, partner, entry, now)));
            }
            var slot = new Slot(entry.Score(O), ++_seq, entry.DeviceId);
            queue.Add(slot);
            _entries[entry.DeviceId] = (entry, slot);
            var position = queue.GetViewBetween(queue.Min, slot).Count;
            return Task.FromResult(new JoinOutcome(JoinStatus.Queued, position, queue.Count));
        }
    }

    public Task<ChatType?> LeaveAsync(Guid deviceId, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult(Remove(deviceId));
    }

    public Task<IReadOnlyList<MatchedPair>> SweepAsync(ChatType type, long now, IReadOnlyList<Guid> roomIds, CancellationToken ct = default)
    {
        var pairs = new List<MatchedPair>();
        lock (_gate)
        {
            var queue = _queues[type];
            if (queue.Count < 2) return Task.FromResult<IReadOnlyList<MatchedPair>>(pairs);
            var waiting = queue.Take(O.ScanLimit).Select(s => _entries[s.Device].Entry).ToList();
            var taken = new bool[waiting.Count];
            for (var i = 0; i < waiting.Count && pairs.Count < roomIds.Count; i++)
            {
                if (taken[i]) continue;
                var j = MatchRules.PickPartner(waiting[i], waiting, i + 1, taken, now, O, d => LastPeer(d, now));
                if (j < 0) continue;
                taken[i] = taken[j] = true;
                Remove(waiting[i].DeviceId);
                Remove(waiting[j].DeviceId);
                pairs.Add(Pair(roomIds[pairs.Count], waiting[i], waiting[j], now));
            }
        }
        return Task.FromResult<IReadOnlyList<MatchedPair>>(pairs);
    }

    public Task<long> CountAsync(ChatType type, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult((long)_queues[type].Count);
    }

    public Task<QueueEntry?> FindAsync(Guid deviceId, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult(_entries.TryGetValue(deviceId, out var e) ? e.Entry : null);
    }

    private MatchedPair Pair(Guid roomId, QueueEntry waited, QueueEntry joined, long now)
    {
        var until = now + (long)(O.LastPeerMemorySeconds * 1000);
        _lastPeer[waited.DeviceId] = (joined.DeviceId, until);
        _lastPeer[joined.DeviceId] = (waited.DeviceId, until);
        if (_lastPeer.Count > 100_000) PruneLastPeers(now);
        var room = MatchedPair.OpenRoom(roomId, waited, joined, now);
        rooms.Create(room);
        return new MatchedPair(room, waited, joined);
    }

    private Guid? LastPeer(Guid device, long now) =>
        _lastPeer.TryGetValue(device, out var l) && l.Until > now ? l.Peer : null;

    private void PruneLastPeers(long now)
    {
        foreach (var (d, l) in _lastPeer.ToList())
            if (l.Until <= now) _lastPeer.Remove(d);
    }

    private ChatType? Remove(Guid device)
    {
        if (!_entries.Remove(device, out var e)) return null;
        _queues[e.Entry.ChatType].Remove(e.Slot);
        return e.Entry.ChatType;
    }
}
