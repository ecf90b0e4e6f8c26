using Media.Sfu.Quality;
using Media.Sfu.Rtcp;
using Media.Sfu.Rtp;
using Media.Sfu.Sdp;
using Media.Sfu.Transports;
using Microsoft.Extensions.Logging;

namespace Media.Sfu.Routing;

/// <summary>
/// A room (mediasoup's Router): transports join with their negotiation; each remote stream becomes a
/// Producer, each m-line the SFU sends on becomes a ConsumerSlot, and every producer is connected to a free
/// slot of its kind on every other transport — or on its own transport in an echo room. Nothing here
/// assumes two participants. The packet path only reads copy-on-write arrays; membership changes take the
/// router's lock. It also measures every stream (bitrate, loss, jitter, the receivers' report blocks), enforces
/// the call's <see cref="CallMediaPolicy"/>, and sends publishers bandwidth feedback (REMB, transport-cc).
/// </summary>
public sealed class Router : ITransportMediaSink
{
    public static readonly TimeSpan KeyframeRequestInterval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<WebRtcTransport, Member> _members = new();
    // What the packet path reads: replaced (never mutated) under the lock whenever membership changes.
    private volatile Dictionary<WebRtcTransport, Member> _snapshot = new();
    private readonly ILogger _log;
    private readonly bool _echo;
    private readonly NodeStreamTotals _totals;
    private readonly BandwidthFeedbackSettings _feedback;
    private readonly UpstreamNackSettings _upstreamNacks;
    private int _nextId;

    private sealed class Member(WebRtcTransport transport)
    {
        public readonly WebRtcTransport Transport = transport;
        public Producer[] Producers = Array.Empty<Producer>();
        public ConsumerSlot[] Slots = Array.Empty<ConsumerSlot>();
        public uint FeedbackSsrc = 1;
        /// <summary>Transport-wide arrivals when transport-cc was negotiated; null otherwise.</summary>
        public TransportCcArrivals? TransportCc;
        /// <summary>SSRCs of the video streams a REMB is about; empty when goog-remb was not negotiated.</summary>
        public uint[] RembSsrcs = Array.Empty<uint>();
        public long RembSent, TransportCcSent, ReportsSent, LastRembBps;
    }

    /// <param name="echo">Send each participant's own streams back to it (the pre-call device test).</param>
    /// <param name="policy">Bitrate caps and what to do about a stream above its cap.</param>
    /// <param name="totals">The node's totals, so counters outlive the streams; a private one when null.</param>
    /// <param name="feedback">REMB and transport-cc settings; the defaults when null.</param>
    /// <param name="upstreamNacks">NACKs to publishers for packets lost on their uplink; the defaults when null.</param>
    public Router(string id, ILogger log, bool echo = false, CallMediaPolicy? policy = null, NodeStreamTotals? totals = null,
        BandwidthFeedbackSettings? feedback = null, UpstreamNackSettings? upstreamNacks = null)
    {
        Id = id;
        _log = log;
        _echo = echo;
        Policy = policy;
        _totals = totals ?? new NodeStreamTotals();
        _feedback = feedback ?? BandwidthFeedbackSettings.Default;
        _upstreamNacks = upstreamNacks ?? UpstreamNackSettings.Default;
    }

    public string Id { get; }
    public bool IsEcho => _echo;
    public CallMediaPolicy? Policy { get; }
    public long KeyframeRequestsForwarded, NacksServed;
    /// <summary>Generic NACKs this router sent to publishers (see <see cref="Producer.UpstreamNacksSent"/>).</summary>
    public long UpstreamNacksSent;

    public IReadOnlyList<WebRtcTransport> Transports { get { lock (_members) return _members.Keys.ToList(); } }
    public IReadOnlyList<Producer> Producers { get { lock (_members) return _members.Values.SelectMany(m => m.Producers).ToList(); } }
    public IReadOnlyList<Consumer> Consumers { get { lock (_members) return _members.Values.SelectMany(m => m.Slots).Select(s => s.Current).OfType<Consumer>().ToList(); } }
    public int ParticipantCount { get { lock (_members) return _members.Count; } }

