using System.Buffers.Binary;

namespace Media.Sfu.Dtls;

/// <summary>DTLS 1.2 record content types (RFC 6347 §4.1, IANA TLS ContentType).</summary>
public enum DtlsContentType : byte
{
    ChangeCipherSpec = 20,
    Alert = 21,
    Handshake = 22,
    ApplicationData = 23,
    Heartbeat = 24,
    Tls12Cid = 25,
}

/// <summary>
/// A view over one DTLS record with the classic 13-byte header (RFC 6347 §4.1):
/// type(1) version(2) epoch(2) sequence_number(6) length(2) fragment(length).
/// Used to demultiplex and sanity-check datagrams before they reach OpenSSL and to split
/// OpenSSL's output into record-aligned datagrams. Parsing never throws.
/// </summary>
public readonly ref struct DtlsRecord
{
    public const int HeaderLength = 13;

    /// <summary>Largest legal DTLSCiphertext fragment: 2^14 + 2048 (RFC 6347 §4.1, RFC 5246 §6.2.3).</summary>
    public const int MaxFragmentLength = 16384 + 2048;

    public const ushort VersionDtls10 = 0xFEFF;
    public const ushort VersionDtls12 = 0xFEFD;

    private DtlsRecord(ReadOnlySpan<byte> record)
    {
        ContentType = record[0];
        Version = BinaryPrimitives.ReadUInt16BigEndian(record[1..]);
        Epoch = BinaryPrimitives.ReadUInt16BigEndian(record[3..]);
        SequenceNumber = (ulong)BinaryPrimitives.ReadUInt16BigEndian(record[5..]) << 32
            | BinaryPrimitives.ReadUInt32BigEndian(record[7..]);
        Length = BinaryPrimitives.ReadUInt16BigEndian(record[11..]);
        Fragment = record.Slice(HeaderLength, Length);
    }

    /// <summary>Raw content type (20–63 by RFC 7983; known values in <see cref="DtlsContentType"/>).</summary>
    public byte ContentType { get; }

    /// <summary>Wire version, 0xFEFF (DTLS 1.0) or 0xFEFD (DTLS 1.2).</summary>
    public ushort Version { get; }

    public ushort Epoch { get; }

    /// <summary>48-bit record sequence number.</summary>
    public ulong SequenceNumber { get; }

    /// <summary>Fragment length from the header.</summary>
    public ushort Length { get; }

    public ReadOnlySpan<byte> Fragment { get; }

    /// <summary>Header plus fragment: how far to advance to the next record in the datagram.</summary>
    public int TotalLength => HeaderLength + Length;

    /// <summary>
    /// A plaintext ClientHello (epoch 0 handshake record whose first handshake message has type 1):
    /// the start of a new handshake (RFC 6347 §4.2.2).
    /// </summary>
    public bool IsClientHello =>
        ContentType == (byte)DtlsContentType.Handshake && Epoch == 0 && Fragment.Length > 0 && Fragment[0] == 1;

    /// <summary>RFC 7983 §7: a first byte in 20–63 means DTLS on a multiplexed socket.</summary>
    public static bool IsDtlsFirstByte(byte first) => first is >= 20 and <= 63;

    /// <summary>
    /// Parses the record at the start of <paramref name="buffer"/>. False when the header is short,
    /// the type is outside 20–63, the version is not DTLS 1.0/1.2, or the fragment overruns the buffer.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out DtlsRecord record)
    {
        record = default;
        if (buffer.Length < HeaderLength || !IsDtlsFirstByte(buffer[0]))
        {
            return false;
        }
        var version = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]);
        if (version != VersionDtls12 && version != VersionDtls10)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer[11..]);
        if (length > MaxFragmentLength || length > buffer.Length - HeaderLength)
        {
            return false;
        }
        record = new DtlsRecord(buffer[..(HeaderLength + length)]);
        return true;
    }

    /// <summary>True when the datagram is one or more well-formed records that exactly fill it.</summary>
    public static bool IsWellFormedDatagram(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return false;
        }
        var reader = new DtlsRecordReader(datagram);
        while (reader.TryRead(out _))
        {
        }
        return reader.Remaining.IsEmpty;
    }
}

/// <summary>Walks the records of one datagram in order (several records may share a datagram, RFC 6347 §4.1.1).</summary>
public ref struct DtlsRecordReader
{
    private ReadOnlySpan<byte> _remaining;

    public DtlsRecordReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
    }

    /// <summary>Bytes not consumed yet; non-empty after the last record means trailing garbage.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _remaining;

    /// <summary>Reads the next record; false at the end or at the first malformed record (which is not consumed).</summary>
    public bool TryRead(out DtlsRecord record)
    {
        if (!DtlsRecord.TryParse(_remaining, out record))
        {
            return false;
        }
        _remaining = _remaining[record.TotalLength..];
        return true;
    }
}
