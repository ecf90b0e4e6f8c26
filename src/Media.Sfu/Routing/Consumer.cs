using Media.Sfu.Transports;

using Media.Sfu.Sdp;

namespace Media.Sfu.Routing;

/// <summary>
/// An outgoing copy of a producer's stream on a transport (mediasoup's Consumer). Rewrites SSRC, payload
/// type and extension ids to what the receiver negotiated, and keeps its own sequence and timestamp space:
/// offsets are taken when the first packet is forwarded, so the outgoing stream stays continuous for the
/// receiver's jitter buffer.
/// </summary>
public sealed class Consumer
{
    private bool _started;
    private ushort _sequenceOffset;
    private uint _timestampOffset;

    internal Consumer(string id, Producer producer, WebRtcTransport transport, ConsumerParameters parameters)
    {
        Id = id;
        Producer = producer;
        Transport = transport;
        Parameters = parameters;
    }

    public string Id { get; }
    public Producer Producer { get; }
    public WebRtcTransport Transport { get; }
    public ConsumerParameters Parameters { get; }
    public uint Ssrc => Parameters.Ssrc;
    public MediaKind Kind => Producer.Kind;
    public bool IsClosed { get; private set; }
    public bool Paused { get; set; }
    public long PacketsForwarded, BytesForwarded, PacketsNotSent;

    internal void Forward(ReadOnlySpan<byte> packet, ushort sequence, uint timestamp, byte payloadType)
    {
        if (IsClosed || Paused) return;
        var map = Parameters.PayloadTypeMap;
        var pt = payloadType < map.Length ? map[payloadType] : (byte)0;
        if (pt == 0) return; // a codec this receiver did not negotiate
        if (!_started)
        {
            // The first packet fixes the mapping; the receiver sees a stream starting wherever we chose.
            _sequenceOffset = 0;
            _timestampOffset = 0;
            _started = true;
        }
        var rewrite = new RtpRewrite(Parameters.Ssrc, (ushort)(sequence + _sequenceOffset), timestamp + _timestampOffset, pt, Parameters.ExtensionIdMap);
        if (Transport.ForwardRtp(packet, rewrite))
        {
            PacketsForwarded++;
            BytesForwarded += packet.Length;
        }
        else PacketsNotSent++;
    }

    internal void Close() => IsClosed = true;
}
