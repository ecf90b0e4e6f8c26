namespace Media.Sfu.Quality;

/// <summary>Every call room on an SFU node with its participants and their streams, at one moment. Plain data for JSON.</summary>
public sealed record SfuQualitySnapshot(DateTimeOffset Timestamp, IReadOnlyList<RoomQuality> Rooms);

/// <summary>
/// One call: its policy, and its score — the worst participant's (a call is as good as its weakest link);
/// null while no participant has media statistics yet.
/// </summary>
public sealed record RoomQuality(
    string RoomId,
    DateTimeOffset OpenedAt,
    CallMediaPolicy? Policy,
    CallScore? Score,
    IReadOnlyList<ParticipantQuality> Participants);

/// <summary>
/// One participant: <paramref name="State"/> is "absent" (no session yet) or the transport state in lower case
/// ("new", "connecting", "connected", "disconnected", "closed"). The score is computed from this participant's
/// own link: loss = the larger of the uplink loss the SFU measures and the downlink loss the participant reports
/// (both over the last ~5 s), jitter likewise (audio streams when there are any), RTT from its receiver reports.
/// </summary>
public sealed record ParticipantQuality(
    string UserId,
    string? SessionId,
    string State,
    double? RoundTripTimeMs,
    CallScore? Score,
    IReadOnlyList<IncomingStreamQuality> Incoming,
    IReadOnlyList<OutgoingStreamQuality> Outgoing,
    FeedbackCounts Feedback);

/// <summary>
/// A stream the SFU receives from the participant. Packets/bytes count original packets (RTP header included);
/// <paramref name="PayloadBytes"/> their RTP payload (what caps and WebRTC's bytesReceived count), and
/// <paramref name="BitrateBps"/> payload bits per second over the last 5 s (average longer spans from PayloadBytes). Loss and jitter follow RFC 3550
/// A.1/A.3/A.8: <paramref name="FractionLost"/> over the last report interval (~1 s), <paramref name="CumulativeLost"/>
/// since the stream began (negative with duplicates), <paramref name="RecentLossFraction"/> over the last
/// <paramref name="RecentExpected"/> expected packets (~5 s), jitter converted with the codec clock rate.
/// The Upstream* values are the SFU's NACKs to the publisher (video that negotiated nack): NACK packets sent, sequence
/// numbers requested (repeats included), missing packets that arrived after all, missing packets given up on, and
/// missing packets still tracked.
/// </summary>
public sealed record IncomingStreamQuality(
    string Mid,
    string Kind,
    uint Ssrc,
    string? Codec,
    int ClockRate,
    long Packets,
    long Bytes,
    long PayloadBytes,
    long BitrateBps,
    double FractionLost,
    long CumulativeLost,
    double RecentLossFraction,
    long RecentExpected,
    double JitterMs,
    long DuplicatePackets,
    long RetransmissionsReceived,
    long KeyframeRequestsSent,
    int? CapKbps,
    long CapViolations,
    bool OverCap,
    long PacketsDroppedOverCap,
    long UpstreamNacksSent = 0,
    long UpstreamNackRequests = 0,
    long UpstreamRecovered = 0,
    long UpstreamNackFailed = 0,
    long UpstreamMissing = 0);

/// <summary>
/// A stream the SFU sends to the participant (one of its m-lines), with the participant's view of it from its
/// RTCP report blocks (RFC 3550 §6.4.1; null until one arrived) and the RTT derived from LSR/DLSR. Packets,
/// bytes and payload bytes count everything sent on this m-line, whichever publisher fed it.
/// <paramref name="NacksReceived"/> counts the sequence numbers the participant asked for.
/// </summary>
public sealed record OutgoingStreamQuality(
    string Mid,
    string Kind,
    uint Ssrc,
    string? SourceUserId,
    long Packets,
    long Bytes,
    long PayloadBytes,
    long BitrateBps,
    double? ReceiverFractionLost,
    long? ReceiverCumulativeLost,
    double ReceiverRecentLossFraction,
    long ReceiverRecentExpected,
    double? ReceiverJitterMs,
    double? RoundTripTimeMs,
    long NacksReceived,
    long PliReceived,
    long FirReceived,
    long RetransmissionsSent,
    long RetransmissionsMissed);

/// <summary>Bandwidth feedback and NACKs (for packets lost on its uplink) the SFU sent to this participant as a publisher.</summary>
public sealed record FeedbackCounts(long RembSent, long LastRembBps, long TransportCcSent, long ReportsSent, long NacksSent = 0);

/// <summary>How a participant's score is derived from its streams (see <see cref="ParticipantQuality"/>).</summary>
public static class ParticipantScoring
{
    /// <summary>Null when there is nothing to judge yet (no packet expected either way, no receiver report).</summary>
    public static CallScore? Score(IReadOnlyList<IncomingStreamQuality> incoming, IReadOnlyList<OutgoingStreamQuality> outgoing, double? rttMs)
    {
        long upExpected = 0, downExpected = 0;
        double upLost = 0, downLost = 0;
        var anyAudio = false;
        foreach (var s in incoming)
        {
            upExpected += s.RecentExpected;
            upLost += s.RecentLossFraction * s.RecentExpected;
            anyAudio |= s.Kind == "audio" && s.Packets > 0;
        }
        var anyReport = false;
        foreach (var s in outgoing)
        {
            downExpected += s.ReceiverRecentExpected;
            downLost += s.ReceiverRecentLossFraction * s.ReceiverRecentExpected;
            anyAudio |= s.Kind == "audio" && s.ReceiverJitterMs is not null;
            anyReport |= s.ReceiverFractionLost is not null;
        }
        if (upExpected == 0 && downExpected == 0 && !anyReport) return null;

        double jitter = 0;
        foreach (var s in incoming)
            if (!anyAudio || s.Kind == "audio") jitter = Math.Max(jitter, s.JitterMs);
        foreach (var s in outgoing)
            if (s.ReceiverJitterMs is { } j && (!anyAudio || s.Kind == "audio")) jitter = Math.Max(jitter, j);

        var up = upExpected == 0 ? 0 : upLost / upExpected;
        var down = downExpected == 0 ? 0 : downLost / downExpected;
        return EModel.Score(Math.Max(up, down), rttMs ?? 0, jitter);
    }

    /// <summary>The call's score: its worst participant's.</summary>
    public static CallScore? Worst(IEnumerable<CallScore?> scores)
    {
        CallScore? worst = null;
        foreach (var s in scores)
            if (s is not null && (worst is null || s.Mos < worst.Mos)) worst = s;
        return worst;
    }
}
