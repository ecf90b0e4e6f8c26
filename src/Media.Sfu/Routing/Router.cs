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
/// router's lock.
/// </summary>
public sealed class Router : ITransportMediaSink
{
    public static readonly TimeSpan KeyframeRequestInterval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<WebRtcTransport, Member> _members = new();
    // What the packet path reads: replaced (never mutated) under the lock whenever membership changes.
    private volatile Dictionary<WebRtcTransport, Member> _snapshot = new();
    private readonly ILogger _log;
    private readonly bool _echo;
    private int _nextId;

    private sealed class Member(WebRtcTransport transport)
    {
        public readonly WebRtcTransport Transport = transport;
        public Producer[] Producers = Array.Empty<Producer>();
        public ConsumerSlot[] Slots = Array.Empty<ConsumerSlot>();
    }

    /// <param name="echo">Send each participant's own streams back to it (the pre-call device test).</param>
    public Router(string id, ILogger log, bool echo = false)
    {
        Id = id;
        _log = log;
        _echo = echo;
    }

    public string Id { get; }
    public bool IsEcho => _echo;
    public long KeyframeRequestsForwarded, NacksServed;

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
        foreach (var media in negotiated.Media)
        {
            if (media.SfuReceives)
                foreach (var stream in media.RemoteStreams)
                    producers.Add(new Producer($"{Id}-p{Interlocked.Increment(ref _nextId)}", transport,
                        new ProducerParameters(media.Kind, media.Mid, stream.Ssrc, stream.RtxSsrc, stream.Cname, media)));
            if (media.SfuSends && media.LocalStreams.FirstOrDefault() is { } local)
                slots.Add(new ConsumerSlot(transport, media, local));
        }
        member.Producers = producers.ToArray();
        member.Slots = slots.ToArray();
        var first = negotiated.Media.FirstOrDefault();
        if (first is not null)
            transport.OutgoingExtensions = new OutgoingExtensionIds((byte)first.HeaderExtensionId(HeaderExtensionUris.Mid),
                (byte)first.HeaderExtensionId(HeaderExtensionUris.AbsSendTime), (byte)first.HeaderExtensionId(HeaderExtensionUris.TransportWideCc));
        var feedbackSsrc = slots.Count > 0 ? slots[0].Ssrc : 1u;
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

    private void Leave(WebRtcTransport transport)
    {
        lock (_members)
        {
            if (!_members.Remove(transport, out var member)) return;
            _snapshot = new Dictionary<WebRtcTransport, Member>(_members);
            foreach (var p in member.Producers)
            {
                p.Close();
                foreach (var c in p.Consumers) if (c.Slot.Current == c) c.Slot.Current = null;
            }
            foreach (var slot in member.Slots)
                if (slot.Current is { } c) { c.Close(); c.Producer.Remove(c); slot.Current = null; }
        }
        transport.MediaSink = null;
        _log.LogInformation("Transport {TransportId} left room {RoomId}", transport.Id, Id);
    }

    private Member? MemberOf(WebRtcTransport transport) => _snapshot.GetValueOrDefault(transport);

    public void OnRtp(WebRtcTransport transport, Span<byte> rtp)
    {
        if (!RtpPacket.TryParse(rtp, out var packet) || MemberOf(transport) is not { } member) return;
        var ssrc = packet.Ssrc;
        var producers = member.Producers;
        for (var i = 0; i < producers.Length; i++)
        {
            var p = producers[i];
            if (p.Ssrc == ssrc)
            {
                p.OnRtp(rtp, packet.SequenceNumber, packet.Timestamp, packet.PayloadType, retransmission: false);
                return;
            }
            if (p.RtxSsrc == ssrc)
            {
                // The publisher's retransmission (RFC 4588): restore the original packet in place and forward it.
                if (!p.Parameters.Media.RtxPayloadTypes.TryGetValue(packet.PayloadType, out var apt) ||
                    !RtxPayloadFormat.TryUnwrap(rtp, rtp, p.Ssrc, (byte)apt, out var length) ||
                    !RtpPacket.TryParse(rtp[..length], out var original)) return;
                p.OnRtp(rtp[..length], original.SequenceNumber, original.Timestamp, original.PayloadType, retransmission: true);
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
                if (header.Count == RtcpFeedbackFormat.PictureLossIndication && PictureLossIndication.TryParse(packet, out var pli)) mediaSsrc = pli.MediaSsrc;
                else if (header.Count == RtcpFeedbackFormat.FullIntraRequest && FullIntraRequest.TryParse(packet, out var fir) && fir.EntryCount > 0) mediaSsrc = fir.GetEntry(0).Ssrc;
                if (mediaSsrc != 0 && FindConsumer(member, mediaSsrc) is { } consumer && consumer.Producer.RequestKeyframe(KeyframeRequestInterval))
                    Interlocked.Increment(ref KeyframeRequestsForwarded);
            }
            else if (header.PacketType == RtcpPacketType.SenderReport && RtcpSenderReport.TryParse(packet, out var sr))
            {
                var producers = member.Producers;
                for (var i = 0; i < producers.Length; i++)
                    if (producers[i].Ssrc == sr.Ssrc) { producers[i].OnSenderReport(sr.SenderInfo.NtpTimestamp, sr.SenderInfo.RtpTimestamp); break; }
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

    private static Consumer? FindConsumer(Member member, uint ssrc)
    {
        var slots = member.Slots;
        for (var i = 0; i < slots.Length; i++) if (slots[i].Ssrc == ssrc) return slots[i].Current;
        return null;
    }

    /// <summary>
    /// Sends each transport one compound RTCP packet (RFC 3550 §6.1): an SR per outgoing stream (the first
    /// carrying report blocks for the streams we receive from that peer), or an RR when we send nothing, then
    /// SDES with our CNAME. Called about once a second by the node's housekeeping.
    /// </summary>
    public void SendReports()
    {
        Member[] members;
        lock (_members) members = _members.Values.ToArray();
        var nowTicks = members.Length > 0 ? members[0].Transport.Clock.GetTimestamp() : 0;
        var ntpNow = NtpTime.FromDateTime(DateTime.UtcNow);
        Span<byte> compound = stackalloc byte[1200];
        Span<ReportBlock> blocks = stackalloc ReportBlock[31];
        foreach (var member in members)
        {
            var transport = member.Transport;
            if (transport.State != TransportState.Connected) continue;
            var blockCount = 0;
            foreach (var p in member.Producers)
            {
                if (blockCount == blocks.Length) break;
                RtpReceptionSnapshot snap;
                bool ok;
                lock (p.Statistics) ok = p.Statistics.TryTakeSnapshot(p.MicrosecondsAt(nowTicks), out snap);
                if (ok) blocks[blockCount++] = new ReportBlock(snap.Ssrc, snap.FractionLost, snap.CumulativeLost,
                    snap.ExtendedHighestSequenceNumber, snap.Jitter, snap.LastSenderReport, snap.DelaySinceLastSenderReport);
            }
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
            transport.SendRtcp(compound[..offset]);
        }
    }

    /// <summary>Closes every transport of the room.</summary>
    public void Close()
    {
        foreach (var t in Transports) t.Close();
    }
}