    /// <summary>Adds a transport with what it negotiated: its incoming streams and the SSRCs we announced per m-line.</summary>
    public void Join(WebRtcTransport transport, NegotiatedSession negotiated)
    {
        var member = new Member(transport);
        var producers = new List<Producer>();
        var slots = new List<ConsumerSlot>();
        var rembSsrcs = new List<uint>();
        byte transportCcId = 0;
        foreach (var media in negotiated.Media)
        {
            if (media.SfuReceives)
                foreach (var stream in media.RemoteStreams)
                {
                    producers.Add(new Producer($"{Id}-p{Interlocked.Increment(ref _nextId)}", transport,
                        new ProducerParameters(media.Kind, media.Mid, stream.Ssrc, stream.RtxSsrc, stream.Cname, media), CapMonitorFor(media),
                        _upstreamNacks));
                    if (media.Kind == MediaKind.Video && _feedback.SendRemb && media.Codecs.Any(c => c.HasFeedback("goog-remb")))
                        rembSsrcs.Add(stream.Ssrc);
                }
            if (media.SfuSends && media.LocalStreams.FirstOrDefault() is { } local)
                slots.Add(new ConsumerSlot(transport, media, local));
            // BUNDLE shares one extension id map (RFC 8843 §9.2); transport-cc needs the extension and the feedback.
            var ccId = media.HeaderExtensionId(HeaderExtensionUris.TransportWideCc);
            if (media.SfuReceives && ccId is > 0 and < 256 && transportCcId == 0 && media.Codecs.Any(c => c.HasFeedback("transport-cc")))
                transportCcId = (byte)ccId;
        }
        member.Producers = producers.ToArray();
        member.Slots = slots.ToArray();
        member.RembSsrcs = rembSsrcs.ToArray();
        if (transportCcId != 0 && _feedback.SendTransportCc) member.TransportCc = new TransportCcArrivals(transportCcId);
        var first = negotiated.Media.FirstOrDefault();
        if (first is not null)
            transport.OutgoingExtensions = new OutgoingExtensionIds((byte)first.HeaderExtensionId(HeaderExtensionUris.Mid),
                (byte)first.HeaderExtensionId(HeaderExtensionUris.AbsSendTime), (byte)first.HeaderExtensionId(HeaderExtensionUris.TransportWideCc));
        var feedbackSsrc = slots.Count > 0 ? slots[0].Ssrc : 1u;
        member.FeedbackSsrc = feedbackSsrc;
        foreach (var p in producers) p.FeedbackSenderSsrc = feedbackSsrc;

        lock (_members)
        {
            _members[transport] = member;
            _snapshot = new Dictionary<WebRtcTransport, Member>(_members);
            foreach (var other in _members.Values)
            {
                foreach (var p in other.Producers) if (_echo ? other == member : other != member) ConnectLocked(p, member);
                if (other != member && !_echo) foreach (var p in member.Producers) ConnectLocked(p, other);
            }
        }
        transport.MediaSink = this;
        transport.Closed += Leave;
        _log.LogInformation("Transport {TransportId} joined room {RoomId}: {Producers} producers, {Slots} slots",
            transport.Id, Id, producers.Count, slots.Count);
    }

    private void ConnectLocked(Producer producer, Member receiver)
    {
        foreach (var slot in receiver.Slots)
        {
            if (slot.Current is not null || slot.Kind != producer.Kind) continue;
            var consumer = new Consumer($"{Id}-c{Interlocked.Increment(ref _nextId)}", producer, slot);
            slot.Current = consumer;
            producer.Add(consumer);
            // A new receiver needs a keyframe before it can show anything.
            producer.RequestKeyframe(TimeSpan.Zero);
            return;
        }
    }

    /// <summary>The cap of a stream: what the answer asked for on its m-line, else the policy's cap for its kind.</summary>
    private BitrateCapMonitor? CapMonitorFor(NegotiatedMedia media)
    {
        var video = media.Kind == MediaKind.Video;
        var capKbps = media.BitrateCapKbps ?? Policy?.CapKbps(video);
        if (capKbps is not int kbps || kbps <= 0) return null;
        var policy = Policy ?? new CallMediaPolicy();
        // Only audio is ever policed: dropping video packets breaks frames and costs keyframes.
        return new BitrateCapMonitor(kbps * 1000L, policy.OverCap, policy.Tolerance, policy.SustainSeconds, mayDrop: !video);
    }

