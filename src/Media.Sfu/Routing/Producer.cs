using Media.Sfu.Quality;
using Media.Sfu.Sdp;
using Media.Sfu.Transports;

namespace Media.Sfu.Routing;

/// <summary>An incoming stream on a transport (mediasoup's Producer). Forwards each packet to its consumers.</summary>
public sealed class Producer
{
    private Consumer[] _consumers = Array.Empty<Consumer>();   // copy-on-write: the packet path reads without locking
    private long _lastKeyframeRequestTicks;

    internal Producer(string id, WebRtcTransport transport, ProducerParameters parameters, BitrateCapMonitor? capMonitor = null)
    {
        Id = id;
        Transport = transport;
        Parameters = parameters;
        ClockRate = (uint)(parameters.Media.Codecs.FirstOrDefault()?.ClockRate ?? 90000);
        if (parameters.Kind == MediaKind.Video) Cache = new RtpPacketCache();
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
        if (retransmission) RetransmissionsReceived++;
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

    /// <summary>This stream's counters, for node totals.</summary>
    internal void AddCounters(ref MediaCounters c)
    {
        c.PacketsIn += PacketsReceived;
        c.BytesIn += BytesReceived;
        c.RetransmissionsIn += RetransmissionsReceived;
        c.KeyframeRequestsSent += Interlocked.Read(ref KeyframeRequestsSent);
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
