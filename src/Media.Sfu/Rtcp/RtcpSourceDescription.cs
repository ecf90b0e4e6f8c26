using System.Buffers.Binary;
using System.Text;

namespace Media.Sfu.Rtcp;

/// <summary>SDES item types (RFC 3550 §6.5).</summary>
public enum SdesItemType : byte
{
    End = 0,
    Cname = 1,
    Name = 2,
    Email = 3,
    Phone = 4,
    Location = 5,
    Tool = 6,
    Note = 7,
    Private = 8,
}

/// <summary>One SDES item: type and raw value (UTF-8 text for the standard items).</summary>
public readonly ref struct SdesItem
{
    public SdesItem(SdesItemType type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    public SdesItemType Type { get; }
    public ReadOnlySpan<byte> Value { get; }
}

/// <summary>Enumerates the items of one SDES chunk (validated by <see cref="RtcpSourceDescription.TryParse"/>).</summary>
public ref struct SdesItemEnumerator
{
    private readonly ReadOnlySpan<byte> _items;
    private int _position;
    private SdesItem _current;

    internal SdesItemEnumerator(ReadOnlySpan<byte> items)
    {
        _items = items;
        _position = 0;
        _current = default;
    }

    public readonly SdesItem Current => _current;

    public readonly SdesItemEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        // The slice ends before the terminating null item, so every item here has type and length.
        if (_position + 2 > _items.Length)
        {
            return false;
        }

        int length = _items[_position + 1];
        if (_position + 2 + length > _items.Length)
        {
            return false;
        }

        _current = new SdesItem((SdesItemType)_items[_position], _items.Slice(_position + 2, length));
        _position += 2 + length;
        return true;
    }
}

/// <summary>One SDES chunk: the source and its items.</summary>
public readonly ref struct SdesChunk
{
    private readonly ReadOnlySpan<byte> _items;

    internal SdesChunk(uint ssrc, ReadOnlySpan<byte> items)
    {
        Ssrc = ssrc;
        _items = items;
    }

    public uint Ssrc { get; }

    public SdesItemEnumerator Items => new(_items);

    /// <summary>Value of the first item of <paramref name="type"/> in this chunk.</summary>
    public bool TryGetItem(SdesItemType type, out ReadOnlySpan<byte> value)
    {
        foreach (var item in Items)
        {
            if (item.Type == type)
            {
                value = item.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}

/// <summary>Enumerates the chunks of an SDES packet.</summary>
public ref struct SdesChunkEnumerator
{
    private readonly ReadOnlySpan<byte> _content;
    private int _position;
    private int _remaining;
    private SdesChunk _current;

    internal SdesChunkEnumerator(ReadOnlySpan<byte> content, int count)
    {
        _content = content;
        _position = RtcpHeader.Size;
        _remaining = count;
        _current = default;
    }

    public readonly SdesChunk Current => _current;

    public readonly SdesChunkEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining <= 0 || !RtcpSourceDescription.TryReadChunk(_content, ref _position, out _current))
        {
            _remaining = 0;
            return false;
        }

        _remaining--;
        return true;
    }
}

/// <summary>
/// View of a source description packet (PT 202, RFC 3550 §6.5): SC chunks, each an SSRC followed by items,
/// a null terminator and padding to a 32-bit boundary. Also writes a single-CNAME SDES.
/// </summary>
public readonly ref struct RtcpSourceDescription
{
    public const int MaxItemLength = 255;
    private readonly ReadOnlySpan<byte> _content;

    private RtcpSourceDescription(ReadOnlySpan<byte> content, int chunkCount)
    {
        _content = content;
        ChunkCount = chunkCount;
    }

    /// <summary>Parses and fully validates an SDES packet so that enumeration cannot fail.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpSourceDescription sdes)
    {
        sdes = default;
        if (!RtcpHeader.TryOpen(packet, RtcpPacketType.SourceDescription, -1, out var header, out var content))
        {
            return false;
        }

        int position = RtcpHeader.Size;
        for (int i = 0; i < header.Count; i++)
        {
            if (!TryReadChunk(content, ref position, out _))
            {
                return false;
            }
        }

        sdes = new RtcpSourceDescription(content, header.Count);
        return true;
    }

    public int ChunkCount { get; }

    public SdesChunkEnumerator Chunks => new(_content, ChunkCount);

    /// <summary>The CNAME of <paramref name="ssrc"/>, if a chunk for it carries one.</summary>
    public bool TryGetCname(uint ssrc, out ReadOnlySpan<byte> cname)
    {
        foreach (var chunk in Chunks)
        {
            if (chunk.Ssrc == ssrc && chunk.TryGetItem(SdesItemType.Cname, out cname))
            {
                return true;
            }
        }

        cname = default;
        return false;
    }

    internal static bool TryReadChunk(ReadOnlySpan<byte> content, scoped ref int position, out SdesChunk chunk)
    {
        chunk = default;
        int start = position;
        if (start + 4 > content.Length)
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(content.Slice(start));
        int p = start + 4;
        while (true)
        {
            if (p >= content.Length)
            {
                return false;
            }

            if (content[p] == (byte)SdesItemType.End)
            {
                break;
            }

            if (p + 2 > content.Length || p + 2 + content[p + 1] > content.Length)
            {
                return false;
            }

            p += 2 + content[p + 1];
        }

        // The null item ends the list; further nulls pad to the next 32-bit boundary (RFC 3550 §6.5).
        int next = (p + 1 + 3) & ~3;
        if (next > content.Length)
        {
            return false;
        }

        chunk = new SdesChunk(ssrc, content.Slice(start + 4, p - (start + 4)));
        position = next;
        return true;
    }

    /// <summary>Length of an SDES packet with one CNAME chunk of <paramref name="cnameLength"/> bytes.</summary>
    public static int GetCnameLength(int cnameLength) => RtcpHeader.Size + ((4 + 2 + cnameLength + 1 + 3) & ~3);

    /// <summary>Writes an SDES packet with one chunk holding a CNAME item (RFC 3550 §6.5.1).</summary>
    public static bool TryWriteCname(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> cname, out int written)
    {
        written = 0;
        int length = GetCnameLength(cname.Length);
        if (cname.Length > MaxItemLength || destination.Length < length)
        {
            return false;
        }

        RtcpHeader.TryWrite(destination, 1, RtcpPacketType.SourceDescription, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), ssrc);
        destination[8] = (byte)SdesItemType.Cname;
        destination[9] = (byte)cname.Length;
        cname.CopyTo(destination.Slice(10));
        destination.Slice(10 + cname.Length, length - 10 - cname.Length).Clear();
        written = length;
        return true;
    }

    /// <summary>As <see cref="TryWriteCname(Span{byte}, uint, ReadOnlySpan{byte}, out int)"/>, encoding the text as UTF-8 without allocating.</summary>
    public static bool TryWriteCname(Span<byte> destination, uint ssrc, ReadOnlySpan<char> cname, out int written)
    {
        written = 0;
        int byteCount = Encoding.UTF8.GetByteCount(cname);
        int length = GetCnameLength(byteCount);
        if (byteCount > MaxItemLength || destination.Length < length)
        {
            return false;
        }

        Encoding.UTF8.GetBytes(cname, destination.Slice(10, byteCount));
        return TryWriteCname(destination, ssrc, destination.Slice(10, byteCount), out written);
    }
}
