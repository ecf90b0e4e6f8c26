using Prometheus.Text;

namespace Media.Sfu.Quality;

/// <summary>Everything the SFU's Prometheus exposition shows, taken at one moment.</summary>
public sealed record SfuMetricsSnapshot(
    int Transports,
    int Sessions,
    int Rooms,
    StreamCounts Streams,
    SfuCounters Counters,
    HistogramSnapshot IncomingLoss,
    HistogramSnapshot OutgoingLoss,
    HistogramSnapshot IncomingJitter,
    HistogramSnapshot OutgoingJitter,
    HistogramSnapshot RoundTripTime,
    int CallsGood,
    int CallsFair,
    int CallsPoor,
    long NativeDtlsSessions,
    long NativeSrtpSessions,
    long UdpPacketsReceived,
    long UnknownSourcePackets,
    int TcpConnections);

/// <summary>
/// The SFU's metric families in the Prometheus text format (all prefixed <c>sfu_</c>). Counters include closed
/// streams and transports, so they only go up. Labels: <c>direction</c> = in (from publishers) / out (to
/// receivers), <c>kind</c> = audio / video.
/// </summary>
public static class SfuMetrics
{
    public static void Write(PrometheusTextWriter w, SfuMetricsSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(s);
        var t = s.Counters.Transports;
        var a = s.Counters.Audio;
        var v = s.Counters.Video;
        Label In = new("direction", "in"), Out = new("direction", "out"), Audio = new("kind", "audio"), Video = new("kind", "video");

        w.Gauge("sfu_transports", "WebRTC transports open on this node.", s.Transports);
        w.Gauge("sfu_sessions", "WHIP/WHEP sessions open on this node.", s.Sessions);
        w.Gauge("sfu_rooms", "Call rooms open on this node.", s.Rooms);
        w.Family("sfu_streams", MetricType.Gauge, "Live RTP streams: in = received from publishers, out = forwarded to receivers.")
            .Sample(s.Streams.IncomingAudio, In, Audio).Sample(s.Streams.IncomingVideo, In, Video)
            .Sample(s.Streams.OutgoingAudio, Out, Audio).Sample(s.Streams.OutgoingVideo, Out, Video);
        w.Family("sfu_calls", MetricType.Gauge, "Call rooms by current quality level (E-model; rooms without statistics are not counted).")
            .Sample(s.CallsGood, new Label("quality", "good")).Sample(s.CallsFair, new Label("quality", "fair")).Sample(s.CallsPoor, new Label("quality", "poor"));

        w.Family("sfu_rtp_packets_total", MetricType.Counter, "RTP packets through the transports (after SRTP), retransmissions included.")
            .Sample(t.RtpPacketsIn, In).Sample(t.RtpPacketsOut, Out);
        w.Family("sfu_rtp_bytes_total", MetricType.Counter, "RTP bytes through the transports (decrypted length).")
            .Sample(t.RtpBytesIn, In).Sample(t.RtpBytesOut, Out);
        w.Family("sfu_rtcp_packets_total", MetricType.Counter, "RTCP compound packets through the transports.")
            .Sample(t.RtcpPacketsIn, In).Sample(t.RtcpPacketsOut, Out);
        w.Counter("sfu_srtp_errors_total", "Packets SRTP refused to protect or unprotect.", t.SrtpErrors);

        w.Family("sfu_stream_packets_total", MetricType.Counter, "Original RTP packets received per stream kind (in) and forwarded (out).")
            .Sample(a.PacketsIn, In, Audio).Sample(v.PacketsIn, In, Video).Sample(a.PacketsOut, Out, Audio).Sample(v.PacketsOut, Out, Video);
        w.Family("sfu_stream_bytes_total", MetricType.Counter, "RTP bytes of those packets, headers included.")
            .Sample(a.BytesIn, In, Audio).Sample(v.BytesIn, In, Video).Sample(a.BytesOut, Out, Audio).Sample(v.BytesOut, Out, Video);
        w.Family("sfu_nacks_received_total", MetricType.Counter, "Sequence numbers receivers asked to be resent (RFC 4585 generic NACK).")
            .Sample(a.NacksReceived, Audio).Sample(v.NacksReceived, Video);
        w.Family("sfu_retransmissions_sent_total", MetricType.Counter, "Packets resent to receivers from the packet cache.")
            .Sample(a.RetransmissionsSent, Audio).Sample(v.RetransmissionsSent, Video);
        w.Family("sfu_retransmissions_missed_total", MetricType.Counter, "NACKed packets no longer in the cache or not sendable.")
            .Sample(a.RetransmissionsMissed, Audio).Sample(v.RetransmissionsMissed, Video);
        w.Family("sfu_retransmissions_received_total", MetricType.Counter, "Retransmissions (RTX) received from publishers.")
            .Sample(a.RetransmissionsIn, Audio).Sample(v.RetransmissionsIn, Video);
        w.Family("sfu_upstream_nacks_sent_total", MetricType.Counter, "Generic NACK packets sent to publishers for packets lost on their uplink.")
            .Sample(a.UpstreamNacksSent, Audio).Sample(v.UpstreamNacksSent, Video);
        w.Family("sfu_upstream_nack_requests_total", MetricType.Counter, "Sequence numbers asked of publishers in those NACKs (repeats included).")
            .Sample(a.UpstreamNackRequests, Audio).Sample(v.UpstreamNackRequests, Video);
        w.Family("sfu_upstream_recovered_total", MetricType.Counter, "Packets missing from publishers that arrived after all (retransmitted or reordered).")
            .Sample(a.UpstreamRecovered, Audio).Sample(v.UpstreamRecovered, Video);
        w.Family("sfu_upstream_nack_failed_total", MetricType.Counter, "Packets missing from publishers given up on (too old, too many requests, table full, restart).")
            .Sample(a.UpstreamNackFailed, Audio).Sample(v.UpstreamNackFailed, Video);
        w.Family("sfu_unrequested_retransmissions_total", MetricType.Counter, "Retransmissions from publishers of packets the SFU already had (bandwidth probes): not forwarded.")
            .Sample(a.UnrequestedRetransmissions, Audio).Sample(v.UnrequestedRetransmissions, Video);
        w.Counter("sfu_pli_received_total", "Picture loss indications from receivers.", a.PliReceived + v.PliReceived);
        w.Counter("sfu_fir_received_total", "Full intra requests from receivers.", a.FirReceived + v.FirReceived);
        w.Counter("sfu_keyframe_requests_sent_total", "PLIs sent to publishers (at most one per second per stream).", a.KeyframeRequestsSent + v.KeyframeRequestsSent);
        w.Family("sfu_bitrate_cap_violations_total", MetricType.Counter, "Episodes of a stream staying above its bitrate cap plus tolerance.")
            .Sample(a.CapViolations, Audio).Sample(v.CapViolations, Video);
        w.Family("sfu_packets_dropped_over_cap_total", MetricType.Counter, "Packets dropped beyond the budget of an over-cap stream (DropOverBudget policy).")
            .Sample(a.PacketsDroppedOverCap, Audio).Sample(v.PacketsDroppedOverCap, Video);
        w.Family("sfu_feedback_sent_total", MetricType.Counter, "RTCP feedback sent to publishers: REMB, transport-cc, and report compounds (SR/RR).")
            .Sample(t.RembSent, new Label("type", "remb")).Sample(t.TransportCcSent, new Label("type", "transport_cc"))
            .Sample(t.ReportsSent, new Label("type", "report"));

        w.Family("sfu_stream_loss_ratio", MetricType.Histogram,
                "Fraction of packets lost per report interval: in = measured by the SFU on what it receives, out = reported by receivers.")
            .Histogram(s.IncomingLoss, In).Histogram(s.OutgoingLoss, Out);
        w.Family("sfu_stream_jitter_seconds", MetricType.Histogram, "Interarrival jitter (RFC 3550 A.8) per report interval.")
            .Histogram(s.IncomingJitter, In).Histogram(s.OutgoingJitter, Out);
        w.Family("sfu_round_trip_time_seconds", MetricType.Histogram, "Round-trip times from receiver reports (LSR/DLSR).")
            .Histogram(s.RoundTripTime);

        w.Family("sfu_native_contexts", MetricType.Gauge, "Live native DTLS (OpenSSL) and SRTP (libsrtp) contexts.")
            .Sample(s.NativeDtlsSessions, new Label("type", "dtls")).Sample(s.NativeSrtpSessions, new Label("type", "srtp"));
        w.Counter("sfu_udp_packets_received_total", "Datagrams read from the shared UDP socket.", s.UdpPacketsReceived);
        w.Counter("sfu_unknown_source_packets_total", "Packets from addresses no transport owns.", s.UnknownSourcePackets);
        w.Gauge("sfu_tcp_connections", "Open ICE-TCP connections.", s.TcpConnections);
    }
}
