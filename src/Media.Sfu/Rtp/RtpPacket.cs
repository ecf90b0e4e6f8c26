using System.Buffers.Binary;

namespace Media.Sfu.Rtp;

/// <summary>
/// Zero-copy view over one RTP packet (RFC 3550 §5.1) in a caller-owned buffer.
/// Getters read the wire bytes; setters and extension rewrites change the buffer in place.
/// </summary>
public readonly ref struct RtpPacket
{
    public const int FixedHeaderLength = 12;
    public const int MaxCsrcCount = 15;

    private readonly Span<byte> _packet;
    private readonly RtpHeaderLayout _layout;

    private RtpPacket(Span<byte> packet, RtpHeaderLayout layout)
    {
        _packet = packet;
        _layout = layout;
    }

    /// <summary>
    /// Parses <paramref name="packet"/> (exactly one packet). Checks version 2, that CSRCs and the
    /// extension block fit, and that the padding count is 1..(bytes after the header).
    /// </summary>
    public static bool TryParse(Span<byte> packet, out RtpPacket rtp)
    {
        if (!RtpHeaderLayout.TryRead(packet, out var layout))
        {
            rtp = default;
            return false;
        }

        rtp = new RtpPacket(packet, layout);
        return true;
    }

    /// <summary>The whole packet.</summary>
    public Span<byte> Buffer => _packet;

    public int Length => _packet.Length;

    public bool HasPadding => (_packet[0] & 0x20) != 0;

    public bool HasExtension => (_packet[0] & 0x10) != 0;

    public int CsrcCount => _layout.CsrcCount;

    public bool Marker
    {
        get => (_packet[1] & 0x80) != 0;
        set => _packet[1] = (byte)(value ? _packet[1] | 0x80 : _packet[1] & 0x7F);
    }

    /// <summary>7-bit payload type; the setter ignores the high bit of the value.</summary>
    public byte PayloadType
    {
        get => (byte)(_packet[1] & 0x7F);
        set => _packet[1] = (byte)((_packet[1] & 0x80) | (value & 0x7F));
    }

    public ushort SequenceNumber
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_packet.Slice(2));
        set => BinaryPrimitives.WriteUInt16BigEndian(_packet.Slice(2), value);
    }

    public uint Timestamp
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(4));
        set => BinaryPrimitives.WriteUInt32BigEndian(_packet.Slice(4), value);
    }

    public uint Ssrc
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(8));
        set => BinaryPrimitives.WriteUInt32BigEndian(_packet.Slice(8), value);
    }

    /// <summary>The raw CSRC list (4 bytes per entry, network order).</summary>
    public ReadOnlySpan<byte> Csrcs => _packet.Slice(FixedHeaderLength, 4 * _layout.CsrcCount);

    /// <summary>CSRC number <paramref name="index"/>; 0 when out of range.</summary>
    public uint GetCsrc(int index) =>
        (uint)index < (uint)_layout.CsrcCount
            ? BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(FixedHeaderLength + 4 * index))
            : 0;

    /// <summary>Fixed header + CSRCs + header extension.</summary>
    public int HeaderLength => _layout.HeaderLength;

    public Span<byte> Payload => _packet.Slice(_layout.HeaderLength, _layout.PayloadLength);

    public int PaddingLength => _layout.PaddingLength;

    /// <summary>The 16-bit "defined by profile" field of the extension header, 0 without extension.</summary>
    public ushort ExtensionProfile => _layout.ExtensionProfile;

    /// <summary>The extension data after the profile/length word.</summary>
    public Span<byte> ExtensionData => _packet.Slice(_layout.ExtensionOffset, _layout.ExtensionLength);

    public RtpExtensionForm ExtensionForm => RtpExtensionElements.FormOf(HasExtension, _layout.ExtensionProfile);

    /// <summary>Enumerates the extension elements (<c>foreach (var e in packet.Extensions)</c>).</summary>
    public RtpExtensionEnumerator Extensions => new(ExtensionData, ExtensionForm);

    /// <summary>Finds the first element with <paramref name="id"/>; the value span is writable in place.</summary>
    public bool TryGetExtension(int id, out Span<byte> value)
    {
        var data = ExtensionData;
        if (RtpExtensionElements.TryFind(data, ExtensionForm, id, out var element))
        {
            value = data.Slice(element.ValueOffset, element.ValueLength);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Overwrites the value of element <paramref name="id"/>; only when the length is unchanged.</summary>
    public bool TryWriteExtension(int id, ReadOnlySpan<byte> value)
    {
        if (!TryGetExtension(id, out var target) || target.Length != value.Length)
        {
            return false;
        }

        value.CopyTo(target);
        return true;
    }

    /// <summary>
    /// Renumbers element <paramref name="oldId"/> to <paramref name="newId"/> in place (the two peers negotiate
    /// different ids for the same URI). Fails if the id is absent or not valid for the packet's form.
    /// </summary>
    public bool TryChangeExtensionId(int oldId, int newId)
    {
        var form = ExtensionForm;
        if (!RtpExtensionElements.IsValidId(form, newId))
        {
            return false;
        }

        var data = ExtensionData;
        if (!RtpExtensionElements.TryFind(data, form, oldId, out var element))
        {
            return false;
        }

        RtpExtensionElements.WriteId(data, form, element, newId);
        return true;
    }

    /// <summary>
    /// Renumbers every element in one pass: <c>newIdByOldId[oldId]</c> is the new id, 0 removes the element
    /// (its bytes become padding), and ids beyond the table are removed too. Swaps (3↔5) are safe because
    /// each element is rewritten once. Nothing is changed when a new id is invalid for the packet's form.
    /// </summary>
    public bool TryRemapExtensionIds(ReadOnlySpan<byte> newIdByOldId)
    {
        var form = ExtensionForm;
        if (form == RtpExtensionForm.None)
        {
            return true;
        }

        if (form == RtpExtensionForm.Other)
        {
            return false;
        }

        var data = ExtensionData;
        int position = 0;
        while (RtpExtensionElements.TryReadNext(data, form, ref position, out var element))
        {
            int newId = element.Id < newIdByOldId.Length ? newIdByOldId[element.Id] : 0;
            if (newId != 0 && !RtpExtensionElements.IsValidId(form, newId))
            {
                return false;
            }
        }

        position = 0;
        while (RtpExtensionElements.TryReadNext(data, form, ref position, out var element))
        {
            int newId = element.Id < newIdByOldId.Length ? newIdByOldId[element.Id] : 0;
            if (newId == 0)
            {
                Erase(data, element);
            }
            else
            {
                RtpExtensionElements.WriteId(data, form, element, newId);
            }
        }

        return true;
    }

    /// <summary>Removes element <paramref name="id"/> by turning its bytes into padding (RFC 8285 §4.2/§4.3 id 0).</summary>
    public bool TryRemoveExtension(int id)
    {
        var data = ExtensionData;
        if (!RtpExtensionElements.TryFind(data, ExtensionForm, id, out var element))
        {
            return false;
        }

        Erase(data, element);
        return true;
    }

    private static void Erase(Span<byte> data, in RtpExtensionElement element) =>
        data.Slice(element.ElementOffset, element.ValueOffset + element.ValueLength - element.ElementOffset).Clear();
}
