using Media.Sfu.Quality;

namespace ControlPlane.Api.Calls.Quality;

/// <summary>Every live call's quality at one moment, as moderators see it (live-calls events, GET /moderation/calls/live).</summary>
public sealed record LiveCallsView(DateTimeOffset Timestamp, IReadOnlyList<LiveCallView> Calls);

/// <summary>One call: its score is the weakest participant's; levels are good / fair / poor (E-model MOS ≥ 4.0 / ≥ 3.6… see EModel).</summary>
public sealed record LiveCallView(
    string CallId, string Node, DateTimeOffset OpenedAt, double? Mos, string? Level, int? AudioCapKbps, int? VideoCapKbps,
    IReadOnlyList<LiveParticipantView> Participants);

/// <summary>
/// One participant: what the SFU measures on its link (streams in = what it sends, out = what it receives, with its own
/// receiver reports), and the latest voice_metrics it reported itself (seed 004), side by side.
/// </summary>
public sealed record LiveParticipantView(
    string UserId, string State, double? Mos, string? Level, double? RoundTripTimeMs,
    long BitrateInBps, long BitrateOutBps, double LossPercent, double JitterMs,
    IReadOnlyList<LiveStreamView> Streams, object? ClientMetrics);

/// <summary>A stream: direction "in" (participant → SFU, measured by the SFU) or "out" (SFU → participant, from its reports).</summary>
public sealed record LiveStreamView(
    string Direction, string Kind, string Mid, uint Ssrc, long BitrateBps, long Packets, double LossPercent, double JitterMs,
    double? RoundTripTimeMs, long Nacks, long Plis, long Firs, long Retransmissions, int? CapKbps, bool OverCap, long CapViolations);

/// <summary>A call whose score stayed poor for the alert period.</summary>
public sealed record QualityAlert(string CallId, string Node, DateTimeOffset PoorSince, double? Mos, string Message);

public static class QualityViews
{
    public static string Name(QualityLevel level) => level switch { QualityLevel.Good => "good", QualityLevel.Fair => "fair", _ => "poor" };

    public static LiveCallView Of(string node, RoomQuality room, IReadOnlyDictionary<string, object?> clientMetrics)
    {
        var participants = room.Participants.Select(p =>
        {
            var streams = new List<LiveStreamView>();
            foreach (var s in p.Incoming)
                streams.Add(new LiveStreamView("in", s.Kind, s.Mid, s.Ssrc, s.BitrateBps, s.Packets, Percent(s.RecentLossFraction), Round(s.JitterMs),
                    null, 0, s.KeyframeRequestsSent, 0, s.RetransmissionsReceived, s.CapKbps, s.OverCap, s.CapViolations));
            foreach (var s in p.Outgoing)
                streams.Add(new LiveStreamView("out", s.Kind, s.Mid, s.Ssrc, s.BitrateBps, s.Packets, Percent(s.ReceiverRecentLossFraction),
                    Round(s.ReceiverJitterMs ?? 0), s.RoundTripTimeMs, s.NacksReceived, s.PliReceived, s.FirReceived, s.RetransmissionsSent, null, false, 0));
            return new LiveParticipantView(p.UserId, p.State, p.Score?.Mos is { } m ? Math.Round(m, 2) : null, p.Score is { } sc ? Name(sc.Level) : null,
                p.RoundTripTimeMs is { } rtt ? Math.Round(rtt, 1) : null,
                p.Incoming.Sum(s => s.BitrateBps), p.Outgoing.Sum(s => s.BitrateBps),
                p.Score is { } score ? Percent(score.LossFraction) : 0, p.Score is { } j ? Round(j.JitterMs) : 0,
                streams, clientMetrics.GetValueOrDefault(p.UserId));
        }).ToList();
        return new LiveCallView(room.RoomId, node, room.OpenedAt, room.Score?.Mos is { } mos ? Math.Round(mos, 2) : null,
            room.Score is { } s2 ? Name(s2.Level) : null, room.Policy?.AudioCapKbps, room.Policy?.VideoCapKbps, participants);
    }

    private static double Percent(double fraction) => Math.Round(fraction * 100, 2);
    private static double Round(double v) => Math.Round(v, 2);
}
