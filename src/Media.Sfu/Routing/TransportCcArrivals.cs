using Media.Sfu.Rtcp;

namespace Media.Sfu.Routing;

/// <summary>
/// Arrival times of one transport's packets by transport-wide sequence number
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), waiting to be reported. Sequence numbers are unwrapped
/// to 64 bits and kept in a fixed ring, so recording does not allocate and reordered packets land in order.
/// Each <see cref="TryWriteFeedback"/> reports everything from the first unreported number to the highest seen
/// (missing ones as "not received") and starts after it; a packet older than that is too late and ignored.
/// Recording runs on the receive path, feedback on the housekeeping tick; a lock separates them.
/// </summary>
public sealed class TransportCcArrivals
{
    public const int Capacity = 4096; // > 100 ms of packets at 40k packets/s
    private const int Mask = Capacity - 1;
    private readonly long[] _arrivalUs = new long[Capacity];
    private readonly TransportCcArrival[] _pending = new TransportCcArrival[Capacity];
    private bool _started;
    private long _base;      // first unreported extended sequence number
    private long _highest;   // highest extended sequence number seen
    private byte _feedbackCount;

    public TransportCcArrivals(byte extensionId)
    {
        ExtensionId = extensionId;
        Array.Fill(_arrivalUs, -1);
    }

    /// <summary>The negotiated header extension id carrying the transport-wide sequence number.</summary>
    public byte ExtensionId { get; }

    public long PacketsRecorded, LatePackets, FeedbackPacketsWritten;

    public void OnPacket(ushort sequenceNumber, long arrivalUs)
    {
        lock (_arrivalUs)
        {
            long ext;
            if (!_started)
            {
                ext = (1L << 16) + sequenceNumber; // room below for packets reordered before the first
                _base = ext;
                _highest = ext;
                _started = true;
            }
            else ext = _highest + (short)(sequenceNumber - (ushort)_highest);

            if (ext < _base)
            {
                LatePackets++;
                return;
            }
            if (ext - _base >= Capacity)
            {
                // Far ahead of what is unreported (no feedback for a long time): forget the oldest.
                var newBase = ext - Capacity + 1;
                for (var e = _base; e < newBase && e <= _highest; e++) _arrivalUs[e & Mask] = -1;
                _base = newBase;
            }
            ref var slot = ref _arrivalUs[ext & Mask];
            if (slot < 0) slot = Math.Max(0, arrivalUs); // a duplicate keeps its first arrival
            if (ext > _highest) _highest = ext;
            PacketsRecorded++;
        }
    }

    /// <summary>
    /// Writes the pending arrivals as one or more feedback packets into <paramref name="destination"/>, one after
    /// another, each a complete RTCP packet; stops when the destination is full (the rest is dropped: feedback
    /// is only useful when fresh). Returns the bytes written and the packet count.
    /// </summary>
    public int TryWriteFeedback(Span<byte> destination, uint senderSsrc, uint mediaSsrc, out int packets)
    {
        packets = 0;
        var count = Drain();
        if (count == 0) return 0;
        ReadOnlySpan<TransportCcArrival> arrivals = _pending.AsSpan(0, count);
        var offset = 0;
        while (!arrivals.IsEmpty &&
               TransportCcFeedbackWriter.TryWrite(destination[offset..], senderSsrc, mediaSsrc, _feedbackCount, arrivals, out var written, out var used))
        {
            _feedbackCount++;
            offset += written;
            packets++;
            arrivals = arrivals[used..];
        }
        FeedbackPacketsWritten += packets;
        return offset;
    }

    private int Drain()
    {
        lock (_arrivalUs)
        {
            if (!_started || _highest < _base) return 0;
            var n = 0;
            for (var e = _base; e <= _highest; e++)
            {
                ref var slot = ref _arrivalUs[e & Mask];
                if (slot < 0) continue;
                _pending[n++] = new TransportCcArrival((ushort)e, slot);
                slot = -1;
            }
            _base = _highest + 1;
            return n;
        }
    }
}
