namespace Media.Sfu.Routing;

/// <summary>
/// The last packets of a video producer by sequence number, so receivers' NACKs (RFC 4585 §6.2.1) are
/// answered without asking the publisher. Fixed memory, no allocation per packet.
/// </summary>
public sealed class RtpPacketCache
{
    public const int DefaultCapacity = 512;
    public const int MaxPacketLength = 1500;
    private readonly byte[] _data;
    private readonly ushort[] _sequence;
    private readonly short[] _length;
    private readonly int _capacity;

    public RtpPacketCache(int capacity = DefaultCapacity)
    {
        _capacity = capacity;
        _data = new byte[capacity * MaxPacketLength];
        _sequence = new ushort[capacity];
        _length = new short[capacity];
    }

    public void Store(ReadOnlySpan<byte> packet, ushort sequence)
    {
        if (packet.Length > MaxPacketLength) return;
        var i = sequence % _capacity;
        lock (this)
        {
            packet.CopyTo(_data.AsSpan(i * MaxPacketLength));
            _sequence[i] = sequence;
            _length[i] = (short)packet.Length;
        }
    }

    /// <summary>Copies the packet with this sequence number into <paramref name="destination"/> if it is still cached.</summary>
    public int TryCopy(ushort sequence, Span<byte> destination)
    {
        var i = sequence % _capacity;
        lock (this)
        {
            var length = _length[i];
            if (length == 0 || _sequence[i] != sequence || length > destination.Length) return 0;
            _data.AsSpan(i * MaxPacketLength, length).CopyTo(destination);
            return length;
        }
    }
}
