using System.Buffers.Binary;

namespace Media.Sfu.Rtcp;

/// <summary>Feedback message types (FMT) of RTPFB and PSFB packets.</summary>
public static class RtcpFeedbackFormat
{
    /// <summary>RTPFB generic NACK (RFC 4585 §6.2.1).</summary>
    public const byte GenericNack = 1;
    /// <summary>RTPFB transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01).</summary>
    public const byte TransportCc = 15;
    /// <summary>PSFB picture loss indication (RFC 4585 §6.3.1).</summary>
    public const byte PictureLossIndication = 1;
    /// <summary>PSFB full intra request (RFC 5104 §4.3.1).</summary>
    public const byte FullIntraRequest = 4;
    /// <summary>PSFB application layer feedback, used by REMB (draft-alvestrand-rmcat-remb).</summary>
    public const byte ApplicationLayer = 15;
}

/// <summary>The common part of RFC 4585 §6.1 feedback messages: header, sender SSRC, media source SSRC, FCI.</summary>
internal static class RtcpFeedbackPacket
{
    public const int FciOffset = 12;

    public static bool TryOpen(ReadOnlySpan<byte> packet, byte packetType, byte format, out ReadOnlySpan<byte> content)
    {
        if (!RtcpHeader.TryOpen(packet, packetType, format, out _, out content) || content.Length < FciOffset)
        {
            content = default;
            return false;
        }

        return true;
    }

    public static uint SenderSsrc(ReadOnlySpan<byte> content) => BinaryPrimitives.ReadUInt32BigEndian(content.Slice(4));

    public static uint MediaSsrc(ReadOnlySpan<byte> content) => BinaryPrimitives.ReadUInt32BigEndian(content.Slice(8));

    public static void WriteHeader(Span<byte> destination, byte format, byte packetType, int length, uint senderSsrc,
        uint mediaSsrc, bool hasPadding = false)
    {
        RtcpHeader.TryWrite(destination, format, packetType, length, hasPadding);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8), mediaSsrc);
    }
}

/// <summary>One generic NACK FCI entry: a lost packet id and a bitmask of the 16 following losses.</summary>
public readonly record struct NackItem(ushort PacketId, ushort LostBitmask);

/// <summary>Enumerates the lost sequence numbers a generic NACK reports (PID, then PID+i+1 for each BLP bit i).</summary>
public ref struct NackLostSequenceEnumerator
{
    private readonly ReadOnlySpan<byte> _fci;
    private int _item;
    private int _bit;
    private ushort _current;

    internal NackLostSequenceEnumerator(ReadOnlySpan<byte> fci)
    {
        _fci = fci;
        _item = 0;
        _bit = -1;
        _current = 0;
    }

    public readonly ushort Current => _current;

    public readonly NackLostSequenceEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_item * 4 + 4 <= _fci.Length)
        {
            var entry = _fci.Slice(_item * 4);
            ushort pid = BinaryPrimitives.ReadUInt16BigEndian(entry);
            if (_bit < 0)
            {
                _bit = 0;
                _current = pid;
                return true;
            }

            ushort blp = BinaryPrimitives.ReadUInt16BigEndian(entry.Slice(2));
            while (_bit < 16)
            {
                int bit = _bit++;
                if ((blp & (1 << bit)) != 0)
                {
                    _current = (ushort)(pid + bit + 1);
                    return true;
                }
            }

            _item++;
            _bit = -1;
        }

        return false;
    }
}

