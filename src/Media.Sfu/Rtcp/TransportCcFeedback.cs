using System.Buffers.Binary;

namespace Media.Sfu.Rtcp;

/// <summary>Packet status symbols of transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1).</summary>
public enum TransportCcSymbol : byte
{
    NotReceived = 0,
    /// <summary>Received; the receive delta is one unsigned byte (0..63.75 ms).</summary>
    SmallDelta = 1,
    /// <summary>Received; the receive delta is a signed 16-bit value (large or negative).</summary>
    LargeDelta = 2,
}

/// <summary>One packet reported by transport-cc feedback.</summary>
public readonly record struct TransportCcPacketStatus(
    ushort SequenceNumber,
    TransportCcSymbol Symbol,
    int DeltaTicks,
    long ArrivalTimeUs)
{
    /// <summary>Receive deltas count multiples of 250 µs (§3.1.5).</summary>
    public const int MicrosecondsPerDeltaTick = 250;

    public bool Received => Symbol != TransportCcSymbol.NotReceived;

    /// <summary>Delta to the previous received packet (or to the reference time for the first) in µs.</summary>
    public long DeltaUs => (long)DeltaTicks * MicrosecondsPerDeltaTick;
}

/// <summary>
/// Transport-wide congestion control feedback (RTPFB PT 205, FMT 15, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1):
/// base sequence number, packet status count, 24-bit reference time (64 ms units), feedback packet count,
/// status chunks (run-length, 1-bit and 2-bit vectors), then receive deltas. <see cref="TryParse"/> validates every
/// chunk and delta so <see cref="Packets"/> enumerates without further checks.
/// </summary>
public readonly ref struct TransportCcFeedback
{
    public const int ChunksOffset = 20;
    public const int MicrosecondsPerReferenceTick = 64_000;
    private readonly ReadOnlySpan<byte> _content;
    private readonly int _deltasOffset;

    private TransportCcFeedback(ReadOnlySpan<byte> content, int deltasOffset, int receivedCount)
    {
        _content = content;
        _deltasOffset = deltasOffset;
        ReceivedCount = receivedCount;
    }

    public static bool TryParse(ReadOnlySpan<byte> packet, out TransportCcFeedback feedback)
    {
        feedback = default;
        if (!RtcpFeedbackPacket.TryOpen(packet, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.TransportCc, out var content)
            || content.Length < ChunksOffset)
        {
            return false;
        }

        int statusCount = BinaryPrimitives.ReadUInt16BigEndian(content.Slice(14));
        if (statusCount == 0)
        {
            return false;
        }

        int position = ChunksOffset;
        int described = 0;
        int deltaBytes = 0;
        int received = 0;
        while (described < statusCount)
        {
            if (position + 2 > content.Length)
            {
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(content.Slice(position));
            position += 2;
            int symbols = Math.Min(TransportCcChunk.Capacity(chunk), statusCount - described);
            for (int i = 0; i < symbols; i++)
            {
                int symbol = TransportCcChunk.SymbolAt(chunk, i);
                if (symbol == 3)
                {
                    return false; // reserved
                }

                if (symbol != 0)
                {
                    received++;
                    deltaBytes += symbol;
                }
            }

            described += symbols;
        }

        if (position + deltaBytes > content.Length)
        {
            return false;
        }

        feedback = new TransportCcFeedback(content, position, received);
        return true;
    }

    public uint SenderSsrc => RtcpFeedbackPacket.SenderSsrc(_content);

    public uint MediaSsrc => RtcpFeedbackPacket.MediaSsrc(_content);

    public ushort BaseSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_content.Slice(12));

    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_content.Slice(14));

    /// <summary>Reference time in multiples of 64 ms, sign-extended from 24 bits.</summary>
    public int ReferenceTime => (int)(BinaryPrimitives.ReadUInt32BigEndian(_content.Slice(16)) & 0xFFFFFF00) >> 8;

    public long ReferenceTimeUs => (long)ReferenceTime * MicrosecondsPerReferenceTick;

    /// <summary>The feedback packet count, incremented per feedback sent, to detect lost feedback.</summary>
    public byte FeedbackPacketCount => _content[19];

    /// <summary>Packets reported as received (each has a receive delta).</summary>
    public int ReceivedCount { get; }

    /// <summary>Every reported sequence number in order, with its symbol, delta and arrival time.</summary>
    public TransportCcStatusEnumerator Packets =>
        new(_content, _deltasOffset, BaseSequenceNumber, PacketStatusCount, ReferenceTimeUs / TransportCcPacketStatus.MicrosecondsPerDeltaTick);
}

