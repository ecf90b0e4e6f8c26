using Media.Sfu.Quality;
using Media.Sfu.Sdp;
using Media.Sfu.Transports;

namespace Media.Sfu.Routing;

/// <summary>An incoming stream on a transport (mediasoup's Producer). Forwards each packet to its consumers.</summary>
public sealed class Producer
{
    private Consumer[] _consumers = Array.Empty<Consumer>();   // copy-on-write: the packet path reads without locking
    private long _lastKeyframeRequestTicks;
    private readonly bool[]? _nackPayloadTypes;   // index = payload type: its codec negotiated generic NACK

    internal Producer(string id, WebRtcTransport transport, ProducerParameters parameters, BitrateCapMonitor? capMonitor = null,
        UpstreamNackSettings? upstreamNacks = null)
    {
        Id = id;
        Transport = transport;
        Parameters = parameters;
        ClockRate = (uint)(parameters.Media.Codecs.FirstOrDefault()?.ClockRate ?? 90000);
        if (parameters.Kind == MediaKind.Video) Cache = new RtpPacketCache();
        // Video only, as browsers do (audio relies on Opus FEC), and only where the publisher accepts NACK (RFC 4585 §4.2).
        upstreamNacks ??= UpstreamNackSettings.Default;
        if (parameters.Kind == MediaKind.Video && upstreamNacks.Enabled)
        {
            foreach (var codec in parameters.Media.Codecs)
                if (codec.PayloadType is >= 0 and < 128 && codec.HasFeedback("nack")) (_nackPayloadTypes ??= new bool[128])[codec.PayloadType] = true;
            if (_nackPayloadTypes is not null) LossTracker = new UpstreamLossTracker(upstreamNacks);
        }
        Statistics = new Rtp.RtpReceiveStatistics(parameters.Ssrc, (int)ClockRate);
        CapMonitor = capMonitor;
    }

    /// <summary>RFC 3550 A.1/A.3/A.8 reception statistics of the original packets (not retransmissions). Lock it to read.</summary>
    public Rtp.RtpReceiveStatistics Statistics { get; }

    /// <summary>RTP payload bitrate of the original packets over the last seconds (written under the <see cref="Statistics"/> lock).</summary>
    public BitrateMeter Bitrate { get; } = new();

    /// <summary>The cap check of this stream when its call has a cap for its kind.</summary>
    public BitrateCapMonitor? CapMonitor { get; }

    /// <summary>Loss over the last report intervals, for the quality score.</summary>
    public LossWindow RecentLoss { get; } = new();

    /// <summary>The report block values of the last interval (taken when the SFU sends its reports, ~1 s). Read under the <see cref="Statistics"/> lock.</summary>
    public Rtp.RtpReceptionSnapshot? LastInterval { get; private set; }

    /// <summary>Records the interval the SFU just reported on (called once per report).</summary>
    internal void OnIntervalReported(in Rtp.RtpReceptionSnapshot snapshot)
    {
        lock (Statistics) LastInterval = snapshot;
        RecentLoss.Add(snapshot.ExpectedInInterval, snapshot.ExpectedInInterval - snapshot.ReceivedInInterval);
    }

    // The publisher's last Sender Report: its RTP time at our arrival clock, for mapping our own SRs (lip sync).
    internal bool HasSenderReport;
    internal uint SenderReportRtp;
    internal long SenderReportArrivalTicks;

    internal void OnSenderReport(ulong ntp, uint rtp)
    {
        var now = Transport.Clock.GetTimestamp();
        lock (Statistics)
        {
            Statistics.OnSenderReport(ntp, MicrosecondsAt(now));
            SenderReportRtp = rtp;
            SenderReportArrivalTicks = now;
            HasSenderReport = true;
        }
    }

    internal long MicrosecondsAt(long ticks) => MediaClock.Microseconds(ticks, Transport.Clock.TimestampFrequency);

