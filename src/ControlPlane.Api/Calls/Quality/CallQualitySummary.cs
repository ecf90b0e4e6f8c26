namespace ControlPlane.Api.Calls.Quality;

/// <summary>
/// A call's quality over its life, built from the once-a-second samples: per participant the MOS (average, minimum,
/// seconds at each level) and per stream averages, maxima and the worst interval (the second with the highest loss).
/// Stored with the call record when the call ends.
/// </summary>
public sealed class CallQualityHistory(string callId, string node, DateTimeOffset openedAt)
{
    private sealed class Range
    {
        public double Sum, Max = double.MinValue, Min = double.MaxValue;
        public int Count;
        public void Add(double v) { Sum += v; Count++; if (v > Max) Max = v; if (v < Min) Min = v; }
        public object? View(int digits = 2) => Count == 0 ? null : new { avg = Math.Round(Sum / Count, digits), min = Math.Round(Min, digits), max = Math.Round(Max, digits) };
    }

    private sealed class StreamHistory(LiveStreamView first)
    {
        public LiveStreamView Last { get; set; } = first;
        public Range Bitrate { get; } = new();
        public Range Loss { get; } = new();
        public Range Jitter { get; } = new();
        public Range Rtt { get; } = new();
        public (DateTimeOffset At, double Loss, double Jitter)? Worst { get; set; }
    }

    private sealed class ParticipantHistory
    {
        public Range Mos { get; } = new();
        public int Good, Fair, Poor;
        public object? ClientMetrics { get; set; }
        public Dictionary<(string Direction, string Mid, uint Ssrc), StreamHistory> Streams { get; } = new();
    }

    private readonly Dictionary<string, ParticipantHistory> _participants = new();
    private readonly Range _mos = new();
    private int _samples;

    public string CallId { get; } = callId;
    public DateTimeOffset LastSeen { get; private set; }

    public void Add(LiveCallView call, DateTimeOffset at)
    {
        lock (_participants)
        {
            _samples++;
            LastSeen = at;
            if (call.Mos is { } mos) _mos.Add(mos);
            foreach (var p in call.Participants)
            {
                if (!_participants.TryGetValue(p.UserId, out var h)) _participants[p.UserId] = h = new ParticipantHistory();
                if (p.ClientMetrics is not null) h.ClientMetrics = p.ClientMetrics;
                if (p.Mos is { } m) h.Mos.Add(m);
                switch (p.Level) { case "good": h.Good++; break; case "fair": h.Fair++; break; case "poor": h.Poor++; break; }
                foreach (var s in p.Streams)
                {
                    var key = (s.Direction, s.Mid, s.Ssrc);
                    if (!h.Streams.TryGetValue(key, out var sh)) h.Streams[key] = sh = new StreamHistory(s);
                    sh.Last = s;
                    sh.Bitrate.Add(s.BitrateBps);
                    sh.Loss.Add(s.LossPercent);
                    sh.Jitter.Add(s.JitterMs);
                    if (s.RoundTripTimeMs is { } rtt) sh.Rtt.Add(rtt);
                    if (sh.Worst is null || s.LossPercent > sh.Worst.Value.Loss || (s.LossPercent == sh.Worst.Value.Loss && s.JitterMs > sh.Worst.Value.Jitter))
                        sh.Worst = (at, s.LossPercent, s.JitterMs);
                }
            }
        }
    }

    /// <summary>The summary as stored (JSON-ready); <paramref name="endedAt"/> closes the duration.</summary>
    public object Summary(DateTimeOffset endedAt)
    {
        lock (_participants)
        {
            return new
            {
                callId = CallId,
                node,
                openedAt,
                endedAt,
                durationSeconds = Math.Max(0, (int)Math.Round((endedAt - openedAt).TotalSeconds)),
                samples = _samples,
                mos = _mos.View(),
                participants = _participants.Select(p => new
                {
                    userId = p.Key,
                    mos = p.Value.Mos.View(),
                    secondsAtLevel = new { good = p.Value.Good, fair = p.Value.Fair, poor = p.Value.Poor },
                    clientMetrics = p.Value.ClientMetrics,
                    streams = p.Value.Streams.Values.Select(s => new
                    {
                        direction = s.Last.Direction,
                        kind = s.Last.Kind,
                        mid = s.Last.Mid,
                        ssrc = s.Last.Ssrc,
                        samples = s.Bitrate.Count,
                        bitrateBps = s.Bitrate.View(0),
                        lossPercent = s.Loss.View(),
                        jitterMs = s.Jitter.View(),
                        roundTripTimeMs = s.Rtt.View(1),
                        worstInterval = s.Worst is { } w ? new { at = w.At, lossPercent = w.Loss, jitterMs = w.Jitter } : null,
                        packets = s.Last.Packets,
                        nacks = s.Last.Nacks,
                        plis = s.Last.Plis,
                        firs = s.Last.Firs,
                        retransmissions = s.Last.Retransmissions,
                        capKbps = s.Last.CapKbps,
                        capViolations = s.Last.CapViolations,
                    }).ToList(),
                }).ToList(),
            };
        }
    }
}
