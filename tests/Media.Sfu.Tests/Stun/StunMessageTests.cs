using System.Buffers.Binary;
using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Stun;

public class StunMessageTests
{
    private static readonly byte[] TxId = Hex.Parse("00 11 22 33 44 55 66 77 88 99 aa bb");

    /// <summary>Header plus raw attribute bytes, with the length field set to match.</summary>
    private static byte[] Message(ushort type, params byte[][] attributes)
    {
        int bodyLength = attributes.Sum(a => a.Length);
        var bytes = new byte[20 + bodyLength];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, type);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)bodyLength);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), StunConstants.MagicCookie);
        TxId.CopyTo(bytes, 8);
        int offset = 20;
        foreach (byte[] a in attributes)
        {
            a.CopyTo(bytes, offset);
            offset += a.Length;
        }
        return bytes;
    }

    private static byte[] Attribute(ushort type, params byte[] value)
    {
        var bytes = new byte[4 + ((value.Length + 3) & ~3)];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, type);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)value.Length);
        value.CopyTo(bytes, 4);
        return bytes;
    }

    [Fact]
    public void EmptyBindingRequest_Parses()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest);
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.Equal(20, m.Length);
        Assert.Equal(StunClass.Request, m.Class);
        Assert.False(m.HasUsername || m.HasPriority || m.HasMessageIntegrity || m.HasFingerprint);
        Assert.False(m.ValidateMessageIntegrity("key"u8));
        Assert.False(m.ValidateFingerprint());
        Assert.False(m.TryGetUsername(out _));
        Assert.False(m.TryGetPriority(out _));
        Assert.False(m.TryGetErrorCode(out _, out _));
        Span<byte> address = stackalloc byte[16];
        Assert.False(m.TryGetXorMappedAddress(address, out _, out _));
    }

    [Fact]
    public void TopBitsSet_Rejected()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest);
        bytes[0] |= 0x40;
        Assert.False(StunMessage.TryParse(bytes, out _));
        Assert.False(StunMessage.IsStun(bytes));
    }

    [Fact]
    public void WrongCookie_Rejected()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest);
        bytes[7] ^= 1;
        Assert.False(StunMessage.TryParse(bytes, out _));
        Assert.False(StunMessage.IsStun(bytes));
    }

    [Fact]
    public void LengthNotMultipleOfFour_Rejected()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest, Attribute(StunAttributeType.Priority, 0, 0, 0, 1));
        bytes[3] = 7;
        Assert.False(StunMessage.TryParse(bytes, out _));
        Assert.False(StunMessage.IsStun(bytes));
    }

    [Fact]
    public void LengthPastBuffer_Rejected()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest, Attribute(StunAttributeType.Priority, 0, 0, 0, 1));
        Assert.False(StunMessage.TryParse(bytes.AsSpan(0, bytes.Length - 4), out _));
    }

    [Fact]
    public void TrailingBytes_AreNotPartOfTheMessage()
    {
        byte[] message = Message(StunMessageType.BindingRequest, Attribute(StunAttributeType.Priority, 0, 0, 0, 1));
        byte[] datagram = [.. message, 1, 2, 3];
        Assert.True(StunMessage.TryParse(datagram, out StunMessage m));
        Assert.Equal(message.Length, m.Length);
    }

    [Fact]
    public void AttributeOverrunningMessage_Rejected()
    {
        byte[] attribute = Attribute(StunAttributeType.Username, "abcd"u8.ToArray());
        attribute[3] = 9; // claims 9 bytes (12 padded) where 4 are left
        Assert.False(StunMessage.TryParse(Message(StunMessageType.BindingRequest, attribute), out _));
    }

    [Theory]
    [InlineData(StunAttributeType.Priority, 3)]
    [InlineData(StunAttributeType.Priority, 8)]
    [InlineData(StunAttributeType.UseCandidate, 4)]
    [InlineData(StunAttributeType.IceControlling, 4)]
    [InlineData(StunAttributeType.IceControlled, 12)]
    [InlineData(StunAttributeType.MessageIntegrity, 16)]
    [InlineData(StunAttributeType.Fingerprint, 8)]
    [InlineData(StunAttributeType.ErrorCode, 2)]
    [InlineData(StunAttributeType.XorMappedAddress, 2)]
    public void KnownAttributeWithImpossibleLength_Rejected(ushort type, int length)
    {
        byte[] bytes = Message(StunMessageType.BindingRequest, Attribute(type, new byte[length]));
        Assert.False(StunMessage.TryParse(bytes, out _));
    }

    [Fact]
    public void AttributeAfterFingerprint_Rejected()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest,
            Attribute(StunAttributeType.Fingerprint, 0, 0, 0, 0),
            Attribute(StunAttributeType.Priority, 0, 0, 0, 1));
        Assert.False(StunMessage.TryParse(bytes, out _));
    }

    [Fact]
    public void AttributesAfterMessageIntegrity_AreIgnored()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest,
            Attribute(StunAttributeType.MessageIntegrity, new byte[20]),
            Attribute(StunAttributeType.Priority, 0, 0, 0, 1),
            Attribute(StunAttributeType.UseCandidate),
            Attribute(0x7777, 1, 2, 3, 4));
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.True(m.HasMessageIntegrity);
        Assert.False(m.HasPriority);
        Assert.False(m.HasUseCandidate);
        Assert.Equal(0, m.UnknownComprehensionRequiredCount);
    }

    [Fact]
    public void RepeatedAttribute_FirstOccurrenceWins()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest,
            Attribute(StunAttributeType.Priority, 0, 0, 0, 1),
            Attribute(StunAttributeType.Priority, 0, 0, 0, 2),
            Attribute(StunAttributeType.Username, (byte)'a', (byte)':', (byte)'b'),
            Attribute(StunAttributeType.Username, (byte)'c'));
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.True(m.TryGetPriority(out uint priority));
        Assert.Equal(1u, priority);
        Assert.True(m.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal("a:b"u8.ToArray(), username.ToArray());
    }

    [Fact]
    public void UnknownComprehensionRequired_CountedAndListed_OptionalIgnored()
    {
        byte[] bytes = Message(StunMessageType.BindingRequest,
            Attribute(0x7001, 1),
            Attribute(0xC057, 0, 1, 0, 0), // GOOG-NETWORK-INFO: comprehension-optional
            Attribute(StunAttributeType.Software, (byte)'x'),
            Attribute(0x0003, 0, 0, 0, 0)); // CHANGE-REQUEST (RFC 5780): unknown here
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.Equal(2, m.UnknownComprehensionRequiredCount);
        Span<ushort> types = stackalloc ushort[4];
        int count = m.GetUnknownComprehensionRequired(types);
        Assert.Equal(new ushort[] { 0x7001, 0x0003 }, types[..count].ToArray());
        Assert.Equal(1, m.GetUnknownComprehensionRequired(types[..1]));
    }

    [Fact]
    public void ErrorCode_DecodesClassNumberAndReason()
    {
        byte[] bytes = Message(StunMessageType.BindingErrorResponse,
            Attribute(StunAttributeType.ErrorCode, [0, 0, 4, 87, .. "Role Conflict"u8.ToArray()]));
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.Equal(StunClass.ErrorResponse, m.Class);
        Assert.True(m.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason));
        Assert.Equal(487, code);
        Assert.Equal("Role Conflict"u8.ToArray(), reason.ToArray());
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(7, 0)]
    [InlineData(4, 100)]
    public void ErrorCode_OutOfRange_NotReturned(byte errorClass, byte number)
    {
        byte[] bytes = Message(StunMessageType.BindingErrorResponse,
            Attribute(StunAttributeType.ErrorCode, 0, 0, errorClass, number));
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.False(m.TryGetErrorCode(out _, out _));
    }

    [Theory]
    [InlineData(0x01, 12)] // IPv4 family with IPv6 length
    [InlineData(0x02, 8)]
    [InlineData(0x03, 8)]
    public void XorMappedAddress_BadFamilyOrLength_NotReturned(byte family, int length)
    {
        var value = new byte[length];
        value[1] = family;
        byte[] bytes = Message(StunMessageType.BindingSuccessResponse, Attribute(StunAttributeType.XorMappedAddress, value));
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Span<byte> address = stackalloc byte[16];
        Assert.False(m.TryGetXorMappedAddress(address, out _, out _));
        Assert.False(m.TryGetXorMappedAddress(out _));
    }

    [Fact]
    public void ValidateMessageIntegrity_WorksForMessagesAboveTheStackLimit()
    {
        // A 1500-byte SOFTWARE before MI makes the validator take its pooled-buffer path.
        var buffer = new byte[2048];
        var w = new StunWriter(buffer);
        w.WriteHeader(StunMessageType.BindingRequest, TxId);
        w.WriteSoftware(new byte[1500]);
        w.WriteMessageIntegrity("secret"u8);
        w.WriteFingerprint();
        Assert.True(StunMessage.TryParse(w.Written, out StunMessage m));
        Assert.True(m.ValidateMessageIntegrity("secret"u8));
        Assert.False(m.ValidateMessageIntegrity("Secret"u8));
        Assert.True(m.ValidateFingerprint());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x60 })] // RTP
    [InlineData(new byte[] { 0x81, 0xC8 })] // RTCP SR
    [InlineData(new byte[] { 0x16, 0xFE })] // DTLS handshake
    [InlineData(new byte[] { 0x04, 0x00 })] // first byte just above the STUN range
    public void IsStun_RejectsOtherProtocolsOfRfc7983(byte[] start)
    {
        var datagram = new byte[40];
        start.CopyTo(datagram, 0);
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(4), StunConstants.MagicCookie);
        Assert.False(StunMessage.IsStun(datagram));
    }

    [Fact]
    public void IsStun_RejectsShortInput()
    {
        byte[] message = Message(StunMessageType.BindingRequest);
        Assert.True(StunMessage.IsStun(message));
        for (int length = 0; length < 20; length++)
            Assert.False(StunMessage.IsStun(message.AsSpan(0, length)));
    }

    [Fact]
    public void MessageType_ComposeAndSplit_RoundTripForEveryClassAndMethod()
    {
        foreach (StunClass c in Enum.GetValues<StunClass>())
        {
            for (ushort method = 0; method < 0x1000; method++)
            {
                ushort type = StunMessageType.Compose(c, method);
                Assert.True(type < 0x4000);
                Assert.Equal(c, StunMessageType.ClassOf(type));
                Assert.Equal(method, StunMessageType.MethodOf(type));
            }
        }
        Assert.Equal(StunMessageType.BindingRequest, StunMessageType.Compose(StunClass.Request, StunMethod.Binding));
        Assert.Equal(StunMessageType.BindingIndication, StunMessageType.Compose(StunClass.Indication, StunMethod.Binding));
        Assert.Equal(StunMessageType.BindingSuccessResponse, StunMessageType.Compose(StunClass.SuccessResponse, StunMethod.Binding));
        Assert.Equal(StunMessageType.BindingErrorResponse, StunMessageType.Compose(StunClass.ErrorResponse, StunMethod.Binding));
    }

    [Fact]
    public void Crc32_MatchesStandardCheckValue()
    {
        // The CRC-32/ISO-HDLC check value for "123456789".
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }
}