    public string Id { get; }
    public WebRtcTransport Transport { get; }
    public ProducerParameters Parameters { get; }
    public MediaKind Kind => Parameters.Kind;
    public uint Ssrc => Parameters.Ssrc;
    public uint? RtxSsrc => Parameters.RtxSsrc;
    public uint ClockRate { get; }
    public RtpPacketCache? Cache { get; }
    public IReadOnlyList<Consumer> Consumers => _consumers;
    public long PacketsReceived, BytesReceived, RetransmissionsReceived, KeyframeRequestsSent;

    /// <summary>
    /// The packets lost between the publisher and the SFU, for NACKs to the publisher; null for audio and when the
    /// publisher did not negotiate <c>nack</c>. Lock it to use it (the packet path and the feedback tick share it).
    /// </summary>
    public UpstreamLossTracker? LossTracker { get; }

    /// <summary>
    /// NACKs to the publisher: packets sent, sequence numbers asked for (each request, repeats included), missing
    /// packets that arrived after all (reordered or retransmitted), and missing packets given up on.
    /// </summary>
    public long UpstreamNacksSent, UpstreamNackRequests, UpstreamRecovered, UpstreamNackFailed;

    /// <summary>Retransmissions of packets the SFU already had (or had given up on): counted, not forwarded.</summary>
    public long UnrequestedRetransmissions;
    internal bool Retired;
    public bool IsClosed { get; private set; }

    internal void Add(Consumer c)
    {
        lock (this) _consumers = [.. _consumers, c];
    }

    internal void Remove(Consumer c)
    {
        lock (this) _consumers = Array.FindAll(_consumers, x => x != c);
    }

    /// <param name="payloadLength">RTP payload bytes (no header, no padding): what bitrates and caps count.</param>
    /// <param name="nowUs">Arrival time in microseconds on the transport's clock.</param>
    internal void OnRtp(Span<byte> packet, ushort sequence, uint timestamp, byte payloadType, int payloadLength, long nowUs, bool retransmission)
    {
        var recovered = LossTracker is { } tracker && TrackLoss(tracker, sequence, payloadType, nowUs, retransmission);
        if (retransmission)
        {
            RetransmissionsReceived++;
            // A retransmission nobody asked for (libwebrtc's bandwidth probes resend recent packets on RTX) would reach
            // receivers as a duplicate and cost their downlink: only packets the SFU was missing go on (as mediasoup does).
            if (LossTracker is not null && !recovered)
            {
                UnrequestedRetransmissions++;
                return;
            }
        }
        else
        {
            PacketsReceived++;
            BytesReceived += packet.Length;
            bool admitted;
            lock (Statistics)
            {
                Statistics.OnPacket(sequence, timestamp, nowUs, packet.Length);
                // Measured before policing: the cap is about what the publisher sends.
                admitted = CapMonitor?.Admit(nowUs, payloadLength, Bitrate) ?? true;
                Bitrate.Add(nowUs, payloadLength);
            }
            if (!admitted) return;
        }
        Cache?.Store(packet, sequence);
        var consumers = _consumers;
        for (var i = 0; i < consumers.Length; i++) consumers[i].Forward(packet, sequence, timestamp, payloadType, payloadLength, nowUs);
    }

    /// <summary>Records the packet in the loss tracker; true when it was missing (it arrived late or was retransmitted).</summary>
    private bool TrackLoss(UpstreamLossTracker tracker, ushort sequence, byte payloadType, long nowUs, bool retransmission)
    {
        UpstreamLossOutcome outcome;
        lock (tracker)
        {
            outcome = tracker.OnPacket(sequence, nowUs, retransmission, _nackPayloadTypes![payloadType & 0x7F]);
            if (outcome.Recovered) UpstreamRecovered++;
            UpstreamNackFailed += outcome.Failed;
        }
        // A restart or more loss than NACKs can follow: only a keyframe repairs the picture.
        if (outcome.KeyframeNeeded) RequestKeyframe(Router.KeyframeRequestInterval);
        return outcome.Recovered;
    }

