using System.Text;
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
    }

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
}
