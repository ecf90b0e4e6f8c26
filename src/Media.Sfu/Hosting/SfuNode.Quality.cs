using Media.Sfu.Native;
using Media.Sfu.Quality;
using Media.Sfu.Routing;
using Media.Sfu.Transports;
using Microsoft.Extensions.Logging;
using Prometheus.Text;

namespace Media.Sfu.Hosting;

/// <summary>The node's quality view: per-call scores and per-stream statistics, and its Prometheus metrics.</summary>
public sealed partial class SfuNode
{
    private readonly NodeStreamTotals _totals = new();
    private BandwidthFeedbackSettings? _feedbackSettings;

    private BandwidthFeedbackSettings FeedbackSettings => _feedbackSettings ??= _options.FeedbackSettings();

    private Router NewRouter(string id, bool echo, CallMediaPolicy? policy) =>
        new(id, _logs.CreateLogger("Media.Sfu.Router"), echo, policy, _totals, FeedbackSettings);

    /// <summary>Every call room with its participants, their streams and scores (plain records, JSON-ready).</summary>
    public SfuQualitySnapshot Quality()
    {
        var sessions = _sessions.Values.ToList();
        var users = UsersByTransport(sessions);
        var rooms = _rooms.Values.OrderBy(r => r.OpenedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => RoomQualityOf(r, sessions, users)).ToList();
        return new SfuQualitySnapshot(_clock.GetUtcNow(), rooms);
    }

    /// <summary>One call room's quality, or null when no such room is open.</summary>
    public RoomQuality? RoomQuality(string roomId)
    {
        if (!_rooms.TryGetValue(roomId, out var room)) return null;
        var sessions = _sessions.Values.ToList();
        return RoomQualityOf(room, sessions, UsersByTransport(sessions));
    }

    private static Dictionary<WebRtcTransport, string> UsersByTransport(List<SfuSession> sessions)
    {
        var users = new Dictionary<WebRtcTransport, string>();
        foreach (var s in sessions) users[s.Transport] = s.OwnerUserId;
        return users;
    }

    private static RoomQuality RoomQualityOf(CallRoom room, List<SfuSession> sessions, Dictionary<WebRtcTransport, string> users)
    {
        var participants = new List<ParticipantQuality>(room.Participants.Count);
        foreach (var user in room.Participants)
        {
            // A participant who reconnected has a newer transport; the old one is closing.
            SfuSession? session = null;
            foreach (var s in sessions)
                if (s.Room == room && s.OwnerUserId == user && s.Transport.State != TransportState.Closed &&
                    (session is null || s.Transport.CreatedAt > session.Transport.CreatedAt)) session = s;
            var q = session is null ? null : room.Router.QualityOf(session.Transport, t => users.GetValueOrDefault(t));
            if (session is null || q is null)
            {
                participants.Add(new ParticipantQuality(user, session?.Id, session is null ? "absent" : StateName(session.Transport.State),
                    null, null, [], [], new FeedbackCounts(0, 0, 0, 0)));
                continue;
            }
            participants.Add(new ParticipantQuality(user, session.Id, StateName(session.Transport.State), q.RoundTripTimeMs,
                ParticipantScoring.Score(q.Incoming, q.Outgoing, q.RoundTripTimeMs), q.Incoming, q.Outgoing, q.Feedback));
        }
        return new RoomQuality(room.Id, room.OpenedAt, room.Policy, ParticipantScoring.Worst(participants.Select(p => p.Score)), participants);
    }

    private static string StateName(TransportState state) => state switch
    {
        TransportState.New => "new",
        TransportState.Connecting => "connecting",
        TransportState.Connected => "connected",
        TransportState.Disconnected => "disconnected",
        _ => "closed",
    };

    /// <summary>The values behind <see cref="WriteMetrics"/>: gauges, counters (closed streams included) and histograms.</summary>
    public SfuMetricsSnapshot MetricsSnapshot()
    {
        var routers = new HashSet<Router>();
        foreach (var s in _sessions.Values) routers.Add(s.Router);
        foreach (var r in _rooms.Values) routers.Add(r.Router);
        var counters = default(SfuCounters);
        var streams = default(StreamCounts);
        lock (_totals.Gate)
        {
            counters = _totals.Retired;
            foreach (var r in routers) r.CollectCounters(ref counters, ref streams);
        }
        int good = 0, fair = 0, poor = 0;
        foreach (var room in Quality().Rooms)
        {
            switch (room.Score?.Level)
            {
                case QualityLevel.Good: good++; break;
                case QualityLevel.Fair: fair++; break;
                case QualityLevel.Poor: poor++; break;
            }
        }
        var stats = Stats();
        return new SfuMetricsSnapshot(stats.Transports, stats.Sessions, _rooms.Count, streams, counters,
            _totals.IncomingLoss.Snapshot(), _totals.OutgoingLoss.Snapshot(), _totals.IncomingJitter.Snapshot(),
            _totals.OutgoingJitter.Snapshot(), _totals.RoundTripTime.Snapshot(), good, fair, poor,
            LiveNativeContexts.DtlsSessions, LiveNativeContexts.SrtpSessions, stats.UdpPacketsReceived, stats.UnknownSourcePackets,
            stats.TcpConnections);
    }

    /// <summary>Writes the SFU's metric families (prefix <c>sfu_</c>) into an exposition the host may share with its own.</summary>
    public void WriteMetrics(PrometheusTextWriter writer) => SfuMetrics.Write(writer, MetricsSnapshot());

    /// <summary>The SFU's metrics as a complete text exposition (Content-Type <see cref="PrometheusTextWriter.ContentType"/>).</summary>
    public string RenderMetrics()
    {
        var writer = new PrometheusTextWriter();
        WriteMetrics(writer);
        return writer.ToString();
    }
}
