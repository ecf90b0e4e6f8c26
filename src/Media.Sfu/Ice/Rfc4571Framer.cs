using System.Buffers.Binary;

namespace Media.Sfu.Ice;

/// <summary>What <see cref="Rfc4571Framer.TryReadFrame"/> found.</summary>
public enum FrameReadStatus : byte
{
    /// <summary>A whole frame is available.</summary>
    Frame,
    /// <summary>The buffered bytes end inside a frame (or its length prefix): read more.</summary>
    NeedMoreData,
    /// <summary>The stream announced a frame this framer cannot take; close the connection.</summary>
    Faulted,
}

/// <summary>
/// Splits a TCP byte stream into the frames of RFC 4571 §2 (16-bit big-endian length, then that
/// many bytes) as ICE-TCP uses them (RFC 6544 §3), reassembling frames across reads in one fixed
/// buffer. The receive loop reads straight into <see cref="GetWriteSpan"/> (or copies with
/// <see cref="Append"/>), calls <see cref="Advance"/>, then drains frames with
/// <see cref="TryReadFrame"/>. Nothing allocates after construction.
/// </summary>
/// <remarks>
/// A length of zero, or above <see cref="MaxFrameLength"/>, faults the stream for good: a
/// zero-length frame cannot hold STUN, DTLS, RTP or RTCP, and once the peer has sent a length we
/// will not accept we can no longer find frame boundaries. A frame span is valid only until the
/// next <see cref="GetWriteSpan"/> or <see cref="Append"/>, which may move buffered bytes.
/// One framer per connection; not thread-safe.
/// </remarks>
public sealed class Rfc4571Framer
{
    public const int HeaderLength = 2;
    /// <summary>The largest frame RFC 4571 can express.</summary>
    public const int MaxPossibleFrameLength = ushort.MaxValue;

    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    /// <param name="maxFrameLength">Largest frame accepted (1-65535).</param>
    /// <param name="bufferLength">
    /// Buffer size; at least <c>2 + maxFrameLength</c> (the default), larger lets one read take
    /// several frames.
    /// </param>
    public Rfc4571Framer(int maxFrameLength = MaxPossibleFrameLength, int bufferLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFrameLength, MaxPossibleFrameLength);
        if (bufferLength == 0)
            bufferLength = HeaderLength + maxFrameLength;
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferLength, HeaderLength + maxFrameLength);
        MaxFrameLength = maxFrameLength;
        _buffer = new byte[bufferLength];
    }

    public int MaxFrameLength { get; }
    public bool IsFaulted { get; private set; }
    /// <summary>Bytes received but not yet returned as frames.</summary>
    public int BufferedLength => _end - _start;

    /// <summary>
    /// Free space to receive into (never empty unless faulted). Moves a partial frame to the front
    /// first, which invalidates frame spans returned earlier.
    /// </summary>
    public Span<byte> GetWriteSpan()
    {
        if (IsFaulted)
            return Span<byte>.Empty;
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_start > 0)
        {
            // Only the unfinished frame remains; it fits since the buffer holds a maximal frame.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        return _buffer.AsSpan(_end);
    }

    /// <summary>Records that <paramref name="count"/> bytes were written into the span from <see cref="GetWriteSpan"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>
    /// Copies as much of <paramref name="data"/> as fits and returns how many bytes were taken;
    /// drain frames and call again with the rest. Returns 0 when faulted.
    /// </summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        Span<byte> free = GetWriteSpan();
        int count = Math.Min(free.Length, data.Length);
        data[..count].CopyTo(free);
        _end += count;
        return count;
    }

    /// <summary>Takes the next whole frame (its payload, without the length prefix) if there is one.</summary>
    public FrameReadStatus TryReadFrame(out ReadOnlySpan<byte> frame)
    {
        frame = default;
        if (IsFaulted)
            return FrameReadStatus.Faulted;
        int available = _end - _start;
        if (available < HeaderLength)
            return FrameReadStatus.NeedMoreData;
        int length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start));
        if (length == 0 || length > MaxFrameLength)
        {
            IsFaulted = true;
            return FrameReadStatus.Faulted;
        }
        if (available - HeaderLength < length)
            return FrameReadStatus.NeedMoreData;
        frame = _buffer.AsSpan(_start + HeaderLength, length);
        _start += HeaderLength + length;
        return FrameReadStatus.Frame;
    }

    /// <summary>Forgets buffered bytes and the fault, for reuse on a new connection.</summary>
    public void Reset()
    {
        _start = _end = 0;
        IsFaulted = false;
    }

    /// <summary>Writes the 2-byte length prefix for a payload of <paramref name="payloadLength"/> (1-65535) bytes.</summary>
    public static bool TryWriteHeader(Span<byte> destination, int payloadLength)
    {
        if (destination.Length < HeaderLength || payloadLength < 1 || payloadLength > MaxPossibleFrameLength)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)payloadLength);
        return true;
    }

    /// <summary>
    /// Writes prefix and payload into <paramref name="destination"/>. To avoid the copy, build the
    /// payload at offset 2 of the send buffer and call <see cref="TryWriteHeader"/> instead.
    /// </summary>
    public static bool TryWriteFrame(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < HeaderLength + payload.Length || !TryWriteHeader(destination, payload.Length))
            return false;
        payload.CopyTo(destination[HeaderLength..]);
        written = HeaderLength + payload.Length;
        return true;
    }
}