/// <summary>Enumerates the statuses of a parsed <see cref="TransportCcFeedback"/>.</summary>
public ref struct TransportCcStatusEnumerator
{
    private readonly ReadOnlySpan<byte> _content;
    private readonly int _chunksEnd;
    private int _chunkPosition;
    private int _deltaPosition;
    private int _remaining;
    private ushort _nextSequence;
    private long _timeTicks;
    private ushort _chunk;
    private int _chunkSymbols;
    private int _chunkIndex;
    private TransportCcPacketStatus _current;

    internal TransportCcStatusEnumerator(ReadOnlySpan<byte> content, int deltasOffset, ushort baseSequence, int statusCount,
        long referenceTicks)
    {
        _content = content;
        _chunkPosition = TransportCcFeedback.ChunksOffset;
        _chunksEnd = deltasOffset;
        _deltaPosition = deltasOffset;
        _remaining = statusCount;
        _nextSequence = baseSequence;
        _timeTicks = referenceTicks;
        _chunk = 0;
        _chunkSymbols = 0;
        _chunkIndex = 0;
        _current = default;
    }

    public readonly TransportCcPacketStatus Current => _current;

    public readonly TransportCcStatusEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining <= 0)
        {
            return false;
        }

        while (_chunkIndex >= _chunkSymbols)
        {
            if (_chunkPosition + 2 > _chunksEnd || _chunkPosition + 2 > _content.Length)
            {
                _remaining = 0;
                return false;
            }

            _chunk = BinaryPrimitives.ReadUInt16BigEndian(_content.Slice(_chunkPosition));
            _chunkPosition += 2;
            _chunkSymbols = TransportCcChunk.Capacity(_chunk);
            _chunkIndex = 0;
        }

        var symbol = (TransportCcSymbol)TransportCcChunk.SymbolAt(_chunk, _chunkIndex++);
        int delta = 0;
        if (symbol == TransportCcSymbol.SmallDelta || symbol == TransportCcSymbol.LargeDelta)
        {
            int size = (int)symbol;
            if (_deltaPosition + size > _content.Length)
            {
                _remaining = 0;
                return false;
            }

            delta = size == 1 ? _content[_deltaPosition] : BinaryPrimitives.ReadInt16BigEndian(_content.Slice(_deltaPosition));
            _deltaPosition += size;
            _timeTicks += delta;
        }
        else if (symbol != TransportCcSymbol.NotReceived)
        {
            _remaining = 0;
            return false;
        }

        long arrival = symbol == TransportCcSymbol.NotReceived ? 0 : _timeTicks * TransportCcPacketStatus.MicrosecondsPerDeltaTick;
        _current = new TransportCcPacketStatus(_nextSequence, symbol, delta, arrival);
        _nextSequence++;
        _remaining--;
        return true;
    }
}

/// <summary>Bit layout of a packet status chunk (draft §3.1.3, §3.1.4).</summary>
internal static class TransportCcChunk
{
    public const int MaxRunLength = 0x1FFF;
    public const int OneBitCapacity = 14;
    public const int TwoBitCapacity = 7;

    /// <summary>Symbols a chunk describes (before clipping to the packet status count).</summary>
    public static int Capacity(ushort chunk)
    {
        if ((chunk & 0x8000) == 0)
        {
            return chunk & MaxRunLength;
        }

        return (chunk & 0x4000) == 0 ? OneBitCapacity : TwoBitCapacity;
    }

    public static int SymbolAt(ushort chunk, int index)
    {
        if ((chunk & 0x8000) == 0)
        {
            return (chunk >> 13) & 0x3;
        }

        if ((chunk & 0x4000) == 0)
        {
            return (chunk >> (13 - index)) & 0x1;
        }

        return (chunk >> (12 - 2 * index)) & 0x3;
    }

    public static ushort RunLength(int symbol, int length) => (ushort)((symbol << 13) | length);

    public static ushort OneBitVector(ReadOnlySpan<byte> symbols)
    {
        int chunk = 0x8000;
        for (int i = 0; i < symbols.Length; i++)
        {
            chunk |= symbols[i] << (13 - i);
        }

        return (ushort)chunk;
    }

    public static ushort TwoBitVector(ReadOnlySpan<byte> symbols)
    {
        int chunk = 0xC000;
        for (int i = 0; i < symbols.Length; i++)
        {
            chunk |= symbols[i] << (12 - 2 * i);
        }

        return (ushort)chunk;
    }
}