    private void Leave(WebRtcTransport transport)
    {
        // Totals first, then the router (the node's lock order), so a scrape sees each stream once: live or retired.
        lock (_totals.Gate)
        lock (_members)
        {
            if (!_members.Remove(transport, out var member)) return;
            _snapshot = new Dictionary<WebRtcTransport, Member>(_members);
            var retired = default(SfuCounters);
            AddTransportCounters(ref retired.Transports, member);
            foreach (var p in member.Producers)
            {
                p.Close();
                RetireProducer(ref retired, p);
                foreach (var c in p.Consumers)
                {
                    RetireConsumer(ref retired, c);
                    if (c.Slot.Current == c) c.Slot.Current = null;
                }
            }
            foreach (var slot in member.Slots)
                if (slot.Current is { } c) { RetireConsumer(ref retired, c); c.Close(); c.Producer.Remove(c); slot.Current = null; }
            _totals.Retire(retired);
        }
        transport.MediaSink = null;
        _log.LogInformation("Transport {TransportId} left room {RoomId}", transport.Id, Id);
    }

    private static void RetireProducer(ref SfuCounters retired, Producer p)
    {
        if (p.Retired) return;
        p.Retired = true;
        p.AddCounters(ref p.Kind == MediaKind.Audio ? ref retired.Audio : ref retired.Video);
    }

    private static void RetireConsumer(ref SfuCounters retired, Consumer c)
    {
        if (c.Retired) return;
        c.Retired = true;
        c.AddCounters(ref c.Kind == MediaKind.Audio ? ref retired.Audio : ref retired.Video);
    }

    private static void AddTransportCounters(ref TransportTotals t, Member member)
    {
        var c = member.Transport.Counters;
        t.RtpPacketsIn += c.RtpPacketsIn;
        t.RtpBytesIn += c.RtpBytesIn;
        t.RtpPacketsOut += c.RtpPacketsOut;
        t.RtpBytesOut += c.RtpBytesOut;
        t.RtcpPacketsIn += c.RtcpPacketsIn;
        t.RtcpPacketsOut += c.RtcpPacketsOut;
        t.SrtpErrors += c.SrtpErrors;
        t.RembSent += Interlocked.Read(ref member.RembSent);
        t.TransportCcSent += Interlocked.Read(ref member.TransportCcSent);
        t.ReportsSent += Interlocked.Read(ref member.ReportsSent);
    }

    private Member? MemberOf(WebRtcTransport transport) => _snapshot.GetValueOrDefault(transport);

    public void OnRtp(WebRtcTransport transport, Span<byte> rtp)
    {
        if (!RtpPacket.TryParse(rtp, out var packet) || MemberOf(transport) is not { } member) return;
        var nowUs = MediaClock.Now(transport.Clock);
        // Every packet with a transport-wide sequence number counts for transport-cc, whatever its SSRC (padding probes too).
        if (member.TransportCc is { } cc && packet.HasExtension && packet.TryGetExtension(cc.ExtensionId, out var twcc) && twcc.Length >= 2)
            cc.OnPacket((ushort)(twcc[0] << 8 | twcc[1]), nowUs);
        var ssrc = packet.Ssrc;
        var producers = member.Producers;
        for (var i = 0; i < producers.Length; i++)
        {
            var p = producers[i];
            if (p.Ssrc == ssrc)
            {
                p.OnRtp(rtp, packet.SequenceNumber, packet.Timestamp, packet.PayloadType, packet.Payload.Length, nowUs, retransmission: false);
                return;
            }
            if (p.RtxSsrc == ssrc)
            {
                // The publisher's retransmission (RFC 4588): restore the original packet in place and forward it.
                if (!p.Parameters.Media.RtxPayloadTypes.TryGetValue(packet.PayloadType, out var apt) ||
                    !RtxPayloadFormat.TryUnwrap(rtp, rtp, p.Ssrc, (byte)apt, out var length) ||
                    !RtpPacket.TryParse(rtp[..length], out var original)) return;
                p.OnRtp(rtp[..length], original.SequenceNumber, original.Timestamp, original.PayloadType, original.Payload.Length, nowUs, retransmission: true);
                return;
            }
        }
    }

