using System.Buffers.Binary;

namespace Media.Sfu.Rtp;

/// <summary>
/// Offsets of the parts of an RTP packet (RFC 3550 §5.1), validated against the buffer length.
/// Shared by the mutable <see cref="RtpPacket"/> view and read-only consumers such as RTX wrapping.
/// </summary>
internal readonly struct RtpHeaderLayout
{
    public readonly int Length;
    public readonly int CsrcCount;
    /// <summary>Fixed header + CSRCs + extension header and data.</summary>
    public readonly int HeaderLength;
    /// <summary>Offset of the extension data (after the 4-byte profile/length word), 0 when absent.</summary>
    public readonly int ExtensionOffset;
    public readonly int ExtensionLength;
    public readonly ushort ExtensionProfile;
    public readonly int PaddingLength;

    private RtpHeaderLayout(int length, int csrcCount, int headerLength, int extensionOffset, int extensionLength,
        ushort extensionProfile, int paddingLength)
    {
        Length = length;
        CsrcCount = csrcCount;
        HeaderLength = headerLength;
        ExtensionOffset = extensionOffset;
        ExtensionLength = extensionLength;
        ExtensionProfile = extensionProfile;
        PaddingLength = paddingLength;
    }

    public int PayloadLength => Length - HeaderLength - PaddingLength;

    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpHeaderLayout layout)
    {
        layout = default;
        if (packet.Length < RtpPacket.FixedHeaderLength)
        {
            return false;
        }

        byte first = packet[0];
        if (first >> 6 != 2)
        {
            return false;
        }

        int csrcCount = first & 0x0F;
        int offset = RtpPacket.FixedHeaderLength + 4 * csrcCount;
        if (offset > packet.Length)
        {
            return false;
        }

        int extensionOffset = 0;
        int extensionLength = 0;
        ushort profile = 0;
        if ((first & 0x10) != 0)
        {
            // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words excluding this word.
            if (offset + 4 > packet.Length)
            {
                return false;
            }

            profile = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset));
            extensionLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset + 2)) * 4;
            extensionOffset = offset + 4;
            offset = extensionOffset + extensionLength;
            if (offset > packet.Length)
            {
                return false;
            }
        }

        int padding = 0;
        if ((first & 0x20) != 0)
        {
            // RFC 3550 §5.1: the last octet counts the padding octets including itself; 0 is invalid.
            padding = packet[packet.Length - 1];
            if (padding == 0 || padding > packet.Length - offset)
            {
                return false;
            }
        }

        layout = new RtpHeaderLayout(packet.Length, csrcCount, offset, extensionOffset, extensionLength, profile, padding);
        return true;
    }
}