/// <summary>
/// Generic NACK (RTPFB PT 205, FMT 1, RFC 4585 §6.2.1): PID/BLP pairs naming lost RTP packets of the media source.
/// </summary>
public readonly ref struct GenericNack
{
    private readonly ReadOnlySpan<byte> _content;

    private GenericNack(ReadOnlySpan<byte> content) => _content = content;

    public static bool TryParse(ReadOnlySpan<byte> packet, out GenericNack nack)
    {
        nack = default;
        if (!RtcpFeedbackPacket.TryOpen(packet, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.GenericNack, out var content)
            || ((content.Length - RtcpFeedbackPacket.FciOffset) & 3) != 0)
        {
            return false;
        }

        nack = new GenericNack(content);
        return true;
    }

    public uint SenderSsrc => RtcpFeedbackPacket.SenderSsrc(_content);

    public uint MediaSsrc => RtcpFeedbackPacket.MediaSsrc(_content);

    public int ItemCount => (_content.Length - RtcpFeedbackPacket.FciOffset) / 4;

    public NackItem GetItem(int index)
    {
        if ((uint)index >= (uint)ItemCount)
        {
            return default;
        }

        var entry = _content.Slice(RtcpFeedbackPacket.FciOffset + index * 4);
        return new NackItem(BinaryPrimitives.ReadUInt16BigEndian(entry), BinaryPrimitives.ReadUInt16BigEndian(entry.Slice(2)));
    }

    /// <summary>All lost sequence numbers, in FCI order (<c>foreach (ushort seq in nack.LostSequenceNumbers)</c>).</summary>
    public NackLostSequenceEnumerator LostSequenceNumbers => new(_content.Slice(RtcpFeedbackPacket.FciOffset));

    /// <summary>Number of PID/BLP pairs <see cref="TryWrite"/> needs for <paramref name="lostSequenceNumbers"/>.</summary>
    public static int CountItems(ReadOnlySpan<ushort> lostSequenceNumbers)
    {
        int items = 0;
        ushort pid = 0;
        foreach (ushort seq in lostSequenceNumbers)
        {
            int distance = (ushort)(seq - pid);
            if (items > 0 && distance <= 16)
            {
                continue;
            }

            pid = seq;
            items++;
        }

        return items;
    }

    public static int GetLength(ReadOnlySpan<ushort> lostSequenceNumbers) =>
        RtcpFeedbackPacket.FciOffset + 4 * CountItems(lostSequenceNumbers);

    /// <summary>
    /// Packs lost sequence numbers (ascending modulo 2^16; repeats are ignored) into PID/BLP pairs: a packet
    /// within 16 after the current PID sets a BLP bit, anything else starts a new pair.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lostSequenceNumbers,
        out int written)
    {
        written = 0;
        int items = CountItems(lostSequenceNumbers);
        int length = RtcpFeedbackPacket.FciOffset + 4 * items;
        if (items == 0 || length > 65536 * 4 || destination.Length < length)
        {
            return false;
        }

        RtcpFeedbackPacket.WriteHeader(destination, RtcpFeedbackFormat.GenericNack, RtcpPacketType.TransportFeedback, length,
            senderSsrc, mediaSsrc);
        int position = RtcpFeedbackPacket.FciOffset - 4;
        ushort pid = 0;
        ushort blp = 0;
        bool open = false;
        foreach (ushort seq in lostSequenceNumbers)
        {
            int distance = (ushort)(seq - pid);
            if (open && distance == 0)
            {
                continue;
            }

            if (open && distance <= 16)
            {
                blp |= (ushort)(1 << (distance - 1));
                BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(position + 2), blp);
                continue;
            }

            position += 4;
            pid = seq;
            blp = 0;
            open = true;
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(position), pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(position + 2), blp);
        }

        written = length;
        return true;
    }
}

/// <summary>Picture loss indication (PSFB PT 206, FMT 1, RFC 4585 §6.3.1): no FCI.</summary>
public readonly record struct PictureLossIndication(uint SenderSsrc, uint MediaSsrc)
{
    public const int Size = 12;

    public static bool TryParse(ReadOnlySpan<byte> packet, out PictureLossIndication pli)
    {
        pli = default;
        if (!RtcpFeedbackPacket.TryOpen(packet, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.PictureLossIndication,
                out var content))
        {
            return false;
        }

        pli = new PictureLossIndication(RtcpFeedbackPacket.SenderSsrc(content), RtcpFeedbackPacket.MediaSsrc(content));
        return true;
    }

    public bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Size)
        {
            return false;
        }

        RtcpFeedbackPacket.WriteHeader(destination, RtcpFeedbackFormat.PictureLossIndication, RtcpPacketType.PayloadSpecificFeedback,
            Size, SenderSsrc, MediaSsrc);
        written = Size;
        return true;
    }
}

/// <summary>One FIR FCI entry (RFC 5104 §4.3.1.1): the SSRC asked for a decoder refresh and the command sequence number.</summary>
public readonly record struct FirEntry(uint Ssrc, byte SequenceNumber);

