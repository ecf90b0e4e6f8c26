using System.Buffers.Binary;
using System.Net;
using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Stun;

public class StunWriterTests
{
    private static readonly byte[] TxId = Hex.Parse("01 02 03 04 05 06 07 08 09 0a 0b 0c");

    [Fact]
    public void Request_RoundTripsEveryIceAttribute()
    {
        var buffer = new byte[256];
        var w = new StunWriter(buffer);
        Assert.True(w.WriteHeader(StunClass.Request, StunMethod.Binding, TxId));
        Assert.True(w.WriteUsername("local:remote"u8));
        Assert.True(w.WriteIceControlling(0x0102030405060708));
        Assert.True(w.WriteUseCandidate());
        Assert.True(w.WritePriority(1853824767));
        Assert.True(w.WriteMessageIntegrity("password-password-pass"u8));
        Assert.True(w.WriteFingerprint());
        Assert.Equal(w.Length, 20 + BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)));

        Assert.True(StunMessage.TryParse(w.Written, out StunMessage m));
        Assert.Equal(w.Length, m.Length);
        Assert.Equal(StunMessageType.BindingRequest, m.MessageType);
        Assert.Equal(TxId, m.TransactionId.ToArray());
        Assert.True(m.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal("local:remote"u8.ToArray(), username.ToArray());
        Assert.True(m.TryGetIceControlling(out ulong tieBreaker));
        Assert.Equal(0x0102030405060708UL, tieBreaker);
        Assert.False(m.HasIceControlled);
        Assert.True(m.HasUseCandidate);
        Assert.True(m.TryGetPriority(out uint priority));
        Assert.Equal(1853824767u, priority);
        Assert.True(m.ValidateMessageIntegrity("password-password-pass"u8));
        Assert.True(m.ValidateFingerprint());
    }

    [Fact]
    public void Padding_IsZeroAndLengthFieldIsUnpadded()
    {
        var buffer = new byte[64];
        buffer.AsSpan().Fill(0xEE);
        var w = new StunWriter(buffer);
        w.WriteHeader(StunMessageType.BindingRequest, TxId);
        Assert.True(w.WriteUsername("abcde"u8));
        Assert.Equal(20 + 4 + 8, w.Length);
        Assert.Equal(5, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(22)));
        Assert.Equal(new byte[] { 0, 0, 0 }, buffer.AsSpan(29, 3).ToArray());
    }

    [Theory]
    [InlineData("203.0.113.7", 1)]
    [InlineData("203.0.113.7", 65535)]
    [InlineData("2001:db8::1", 40000)]
    [InlineData("::1", 9)]
    public void XorMappedAddress_RoundTripsFromEndPointAndSocketAddress(string ip, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(ip), port);
        foreach (bool viaSocketAddress in new[] { false, true })
        {
            var buffer = new byte[64];
            var w = new StunWriter(buffer);
            w.WriteHeader(StunMessageType.BindingSuccessResponse, TxId);
            Assert.True(viaSocketAddress ? w.WriteXorMappedAddress(endPoint.Serialize()) : w.WriteXorMappedAddress(endPoint));
            Assert.True(StunMessage.TryParse(w.Written, out StunMessage m));
            Assert.True(m.TryGetXorMappedAddress(out IPEndPoint? decoded));
            Assert.Equal(endPoint, decoded);
        }
    }

    [Fact]
    public void XorMappedAddress_IPv4MappedIPv6_IsWrittenAsIPv4()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.20"), 5000);
        var buffer = new byte[64];
        var w = new StunWriter(buffer);
        w.WriteHeader(StunMessageType.BindingSuccessResponse, TxId);
        Assert.True(w.WriteXorMappedAddress(mapped.Serialize()));
        Assert.True(StunMessage.TryParse(w.Written, out StunMessage m));
        Assert.True(m.TryGetXorMappedAddress(out IPEndPoint? decoded));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.20"), 5000), decoded);
    }

    [Fact]
    public void XorMappedAddress_RejectsOddAddressLengths()
    {
        var w = new StunWriter(new byte[64]);
        w.WriteHeader(StunMessageType.BindingSuccessResponse, TxId);
        Assert.False(w.WriteXorMappedAddress(new byte[5], 1));
        Assert.Equal(20, w.Length);
    }

    [Fact]
    public void ErrorResponse_RoundTripsCodeReasonAndUnknownAttributes()
    {
        var buffer = new byte[128];
        var w = new StunWriter(buffer);
        w.WriteHeader(StunMessageType.BindingErrorResponse, TxId);
        Assert.True(w.WriteErrorCode(StunErrorCode.UnknownAttribute));
        Assert.True(w.WriteUnknownAttributes([0x7001, 0x0003, 0x0042]));
        Assert.True(w.WriteFingerprint());

        Assert.True(StunMessage.TryParse(w.Written, out StunMessage m));
        Assert.True(m.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason));
        Assert.Equal(420, code);
        Assert.Equal("Unknown Attribute"u8.ToArray(), reason.ToArray());
        Assert.True(m.TryGetAttribute(StunAttributeType.UnknownAttributes, out ReadOnlySpan<byte> list));
        Assert.Equal(Hex.Parse("70 01 00 03 00 42"), list.ToArray());
        Assert.True(m.ValidateFingerprint());
    }

    [Theory]
    [InlineData(299)]
    [InlineData(700)]
    public void ErrorCode_OutsideRange_Refused(int code)
    {
        var w = new StunWriter(new byte[64]);
        w.WriteHeader(StunMessageType.BindingErrorResponse, TxId);
        Assert.False(w.WriteErrorCode(code, "x"u8));
    }

    [Fact]
    public void Order_OnlyFingerprintAfterIntegrity_NothingAfterFingerprint()
    {
        var w = new StunWriter(new byte[128]);
        Assert.False(w.WriteUsername("u"u8)); // header first
        Assert.True(w.WriteHeader(StunMessageType.BindingRequest, TxId));
        Assert.False(w.WriteHeader(StunMessageType.BindingRequest, TxId));
        Assert.True(w.WriteMessageIntegrity("k"u8));
        Assert.False(w.WritePriority(1));
        Assert.False(w.WriteMessageIntegrity("k"u8));
        Assert.True(w.WriteFingerprint());
        int length = w.Length;
        Assert.False(w.WriteFingerprint());
        Assert.False(w.WriteUseCandidate());
        Assert.Equal(length, w.Length);
    }

    [Fact]
    public void Header_RejectsBadTransactionIdAndTypes()
    {
        var w = new StunWriter(new byte[64]);
        Assert.False(w.WriteHeader(StunMessageType.BindingRequest, new byte[11]));
        Assert.False(w.WriteHeader(0xC001, TxId));
        Assert.False(new StunWriter(new byte[19]).WriteHeader(StunMessageType.BindingRequest, TxId));
        Assert.Equal(0, w.Length);
    }

    [Fact]
    public void TooSmallBuffer_EveryWriteFailsWithoutChangingTheMessage()
    {
        // Exactly room for the header and a PRIORITY.
        var buffer = new byte[28];
        var w = new StunWriter(buffer);
        Assert.True(w.WriteHeader(StunMessageType.BindingRequest, TxId));
        Assert.True(w.WritePriority(7));
        byte[] before = buffer.ToArray();
        Assert.False(w.WriteUseCandidate());
        Assert.False(w.WriteUsername("a"u8));
        Assert.False(w.WriteMessageIntegrity("k"u8));
        Assert.False(w.WriteFingerprint());
        Assert.False(w.WriteXorMappedAddress(new byte[4], 1));
        Assert.Equal(before, buffer);
        Assert.Equal(28, w.Length);
        Assert.True(StunMessage.TryParse(w.Written, out StunMessage m));
        Assert.True(m.TryGetPriority(out uint p) && p == 7);
    }

    [Fact]
    public void NewTransactionId_IsRandom()
    {
        Span<byte> a = stackalloc byte[12];
        Span<byte> b = stackalloc byte[12];
        StunWriter.NewTransactionId(a);
        StunWriter.NewTransactionId(b);
        Assert.False(a.SequenceEqual(b));
    }
}
