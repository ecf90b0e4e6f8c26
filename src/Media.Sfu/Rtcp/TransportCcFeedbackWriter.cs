using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Media.Sfu.Rtcp;

/// <summary>A packet carrying a transport-wide sequence number and its local arrival time.</summary>
public readonly record struct TransportCcArrival(ushort SequenceNumber, long ArrivalTimeUs);

/// <summary>
/// Builds transport-cc feedback packets (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) from arrivals
/// ordered by transport sequence number. Each call writes one packet covering as many arrivals as fit; call
/// again with the rest:
/// <code>
/// while (!arrivals.IsEmpty &amp;&amp; TransportCcFeedbackWriter.TryWrite(buf, me, media, count++, arrivals, out int n, out int used))
/// { Send(buf[..n]); arrivals = arrivals[used..]; }
/// </code>
/// Arrival times are truncated to 250 µs ticks; the reference time is the first arrival floored to 64 ms.
/// Missing sequence numbers become "not received" symbols. Padding follows libwebrtc: P bit set, zero bytes
/// with the count in the last one.
/// </summary>
public static class TransportCcFeedbackWriter
{
    private const int HeaderLength = TransportCcFeedback.ChunksOffset;
    private const int TicksPerReferenceTick = TransportCcFeedback.MicrosecondsPerReferenceTick / TransportCcPacketStatus.MicrosecondsPerDeltaTick;
    private const int MaxStatusCount = ushort.MaxValue;
    private const int MaxPacketLength = 65536 * 4;

    /// <summary>
    /// Writes one feedback packet. Stops early (fewer <paramref name="consumed"/>) when the destination is full, a
    /// delta does not fit 16 bits (±8.19 s), the sequence goes backwards or repeats, or 65535 statuses are reached.
    /// Returns false only when nothing could be written.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, uint mediaSsrc, byte feedbackPacketCount,
        ReadOnlySpan<TransportCcArrival> arrivals, out int written, out int consumed)
    {
        written = 0;
        consumed = 0;
        int capacity = Math.Min(destination.Length, MaxPacketLength) & ~3;
        if (arrivals.IsEmpty || capacity < HeaderLength + 4)
        {
            return false;
        }

        long referenceTime = FloorDivide(arrivals[0].ArrivalTimeUs, TransportCcFeedback.MicrosecondsPerReferenceTick);
        long referenceTicks = referenceTime * TicksPerReferenceTick;

        // Pass 1: find how many arrivals fit, simulating the chunk encoder.
        var encoder = new TransportCcChunkEncoder(default);
        long previousTicks = referenceTicks;
        ushort previousSequence = arrivals[0].SequenceNumber;
        int deltaBytes = 0;
        int statusCount = 0;
        int count = 0;
        for (int i = 0; i < arrivals.Length; i++)
        {
            var arrival = arrivals[i];
            int gap = 0;
            if (i > 0)
            {
                int step = (ushort)(arrival.SequenceNumber - previousSequence);
                if (step == 0 || step >= 0x8000)
                {
                    break;
                }

                gap = step - 1;
            }

            if (statusCount + gap + 1 > MaxStatusCount)
            {
                break;
            }

            long ticks = FloorDivide(arrival.ArrivalTimeUs, TransportCcPacketStatus.MicrosecondsPerDeltaTick);
            byte symbol = Classify(ticks - previousTicks);
            if (symbol == 0)
            {
                break;
            }

            var saved = encoder;
            encoder.AddRun(0, gap);
            encoder.Add(symbol);
            int size = Align4(HeaderLength + 2 * (encoder.EmittedChunks + encoder.PendingChunks) + deltaBytes + symbol);
            if (size > capacity)
            {
                encoder = saved;
                break;
            }

            deltaBytes += symbol;
            statusCount += gap + 1;
            previousTicks = ticks;
            previousSequence = arrival.SequenceNumber;
            count++;
        }

        if (count == 0)
        {
            return false;
        }

        // Pass 2: chunks, then receive deltas.
        encoder = new TransportCcChunkEncoder(destination.Slice(HeaderLength));
        previousTicks = referenceTicks;
        previousSequence = arrivals[0].SequenceNumber;
        for (int i = 0; i < count; i++)
        {
            var arrival = arrivals[i];
            if (i > 0)
            {
                encoder.AddRun(0, (ushort)(arrival.SequenceNumber - previousSequence) - 1);
            }

            long ticks = FloorDivide(arrival.ArrivalTimeUs, TransportCcPacketStatus.MicrosecondsPerDeltaTick);
            encoder.Add(Classify(ticks - previousTicks));
            previousTicks = ticks;
            previousSequence = arrival.SequenceNumber;
        }

        encoder.Flush();
        int position = HeaderLength + 2 * encoder.EmittedChunks;
        previousTicks = referenceTicks;
        for (int i = 0; i < count; i++)
        {
            long ticks = FloorDivide(arrivals[i].ArrivalTimeUs, TransportCcPacketStatus.MicrosecondsPerDeltaTick);
            long delta = ticks - previousTicks;
            if (Classify(delta) == 1)
            {
                destination[position++] = (byte)delta;
            }
            else
            {
                BinaryPrimitives.WriteInt16BigEndian(destination.Slice(position), (short)delta);
                position += 2;
            }

            previousTicks = ticks;
        }

        int length = Align4(position);
        int padding = length - position;
        if (padding > 0)
        {
            destination.Slice(position, padding - 1).Clear();
            destination[length - 1] = (byte)padding;
        }

        RtcpFeedbackPacket.WriteHeader(destination, RtcpFeedbackFormat.TransportCc, RtcpPacketType.TransportFeedback, length,
            senderSsrc, mediaSsrc, padding > 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(12), arrivals[0].SequenceNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(14), (ushort)statusCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(16), ((uint)(referenceTime & 0xFFFFFF) << 8) | feedbackPacketCount);
        written = length;
        consumed = count;
        return true;
    }

    /// <summary>1 = one-byte delta, 2 = two-byte delta, 0 = not representable.</summary>
    private static byte Classify(long deltaTicks) =>
        deltaTicks is >= 0 and <= byte.MaxValue ? (byte)1
        : deltaTicks is >= short.MinValue and <= short.MaxValue ? (byte)2
        : (byte)0;

    private static int Align4(int value) => (value + 3) & ~3;

    private static long FloorDivide(long value, long divisor)
    {
        long quotient = value / divisor;
        return value % divisor < 0 ? quotient - 1 : quotient;
    }
}

