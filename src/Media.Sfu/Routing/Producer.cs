using Media.Sfu.Sdp;
using Media.Sfu.Transports;

namespace Media.Sfu.Routing;

/// <summary>An incoming stream on a transport (mediasoup's Producer). Forwards each packet to its consumers.</summary>
public sealed class Producer
{
    private Consumer[] _consumers = Array.Empty<Consumer>();   // copy-on-write: the packet path reads without locking
    private long _lastKeyframeRequestTicks;

    internal Producer(string id, WebRtcTransport transport, ProducerParameters parameters)
    {
        Id = id;
        Transport = transport;
        Parameters = parameters;
        ClockRate = (uint)(parameters.Media.Codecs.FirstOrDefault()?.ClockRate ?? 90000);
        if (parameters.Kind == MediaKind.Video) Cache = new RtpPacketCache();
        Statistics = new Rtp.RtpReceiveStatistics(parameters.Ssrc, (int)ClockRate);
    }

    /// <summary>RFC 3550 A.1/A.3/A.8 reception statistics of the original packets (not retransmissions).</summary>
    public Rtp.RtpReceiveStatistics Statistics { get; }

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

    internal long MicrosecondsAt(long ticks) => ticks * 1_000_000 / Transport.Clock.TimestampFrequency;

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
    public bool IsClosed { get; private set; }

    internal void Add(Consumer c)
    {
        lock (this) _consumers = [.. _consumers, c];
    }

    internal void Remove(Consumer c)
    {
        lock (this) _consumers = Array.FindAll(_consumers, x => x != c);
    }

    internal void OnRtp(Span<byte> packet, ushort sequence, uint timestamp, byte payloadType, bool retransmission)
    {
        if (retransmission) RetransmissionsReceived++;
        else
        {
            PacketsReceived++;
            BytesReceived += packet.Length;
            lock (Statistics) Statistics.OnPacket(sequence, timestamp, MicrosecondsAt(Transport.Clock.GetTimestamp()), packet.Length);
        }
        Cache?.Store(packet, sequence);
        var consumers = _consumers;
        for (var i = 0; i < consumers.Length; i++) consumers[i].Forward(packet, sequence, timestamp, payloadType);
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
