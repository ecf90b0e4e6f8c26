using System.Buffers.Binary;

namespace Media.Sfu.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).</summary>
public static class RtcpPacketType
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    public const byte Goodbye = 203;
    public const byte ApplicationDefined = 204;
    /// <summary>Transport layer feedback (RTPFB): generic NACK, transport-cc.</summary>
    public const byte TransportFeedback = 205;
    /// <summary>Payload-specific feedback (PSFB): PLI, FIR, REMB.</summary>
    public const byte PayloadSpecificFeedback = 206;
    public const byte ExtendedReport = 207;
}

/// <summary>
/// The 4-byte common header of one RTCP packet (RFC 3550 §6.4.1): version, padding, a 5-bit count
/// (RC/SC or, for feedback, FMT), packet type and length in 32-bit words minus one.
/// </summary>
public readonly struct RtcpHeader
{
    public const int Size = 4;

    private RtcpHeader(bool hasPadding, byte count, byte packetType, ushort lengthInWords, byte paddingLength)
    {
        HasPadding = hasPadding;
        Count = count;
        PacketType = packetType;
        LengthInWords = lengthInWords;
        PaddingLength = paddingLength;
    }

    public bool HasPadding { get; }

    /// <summary>The 5-bit count field: reception report / source count, or the feedback message type.</summary>
    public byte Count { get; }

    /// <summary>Same field as <see cref="Count"/>, named as in RFC 4585 feedback messages.</summary>
    public byte Format => Count;

    public byte PacketType { get; }

    /// <summary>The raw length field: packet length in 32-bit words minus one.</summary>
    public ushort LengthInWords { get; }

    /// <summary>Packet length in bytes including this header and any padding.</summary>
    public int PacketLength => (LengthInWords + 1) * 4;

    /// <summary>Padding bytes at the end of the packet (0 unless <see cref="HasPadding"/>).</summary>
    public int PaddingLength { get; }

    /// <summary>Bytes of header plus control information, without padding.</summary>
    public int ContentLength => PacketLength - PaddingLength;

    /// <summary>
    /// Reads the header at the start of <paramref name="buffer"/> and checks V=2, that the packet fits in the
    /// buffer and that a padding count is 1..(length − 4).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out RtcpHeader header) =>
        TryParse(buffer, out header, out _) == RtcpCompoundError.None;

    internal static RtcpCompoundError TryParse(ReadOnlySpan<byte> buffer, out RtcpHeader header, out int packetLength)
    {
        header = default;
        packetLength = 0;
        if (buffer.Length < Size)
        {
            return RtcpCompoundError.Truncated;
        }

        byte first = buffer[0];
        if (first >> 6 != 2)
        {
            return RtcpCompoundError.BadVersion;
        }

        ushort words = BinaryPrimitives.ReadUInt16BigEndian(buffer.Slice(2));
        int length = (words + 1) * 4;
        if (length > buffer.Length)
        {
            return RtcpCompoundError.LengthExceedsBuffer;
        }

        bool padding = (first & 0x20) != 0;
        byte paddingLength = 0;
        if (padding)
        {
            // RFC 3550 §6.4.1: the last octet counts the padding octets including itself.
            paddingLength = buffer[length - 1];
            if (paddingLength == 0 || paddingLength > length - Size)
            {
                return RtcpCompoundError.BadPadding;
            }
        }

        header = new RtcpHeader(padding, (byte)(first & 0x1F), buffer[1], words, paddingLength);
        packetLength = length;
        return RtcpCompoundError.None;
    }

    /// <summary>
    /// Writes a header for a packet of <paramref name="packetLength"/> bytes (a multiple of 4, 4..262144).
    /// </summary>
    public static bool TryWrite(Span<byte> destination, byte count, byte packetType, int packetLength, bool hasPadding = false)
    {
        if (destination.Length < Size || count > 31 || packetLength < Size || packetLength > 65536 * 4 || (packetLength & 3) != 0)
        {
            return false;
        }

        destination[0] = (byte)(0x80 | (hasPadding ? 0x20 : 0) | count);
        destination[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)(packetLength / 4 - 1));
        return true;
    }

    /// <summary>
    /// Opens one packet for a type-specific view: parses the header, checks the type (and format when
    /// <paramref name="format"/> ≥ 0) and returns the packet bytes without padding.
    /// </summary>
    internal static bool TryOpen(ReadOnlySpan<byte> packet, byte packetType, int format, out RtcpHeader header,
        out ReadOnlySpan<byte> content)
    {
        content = default;
        if (!TryParse(packet, out header) || header.PacketType != packetType || (format >= 0 && header.Count != format))
        {
            return false;
        }

        content = packet.Slice(0, header.ContentLength);
        return true;
    }
}