    public void OnRtcp(WebRtcTransport transport, Span<byte> rtcp)
    {
        if (MemberOf(transport) is not { } member) return;
        // Browsers pad transport-cc feedback inside compounds (libwebrtc), so padding is accepted anywhere.
        var reader = new RtcpCompoundReader(rtcp, allowPaddingOnAnyPacket: true);
        Span<byte> scratch = stackalloc byte[RtpPacketCache.MaxPacketLength];
        while (reader.TryReadNext(out var header, out var packet))
        {
            if (header.PacketType == RtcpPacketType.PayloadSpecificFeedback)
            {
                uint mediaSsrc = 0;
                var isFir = false;
                if (header.Count == RtcpFeedbackFormat.PictureLossIndication && PictureLossIndication.TryParse(packet, out var pli)) mediaSsrc = pli.MediaSsrc;
                else if (header.Count == RtcpFeedbackFormat.FullIntraRequest && FullIntraRequest.TryParse(packet, out var fir) && fir.EntryCount > 0)
                {
                    mediaSsrc = fir.GetEntry(0).Ssrc;
                    isFir = true;
                }
                if (mediaSsrc != 0 && FindConsumer(member, mediaSsrc) is { } consumer)
                {
                    if (isFir) Interlocked.Increment(ref consumer.FirReceived);
                    else Interlocked.Increment(ref consumer.PliReceived);
                    if (consumer.Producer.RequestKeyframe(KeyframeRequestInterval)) Interlocked.Increment(ref KeyframeRequestsForwarded);
                }
            }
            else if (header.PacketType == RtcpPacketType.SenderReport && RtcpSenderReport.TryParse(packet, out var sr))
            {
                var producers = member.Producers;
                for (var i = 0; i < producers.Length; i++)
                    if (producers[i].Ssrc == sr.Ssrc) { producers[i].OnSenderReport(sr.SenderInfo.NtpTimestamp, sr.SenderInfo.RtpTimestamp); break; }
                for (var i = 0; i < sr.ReportCount; i++) OnReportBlock(transport, member, sr.GetReportBlock(i));
            }
            else if (header.PacketType == RtcpPacketType.ReceiverReport && RtcpReceiverReport.TryParse(packet, out var rr))
            {
                for (var i = 0; i < rr.ReportCount; i++) OnReportBlock(transport, member, rr.GetReportBlock(i));
            }
            else if (header.PacketType == RtcpPacketType.TransportFeedback && header.Count == RtcpFeedbackFormat.GenericNack &&
                     GenericNack.TryParse(packet, out var nack) && FindConsumer(member, nack.MediaSsrc) is { } target)
            {
                foreach (var seq in nack.LostSequenceNumbers)
                {
                    target.Retransmit(seq, scratch);
                    Interlocked.Increment(ref NacksServed);
                }
            }
        }
    }

