using Media.Sfu.Stun;

namespace Media.Sfu.Net;

public enum MediaPacketKind : byte { Unknown, Stun, Dtls, Rtp, Rtcp }

/// <summary>Tells STUN, DTLS, RTP and RTCP apart on one socket by their first bytes (RFC 7983 §7, RFC 5761 §4).</summary>
public static class PacketClassifier
{
    public static MediaPacketKind Classify(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 4) return MediaPacketKind.Unknown;
        var first = packet[0];
        if (first <= 3) return StunMessage.IsStun(packet) ? MediaPacketKind.Stun : MediaPacketKind.Unknown;
        if (first is >= 20 and <= 63) return packet.Length >= 13 ? MediaPacketKind.Dtls : MediaPacketKind.Unknown;
        if (first is >= 128 and <= 191)
        {
            // RFC 5761 §4: RTCP packet types 192–223 overlap RTP payload types only with the marker bit set.
            if (packet[1] is >= 192 and <= 223) return packet.Length >= 8 ? MediaPacketKind.Rtcp : MediaPacketKind.Unknown;
            return packet.Length >= 12 ? MediaPacketKind.Rtp : MediaPacketKind.Unknown;
        }
        return MediaPacketKind.Unknown;
    }
}
