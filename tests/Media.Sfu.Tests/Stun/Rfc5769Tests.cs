using System.Net;
using System.Security.Cryptography;
using System.Text;
using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Stun;

public class Rfc5769Tests
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes(Rfc5769Vectors.ShortTermPassword);

    [Fact]
    public void SampleRequest_ParsesAndAuthenticates()
    {
        byte[] bytes = Rfc5769Vectors.Request;
        Assert.True(StunMessage.IsStun(bytes));
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));

        Assert.Equal(108, m.Length);
        Assert.Equal(StunClass.Request, m.Class);
        Assert.Equal(StunMethod.Binding, m.Method);
        Assert.Equal(Rfc5769Vectors.TransactionId, m.TransactionId.ToArray());

        Assert.True(m.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal("evtj:h6vY", Encoding.ASCII.GetString(username));
        Assert.True(m.TryGetPriority(out uint priority));
        Assert.Equal(0x6e0001ffu, priority);
        Assert.True(m.TryGetIceControlled(out ulong tieBreaker));
        Assert.Equal(0x932ff9b151263b36UL, tieBreaker);
        Assert.False(m.HasIceControlling);
        Assert.False(m.HasUseCandidate);
        Assert.True(m.TryGetAttribute(StunAttributeType.Software, out ReadOnlySpan<byte> software));
        Assert.Equal("STUN test client", Encoding.UTF8.GetString(software));
        Assert.Equal(0, m.UnknownComprehensionRequiredCount);

        Assert.True(m.HasMessageIntegrity);
        Assert.True(m.HasFingerprint);
        Assert.True(m.ValidateMessageIntegrity(Key));
        Assert.True(m.ValidateFingerprint());
        Assert.False(m.ValidateMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBu"u8));
    }

    [Fact]
    public void SampleIPv4Response_DecodesMappedAddress()
    {
        byte[] bytes = Rfc5769Vectors.IPv4Response;
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.Equal(StunClass.SuccessResponse, m.Class);
        Assert.Equal(StunMethod.Binding, m.Method);

        Span<byte> address = stackalloc byte[16];
        Assert.True(m.TryGetXorMappedAddress(address, out int length, out ushort port));
        Assert.Equal(4, length);
        Assert.Equal(new byte[] { 192, 0, 2, 1 }, address[..4].ToArray());
        Assert.Equal(32853, port);
        Assert.True(m.TryGetXorMappedAddress(out IPEndPoint? endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), endPoint);

        Assert.True(m.ValidateMessageIntegrity(Key));
        Assert.True(m.ValidateFingerprint());
    }

    [Fact]
    public void SampleIPv6Response_DecodesMappedAddress()
    {
        byte[] bytes = Rfc5769Vectors.IPv6Response;
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.True(m.TryGetXorMappedAddress(out IPEndPoint? endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), endPoint);
        Assert.True(m.ValidateMessageIntegrity(Key));
        Assert.True(m.ValidateFingerprint());
    }

    [Fact]
    public void SampleLongTermRequest_AuthenticatesWithMd5Key()
    {
        byte[] bytes = Rfc5769Vectors.LongTermRequest;
        Assert.True(StunMessage.TryParse(bytes, out StunMessage m));
        Assert.True(m.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal(Rfc5769Vectors.LongTermUsername, Encoding.UTF8.GetString(username));
        Assert.True(m.TryGetAttribute(StunAttributeType.Realm, out ReadOnlySpan<byte> realm));
        Assert.Equal(Rfc5769Vectors.LongTermRealm, Encoding.UTF8.GetString(realm));
        Assert.True(m.TryGetAttribute(StunAttributeType.Nonce, out ReadOnlySpan<byte> nonce));
        Assert.Equal(Rfc5769Vectors.LongTermNonce, Encoding.UTF8.GetString(nonce));
        Assert.False(m.HasFingerprint);
        Assert.False(m.ValidateFingerprint());

        Assert.True(m.ValidateMessageIntegrity(LongTermKey()));
        Assert.False(m.ValidateMessageIntegrity(MD5.HashData(Encoding.UTF8.GetBytes(
            $"{Rfc5769Vectors.LongTermUsername}:{Rfc5769Vectors.LongTermRealm}:TheMatrix"))));
    }

    /// <summary>key = MD5(username ":" realm ":" SASLprep(password)) (RFC 5389 §15.4).</summary>
    private static byte[] LongTermKey() => MD5.HashData(Encoding.UTF8.GetBytes(
        $"{Rfc5769Vectors.LongTermUsername}:{Rfc5769Vectors.LongTermRealm}:{Rfc5769Vectors.LongTermPasswordPrepared}"));

    [Fact]
    public void Writer_ReproducesLongTermRequestExactly()
    {
        // §2.4 pads with zeros, as StunWriter does, so the whole message must come out identical.
        var buffer = new byte[256];
        var w = new StunWriter(buffer);
        Assert.True(w.WriteHeader(StunMessageType.BindingRequest, Hex.Parse("78 ad 34 33 c6 ad 72 c0 29 da 41 2e")));
        Assert.True(w.WriteUsername(Encoding.UTF8.GetBytes(Rfc5769Vectors.LongTermUsername)));
        Assert.True(w.WriteAttribute(StunAttributeType.Nonce, Encoding.ASCII.GetBytes(Rfc5769Vectors.LongTermNonce)));
        Assert.True(w.WriteAttribute(StunAttributeType.Realm, Encoding.ASCII.GetBytes(Rfc5769Vectors.LongTermRealm)));
        Assert.True(w.WriteMessageIntegrity(LongTermKey()));
        Assert.Equal(Rfc5769Vectors.LongTermRequest, w.Written.ToArray());
    }

    [Fact]
    public void Writer_ReproducesSampleRequestMessageIntegrityAndFingerprint()
    {
        // §2.1 pads USERNAME with spaces; the test patches the padding to match
        // before the writer computes MESSAGE-INTEGRITY and FINGERPRINT over the buffer.
        var buffer = new byte[256];
        var w = new StunWriter(buffer);
        Assert.True(w.WriteHeader(StunMessageType.BindingRequest, Rfc5769Vectors.TransactionId));
        Assert.True(w.WriteSoftware("STUN test client"u8));
        Assert.True(w.WritePriority(0x6e0001ff));
        Assert.True(w.WriteIceControlled(0x932ff9b151263b36));
        Assert.True(w.WriteUsername("evtj:h6vY"u8));
        buffer.AsSpan(w.Length - 3, 3).Fill(0x20);
        Assert.True(w.WriteMessageIntegrity(Key));
        Assert.True(w.WriteFingerprint());
        Assert.Equal(Rfc5769Vectors.Request, w.Written.ToArray());
    }

    [Theory]
    [InlineData("192.0.2.1", false)]
    [InlineData("2001:db8:1234:5678:11:2233:4455:6677", true)]
    public void Writer_ReproducesSampleResponses(string address, bool ipv6)
    {
        var buffer = new byte[256];
        var w = new StunWriter(buffer);
        Assert.True(w.WriteHeader(StunMessageType.BindingSuccessResponse, Rfc5769Vectors.TransactionId));
        Assert.True(w.WriteSoftware("test vector"u8));
        buffer[w.Length - 1] = 0x20; // the RFC pads "test vector" with a space
        Assert.True(w.WriteXorMappedAddress(new IPEndPoint(IPAddress.Parse(address), 32853)));
        Assert.True(w.WriteMessageIntegrity(Key));
        Assert.True(w.WriteFingerprint());
        Assert.Equal(ipv6 ? Rfc5769Vectors.IPv6Response : Rfc5769Vectors.IPv4Response, w.Written.ToArray());
    }

    [Fact]
    public void AnyFlippedBit_BreaksIntegrityOrFingerprint()
    {
        byte[] original = Rfc5769Vectors.Request;
        for (int i = 0; i < original.Length; i++)
        {
            // Header bytes 0-7 affect parsing itself; the cookie and type are covered elsewhere.
            if (i < 8)
                continue;
            byte[] copy = (byte[])original.Clone();
            copy[i] ^= 0x01;
            if (!StunMessage.TryParse(copy, out StunMessage m))
                continue;
            bool intact = m.ValidateFingerprint() && m.ValidateMessageIntegrity(Key);
            Assert.False(intact, $"flip at byte {i} went unnoticed");
        }
    }
}
