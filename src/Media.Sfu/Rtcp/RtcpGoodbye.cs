using System.Buffers.Binary;

namespace Media.Sfu.Rtcp;

/// <summary>
/// View of a BYE packet (PT 203, RFC 3550 §6.6): SC SSRC/CSRC identifiers and an optional reason
/// (length octet + text). Also writes BYEs.
/// </summary>
public readonly ref struct RtcpGoodbye
{
    private readonly ReadOnlySpan<byte> _content;

    private RtcpGoodbye(ReadOnlySpan<byte> content, int sourceCount, ReadOnlySpan<byte> reason)
    {
        _content = content;
        SourceCount = sourceCount;
        Reason = reason;
    }

    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpGoodbye bye)
    {
        bye = default;
        if (!RtcpHeader.TryOpen(packet, RtcpPacketType.Goodbye, -1, out var header, out var content))
        {
            return false;
        }

        int reasonOffset = RtcpHeader.Size + 4 * header.Count;
        if (reasonOffset > content.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> reason = default;
        if (reasonOffset < content.Length)
        {
            int length = content[reasonOffset];
            if (reasonOffset + 1 + length > content.Length)
            {
                return false;
            }

            reason = content.Slice(reasonOffset + 1, length);
        }

        bye = new RtcpGoodbye(content, header.Count, reason);
        return true;
    }

    public int SourceCount { get; }

    /// <summary>SSRC/CSRC number <paramref name="index"/>; 0 when out of range.</summary>
    public uint GetSsrc(int index) =>
        (uint)index < (uint)SourceCount ? BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(RtcpHeader.Size + 4 * index)) : 0;

    /// <summary>The reason for leaving (UTF-8), empty when absent.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    public static int GetLength(int sourceCount, int reasonLength) =>
        RtcpHeader.Size + 4 * sourceCount + (reasonLength > 0 ? (1 + reasonLength + 3) & ~3 : 0);

    /// <summary>Writes a BYE for up to 31 sources with an optional reason of up to 255 bytes.</summary>
    public static bool TryWrite(Span<byte> destination, ReadOnlySpan<uint> sources, ReadOnlySpan<byte> reason, out int written)
    {
        written = 0;
        int length = GetLength(sources.Length, reason.Length);
        if (sources.Length > 31 || reason.Length > 255 || destination.Length < length)
        {
            return false;
        }

        RtcpHeader.TryWrite(destination, (byte)sources.Length, RtcpPacketType.Goodbye, length);
        int position = RtcpHeader.Size;
        foreach (uint source in sources)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(position), source);
            position += 4;
        }

        if (reason.Length > 0)
        {
            destination[position] = (byte)reason.Length;
            reason.CopyTo(destination.Slice(position + 1));
            position += 1 + reason.Length;
            destination.Slice(position, length - position).Clear();
        }

        written = length;
        return true;
    }
}
