using Media.Sfu.Sdp;
using Media.Sfu.Transports;

namespace Media.Sfu.Routing;

/// <summary>
/// A producer's stream going out through one receiver's slot (mediasoup's Consumer). Maps payload types and
/// extension ids from the publisher's negotiation to the receiver's, and offsets sequence numbers and
/// timestamps so that the slot's outgoing stream continues where the previous producer left off.
/// </summary>
public sealed class Consumer
{
    private readonly byte[] _payloadTypeMap;   // index = producer PT, value = receiver PT (0 = not forwarded)
    private readonly byte[]? _extensionIdMap;   // index = producer extension id, value = receiver id
    private readonly byte[] _rtxPayloadTypes;   // index = receiver PT, value = receiver RTX PT (0 = none)
    private bool _started;
    private ushort _sequenceOffset;
    private uint _timestampOffset;

    internal Consumer(string id, Producer producer, ConsumerSlot slot)
    {
        Id = id;
        Producer = producer;
        Slot = slot;
        (_payloadTypeMap, _rtxPayloadTypes) = MapPayloadTypes(producer.Parameters.Media, slot.Media);
        _extensionIdMap = MapExtensionIds(producer.Parameters.Media, slot.Media);
    }

    public string Id { get; }
    public Producer Producer { get; }
    public ConsumerSlot Slot { get; }
    public WebRtcTransport Transport => Slot.Transport;
    public uint Ssrc => Slot.Ssrc;
    public MediaKind Kind => Producer.Kind;
    public bool IsClosed { get; private set; }
    public long PacketsForwarded, BytesForwarded, PacketsNotSent, NacksReceived, RetransmissionsSent, RetransmissionsMissed;
    /// <summary>Keyframe requests the receiver sent about this stream (RFC 4585 §6.3.1 PLI, RFC 5104 §4.3.1 FIR).</summary>
    public long PliReceived, FirReceived;
    internal bool Retired;

    internal void AddCounters(ref Quality.MediaCounters c)
    {
        c.PacketsOut += PacketsForwarded;
        c.BytesOut += BytesForwarded;
        c.NacksReceived += NacksReceived;
        c.RetransmissionsSent += RetransmissionsSent;
        c.RetransmissionsMissed += RetransmissionsMissed;
        c.PliReceived += PliReceived;
        c.FirReceived += FirReceived;
    }

    internal void Forward(ReadOnlySpan<byte> packet, ushort sequence, uint timestamp, byte payloadType, int payloadLength, long nowUs)
    {
        if (IsClosed) return;
        var pt = _payloadTypeMap[payloadType & 0x7F];
        if (pt == 0) return; // a codec this receiver did not negotiate
        var slot = Slot;
        if (!_started)
        {
            // Continue the slot's numbering: the receiver must not see a sequence jump or a timestamp going back.
            if (slot.HasSent)
            {
                var elapsed = Transport.Clock.GetElapsedTime(slot.LastSentTicks);
                var advance = (uint)Math.Max(1, elapsed.TotalSeconds * Producer.ClockRate);
                _sequenceOffset = (ushort)(slot.LastSequence + 1 - sequence);
                _timestampOffset = slot.LastTimestamp + advance - timestamp;
            }
            _started = true;
        }
        var outSequence = (ushort)(sequence + _sequenceOffset);
        var outTimestamp = timestamp + _timestampOffset;
        if (Transport.ForwardRtp(packet, new RtpRewrite(slot.Ssrc, outSequence, outTimestamp, pt, _extensionIdMap, slot.MidBytes)))
        {
            PacketsForwarded++;
            BytesForwarded += packet.Length;
            slot.PacketsSent++;
            slot.BytesSent += packet.Length;
            slot.Bitrate.Add(nowUs, payloadLength);
            if (!slot.HasSent || (short)(outSequence - slot.LastSequence) > 0) { slot.LastSequence = outSequence; slot.LastTimestamp = outTimestamp; }
            slot.LastSentTicks = Transport.Clock.GetTimestamp();
            slot.HasSent = true;
        }
        else PacketsNotSent++;
    }

