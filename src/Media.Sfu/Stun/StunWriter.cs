using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Media.Sfu.Stun;

/// <summary>
/// Writes one STUN message into a caller buffer (RFC 5389 §6, §15). Call <see cref="WriteHeader"/>
/// first, then attributes; MESSAGE-INTEGRITY and FINGERPRINT go last, in that order. Every method
/// returns false and writes nothing if the buffer is too small or the call is out of order; the
/// header's length field is kept current after each attribute. Padding bytes are zero (RFC 8489 §14).
/// </summary>
public ref struct StunWriter
{
    private readonly Span<byte> _buffer;
    private int _length;
    private bool _hasIntegrity;
    private bool _hasFingerprint;

    public StunWriter(Span<byte> destination)
    {
        _buffer = destination;
        _length = 0;
        _hasIntegrity = false;
        _hasFingerprint = false;
    }

    /// <summary>Bytes written so far (the whole message once the last attribute is written).</summary>
    public readonly int Length => _length;
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>Fills <paramref name="transactionId"/> (12 bytes) from a CSPRNG (RFC 5389 §6).</summary>
    public static void NewTransactionId(Span<byte> transactionId) =>
        RandomNumberGenerator.Fill(transactionId[..StunConstants.TransactionIdLength]);

    public bool WriteHeader(ushort messageType, scoped ReadOnlySpan<byte> transactionId)
    {
        if (_length != 0 || transactionId.Length != StunConstants.TransactionIdLength
            || _buffer.Length < StunConstants.HeaderLength || (messageType & 0xC000) != 0)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer, messageType);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[4..], StunConstants.MagicCookie);
        transactionId.CopyTo(_buffer[8..]);
        _length = StunConstants.HeaderLength;
        return true;
    }

    public bool WriteHeader(StunClass messageClass, ushort method, scoped ReadOnlySpan<byte> transactionId) =>
        WriteHeader(StunMessageType.Compose(messageClass, method), transactionId);

    /// <summary>Any attribute, padded to 4 bytes. Only FINGERPRINT may follow MESSAGE-INTEGRITY.</summary>
    public bool WriteAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        if (!TryReserve(type, value.Length, out Span<byte> destination))
            return false;
        value.CopyTo(destination);
        return true;
    }

    public bool WriteUsername(scoped ReadOnlySpan<byte> username) => WriteAttribute(StunAttributeType.Username, username);

    public bool WriteSoftware(scoped ReadOnlySpan<byte> software) => WriteAttribute(StunAttributeType.Software, software);

    public bool WritePriority(uint priority)
    {
        if (!TryReserve(StunAttributeType.Priority, 4, out Span<byte> value))
            return false;
        BinaryPrimitives.WriteUInt32BigEndian(value, priority);
        return true;
    }

    public bool WriteUseCandidate() => TryReserve(StunAttributeType.UseCandidate, 0, out _);

    public bool WriteIceControlling(ulong tieBreaker) => WriteTieBreaker(StunAttributeType.IceControlling, tieBreaker);

    public bool WriteIceControlled(ulong tieBreaker) => WriteTieBreaker(StunAttributeType.IceControlled, tieBreaker);

    private bool WriteTieBreaker(ushort type, ulong tieBreaker)
    {
        if (!TryReserve(type, 8, out Span<byte> value))
            return false;
        BinaryPrimitives.WriteUInt64BigEndian(value, tieBreaker);
        return true;
    }

    /// <summary>XOR-MAPPED-ADDRESS from 4 (IPv4) or 16 (IPv6) address bytes in network order (RFC 5389 §15.2).</summary>
    public bool WriteXorMappedAddress(scoped ReadOnlySpan<byte> address, ushort port)
    {
        byte family = address.Length switch { 4 => 0x01, 16 => 0x02, _ => (byte)0 };
        if (family == 0 || _length < StunConstants.HeaderLength)
            return false;
        if (!TryReserve(StunAttributeType.XorMappedAddress, 4 + address.Length, out Span<byte> value))
            return false;
        value[0] = 0;
        value[1] = family;
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)(port ^ (StunConstants.MagicCookie >> 16)));
        // XOR with the cookie and then the transaction id, which sit at bytes 4..19 of our header.
        ReadOnlySpan<byte> mask = _buffer.Slice(4, 16);
        for (int i = 0; i < address.Length; i++)
            value[4 + i] = (byte)(address[i] ^ mask[i]);
        return true;
    }

    public bool WriteXorMappedAddress(IPEndPoint endPoint)
    {
        Span<byte> address = stackalloc byte[16];
        return TransportAddress.TryRead(endPoint, address, out int length, out ushort port, out _)
               && WriteXorMappedAddress(address[..length], port);
    }

    /// <summary>From a <see cref="SocketAddress"/> as filled by Socket.ReceiveFrom, without allocating.</summary>
    public bool WriteXorMappedAddress(SocketAddress socketAddress)
    {
        Span<byte> address = stackalloc byte[16];
        return TransportAddress.TryRead(socketAddress, address, out int length, out ushort port, out _)
               && WriteXorMappedAddress(address[..length], port);
    }

    /// <summary>ERROR-CODE (RFC 5389 §15.6): code 300-699, reason phrase in UTF-8 (at most 763 bytes).</summary>
    public bool WriteErrorCode(int code, scoped ReadOnlySpan<byte> reasonPhrase)
    {
        if (code < 300 || code > 699 || reasonPhrase.Length > 763)
            return false;
        if (!TryReserve(StunAttributeType.ErrorCode, 4 + reasonPhrase.Length, out Span<byte> value))
            return false;
        value[0] = 0;
        value[1] = 0;
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        reasonPhrase.CopyTo(value[4..]);
        return true;
    }

    /// <summary>ERROR-CODE with the recommended reason phrase of <see cref="StunErrorCode.ReasonPhrase"/>.</summary>
    public bool WriteErrorCode(int code) => WriteErrorCode(code, StunErrorCode.ReasonPhrase(code));

    /// <summary>UNKNOWN-ATTRIBUTES listing attribute types (RFC 5389 §15.9).</summary>
    public bool WriteUnknownAttributes(scoped ReadOnlySpan<ushort> types)
    {
        if (!TryReserve(StunAttributeType.UnknownAttributes, 2 * types.Length, out Span<byte> value))
            return false;
        for (int i = 0; i < types.Length; i++)
            BinaryPrimitives.WriteUInt16BigEndian(value[(2 * i)..], types[i]);
        return true;
    }

    /// <summary>
    /// MESSAGE-INTEGRITY: HMAC-SHA1 keyed with <paramref name="key"/> over the message so far, with the
    /// header length already covering this attribute (RFC 5389 §15.4).
    /// </summary>
    public bool WriteMessageIntegrity(scoped ReadOnlySpan<byte> key)
    {
        int start = _length;
        if (!TryReserve(StunAttributeType.MessageIntegrity, StunConstants.MessageIntegrityLength, out Span<byte> value))
            return false;
        HMACSHA1.HashData(key, _buffer[..start], value);
        _hasIntegrity = true;
        return true;
    }

    /// <summary>FINGERPRINT: CRC-32 of the message so far XOR 0x5354554E, length covering it (RFC 5389 §15.5).</summary>
    public bool WriteFingerprint()
    {
        int start = _length;
        if (!TryReserve(StunAttributeType.Fingerprint, 4, out Span<byte> value))
            return false;
        BinaryPrimitives.WriteUInt32BigEndian(value, Crc32.Compute(_buffer[..start]) ^ StunConstants.FingerprintXor);
        _hasFingerprint = true;
        return true;
    }

    private bool TryReserve(ushort type, int valueLength, out Span<byte> value)
    {
        value = default;
        if (_length < StunConstants.HeaderLength || _hasFingerprint || valueLength > ushort.MaxValue)
            return false;
        if (_hasIntegrity && type != StunAttributeType.Fingerprint)
            return false;
        int padded = (valueLength + 3) & ~3;
        int end = _length + StunConstants.AttributeHeaderLength + padded;
        if (end > _buffer.Length || end - StunConstants.HeaderLength > ushort.MaxValue)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_length..], type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_length + 2)..], (ushort)valueLength);
        int valueOffset = _length + StunConstants.AttributeHeaderLength;
        _buffer.Slice(valueOffset + valueLength, padded - valueLength).Clear();
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(end - StunConstants.HeaderLength));
        _length = end;
        value = _buffer.Slice(valueOffset, valueLength);
        return true;
    }
}
