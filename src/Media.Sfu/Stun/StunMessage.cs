using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Media.Sfu.Stun;

/// <summary>
/// A validated, zero-copy view of one STUN message (RFC 5389 §6, §15). <see cref="TryParse"/>
/// walks the attributes once and remembers where the ones ICE needs are, so lookups are O(1).
/// The view borrows the caller's buffer: it is valid only while that buffer is unchanged.
/// </summary>
public ref struct StunMessage
{
    private ReadOnlySpan<byte> _raw;
    // Offsets are of attribute values, except _integrityOffset and _fingerprintOffset, which point
    // at the attribute header because the HMAC and CRC cover everything before it. 0 = absent
    // (no attribute can start inside the 20-byte header).
    private int _usernameOffset, _usernameLength;
    private int _priorityOffset;
    private int _useCandidateOffset;
    private int _controllingOffset, _controlledOffset;
    private int _errorCodeOffset, _errorCodeLength;
    private int _xorMappedOffset, _xorMappedLength;
    private int _integrityOffset;
    private int _fingerprintOffset;
    private int _unknownRequiredCount;

    /// <summary>The message bytes (header and attributes); trailing bytes of the datagram are not included.</summary>
    public readonly ReadOnlySpan<byte> Raw => _raw;
    /// <summary>Header plus attributes, in bytes.</summary>
    public readonly int Length => _raw.Length;
    public readonly ushort MessageType => BinaryPrimitives.ReadUInt16BigEndian(_raw);
    public readonly StunClass Class => StunMessageType.ClassOf(MessageType);
    public readonly ushort Method => StunMessageType.MethodOf(MessageType);
    public readonly ReadOnlySpan<byte> TransactionId => _raw.Slice(8, StunConstants.TransactionIdLength);

    public readonly bool HasUsername => _usernameOffset != 0;
    public readonly bool HasPriority => _priorityOffset != 0;
    public readonly bool HasUseCandidate => _useCandidateOffset != 0;
    public readonly bool HasIceControlling => _controllingOffset != 0;
    public readonly bool HasIceControlled => _controlledOffset != 0;
    public readonly bool HasMessageIntegrity => _integrityOffset != 0;
    /// <summary>True when FINGERPRINT is present; the parser only accepts it as the last attribute.</summary>
    public readonly bool HasFingerprint => _fingerprintOffset != 0;
    public readonly bool HasErrorCode => _errorCodeOffset != 0;
    public readonly bool HasXorMappedAddress => _xorMappedOffset != 0;
    /// <summary>Comprehension-required attributes before MESSAGE-INTEGRITY that this stack does not know.</summary>
    public readonly int UnknownComprehensionRequiredCount => _unknownRequiredCount;

    /// <summary>
    /// Cheap first-byte demultiplexing test (RFC 7983 §7: first byte 0-3) plus the magic cookie and a
    /// length that is a multiple of 4. Does not walk the attributes; <see cref="TryParse"/> does.
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= StunConstants.HeaderLength
        && datagram[0] < 4
        && (datagram[3] & 3) == 0
        && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == StunConstants.MagicCookie;

    /// <summary>
    /// Parses a STUN message at the start of <paramref name="datagram"/>. Returns false for anything
    /// that is not a well-formed message: top bits of the type set, wrong cookie, length not a
    /// multiple of 4 or past the buffer, an attribute overrunning the message, a known attribute
    /// with an impossible length, or anything after FINGERPRINT (which must be last, RFC 5389 §15.5).
    /// Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored (RFC 5389 §15.4).
    /// The first occurrence of a repeated attribute wins (RFC 5389 §15).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (datagram.Length < StunConstants.HeaderLength || (datagram[0] & 0xC0) != 0)
            return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != StunConstants.MagicCookie)
            return false;
        int bodyLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((bodyLength & 3) != 0 || bodyLength > datagram.Length - StunConstants.HeaderLength)
            return false;

        ReadOnlySpan<byte> raw = datagram[..(StunConstants.HeaderLength + bodyLength)];
        var m = new StunMessage { _raw = raw };
        int offset = StunConstants.HeaderLength;
        bool afterIntegrity = false;
        while (offset < raw.Length)
        {
            // offset and raw.Length are both multiples of 4, so 4 header bytes are always there.
            if (m._fingerprintOffset != 0)
                return false;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(raw[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(raw[(offset + 2)..]);
            int valueOffset = offset + StunConstants.AttributeHeaderLength;
            int padded = (length + 3) & ~3;
            if (padded > raw.Length - valueOffset)
                return false;

            if (type == StunAttributeType.Fingerprint)
            {
                if (length != 4)
                    return false;
                m._fingerprintOffset = offset;
            }
            else if (!afterIntegrity)
            {
                switch (type)
                {
                    case StunAttributeType.MessageIntegrity:
                        if (length != StunConstants.MessageIntegrityLength)
                            return false;
                        m._integrityOffset = offset;
                        afterIntegrity = true;
                        break;
                    case StunAttributeType.Username:
                        if (m._usernameOffset == 0)
                        {
                            m._usernameOffset = valueOffset;
                            m._usernameLength = length;
                        }
                        break;
                    case StunAttributeType.Priority:
                        if (length != 4)
                            return false;
                        if (m._priorityOffset == 0)
                            m._priorityOffset = valueOffset;
                        break;
                    case StunAttributeType.UseCandidate:
                        if (length != 0)
                            return false;
                        if (m._useCandidateOffset == 0)
                            m._useCandidateOffset = valueOffset;
                        break;
                    case StunAttributeType.IceControlling:
                        if (length != 8)
                            return false;
                        if (m._controllingOffset == 0)
                            m._controllingOffset = valueOffset;
                        break;
                    case StunAttributeType.IceControlled:
                        if (length != 8)
                            return false;
                        if (m._controlledOffset == 0)
                            m._controlledOffset = valueOffset;
                        break;
                    case StunAttributeType.ErrorCode:
                        if (length < 4)
                            return false;
                        if (m._errorCodeOffset == 0)
                        {
                            m._errorCodeOffset = valueOffset;
                            m._errorCodeLength = length;
                        }
                        break;
                    case StunAttributeType.XorMappedAddress:
                        if (length < 4)
                            return false;
                        if (m._xorMappedOffset == 0)
                        {
                            m._xorMappedOffset = valueOffset;
                            m._xorMappedLength = length;
                        }
                        break;
                    default:
                        if (StunAttributeType.IsComprehensionRequired(type) && !StunAttributeType.IsKnownComprehensionRequired(type))
                            m._unknownRequiredCount++;
                        break;
                }
            }
            offset = valueOffset + padded;
        }
        message = m;
        return true;
    }

    public readonly bool TryGetUsername(out ReadOnlySpan<byte> username)
    {
        username = _usernameOffset != 0 ? _raw.Slice(_usernameOffset, _usernameLength) : default;
        return _usernameOffset != 0;
    }

    public readonly bool TryGetPriority(out uint priority)
    {
        priority = _priorityOffset != 0 ? BinaryPrimitives.ReadUInt32BigEndian(_raw[_priorityOffset..]) : 0;
        return _priorityOffset != 0;
    }

    /// <summary>The tie-breaker of ICE-CONTROLLING (RFC 8445 §16.1).</summary>
    public readonly bool TryGetIceControlling(out ulong tieBreaker)
    {
        tieBreaker = _controllingOffset != 0 ? BinaryPrimitives.ReadUInt64BigEndian(_raw[_controllingOffset..]) : 0;
        return _controllingOffset != 0;
    }

    /// <summary>The tie-breaker of ICE-CONTROLLED (RFC 8445 §16.1).</summary>
    public readonly bool TryGetIceControlled(out ulong tieBreaker)
    {
        tieBreaker = _controlledOffset != 0 ? BinaryPrimitives.ReadUInt64BigEndian(_raw[_controlledOffset..]) : 0;
        return _controlledOffset != 0;
    }

    /// <summary>ERROR-CODE as class*100+number and its UTF-8 reason phrase (RFC 5389 §15.6).</summary>
    public readonly bool TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason)
    {
        code = 0;
        reason = default;
        if (_errorCodeOffset == 0)
            return false;
        ReadOnlySpan<byte> value = _raw.Slice(_errorCodeOffset, _errorCodeLength);
        int errorClass = value[2] & 0x07;
        int number = value[3];
        if (errorClass < 3 || errorClass > 6 || number > 99)
            return false;
        code = errorClass * 100 + number;
        reason = value[4..];
        return true;
    }

    /// <summary>
    /// Decodes XOR-MAPPED-ADDRESS (RFC 5389 §15.2) into <paramref name="address"/> (at least 16 bytes):
    /// 4 bytes for IPv4, 16 for IPv6.
    /// </summary>
    public readonly bool TryGetXorMappedAddress(Span<byte> address, out int addressLength, out ushort port)
    {
        addressLength = 0;
        port = 0;
        if (_xorMappedOffset == 0 || address.Length < 16)
            return false;
        ReadOnlySpan<byte> value = _raw.Slice(_xorMappedOffset, _xorMappedLength);
        int length = value[1] switch { 0x01 => 4, 0x02 => 16, _ => 0 };
        if (length == 0 || value.Length != 4 + length)
            return false;
        port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (StunConstants.MagicCookie >> 16));
        // The address is XORed with the cookie followed by the transaction id (bytes 4..19 of the header).
        ReadOnlySpan<byte> mask = _raw.Slice(4, 16);
        for (int i = 0; i < length; i++)
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        addressLength = length;
        return true;
    }

    /// <summary>Allocating convenience for clients and tests.</summary>
    public readonly bool TryGetXorMappedAddress(out IPEndPoint? endPoint)
    {
        Span<byte> address = stackalloc byte[16];
        if (!TryGetXorMappedAddress(address, out int length, out ushort port))
        {
            endPoint = null;
            return false;
        }
        endPoint = new IPEndPoint(new IPAddress(address[..length]), port);
        return true;
    }

    /// <summary>First occurrence of any attribute type, by a linear scan (for attributes without a dedicated accessor).</summary>
    public readonly bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        int offset = StunConstants.HeaderLength;
        while (offset < _raw.Length)
        {
            ushort t = BinaryPrimitives.ReadUInt16BigEndian(_raw[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_raw[(offset + 2)..]);
            if (t == type)
            {
                value = _raw.Slice(offset + StunConstants.AttributeHeaderLength, length);
                return true;
            }
            offset += StunConstants.AttributeHeaderLength + ((length + 3) & ~3);
        }
        value = default;
        return false;
    }

    /// <summary>
    /// Copies the unknown comprehension-required attribute types (those counted by
    /// <see cref="UnknownComprehensionRequiredCount"/>) into <paramref name="types"/>, for a 420
    /// response's UNKNOWN-ATTRIBUTES. Returns how many were copied.
    /// </summary>
    public readonly int GetUnknownComprehensionRequired(Span<ushort> types)
    {
        int count = 0;
        int end = _integrityOffset != 0 ? _integrityOffset : _raw.Length;
        int offset = StunConstants.HeaderLength;
        while (offset < end && count < types.Length)
        {
            ushort t = BinaryPrimitives.ReadUInt16BigEndian(_raw[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_raw[(offset + 2)..]);
            if (StunAttributeType.IsComprehensionRequired(t) && !StunAttributeType.IsKnownComprehensionRequired(t))
                types[count++] = t;
            offset += StunConstants.AttributeHeaderLength + ((length + 3) & ~3);
        }
        return count;
    }

    /// <summary>
    /// Checks MESSAGE-INTEGRITY: HMAC-SHA1 keyed with <paramref name="key"/> over the message up to
    /// the attribute, with the header length set as if the message ended right after it
    /// (RFC 5389 §15.4). For short-term credentials (ICE) the key is the password's bytes.
    /// The comparison takes the same time whatever the mismatch.
    /// </summary>
    [SkipLocalsInit]
    public readonly bool ValidateMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset == 0)
            return false;
        int prefixLength = _integrityOffset;
        // HashData needs one contiguous input, and the header length must be rewritten, so the
        // prefix is copied: to the stack for the usual sizes, to a pooled array otherwise.
        const int StackLimit = 1024;
        byte[]? rented = null;
        Span<byte> copy = prefixLength <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(prefixLength));
        copy = copy[..prefixLength];
        _raw[..prefixLength].CopyTo(copy);
        int adjustedLength = prefixLength - StunConstants.HeaderLength + StunConstants.MessageIntegrityAttributeLength;
        BinaryPrimitives.WriteUInt16BigEndian(copy[2..], (ushort)adjustedLength);

        Span<byte> mac = stackalloc byte[StunConstants.MessageIntegrityLength];
        HMACSHA1.HashData(key, copy, mac);
        bool valid = CryptographicOperations.FixedTimeEquals(
            mac, _raw.Slice(_integrityOffset + StunConstants.AttributeHeaderLength, StunConstants.MessageIntegrityLength));
        if (rented != null)
            ArrayPool<byte>.Shared.Return(rented);
        return valid;
    }

    /// <summary>Checks FINGERPRINT: CRC-32 of everything before it, XOR 0x5354554E (RFC 5389 §15.5).</summary>
    public readonly bool ValidateFingerprint()
    {
        if (_fingerprintOffset == 0)
            return false;
        uint expected = Crc32.Compute(_raw[.._fingerprintOffset]) ^ StunConstants.FingerprintXor;
        uint actual = BinaryPrimitives.ReadUInt32BigEndian(_raw[(_fingerprintOffset + StunConstants.AttributeHeaderLength)..]);
        return expected == actual;
    }
}
