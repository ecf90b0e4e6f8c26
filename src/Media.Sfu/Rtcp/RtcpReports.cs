using System.Buffers.Binary;

namespace Media.Sfu.Rtcp;

/// <summary>
/// One reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes on the wire.
/// </summary>
public readonly record struct ReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequenceNumber,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    public const int Size = 24;
    public const int MaxCumulativeLost = 0x7FFFFF;
    public const int MinCumulativeLost = -0x800000;

    /// <summary>Reads a block; false when fewer than 24 bytes are given.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ReportBlock block)
    {
        if (source.Length < Size)
        {
            block = default;
            return false;
        }

        // Cumulative lost is a 24-bit two's complement number; shift up and back to sign-extend.
        int lost = (int)(BinaryPrimitives.ReadUInt32BigEndian(source.Slice(4)) << 8) >> 8;
        block = new ReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            source[4],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(source.Slice(8)),
            BinaryPrimitives.ReadUInt32BigEndian(source.Slice(12)),
            BinaryPrimitives.ReadUInt32BigEndian(source.Slice(16)),
            BinaryPrimitives.ReadUInt32BigEndian(source.Slice(20)));
        return true;
    }

    /// <summary>Writes the block; cumulative lost is clamped to the 24-bit signed range.</summary>
    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            return false;
        }

        int lost = Math.Clamp(CumulativeLost, MinCumulativeLost, MaxCumulativeLost);
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), ((uint)FractionLost << 24) | ((uint)lost & 0xFFFFFF));
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8), ExtendedHighestSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(12), Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(16), LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(20), DelaySinceLastSenderReport);
        return true;
    }
}

/// <summary>The sender information section of an SR (RFC 3550 §6.4.1).</summary>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount)
{
    public const int Size = 20;
}

/// <summary>
/// View of a sender report (PT 200): sender SSRC, sender info, report blocks and an optional
/// profile-specific extension. Also writes SRs.
/// </summary>
public readonly ref struct RtcpSenderReport
{
    private const int BlocksOffset = 28;
    private readonly ReadOnlySpan<byte> _content;

    private RtcpSenderReport(ReadOnlySpan<byte> content, int reportCount)
    {
        _content = content;
        ReportCount = reportCount;
    }

    /// <summary>Parses one SR packet; the report blocks announced by RC must fit.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpSenderReport report)
    {
        report = default;
        if (!RtcpHeader.TryOpen(packet, RtcpPacketType.SenderReport, -1, out var header, out var content)
            || content.Length < BlocksOffset + header.Count * ReportBlock.Size)
        {
            return false;
        }

        report = new RtcpSenderReport(content, header.Count);
        return true;
    }

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(4));

    public RtcpSenderInfo SenderInfo => new(
        BinaryPrimitives.ReadUInt64BigEndian(_content.Slice(8)),
        BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(16)),
        BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(20)),
        BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(24)));

    public ulong NtpTimestamp => BinaryPrimitives.ReadUInt64BigEndian(_content.Slice(8));

    public uint RtpTimestamp => BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(16));

    public uint PacketCount => BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(20));

    public uint OctetCount => BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(24));

    public int ReportCount { get; }

    /// <summary>Report block <paramref name="index"/>; default when out of range.</summary>
    public ReportBlock GetReportBlock(int index)
    {
        if ((uint)index >= (uint)ReportCount)
        {
            return default;
        }

        ReportBlock.TryRead(_content.Slice(BlocksOffset + index * ReportBlock.Size), out var block);
        return block;
    }

    /// <summary>Bytes after the report blocks (profile-specific extension, RFC 3550 §6.4.1).</summary>
    public ReadOnlySpan<byte> ProfileExtension => _content.Slice(BlocksOffset + ReportCount * ReportBlock.Size);

    public static int GetLength(int blockCount) => BlocksOffset + blockCount * ReportBlock.Size;

    /// <summary>Writes an SR with up to 31 report blocks.</summary>
    public static bool TryWrite(Span<byte> destination, uint ssrc, in RtcpSenderInfo info, ReadOnlySpan<ReportBlock> blocks,
        out int written)
    {
        written = 0;
        int length = GetLength(blocks.Length);
        if (blocks.Length > 31 || destination.Length < length)
        {
            return false;
        }

        RtcpHeader.TryWrite(destination, (byte)blocks.Length, RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(8), info.NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(16), info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(20), info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(24), info.OctetCount);
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].TryWrite(destination.Slice(BlocksOffset + i * ReportBlock.Size));
        }

        written = length;
        return true;
    }
}

/// <summary>View of a receiver report (PT 201): reporter SSRC and report blocks. Also writes RRs.</summary>
public readonly ref struct RtcpReceiverReport
{
    private const int BlocksOffset = 8;
    private readonly ReadOnlySpan<byte> _content;

    private RtcpReceiverReport(ReadOnlySpan<byte> content, int reportCount)
    {
        _content = content;
        ReportCount = reportCount;
    }

    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpReceiverReport report)
    {
        report = default;
        if (!RtcpHeader.TryOpen(packet, RtcpPacketType.ReceiverReport, -1, out var header, out var content)
            || content.Length < BlocksOffset + header.Count * ReportBlock.Size)
        {
            return false;
        }

        report = new RtcpReceiverReport(content, header.Count);
        return true;
    }

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(4));

    public int ReportCount { get; }

    public ReportBlock GetReportBlock(int index)
    {
        if ((uint)index >= (uint)ReportCount)
        {
            return default;
        }

        ReportBlock.TryRead(_content.Slice(BlocksOffset + index * ReportBlock.Size), out var block);
        return block;
    }

    public ReadOnlySpan<byte> ProfileExtension => _content.Slice(BlocksOffset + ReportCount * ReportBlock.Size);

    public static int GetLength(int blockCount) => BlocksOffset + blockCount * ReportBlock.Size;

    /// <summary>Writes an RR with up to 31 report blocks (0 blocks is the empty RR of RFC 3550 §6.4.2).</summary>
    public static bool TryWrite(Span<byte> destination, uint ssrc, ReadOnlySpan<ReportBlock> blocks, out int written)
    {
        written = 0;
        int length = GetLength(blocks.Length);
        if (blocks.Length > 31 || destination.Length < length)
        {
            return false;
        }

        RtcpHeader.TryWrite(destination, (byte)blocks.Length, RtcpPacketType.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), ssrc);
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].TryWrite(destination.Slice(BlocksOffset + i * ReportBlock.Size));
        }

        written = length;
        return true;
    }
}