/// <summary>
/// Full intra request (PSFB PT 206, FMT 4, RFC 5104 §4.3.1): the media source SSRC is unused (0);
/// the targets are the FCI entries (SSRC, seq nr, 3 reserved bytes).
/// </summary>
public readonly ref struct FullIntraRequest
{
    private const int EntrySize = 8;
    private readonly ReadOnlySpan<byte> _content;

    private FullIntraRequest(ReadOnlySpan<byte> content) => _content = content;

    public static bool TryParse(ReadOnlySpan<byte> packet, out FullIntraRequest fir)
    {
        fir = default;
        if (!RtcpFeedbackPacket.TryOpen(packet, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.FullIntraRequest, out var content)
            || ((content.Length - RtcpFeedbackPacket.FciOffset) % EntrySize) != 0)
        {
            return false;
        }

        fir = new FullIntraRequest(content);
        return true;
    }

    public uint SenderSsrc => RtcpFeedbackPacket.SenderSsrc(_content);

    public uint MediaSsrc => RtcpFeedbackPacket.MediaSsrc(_content);

    public int EntryCount => (_content.Length - RtcpFeedbackPacket.FciOffset) / EntrySize;

    public FirEntry GetEntry(int index)
    {
        if ((uint)index >= (uint)EntryCount)
        {
            return default;
        }

        var entry = _content.Slice(RtcpFeedbackPacket.FciOffset + index * EntrySize);
        return new FirEntry(BinaryPrimitives.ReadUInt32BigEndian(entry), entry[4]);
    }

    public static int GetLength(int entryCount) => RtcpFeedbackPacket.FciOffset + EntrySize * entryCount;

    public static bool TryWrite(Span<byte> destination, uint senderSsrc, ReadOnlySpan<FirEntry> entries, out int written)
    {
        written = 0;
        int length = GetLength(entries.Length);
        if (entries.IsEmpty || length > 65536 * 4 || destination.Length < length)
        {
            return false;
        }

        RtcpFeedbackPacket.WriteHeader(destination, RtcpFeedbackFormat.FullIntraRequest, RtcpPacketType.PayloadSpecificFeedback,
            length, senderSsrc, 0);
        for (int i = 0; i < entries.Length; i++)
        {
            var entry = destination.Slice(RtcpFeedbackPacket.FciOffset + i * EntrySize, EntrySize);
            BinaryPrimitives.WriteUInt32BigEndian(entry, entries[i].Ssrc);
            entry[4] = entries[i].SequenceNumber;
            entry.Slice(5).Clear();
        }

        written = length;
        return true;
    }
}

/// <summary>
/// Receiver estimated maximum bitrate (PSFB PT 206, FMT 15, draft-alvestrand-rmcat-remb-03 §2.2):
/// "REMB", SSRC count, bitrate as 6-bit exponent and 18-bit mantissa (bps = mantissa &lt;&lt; exp), SSRC list.
/// </summary>
public readonly ref struct ReceiverEstimatedMaxBitrate
{
    private const int SsrcListOffset = 20;
    private const uint Identifier = 0x52454D42; // "REMB"
    private const uint MaxMantissa = (1 << 18) - 1;
    private readonly ReadOnlySpan<byte> _content;

    private ReceiverEstimatedMaxBitrate(ReadOnlySpan<byte> content, ulong bitrate)
    {
        _content = content;
        Bitrate = bitrate;
    }

    /// <summary>Parses a REMB; false for other application-layer feedback or a bitrate that overflows 64 bits.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out ReceiverEstimatedMaxBitrate remb)
    {
        remb = default;
        if (!RtcpFeedbackPacket.TryOpen(packet, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.ApplicationLayer, out var content)
            || content.Length < SsrcListOffset
            || BinaryPrimitives.ReadUInt32BigEndian(content.Slice(12)) != Identifier
            || content.Length < SsrcListOffset + 4 * content[16])
        {
            return false;
        }

        uint word = BinaryPrimitives.ReadUInt32BigEndian(content.Slice(16));
        int exponent = (int)((word >> 18) & 0x3F);
        ulong mantissa = word & MaxMantissa;
        ulong bitrate = mantissa << exponent;
        if (bitrate >> exponent != mantissa)
        {
            return false;
        }

        remb = new ReceiverEstimatedMaxBitrate(content, bitrate);
        return true;
    }

    public uint SenderSsrc => RtcpFeedbackPacket.SenderSsrc(_content);

    /// <summary>Media source SSRC; the draft says 0.</summary>
    public uint MediaSsrc => RtcpFeedbackPacket.MediaSsrc(_content);

    /// <summary>Estimated maximum total bitrate in bits per second.</summary>
    public ulong Bitrate { get; }

    public int SsrcCount => _content[16];

    public uint GetSsrc(int index) =>
        (uint)index < (uint)SsrcCount ? BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(SsrcListOffset + 4 * index)) : 0;

    /// <summary>Splits a bitrate into the smallest exponent whose mantissa fits 18 bits (rounding down).</summary>
    public static void EncodeBitrate(ulong bitrate, out int exponent, out uint mantissa)
    {
        exponent = 0;
        while (bitrate >> exponent > MaxMantissa)
        {
            exponent++;
        }

        mantissa = (uint)(bitrate >> exponent);
    }

    public static int GetLength(int ssrcCount) => SsrcListOffset + 4 * ssrcCount;

    /// <summary>Writes a REMB for up to 255 SSRCs.</summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs, out int written)
    {
        written = 0;
        int length = GetLength(ssrcs.Length);
        if (ssrcs.Length > 255 || destination.Length < length)
        {
            return false;
        }

        RtcpFeedbackPacket.WriteHeader(destination, RtcpFeedbackFormat.ApplicationLayer, RtcpPacketType.PayloadSpecificFeedback,
            length, senderSsrc, 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(12), Identifier);
        EncodeBitrate(bitrate, out int exponent, out uint mantissa);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(16), ((uint)ssrcs.Length << 24) | ((uint)exponent << 18) | mantissa);
        for (int i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(SsrcListOffset + 4 * i), ssrcs[i]);
        }

        written = length;
        return true;
    }
}
