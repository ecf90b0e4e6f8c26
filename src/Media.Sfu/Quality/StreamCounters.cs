using Prometheus.Text;

namespace Media.Sfu.Quality;

/// <summary>Counters of the streams of one media kind, summed over streams.</summary>
public struct MediaCounters
{
    public long PacketsIn, BytesIn, RetransmissionsIn, KeyframeRequestsSent, CapViolations, PacketsDroppedOverCap;
    public long PacketsOut, BytesOut, NacksReceived, RetransmissionsSent, RetransmissionsMissed, PliReceived, FirReceived;
    /// <summary>NACKs to publishers: packets sent, sequence numbers requested, missing packets recovered and given up on.</summary>
    public long UpstreamNacksSent, UpstreamNackRequests, UpstreamRecovered, UpstreamNackFailed;
    /// <summary>Retransmissions from publishers of packets the SFU already had: not forwarded.</summary>
    public long UnrequestedRetransmissions;

    public void Add(in MediaCounters o)
    {
        PacketsIn += o.PacketsIn; BytesIn += o.BytesIn; RetransmissionsIn += o.RetransmissionsIn;
        KeyframeRequestsSent += o.KeyframeRequestsSent; CapViolations += o.CapViolations; PacketsDroppedOverCap += o.PacketsDroppedOverCap;
        PacketsOut += o.PacketsOut; BytesOut += o.BytesOut; NacksReceived += o.NacksReceived;
        RetransmissionsSent += o.RetransmissionsSent; RetransmissionsMissed += o.RetransmissionsMissed;
        PliReceived += o.PliReceived; FirReceived += o.FirReceived;
        UpstreamNacksSent += o.UpstreamNacksSent; UpstreamNackRequests += o.UpstreamNackRequests;
        UpstreamRecovered += o.UpstreamRecovered; UpstreamNackFailed += o.UpstreamNackFailed;
        UnrequestedRetransmissions += o.UnrequestedRetransmissions;
    }
}

/// <summary>Counters of transports (what crossed the sockets after SRTP) and the feedback sent on them.</summary>
public struct TransportTotals
{
    public long RtpPacketsIn, RtpBytesIn, RtpPacketsOut, RtpBytesOut, RtcpPacketsIn, RtcpPacketsOut, SrtpErrors;
    public long RembSent, TransportCcSent, ReportsSent;

    public void Add(in TransportTotals o)
    {
        RtpPacketsIn += o.RtpPacketsIn; RtpBytesIn += o.RtpBytesIn; RtpPacketsOut += o.RtpPacketsOut; RtpBytesOut += o.RtpBytesOut;
        RtcpPacketsIn += o.RtcpPacketsIn; RtcpPacketsOut += o.RtcpPacketsOut; SrtpErrors += o.SrtpErrors;
        RembSent += o.RembSent; TransportCcSent += o.TransportCcSent; ReportsSent += o.ReportsSent;
    }
}

/// <summary>All counters of a node (or of a part of it): per kind and per transport.</summary>
public struct SfuCounters
{
    public MediaCounters Audio, Video;
    public TransportTotals Transports;

    public void Add(in SfuCounters o)
    {
        Audio.Add(o.Audio);
        Video.Add(o.Video);
        Transports.Add(o.Transports);
    }
}

/// <summary>
/// What a node keeps beyond its live streams so its counters never go down: the counters of streams and
/// transports that closed (added under <see cref="Gate"/> when they leave their router), and histograms of
/// per-interval loss, jitter and RTT observations. One instance per node, shared by its routers.
/// Lock order: <see cref="Gate"/> before any router's own lock.
/// </summary>
public sealed class NodeStreamTotals
{
    /// <summary>Loss per report interval, as a ratio.</summary>
    public static readonly double[] LossBuckets = [0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 1];
    public static readonly double[] JitterSecondsBuckets = [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1];
    public static readonly double[] RoundTripSecondsBuckets = [0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2];

    private SfuCounters _retired;

    public object Gate { get; } = new();

    /// <summary>Fraction lost per ~1 s interval of each incoming stream, measured by the SFU.</summary>
    public Histogram IncomingLoss { get; } = new(LossBuckets);
    /// <summary>Fraction lost per receiver report block for each outgoing stream, as the receiver reported it.</summary>
    public Histogram OutgoingLoss { get; } = new(LossBuckets);
    public Histogram IncomingJitter { get; } = new(JitterSecondsBuckets);
    public Histogram OutgoingJitter { get; } = new(JitterSecondsBuckets);
    public Histogram RoundTripTime { get; } = new(RoundTripSecondsBuckets);

    /// <summary>Adds a closed part's final counters. Take <see cref="Gate"/> first.</summary>
    public void Retire(in SfuCounters counters)
    {
        _retired.Add(counters);
    }

    /// <summary>The retired counters (read under <see cref="Gate"/> together with the live ones).</summary>
    public SfuCounters Retired => _retired;
}

/// <summary>Live streams by direction and kind.</summary>
public struct StreamCounts
{
    public int IncomingAudio, IncomingVideo, OutgoingAudio, OutgoingVideo;
}