    /// <summary>
    /// One pass of upstream loss recovery: writes into <paramref name="buffer"/> a generic NACK (RFC 4585 §6.2.1) for
    /// the missing packets due now and sends it to the publisher. Expired entries are given up on even when nothing can
    /// be sent (<paramref name="send"/> false: the transport is not connected). True when a NACK was sent. Like the
    /// PLI and transport-cc feedback it goes alone, not in a compound (what browsers accept; RFC 5506 reduced size).
    /// </summary>
    internal bool SendUpstreamNack(Span<byte> buffer, long nowUs, long? roundTripUs, bool send)
    {
        if (LossTracker is not { } tracker) return false;
        Span<ushort> due = stackalloc ushort[MaxNackSequenceNumbers];
        int n;
        lock (tracker)
        {
            n = tracker.CollectDue(nowUs, tracker.RetryInterval(roundTripUs), send ? due : Span<ushort>.Empty, MaxNackItems, out var failed);
            UpstreamNackFailed += failed;
        }
        if (n == 0 || !Rtcp.GenericNack.TryWrite(buffer, FeedbackSenderSsrc, Ssrc, due[..n], out var length) || !Transport.SendRtcp(buffer[..length]))
            return false;
        Interlocked.Increment(ref UpstreamNacksSent);
        Interlocked.Add(ref UpstreamNackRequests, n);
        return true;
    }

    /// <summary>At most this many sequence numbers and PID/BLP pairs per NACK: 12 + 4 × 128 bytes, well inside one datagram.</summary>
    internal const int MaxNackSequenceNumbers = 512, MaxNackItems = 128;

    /// <summary>This stream's counters, for node totals.</summary>
    internal void AddCounters(ref MediaCounters c)
    {
        c.PacketsIn += PacketsReceived;
        c.BytesIn += BytesReceived;
        c.RetransmissionsIn += RetransmissionsReceived;
        c.KeyframeRequestsSent += Interlocked.Read(ref KeyframeRequestsSent);
        c.UpstreamNacksSent += Interlocked.Read(ref UpstreamNacksSent);
        c.UpstreamNackRequests += Interlocked.Read(ref UpstreamNackRequests);
        c.UpstreamRecovered += Interlocked.Read(ref UpstreamRecovered);
        c.UpstreamNackFailed += Interlocked.Read(ref UpstreamNackFailed);
        c.UnrequestedRetransmissions += Interlocked.Read(ref UnrequestedRetransmissions);
        if (CapMonitor is { } cap)
        {
            c.CapViolations += cap.Violations;
            c.PacketsDroppedOverCap += cap.PacketsDropped;
        }
    }

    /// <summary>Asks the publisher for a keyframe (PLI), at most once per <paramref name="minInterval"/> (RFC 4585 §6.3.1).</summary>
    public bool RequestKeyframe(TimeSpan minInterval)
    {
        if (Kind != MediaKind.Video || IsClosed) return false;
        var now = Transport.Clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastKeyframeRequestTicks);
        if (last != 0 && Transport.Clock.GetElapsedTime(last, now) < minInterval) return false;
        if (Interlocked.CompareExchange(ref _lastKeyframeRequestTicks, now, last) != last) return false;
        Span<byte> pli = stackalloc byte[Rtcp.PictureLossIndication.Size];
        if (!new Rtcp.PictureLossIndication(FeedbackSenderSsrc, Ssrc).TryWrite(pli, out var n)) return false;
        if (Transport.SendRtcp(pli[..n])) Interlocked.Increment(ref KeyframeRequestsSent);
        return true;
    }

    /// <summary>The SSRC the SFU signs its feedback to this publisher with (any SSRC of ours, RFC 4585 §6.1).</summary>
    internal uint FeedbackSenderSsrc { get; set; } = 1;

    internal void Close()
    {
        IsClosed = true;
        foreach (var c in _consumers) c.Close();
    }
}