    /// <summary>Answers a receiver's NACK from the producer's cache: as RTX when negotiated (RFC 4588), else resent as is.</summary>
    internal void Retransmit(ushort outSequence, Span<byte> scratch)
    {
        NacksReceived++;
        var cache = Producer.Cache;
        var length = cache?.TryCopy((ushort)(outSequence - _sequenceOffset), scratch) ?? 0;
        if (length == 0 || !Rtp.RtpPacket.TryParse(scratch[..length], out var original)) { RetransmissionsMissed++; return; }
        var pt = _payloadTypeMap[original.PayloadType & 0x7F];
        if (pt == 0) { RetransmissionsMissed++; return; }
        var rewrite = new RtpRewrite(Slot.Ssrc, outSequence, original.Timestamp + _timestampOffset, pt, _extensionIdMap, Slot.MidBytes);
        var rtx = Slot.RtxSsrc is { } rtxSsrc && _rtxPayloadTypes[pt] != 0
            ? new RtxWrap(rtxSsrc, _rtxPayloadTypes[pt], Slot.RtxSequence++)
            : default;
        if (Transport.ForwardRtp(scratch[..length], rewrite, rtx)) RetransmissionsSent++;
        else RetransmissionsMissed++;
    }

    /// <summary>Codecs are matched by name, clock rate and channels; each side keeps its own payload type numbers.</summary>
    internal static (byte[] Map, byte[] Rtx) MapPayloadTypes(NegotiatedMedia producer, NegotiatedMedia receiver)
    {
        var map = new byte[128];
        var rtx = new byte[128];
        foreach (var p in producer.Codecs)
        {
            var r = receiver.Codecs.FirstOrDefault(c => string.Equals(c.Name, p.Name, StringComparison.OrdinalIgnoreCase)
                                                      && c.ClockRate == p.ClockRate && c.Channels == p.Channels);
            if (r is null || p.PayloadType is < 0 or > 127) continue;
            map[p.PayloadType] = (byte)r.PayloadType;
            if (r.RtxPayloadType is { } rp) rtx[r.PayloadType] = (byte)rp;
        }
        return (map, rtx);
    }

    /// <summary>Producer extension id → receiver id for every URI both negotiated; others are dropped. Null when identical.</summary>
    internal static byte[]? MapExtensionIds(NegotiatedMedia producer, NegotiatedMedia receiver)
    {
        var map = new byte[256];
        var identical = producer.HeaderExtensions.Count == receiver.HeaderExtensions.Count;
        foreach (var (uri, id) in producer.HeaderExtensions)
        {
            if (id is <= 0 or > 255) continue;
            if (receiver.HeaderExtensions.TryGetValue(uri, out var rid)) map[id] = (byte)rid;
            identical &= rid == id;
        }
        return identical ? null : map;
    }

    internal void Close() => IsClosed = true;

    /// <summary>
    /// Sender info for an SR on this consumer's SSRC (RFC 3550 §6.4.1): the RTP time that corresponds to now,
    /// derived from the publisher's own SR when there is one, so audio and video keep their relation (lip sync).
    /// </summary>
    internal bool TryGetSenderInfo(ulong ntpNow, long nowTicks, out Rtcp.RtcpSenderInfo info)
    {
        info = default;
        if (!_started || !Slot.HasSent) return false;
        var p = Producer;
        uint rtpNow;
        if (p.HasSenderReport)
            rtpNow = p.SenderReportRtp + _timestampOffset + (uint)(Transport.Clock.GetElapsedTime(p.SenderReportArrivalTicks, nowTicks).TotalSeconds * p.ClockRate);
        else
            rtpNow = Slot.LastTimestamp + (uint)(Transport.Clock.GetElapsedTime(Slot.LastSentTicks, nowTicks).TotalSeconds * p.ClockRate);
        info = new Rtcp.RtcpSenderInfo(ntpNow, rtpNow, (uint)PacketsForwarded, (uint)BytesForwarded);
        return true;
    }
}
