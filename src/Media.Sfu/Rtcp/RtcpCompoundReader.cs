namespace Media.Sfu.Rtcp;

/// <summary>Why a compound RTCP packet was rejected (RFC 3550 A.2).</summary>
public enum RtcpCompoundError : byte
{
    None,
    /// <summary>Fewer than 4 bytes left where a header was expected (or an empty compound).</summary>
    Truncated,
    BadVersion,
    /// <summary>A length field points past the end of the datagram.</summary>
    LengthExceedsBuffer,
    /// <summary>Padding count 0 or larger than the packet.</summary>
    BadPadding,
    /// <summary>The padding bit is set on a packet that is not the last one.</summary>
    PaddingNotLast,
}

/// <summary>
/// Iterates the packets of a compound RTCP datagram without allocating:
/// <code>
/// var reader = new RtcpCompoundReader(datagram);
/// while (reader.TryReadNext(out var header, out var packet)) { ... }
/// if (reader.Error != RtcpCompoundError.None) { /* drop or log */ }
/// </code>
/// Each packet span includes its header and padding; pass it to the type's view (e.g. <see cref="GenericNack.TryParse"/>).
/// Iteration stops at the first invalid packet; packets before it were already yielded, so callers that need
/// A.2 all-or-nothing semantics run <see cref="Validate"/> first.
/// </summary>
public ref struct RtcpCompoundReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly bool _allowPaddingOnAnyPacket;
    private int _offset;
    private RtcpCompoundError _error;

    /// <param name="compound">The datagram (after SRTCP unprotect).</param>
    /// <param name="allowPaddingOnAnyPacket">
    /// RFC 3550 A.2 allows padding only on the last packet; libwebrtc pads transport-cc feedback and may batch
    /// several such packets in one datagram, so set this for browser-facing ingress.
    /// </param>
    public RtcpCompoundReader(ReadOnlySpan<byte> compound, bool allowPaddingOnAnyPacket = false)
    {
        _buffer = compound;
        _allowPaddingOnAnyPacket = allowPaddingOnAnyPacket;
        _offset = 0;
        _error = compound.IsEmpty ? RtcpCompoundError.Truncated : RtcpCompoundError.None;
    }

    public readonly RtcpCompoundError Error => _error;

    /// <summary>Offset of the next packet within the datagram.</summary>
    public readonly int Offset => _offset;

    public bool TryReadNext(out RtcpHeader header, out ReadOnlySpan<byte> packet)
    {
        header = default;
        packet = default;
        if (_error != RtcpCompoundError.None || _offset >= _buffer.Length)
        {
            return false;
        }

        var remaining = _buffer.Slice(_offset);
        var error = RtcpHeader.TryParse(remaining, out header, out int length);
        if (error == RtcpCompoundError.None && header.HasPadding && !_allowPaddingOnAnyPacket && length != remaining.Length)
        {
            error = RtcpCompoundError.PaddingNotLast;
        }

        if (error != RtcpCompoundError.None)
        {
            _error = error;
            header = default;
            return false;
        }

        packet = remaining.Slice(0, length);
        _offset += length;
        return true;
    }

    /// <summary>Checks a whole compound: every header valid and the lengths adding up to the datagram size.</summary>
    public static RtcpCompoundError Validate(ReadOnlySpan<byte> compound, bool allowPaddingOnAnyPacket = false)
    {
        var reader = new RtcpCompoundReader(compound, allowPaddingOnAnyPacket);
        while (reader.TryReadNext(out _, out _))
        {
        }

        return reader.Error;
    }
}
