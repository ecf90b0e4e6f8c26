using System.Buffers.Binary;

namespace Media.Sfu.Rtp;

/// <summary>
/// Builds one RTP packet into a caller buffer, in wire order: header (constructor), CSRCs,
/// one-byte header extensions (RFC 8285 §4.2), payload, then <see cref="TryComplete"/> with optional padding.
/// Every step returns false (and the writer stays failed) when the buffer is too small or the order is wrong.
/// </summary>
public ref struct RtpPacketWriter
{
    private enum Stage : byte { Csrcs, Extensions, Payload, Complete, Failed }

    private readonly Span<byte> _buffer;
    private int _position;
    private int _extensionHeaderOffset;
    private Stage _stage;

    public RtpPacketWriter(Span<byte> destination, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc,
        bool marker = false)
    {
        _buffer = destination;
        _extensionHeaderOffset = -1;
        _position = 0;
        if (destination.Length < RtpPacket.FixedHeaderLength)
        {
            _stage = Stage.Failed;
            return;
        }

        _stage = Stage.Csrcs;
        destination[0] = 0x80; // V=2, P=0, X=0, CC=0 until CSRCs/extensions are added
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8), ssrc);
        _position = RtpPacket.FixedHeaderLength;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    public readonly bool Failed => _stage == Stage.Failed;

    public bool TryAddCsrc(uint csrc)
    {
        if (_stage != Stage.Csrcs || (_buffer[0] & 0x0F) == RtpPacket.MaxCsrcCount || _position + 4 > _buffer.Length)
        {
            return Fail();
        }

        BinaryPrimitives.WriteUInt32BigEndian(_buffer.Slice(_position), csrc);
        _position += 4;
        _buffer[0]++;
        return true;
    }

    /// <summary>Adds a one-byte-form element: id 1..14, value 1..16 bytes.</summary>
    public bool TryAddExtension(int id, scoped ReadOnlySpan<byte> value)
    {
        if (_stage > Stage.Extensions || id is < 1 or > 14 || value.Length is < 1 or > 16)
        {
            return Fail();
        }

        if (_stage == Stage.Csrcs)
        {
            if (_position + 4 > _buffer.Length)
            {
                return Fail();
            }

            _extensionHeaderOffset = _position;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(_position), RtpExtensionElements.OneByteProfile);
            _position += 4;
            _buffer[0] |= 0x10;
            _stage = Stage.Extensions;
        }

        if (_position + 1 + value.Length > _buffer.Length)
        {
            return Fail();
        }

        _buffer[_position] = (byte)((id << 4) | (value.Length - 1));
        value.CopyTo(_buffer.Slice(_position + 1));
        _position += 1 + value.Length;
        return true;
    }

    /// <summary>Appends payload bytes; may be called more than once.</summary>
    public bool TryWritePayload(scoped ReadOnlySpan<byte> payload)
    {
        if (!TryReservePayload(payload.Length, out var target))
        {
            return false;
        }

        payload.CopyTo(target);
        return true;
    }

    /// <summary>Reserves <paramref name="length"/> payload bytes for the caller to fill (avoids a copy).</summary>
    public bool TryReservePayload(int length, out Span<byte> payload)
    {
        payload = default;
        if (length < 0 || !TryEnterPayload() || _position + length > _buffer.Length)
        {
            return Fail();
        }

        payload = _buffer.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>
    /// Finishes the packet. <paramref name="paddingLength"/> 0 means no padding, otherwise 1..255 bytes
    /// with the count in the last one (RFC 3550 §5.1), e.g. 255 for a padding-only bandwidth probe.
    /// </summary>
    public bool TryComplete(int paddingLength, out int packetLength)
    {
        packetLength = 0;
        if (paddingLength is < 0 or > 255 || !TryEnterPayload() || _position + paddingLength > _buffer.Length)
        {
            return Fail();
        }

        if (paddingLength > 0)
        {
            _buffer.Slice(_position, paddingLength - 1).Clear();
            _buffer[_position + paddingLength - 1] = (byte)paddingLength;
            _buffer[0] |= 0x20;
            _position += paddingLength;
        }

        _stage = Stage.Complete;
        packetLength = _position;
        return true;
    }

    private bool TryEnterPayload()
    {
        if (_stage == Stage.Payload)
        {
            return true;
        }

        if (_stage > Stage.Payload)
        {
            return false;
        }

        if (_stage == Stage.Extensions)
        {
            // RFC 3550 §5.3.1: the extension length counts 32-bit words; pad elements with zero bytes (RFC 8285 §4.2).
            int dataLength = _position - _extensionHeaderOffset - 4;
            int padded = (dataLength + 3) & ~3;
            if (_extensionHeaderOffset + 4 + padded > _buffer.Length)
            {
                return false;
            }

            _buffer.Slice(_position, padded - dataLength).Clear();
            _position = _extensionHeaderOffset + 4 + padded;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(_extensionHeaderOffset + 2), (ushort)(padded / 4));
        }

        _stage = Stage.Payload;
        return true;
    }

    private bool Fail()
    {
        _stage = Stage.Failed;
        return false;
    }
}
