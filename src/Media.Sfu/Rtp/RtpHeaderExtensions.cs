namespace Media.Sfu.Rtp;

/// <summary>How the header extension block of a packet is encoded (RFC 8285 §4).</summary>
public enum RtpExtensionForm : byte
{
    /// <summary>The packet has no header extension.</summary>
    None,
    /// <summary>Profile 0xBEDE: 4-bit id, 4-bit length-1 (RFC 8285 §4.2).</summary>
    OneByte,
    /// <summary>Profile 0x100X: 8-bit id, 8-bit length (RFC 8285 §4.3).</summary>
    TwoByte,
    /// <summary>An extension with a profile that is not RFC 8285; its elements cannot be enumerated.</summary>
    Other,
}

/// <summary>Position of one RFC 8285 element inside the extension data block.</summary>
internal readonly struct RtpExtensionElement
{
    public readonly int Id;
    /// <summary>Offset of the element's first header byte within the extension data.</summary>
    public readonly int ElementOffset;
    /// <summary>Offset of the value within the extension data.</summary>
    public readonly int ValueOffset;
    public readonly int ValueLength;

    public RtpExtensionElement(int id, int elementOffset, int valueOffset, int valueLength)
    {
        Id = id;
        ElementOffset = elementOffset;
        ValueOffset = valueOffset;
        ValueLength = valueLength;
    }
}

/// <summary>Walks RFC 8285 elements in an extension data block without allocating.</summary>
internal static class RtpExtensionElements
{
    public const ushort OneByteProfile = 0xBEDE;
    public const ushort TwoByteProfile = 0x1000;

    public static RtpExtensionForm FormOf(bool hasExtension, ushort profile)
    {
        if (!hasExtension)
        {
            return RtpExtensionForm.None;
        }

        if (profile == OneByteProfile)
        {
            return RtpExtensionForm.OneByte;
        }

        // RFC 8285 §4.3: 0x100 followed by 4 "appbits".
        return (profile & 0xFFF0) == TwoByteProfile ? RtpExtensionForm.TwoByte : RtpExtensionForm.Other;
    }

    /// <summary>
    /// Reads the element at or after <paramref name="position"/>, skipping padding bytes.
    /// Returns false at the end of the block or on a malformed element (the rest of the block is ignored).
    /// </summary>
    public static bool TryReadNext(ReadOnlySpan<byte> data, RtpExtensionForm form, ref int position, out RtpExtensionElement element)
    {
        element = default;
        if (form != RtpExtensionForm.OneByte && form != RtpExtensionForm.TwoByte)
        {
            position = data.Length;
            return false;
        }

        while ((uint)position < (uint)data.Length)
        {
            byte b = data[position];
            int id;
            int valueOffset;
            int valueLength;
            if (form == RtpExtensionForm.OneByte)
            {
                id = b >> 4;
                if (id == 0)
                {
                    // RFC 8285 §4.2: id 0 is a padding byte.
                    position++;
                    continue;
                }

                if (id == 15)
                {
                    // RFC 8285 §4.2: id 15 is reserved; processing of the block stops.
                    position = data.Length;
                    return false;
                }

                valueLength = (b & 0x0F) + 1;
                valueOffset = position + 1;
            }
            else
            {
                id = b;
                if (id == 0)
                {
                    position++;
                    continue;
                }

                if (position + 1 >= data.Length)
                {
                    position = data.Length;
                    return false;
                }

                valueLength = data[position + 1];
                valueOffset = position + 2;
            }

            if (valueOffset + valueLength > data.Length)
            {
                position = data.Length;
                return false;
            }

            element = new RtpExtensionElement(id, position, valueOffset, valueLength);
            position = valueOffset + valueLength;
            return true;
        }

        return false;
    }

    public static bool TryFind(ReadOnlySpan<byte> data, RtpExtensionForm form, int id, out RtpExtensionElement element)
    {
        int position = 0;
        while (TryReadNext(data, form, ref position, out element))
        {
            if (element.Id == id)
            {
                return true;
            }
        }

        element = default;
        return false;
    }

    public static bool IsValidId(RtpExtensionForm form, int id) => form switch
    {
        RtpExtensionForm.OneByte => id is >= 1 and <= 14,
        RtpExtensionForm.TwoByte => id is >= 1 and <= 255,
        _ => false,
    };

    /// <summary>Writes a new id into the element header in place; the caller has validated the id for the form.</summary>
    public static void WriteId(Span<byte> data, RtpExtensionForm form, in RtpExtensionElement element, int newId)
    {
        if (form == RtpExtensionForm.OneByte)
        {
            data[element.ElementOffset] = (byte)((newId << 4) | (data[element.ElementOffset] & 0x0F));
        }
        else
        {
            data[element.ElementOffset] = (byte)newId;
        }
    }
}

/// <summary>One header extension element of an <see cref="RtpPacket"/>; the value is writable in place.</summary>
public readonly ref struct RtpExtension
{
    public RtpExtension(int id, Span<byte> value)
    {
        Id = id;
        Value = value;
    }

    public int Id { get; }
    public Span<byte> Value { get; }
}

/// <summary>Enumerates the RFC 8285 elements of a packet with <c>foreach</c>, skipping padding.</summary>
public ref struct RtpExtensionEnumerator
{
    private readonly Span<byte> _data;
    private readonly RtpExtensionForm _form;
    private int _position;
    private RtpExtension _current;

    internal RtpExtensionEnumerator(Span<byte> data, RtpExtensionForm form)
    {
        _data = data;
        _form = form;
        _position = 0;
        _current = default;
    }

    public readonly RtpExtension Current => _current;

    public readonly RtpExtensionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (!RtpExtensionElements.TryReadNext(_data, _form, ref _position, out var element))
        {
            return false;
        }

        _current = new RtpExtension(element.Id, _data.Slice(element.ValueOffset, element.ValueLength));
        return true;
    }
}