/// <summary>
/// Packs status symbols into chunks greedily: a pending group becomes a run-length chunk while all symbols are equal,
/// a 1-bit vector for 14 symbols without large deltas, otherwise a 2-bit vector of 7 (draft §3.1.3–3.1.4).
/// With an empty output it only counts chunks, which the writer uses to size a packet before writing it.
/// </summary>
internal ref struct TransportCcChunkEncoder
{
    [InlineArray(TransportCcChunk.OneBitCapacity)]
    private struct SymbolBuffer
    {
        private byte _element;
    }

    private readonly Span<byte> _output;
    private SymbolBuffer _symbols;
    private int _count;
    private bool _allSame;
    private bool _hasLarge;

    public TransportCcChunkEncoder(Span<byte> output)
    {
        _output = output;
        _symbols = default;
        _count = 0;
        _allSame = true;
        _hasLarge = false;
        EmittedChunks = 0;
    }

    public int EmittedChunks { get; private set; }

    /// <summary>Chunks still to be written by <see cref="Flush"/> (always one for a non-empty group).</summary>
    public readonly int PendingChunks => _count > 0 ? 1 : 0;

    public void AddRun(byte symbol, int count)
    {
        while (count > 0)
        {
            if (_count > 0 && _allSame && symbol == _symbols[0] && _count >= TransportCcChunk.OneBitCapacity)
            {
                // Extending a long run: no symbols need storing.
                int take = Math.Min(count, TransportCcChunk.MaxRunLength - _count);
                if (take > 0)
                {
                    _count += take;
                    count -= take;
                    continue;
                }
            }

            Add(symbol);
            count--;
        }
    }

    public void Add(byte symbol)
    {
        while (!CanAdd(symbol))
        {
            EmitOne();
        }

        if (_count == 0)
        {
            _allSame = true;
            _hasLarge = false;
        }
        else if (_allSame && symbol != _symbols[0])
        {
            _allSame = false;
        }

        if (_count < TransportCcChunk.OneBitCapacity)
        {
            _symbols[_count] = symbol;
        }

        _hasLarge |= symbol == 2;
        _count++;
    }

    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        if (_allSame)
        {
            Write(TransportCcChunk.RunLength(_symbols[0], _count));
        }
        else if (_count <= TransportCcChunk.TwoBitCapacity)
        {
            Write(TransportCcChunk.TwoBitVector(((ReadOnlySpan<byte>)_symbols).Slice(0, _count)));
        }
        else
        {
            Write(TransportCcChunk.OneBitVector(((ReadOnlySpan<byte>)_symbols).Slice(0, _count)));
        }

        _count = 0;
    }

    private readonly bool CanAdd(byte symbol)
    {
        if (_count < TransportCcChunk.TwoBitCapacity)
        {
            return true;
        }

        if (_count < TransportCcChunk.OneBitCapacity && !_hasLarge && symbol != 2)
        {
            return true;
        }

        return _allSame && symbol == _symbols[0] && _count < TransportCcChunk.MaxRunLength;
    }

    private void EmitOne()
    {
        if (_allSame)
        {
            Write(TransportCcChunk.RunLength(_symbols[0], _count));
            _count = 0;
            return;
        }

        if (_count == TransportCcChunk.OneBitCapacity)
        {
            // Reached only through the 1-bit path, so no symbol is a large delta.
            Write(TransportCcChunk.OneBitVector(_symbols));
            _count = 0;
            return;
        }

        // 7..13 mixed symbols: the first 7 go into a 2-bit vector, the rest stay pending.
        Write(TransportCcChunk.TwoBitVector(((ReadOnlySpan<byte>)_symbols).Slice(0, TransportCcChunk.TwoBitCapacity)));
        int rest = _count - TransportCcChunk.TwoBitCapacity;
        _allSame = true;
        _hasLarge = false;
        for (int i = 0; i < rest; i++)
        {
            byte s = _symbols[i + TransportCcChunk.TwoBitCapacity];
            _symbols[i] = s;
            _allSame &= s == _symbols[0];
            _hasLarge |= s == 2;
        }

        _count = rest;
    }

    private void Write(ushort chunk)
    {
        if (!_output.IsEmpty)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_output.Slice(2 * EmittedChunks), chunk);
        }

        EmittedChunks++;
    }
}