    /// <summary>A receiver's report block about one of the streams we send it (RFC 3550 §6.4.1): its view of loss and jitter, and the RTT.</summary>
    private void OnReportBlock(WebRtcTransport transport, Member member, in ReportBlock block)
    {
        var slots = member.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (slot.Ssrc != block.Ssrc) continue;
            var arrival = NtpTime.ToCompact(NtpTime.FromDateTime(transport.Clock.GetUtcNow().UtcDateTime));
            var rtt = slot.OnReceiverReport(block, arrival);
            _totals.OutgoingLoss.Observe(block.FractionLost / 256.0);
            _totals.OutgoingJitter.Observe(block.Jitter / (double)slot.ClockRate);
            if (rtt is { } compact) _totals.RoundTripTime.Observe(NtpTime.CompactToMicroseconds(compact) / 1e6);
            return;
        }
    }

    private static Consumer? FindConsumer(Member member, uint ssrc)
    {
        var slots = member.Slots;
        for (var i = 0; i < slots.Length; i++) if (slots[i].Ssrc == ssrc) return slots[i].Current;
        return null;
    }

    /// <summary>
    /// Sends each transport one compound RTCP packet (RFC 3550 §6.1): an SR per outgoing stream (the first
    /// carrying report blocks for the streams we receive from that peer), or an RR when we send nothing, then
    /// SDES with our CNAME, then a REMB for its video streams. Each report closes an interval of the incoming
    /// streams' loss statistics. Called about once a second by the node's housekeeping.
    /// </summary>
    public void SendReports()
    {
        Member[] members;
        lock (_members) members = _members.Values.ToArray();
        if (members.Length == 0) return;
        var clock = members[0].Transport.Clock;
        var nowTicks = clock.GetTimestamp();
        var nowUs = MediaClock.Microseconds(nowTicks, clock.TimestampFrequency);
        var ntpNow = NtpTime.FromDateTime(clock.GetUtcNow().UtcDateTime);
        Span<byte> compound = stackalloc byte[1200];
        Span<ReportBlock> blocks = stackalloc ReportBlock[31];
        foreach (var member in members)
        {
            var transport = member.Transport;
            var connected = transport.State == TransportState.Connected;
            var blockCount = 0;
            foreach (var p in member.Producers)
            {
                RtpReceptionSnapshot snap;
                bool ok;
                lock (p.Statistics) ok = p.Statistics.TryTakeSnapshot(nowUs, out snap);
                if (!ok) continue;
                p.OnIntervalReported(snap);
                if (snap.ExpectedInInterval > 0)
                    _totals.IncomingLoss.Observe(Math.Max(0, snap.ExpectedInInterval - snap.ReceivedInInterval) / (double)snap.ExpectedInInterval);
                _totals.IncomingJitter.Observe(snap.JitterMilliseconds / 1000);
                if (blockCount < blocks.Length) blocks[blockCount++] = new ReportBlock(snap.Ssrc, snap.FractionLost, snap.CumulativeLost,
                    snap.ExtendedHighestSequenceNumber, snap.Jitter, snap.LastSenderReport, snap.DelaySinceLastSenderReport);
            }
            if (!connected) continue;
            var offset = 0;
            uint cnameSsrc = member.Slots.Length > 0 ? member.Slots[0].Ssrc : 1;
            var wroteReport = false;
            foreach (var slot in member.Slots)
            {
                if (slot.Current is not { } consumer || !consumer.TryGetSenderInfo(ntpNow, nowTicks, out var info)) continue;
                var withBlocks = wroteReport ? ReadOnlySpan<ReportBlock>.Empty : blocks[..blockCount];
                if (!RtcpSenderReport.TryWrite(compound[offset..], slot.Ssrc, info, withBlocks, out var n)) break;
                offset += n;
                wroteReport = true;
            }
            if (!wroteReport)
            {
                if (blockCount == 0 || !RtcpReceiverReport.TryWrite(compound, cnameSsrc, blocks[..blockCount], out var n)) continue;
                offset = n;
            }
            if (RtcpSourceDescription.TryWriteCname(compound[offset..], cnameSsrc, "omegle-sfu", out var sdes)) offset += sdes;
            var remb = 0L;
            if (member.RembSsrcs.Length > 0)
            {
                long measured = 0;
                foreach (var p in member.Producers)
                    if (p.Kind == MediaKind.Video)
                        lock (p.Statistics) measured += p.Bitrate.BitsPerSecond(nowUs);
                remb = _feedback.EstimateBps(measured, Policy?.VideoCapKbps);
                if (ReceiverEstimatedMaxBitrate.TryWrite(compound[offset..], member.FeedbackSsrc, (ulong)remb, member.RembSsrcs, out var n))
                    offset += n;
                else remb = 0;
            }
            if (!transport.SendRtcp(compound[..offset])) continue;
            Interlocked.Increment(ref member.ReportsSent);
            if (remb > 0)
            {
                Interlocked.Increment(ref member.RembSent);
                Interlocked.Exchange(ref member.LastRembBps, remb);
            }
        }
    }

    /// <summary>
    /// Sends each transport that negotiated transport-cc the feedback for the packets that arrived since the last
    /// call (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), and each publisher a generic NACK for its
    /// video packets that are missing and due (RFC 4585 §6.2.1, see <see cref="UpstreamLossTracker"/>). Called
    /// every housekeeping tick (~100 ms).
    /// </summary>
    public void SendTransportFeedback()
    {
        var members = _snapshot;
        if (members.Count == 0) return;
        Span<byte> buffer = stackalloc byte[1200];
        foreach (var member in members.Values)
        {
            if (member.TransportCc is not { } cc) continue;
            var mediaSsrc = member.Producers.Length > 0 ? member.Producers[0].Ssrc : 0;
            var length = cc.TryWriteFeedback(buffer, member.FeedbackSsrc, mediaSsrc, out var packets);
            // Not connected yet: the arrivals are drained and dropped, they would be stale by then.
            if (length == 0 || member.Transport.State != TransportState.Connected) continue;
            if (member.Transport.SendRtcp(buffer[..length])) Interlocked.Add(ref member.TransportCcSent, packets);
        }
        SendUpstreamNacks(members, buffer);
    }

    /// <summary>Sends each publisher a generic NACK for its missing video packets that are due; the node calls it every few ms.</summary>
    public void SendUpstreamNacks()
    {
        var members = _snapshot;
        if (members.Count == 0) return;
        Span<byte> buffer = stackalloc byte[1200];
        SendUpstreamNacks(members, buffer);
    }

    private void SendUpstreamNacks(Dictionary<WebRtcTransport, Member> members, Span<byte> buffer)
    {
        foreach (var member in members.Values)
        {
            var producers = member.Producers;
            var connected = member.Transport.State == TransportState.Connected;
            long? rttUs = null;
            long nowUs = 0;
            var timed = false;
            for (var i = 0; i < producers.Length; i++)
            {
                var p = producers[i];
                if (p.LossTracker is null) continue;
                if (!timed)
                {
                    nowUs = MediaClock.Now(member.Transport.Clock);
                    rttUs = connected ? RoundTripUs(member) : null;
                    timed = true;
                }
                if (p.SendUpstreamNack(buffer, nowUs, rttUs, connected)) Interlocked.Increment(ref UpstreamNacksSent);
            }
        }
    }

    /// <summary>The transport's RTT from its receiver reports about what we send it (the same path the NACKs take), if any.</summary>
    private static long? RoundTripUs(Member member)
    {
        double sum = 0;
        var count = 0;
        var slots = member.Slots;
        for (var i = 0; i < slots.Length; i++)
            if (slots[i].RoundTripTimeMs is { } ms) { sum += ms; count++; }
        return count == 0 ? null : (long)(sum / count * 1000);
    }

    /// <summary>
    /// Adds this router's live streams and transports to <paramref name="counters"/> and counts its streams.
    /// The node calls it holding its totals' gate, so a stream is counted live or retired, never both.
    /// </summary>
    public void CollectCounters(ref SfuCounters counters, ref StreamCounts streams)
    {
        lock (_members)
        {
            foreach (var member in _members.Values)
            {
                AddTransportCounters(ref counters.Transports, member);
                foreach (var p in member.Producers)
                {
                    if (p.Retired) continue;
                    p.AddCounters(ref p.Kind == MediaKind.Audio ? ref counters.Audio : ref counters.Video);
                    if (p.Kind == MediaKind.Audio) streams.IncomingAudio++; else streams.IncomingVideo++;
                }
                foreach (var slot in member.Slots)
                {
                    if (slot.Current is not { Retired: false } c) continue;
                    c.AddCounters(ref c.Kind == MediaKind.Audio ? ref counters.Audio : ref counters.Video);
                    if (c.Kind == MediaKind.Audio) streams.OutgoingAudio++; else streams.OutgoingVideo++;
                }
            }
        }
    }

    /// <summary>
    /// The streams of one transport as plain records: what the SFU receives from it and what it sends to it, with
    /// the feedback sent. <paramref name="nameOf"/> names the publisher of each outgoing stream (e.g. its user).
    /// Null when the transport is not in this router.
    /// </summary>
    public TransportQuality? QualityOf(WebRtcTransport transport, Func<WebRtcTransport, string?>? nameOf = null)
    {
        Member? member;
        lock (_members) _members.TryGetValue(transport, out member);
        if (member is null) return null;
        var nowUs = MediaClock.Now(transport.Clock);
        var incoming = new List<IncomingStreamQuality>(member.Producers.Length);
        foreach (var p in member.Producers)
        {
            long bitrate, payloadBytes, lost, duplicates, violations = 0, dropped = 0, nackOutstanding = 0;
            double jitterMs, fraction = 0;
            var overCap = false;
            var cap = p.CapMonitor;
            if (p.LossTracker is { } tracker)
                lock (tracker) nackOutstanding = tracker.Count;
            lock (p.Statistics)
            {
                bitrate = p.Bitrate.BitsPerSecond(nowUs);
                payloadBytes = p.Bitrate.TotalBytes;
                lost = p.Statistics.ExpectedPackets - p.Statistics.ReceivedPackets;
                jitterMs = p.Statistics.JitterMilliseconds;
                duplicates = p.Statistics.DuplicatePackets;
                if (p.LastInterval is { ExpectedInInterval: > 0 } i)
                    fraction = Math.Clamp((i.ExpectedInInterval - i.ReceivedInInterval) / (double)i.ExpectedInInterval, 0, 1);
                if (cap is not null)
                {
                    violations = cap.Violations;
                    dropped = cap.PacketsDropped;
                    overCap = cap.IsOverCap;
                }
            }
            incoming.Add(new IncomingStreamQuality(p.Parameters.Mid, p.Kind.ToSdp(), p.Ssrc, p.Parameters.Media.Codecs.FirstOrDefault()?.Name,
                (int)p.ClockRate, p.PacketsReceived, p.BytesReceived, payloadBytes, bitrate, fraction, lost, p.RecentLoss.Fraction, p.RecentLoss.Expected,
                jitterMs, duplicates, p.RetransmissionsReceived, Interlocked.Read(ref p.KeyframeRequestsSent),
                cap is null ? null : (int)(cap.CapBps / 1000), violations, overCap, dropped,
                Interlocked.Read(ref p.UpstreamNacksSent), Interlocked.Read(ref p.UpstreamNackRequests), Interlocked.Read(ref p.UpstreamRecovered),
                Interlocked.Read(ref p.UpstreamNackFailed), nackOutstanding));
        }
        var outgoing = new List<OutgoingStreamQuality>(member.Slots.Length);
        double rttSum = 0;
        var rttCount = 0;
        foreach (var slot in member.Slots)
        {
            var c = slot.Current;
            var report = slot.LastReceiverReport;
            var rtt = slot.RoundTripTimeMs;
            if (rtt is { } r) { rttSum += r; rttCount++; }
            outgoing.Add(new OutgoingStreamQuality(slot.Media.Mid, slot.Kind.ToSdp(), slot.Ssrc,
                c is null || nameOf is null ? null : nameOf(c.Producer.Transport),
                slot.PacketsSent, slot.BytesSent, slot.Bitrate.TotalBytes, slot.Bitrate.BitsPerSecond(nowUs),
                report?.FractionLost / 256.0, report?.CumulativeLost, slot.ReceiverLoss.Fraction, slot.ReceiverLoss.Expected,
                report is { } b ? b.Jitter * 1000.0 / slot.ClockRate : null, rtt,
                c?.NacksReceived ?? 0, c?.PliReceived ?? 0, c?.FirReceived ?? 0, c?.RetransmissionsSent ?? 0, c?.RetransmissionsMissed ?? 0));
        }
        long nacksSent = 0;
        foreach (var p in member.Producers) nacksSent += Interlocked.Read(ref p.UpstreamNacksSent);
        var feedback = new FeedbackCounts(Interlocked.Read(ref member.RembSent), Interlocked.Read(ref member.LastRembBps),
            Interlocked.Read(ref member.TransportCcSent), Interlocked.Read(ref member.ReportsSent), nacksSent);
        return new TransportQuality(incoming, outgoing, feedback, rttCount == 0 ? null : rttSum / rttCount);
    }

    /// <summary>The transport-cc arrivals of a transport (null when not negotiated); for tests and diagnostics.</summary>
    public TransportCcArrivals? TransportCcOf(WebRtcTransport transport) => MemberOf(transport)?.TransportCc;

    /// <summary>Closes every transport of the room.</summary>
    public void Close()
    {
        foreach (var t in Transports) t.Close();
    }
}

/// <summary>One transport's streams and feedback as <see cref="Router.QualityOf"/> reports them.</summary>
public sealed record TransportQuality(
    IReadOnlyList<IncomingStreamQuality> Incoming,
    IReadOnlyList<OutgoingStreamQuality> Outgoing,
    FeedbackCounts Feedback,
    double? RoundTripTimeMs);
