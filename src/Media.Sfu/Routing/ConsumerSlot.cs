using System.Text;
using Media.Sfu.Quality;
using Media.Sfu.Rtcp;
using Media.Sfu.Rtp;
using Media.Sfu.Sdp;
using Media.Sfu.Transports;

namespace Media.Sfu.Routing;

/// <summary>
/// A place in a receiver's negotiation where one remote stream can be shown: an m-line the SFU sends on,
/// with the SSRC (and RTX SSRC) it announced in its answer. Producers come and go (a peer reconnects);
/// the slot keeps the outgoing sequence and timestamp running so the receiver sees one continuous stream.
/// </summary>
public sealed class ConsumerSlot
{
    internal ConsumerSlot(WebRtcTransport transport, NegotiatedMedia media, OutgoingStream stream)
    {
        Transport = transport;
        Media = media;
        Ssrc = stream.Ssrc;
        RtxSsrc = stream.RtxSsrc;
        MidBytes = Encoding.ASCII.GetBytes(media.Mid);
        ClockRate = media.Codecs.FirstOrDefault()?.ClockRate is int rate and > 0 ? rate : 90000;
    }

    /// <summary>RTP clock rate of what this slot carries (jitter in report blocks is in its units).</summary>
    public int ClockRate { get; }

    public WebRtcTransport Transport { get; }
    public NegotiatedMedia Media { get; }
    public MediaKind Kind => Media.Kind;
    public uint Ssrc { get; }
    public uint? RtxSsrc { get; }
    internal byte[] MidBytes { get; }
    public Consumer? Current { get; internal set; }

    // Continuity across producers (written on the forwarding path of the current producer only).
    internal bool HasSent;
    internal ushort LastSequence;
    internal uint LastTimestamp;
    internal long LastSentTicks;
    internal ushort RtxSequence;

    /// <summary>Everything sent on this slot, across the producers that fed it.</summary>
    public long PacketsSent, BytesSent;

    /// <summary>RTP payload bitrate sent on this slot (written on the forwarding path, read for monitoring).</summary>
    public BitrateMeter Bitrate { get; } = new();

    /// <summary>Loss the receiver reported over its last report blocks (Δ cumulative lost ÷ Δ extended highest).</summary>
    public LossWindow ReceiverLoss { get; } = new();

    private readonly object _reportGate = new();
    private ReportBlock _lastReport;
    private bool _hasReport;
    private double? _roundTripMs;

    /// <summary>The receiver's last report block about this slot's SSRC, if any.</summary>
    public ReportBlock? LastReceiverReport { get { lock (_reportGate) return _hasReport ? _lastReport : null; } }

    /// <summary>RTT from the last report block with an LSR (RFC 3550 §6.4.1), in milliseconds.</summary>
    public double? RoundTripTimeMs { get { lock (_reportGate) return _roundTripMs; } }

    public long ReceiverReportsReceived;

    /// <summary>
    /// Takes a report block the receiver sent about this slot's SSRC. <paramref name="arrivalCompact"/> is the
    /// arrival time in compact NTP (the middle 32 bits) on the same clock the SFU's SRs carry. Returns the RTT
    /// in compact NTP units when the block had an LSR.
    /// </summary>
    internal uint? OnReceiverReport(in ReportBlock block, uint arrivalCompact)
    {
        uint? rtt = null;
        lock (_reportGate)
        {
            if (_hasReport)
            {
                // Interval loss from the cumulative values, as RFC 3550 A.3 does for the sender's side.
                long expected = (int)(block.ExtendedHighestSequenceNumber - _lastReport.ExtendedHighestSequenceNumber);
                long lost = block.CumulativeLost - _lastReport.CumulativeLost;
                if (expected is > 0 and < 1 << 20) ReceiverLoss.Add(expected, lost);
            }
            if (NtpTime.TryGetRoundTripTime(arrivalCompact, block.LastSenderReport, block.DelaySinceLastSenderReport, out var compact))
            {
                rtt = compact;
                _roundTripMs = NtpTime.CompactToMicroseconds(compact) / 1000.0;
            }
            _lastReport = block;
            _hasReport = true;
        }
        Interlocked.Increment(ref ReceiverReportsReceived);
        return rtt;
    }
}
