using System.Buffers.Binary;

namespace Media.Sfu.Rtp;

/// <summary>
/// RTP retransmission payload format (RFC 4588 §4): an RTX packet carries the original header
/// (CSRCs and extensions included) with the RTX SSRC, payload type and sequence number, and a payload
/// of the original sequence number (OSN, 2 bytes) followed by the original payload. Padding is not carried.
/// </summary>
public static class RtxPayloadFormat
{
    public const int OriginalSequenceNumberLength = 2;

    /// <summary>Length of the RTX packet <see cref="TryWrap"/> produces, or -1 if the original does not parse.</summary>
    public static int GetWrappedLength(ReadOnlySpan<byte> original) =>
        RtpHeaderLayout.TryRead(original, out var layout)
            ? layout.HeaderLength + OriginalSequenceNumberLength + layout.PayloadLength
            : -1;

    /// <summary>
    /// Writes the RTX packet for <paramref name="original"/> into <paramref name="destination"/>.
    /// <paramref name="destination"/> must either not overlap the original or start at the same byte (in place).
    /// </summary>
    public static bool TryWrap(ReadOnlySpan<byte> original, Span<byte> destination, uint rtxSsrc, byte rtxPayloadType,
        ushort rtxSequenceNumber, out int length)
    {
        length = 0;
        if (!RtpHeaderLayout.TryRead(original, out var layout))
        {
            return false;
        }

        int headerLength = layout.HeaderLength;
        int payloadLength = layout.PayloadLength;
        int total = headerLength + OriginalSequenceNumberLength + payloadLength;
        if (total > destination.Length)
        {
            return false;
        }

        ushort osn = BinaryPrimitives.ReadUInt16BigEndian(original.Slice(2));
        // Move the payload first: in place it shifts right by two bytes over itself (memmove semantics).
        original.Slice(headerLength, payloadLength).CopyTo(destination.Slice(headerLength + OriginalSequenceNumberLength));
        original.Slice(0, headerLength).CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(headerLength), osn);

        destination[0] &= 0xDF; // padding is not carried over
        destination[1] = (byte)((destination[1] & 0x80) | (rtxPayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), rtxSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8), rtxSsrc);
        length = total;
        return true;
    }

    /// <summary>Reads the OSN of an RTX packet (the first two payload bytes).</summary>
    public static bool TryGetOriginalSequenceNumber(ReadOnlySpan<byte> rtx, out ushort originalSequenceNumber)
    {
        originalSequenceNumber = 0;
        if (!RtpHeaderLayout.TryRead(rtx, out var layout) || layout.PayloadLength < OriginalSequenceNumberLength)
        {
            return false;
        }

        originalSequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(rtx.Slice(layout.HeaderLength));
        return true;
    }

    /// <summary>
    /// Restores the original packet from <paramref name="rtx"/>: sequence number from the OSN, the given
    /// original SSRC and payload type, RTX padding dropped. Same overlap rule as <see cref="TryWrap"/>.
    /// </summary>
    public static bool TryUnwrap(ReadOnlySpan<byte> rtx, Span<byte> destination, uint originalSsrc,
        byte originalPayloadType, out int length)
    {
        length = 0;
        if (!RtpHeaderLayout.TryRead(rtx, out var layout) || layout.PayloadLength < OriginalSequenceNumberLength)
        {
            return false;
        }

        int headerLength = layout.HeaderLength;
        int payloadLength = layout.PayloadLength - OriginalSequenceNumberLength;
        int total = headerLength + payloadLength;
        if (total > destination.Length)
        {
            return false;
        }

        ushort osn = BinaryPrimitives.ReadUInt16BigEndian(rtx.Slice(headerLength));
        rtx.Slice(0, headerLength).CopyTo(destination);
        // In place this shifts the payload left by two bytes over the OSN.
        rtx.Slice(headerLength + OriginalSequenceNumberLength, payloadLength).CopyTo(destination.Slice(headerLength));

        destination[0] &= 0xDF;
        destination[1] = (byte)((destination[1] & 0x80) | (originalPayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), osn);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8), originalSsrc);
        length = total;
        return true;
    }
}
