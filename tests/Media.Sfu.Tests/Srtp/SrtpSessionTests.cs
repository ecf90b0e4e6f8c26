using System.Buffers.Binary;
using Media.Sfu.Native;
using Media.Sfu.Srtp;
using Media.Sfu.Tests.Native;

namespace Media.Sfu.Tests.Srtp;

[Collection(NativeCollection.Name)]
public sealed class SrtpSessionTests
{
    // Known-answer vectors of libsrtp's srtp_driver (srtp_validate / srtp_validate_gcm): the
    // master key||salt, a 28-byte RTP packet (SSRC 0xcafebabe, seq 0x1234) and a 24-byte RTCP SR.
    private static readonly byte[] CmKey = Convert.FromHexString("e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6");
    private static readonly byte[] GcmKey = Convert.FromHexString("000102030405060708090a0b0c0d0e0fa0a1a2a3a4a5a6a7a8a9aaab");
    private static readonly byte[] RtpPlain = Convert.FromHexString("800f1234decafbadcafebabe" + "abababababababababababababababab");
    private static readonly byte[] RtcpPlain = Convert.FromHexString("81c8000bcafebabe" + "abababababababababababababababab");
    private static readonly byte[] CmRtpCipher = Convert.FromHexString("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
    private static readonly byte[] CmRtcpCipher = Convert.FromHexString("81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798");
    private static readonly byte[] GcmRtpCipher = Convert.FromHexString("800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392");
    private static readonly byte[] GcmRtcpCipher = Convert.FromHexString("81c8000bcafebabec98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e80000001");

    public static TheoryData<SrtpProfile> Profiles => new() { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void ProtectMatchesLibSrtpKnownAnswers(SrtpProfile profile)
    {
        var (key, rtpCipher, rtcpCipher) = Vectors(profile);
        using var sender = new SrtpSession(profile, SrtpDirection.Outbound, key);

        var buffer = Buffer(RtpPlain);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, RtpPlain.Length, out var length));
        Assert.Equal(rtpCipher, buffer[..length]);
        Assert.Equal(RtpPlain.Length + profile.AuthTagLength(), length);

        buffer = Buffer(RtcpPlain);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(buffer, RtcpPlain.Length, out length));
        Assert.Equal(rtcpCipher, buffer[..length]);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void UnprotectRecoversKnownAnswerPlaintext(SrtpProfile profile)
    {
        var (key, rtpCipher, rtcpCipher) = Vectors(profile);
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, key);

        var buffer = Buffer(rtpCipher);
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(buffer, rtpCipher.Length, out var length));
        Assert.Equal(RtpPlain, buffer[..length]);

        buffer = Buffer(rtcpCipher);
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(buffer, rtcpCipher.Length, out length));
        Assert.Equal(RtcpPlain, buffer[..length]);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void RoundTripManyRtpAndRtcpPackets(SrtpProfile profile)
    {
        var key = RandomKey(profile, 1);
        using var sender = new SrtpSession(profile, SrtpDirection.Outbound, key);
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, key);
        var random = new Random(42);
        var buffer = new byte[1200 + SrtpSession.TrailerRoom];

        for (var i = 0; i < 300; i++)
        {
            var plain = Rtp(ssrc: 0x11223344, sequence: (ushort)(65500 + i), payloadLength: random.Next(0, 1188), random);
            plain.CopyTo(buffer, 0);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, plain.Length, out var protectedLength));
            Assert.Equal(plain.Length + profile.AuthTagLength(), protectedLength);
            if (plain.Length > 24)
            {
                Assert.NotEqual(plain.AsSpan(12).ToArray(), buffer.AsSpan(12, plain.Length - 12).ToArray());
            }
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(buffer, protectedLength, out var plainLength));
            Assert.Equal(plain, buffer.AsSpan(0, plainLength).ToArray());

            var rtcp = Rtcp(ssrc: 0x55667788, random);
            rtcp.CopyTo(buffer, 0);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(buffer, rtcp.Length, out protectedLength));
            Assert.True(protectedLength > rtcp.Length);
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(buffer, protectedLength, out plainLength));
            Assert.Equal(rtcp, buffer.AsSpan(0, plainLength).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TamperedPacketsFailAuthentication(SrtpProfile profile)
    {
        var key = RandomKey(profile, 2);
        using var sender = new SrtpSession(profile, SrtpDirection.Outbound, key);
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, key);
        var random = new Random(7);

        for (var i = 0; i < 50; i++)
        {
            var plain = Rtp(0xABCDEF01, (ushort)i, 100, random);
            var buffer = Buffer(plain);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, plain.Length, out var length));
            var position = random.Next(1, length); // any byte but the version bits
            buffer[position] ^= (byte)(1 << random.Next(8));
            Assert.Equal(SrtpStatus.AuthFail, receiver.UnprotectRtp(buffer, length, out var plainLength));
            Assert.Equal(0, plainLength);
        }

        var rtcp = Rtcp(0xABCDEF01, random);
        var rtcpBuffer = Buffer(rtcp);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(rtcpBuffer, rtcp.Length, out var rtcpLength));
        rtcpBuffer[10] ^= 0x40;
        Assert.Equal(SrtpStatus.AuthFail, receiver.UnprotectRtcp(rtcpBuffer, rtcpLength, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void ReplayedPacketsAreRejected(SrtpProfile profile)
    {
        var key = RandomKey(profile, 3);
        using var sender = new SrtpSession(profile, SrtpDirection.Outbound, key);
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, key);
        var random = new Random(3);

        var first = Protect(sender, Rtp(0x01020304, 10, 50, random));
        var copy = first.ToArray();
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(Buffer(first), first.Length, out _));
        Assert.Equal(SrtpStatus.ReplayFail, receiver.UnprotectRtp(Buffer(copy), copy.Length, out _));

        // Move far ahead so sequence 10 falls behind the 1024-packet window.
        for (var sequence = 11; sequence < 1200; sequence += 100)
        {
            var later = Protect(sender, Rtp(0x01020304, (ushort)sequence, 50, random));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(Buffer(later), later.Length, out _));
        }
        var ahead = Protect(sender, Rtp(0x01020304, 1300, 50, random));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(Buffer(ahead), ahead.Length, out _));
        Assert.Equal(SrtpStatus.ReplayOld, receiver.UnprotectRtp(Buffer(copy), copy.Length, out _));

        var rtcp = Protect(sender, Rtcp(0x01020304, random), rtcp: true);
        var rtcpCopy = rtcp.ToArray();
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(Buffer(rtcp), rtcp.Length, out _));
        Assert.Equal(SrtpStatus.ReplayFail, receiver.UnprotectRtcp(Buffer(rtcpCopy), rtcpCopy.Length, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void ProtectingTheSamePacketAgainIsAllowedForRetransmission(SrtpProfile profile)
    {
        var key = RandomKey(profile, 4);
        using var sender = new SrtpSession(profile, SrtpDirection.Outbound, key);
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, key);
        var random = new Random(4);
        var plain = Rtp(0x0BADCAFE, 500, 200, random);

        var original = Protect(sender, plain);
        Protect(sender, Rtp(0x0BADCAFE, 501, 200, random));
        // A NACK asks for 500 again: libsrtp rejects a repeated index unless allow_repeat_tx is set.
        var retransmission = Protect(sender, plain);
        Assert.Equal(original, retransmission);

        // The receiver lost the original, so the retransmission is its first copy.
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(Buffer(retransmission), retransmission.Length, out var length));
        Assert.Equal(plain.Length, length);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void WrongKeyFailsAuthentication(SrtpProfile profile)
    {
        using var sender = new SrtpSession(profile, SrtpDirection.Outbound, RandomKey(profile, 5));
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, RandomKey(profile, 6));
        var random = new Random(5);
        var packet = Protect(sender, Rtp(0x10203040, 1, 160, random));
        Assert.Equal(SrtpStatus.AuthFail, receiver.UnprotectRtp(Buffer(packet), packet.Length, out _));
        var rtcp = Protect(sender, Rtcp(0x10203040, random), rtcp: true);
        Assert.Equal(SrtpStatus.AuthFail, receiver.UnprotectRtcp(Buffer(rtcp), rtcp.Length, out _));
    }

    [Fact]
    public void BufferRulesAndDirectionsAreEnforcedWithoutCallingLibSrtp()
    {
        var profile = SrtpProfile.AesCm128HmacSha1_80;
        using var sender = new SrtpSession(profile, SrtpDirection.Outbound, CmKey);
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, CmKey);

        var tight = new byte[RtpPlain.Length + SrtpSession.TrailerRoom - 1];
        RtpPlain.CopyTo(tight, 0);
        Assert.Equal(SrtpStatus.BufferTooSmall, sender.ProtectRtp(tight, RtpPlain.Length, out _));
        Assert.Equal(RtpPlain, tight[..RtpPlain.Length]);

        Assert.Equal(SrtpStatus.BadParam, sender.ProtectRtp(new byte[10], 11, out _));
        Assert.Equal(SrtpStatus.BadParam, receiver.UnprotectRtp(new byte[10], -1, out _));
        Assert.Equal(SrtpStatus.WrongDirection, receiver.ProtectRtp(Buffer(RtpPlain), RtpPlain.Length, out _));
        Assert.Equal(SrtpStatus.WrongDirection, sender.UnprotectRtcp(Buffer(RtcpPlain), RtcpPlain.Length, out _));

        // Too short to hold an RTP header plus tag.
        Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtp(new byte[64], 8, out _));

        Assert.Throws<ArgumentException>(() => new SrtpSession(SrtpProfile.AeadAes128Gcm, SrtpDirection.Inbound, CmKey));
        Assert.Throws<ArgumentException>(() => new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, SrtpDirection.Inbound, GcmKey));
    }

    [Fact]
    public void DisposedSessionReportsNoContext()
    {
        var sender = new SrtpSession(SrtpProfile.AeadAes128Gcm, SrtpDirection.Outbound, GcmKey);
        sender.Dispose();
        sender.Dispose();
        Assert.Equal(SrtpStatus.NoContext, sender.ProtectRtp(Buffer(RtpPlain), RtpPlain.Length, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void UnprotectNeverReportsLengthsOutsideTheBufferForArbitraryInput(SrtpProfile profile)
    {
        var key = RandomKey(profile, 8);
        using var sender = new SrtpSession(profile, SrtpDirection.Outbound, key);
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, key);
        var random = new Random(1234);
        var buffer = new byte[1500];

        for (var i = 0; i < 4000; i++)
        {
            int length;
            bool rtcp = (i & 1) == 1;
            if (i % 4 < 2)
            {
                length = random.Next(0, 300);
                random.NextBytes(buffer.AsSpan(0, length));
            }
            else
            {
                var valid = rtcp ? Protect(sender, Rtcp((uint)i, random), rtcp: true) : Protect(sender, Rtp((uint)i, (ushort)i, random.Next(0, 200), random));
                valid.CopyTo(buffer, 0);
                length = valid.Length;
                var mutations = random.Next(1, 4);
                for (var m = 0; m < mutations; m++)
                {
                    switch (random.Next(3))
                    {
                        case 0: buffer[random.Next(length)] = (byte)random.Next(256); break;
                        case 1: length = random.Next(0, length + 1); break;
                        default: buffer[0] = (byte)(0x80 | random.Next(16)); break; // CSRC count / extension bits
                    }
                }
            }

            var status = rtcp
                ? receiver.UnprotectRtcp(buffer, length, out var plainLength)
                : receiver.UnprotectRtp(buffer, length, out plainLength);
            Assert.InRange(plainLength, 0, length);
            if (status != SrtpStatus.Ok)
            {
                Assert.Equal(0, plainLength);
            }
        }
    }

    [Fact]
    public void ProtectAndUnprotectDoNotAllocate()
    {
        var key = RandomKey(SrtpProfile.AeadAes128Gcm, 9);
        using var sender = new SrtpSession(SrtpProfile.AeadAes128Gcm, SrtpDirection.Outbound, key);
        using var receiver = new SrtpSession(SrtpProfile.AeadAes128Gcm, SrtpDirection.Inbound, key);
        var plain = Rtp(0x01010101, 0, 1000, new Random(9));
        var buffer = new byte[plain.Length + SrtpSession.TrailerRoom];

        void RoundTrip(ushort sequence)
        {
            plain.CopyTo(buffer, 0);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), sequence);
            sender.ProtectRtp(buffer, plain.Length, out var length);
            receiver.UnprotectRtp(buffer, length, out _);
        }

        for (ushort s = 0; s < 100; s++)
        {
            RoundTrip(s); // warm up JIT and P/Invoke stubs
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (ushort s = 100; s < 1100; s++)
        {
            RoundTrip(s);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void SessionsAreCountedWhileAlive()
    {
        var before = LiveNativeContexts.SrtpSessions;
        var sessions = new List<SrtpSession>();
        for (var i = 0; i < 10; i++)
        {
            sessions.Add(new SrtpSession(SrtpProfile.AesCm128HmacSha1_80, i % 2 == 0 ? SrtpDirection.Inbound : SrtpDirection.Outbound, CmKey));
        }
        Assert.Equal(before + 10, LiveNativeContexts.SrtpSessions);
        sessions.ForEach(s => s.Dispose());
        Assert.Equal(before, LiveNativeContexts.SrtpSessions);
    }

    private static (byte[] Key, byte[] RtpCipher, byte[] RtcpCipher) Vectors(SrtpProfile profile) =>
        profile == SrtpProfile.AesCm128HmacSha1_80
            ? (CmKey, CmRtpCipher, CmRtcpCipher)
            : (GcmKey, GcmRtpCipher, GcmRtcpCipher);

    private static byte[] Buffer(byte[] packet)
    {
        var buffer = new byte[packet.Length + SrtpSession.TrailerRoom];
        packet.CopyTo(buffer, 0);
        return buffer;
    }

    private static byte[] Protect(SrtpSession sender, byte[] plain, bool rtcp = false)
    {
        var buffer = Buffer(plain);
        var status = rtcp
            ? sender.ProtectRtcp(buffer, plain.Length, out var length)
            : sender.ProtectRtp(buffer, plain.Length, out length);
        Assert.Equal(SrtpStatus.Ok, status);
        return buffer[..length];
    }

    private static byte[] RandomKey(SrtpProfile profile, int seed)
    {
        var key = new byte[profile.MasterKeyAndSaltLength()];
        new Random(seed).NextBytes(key);
        return key;
    }

    internal static byte[] Rtp(uint ssrc, ushort sequence, int payloadLength, Random random)
    {
        var packet = new byte[12 + payloadLength];
        packet[0] = 0x80;
        packet[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), (uint)sequence * 960);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        random.NextBytes(packet.AsSpan(12));
        return packet;
    }

    internal static byte[] Rtcp(uint ssrc, Random random)
    {
        // Receiver report with one report block: 8 + 24 bytes, length field 7 (RFC 3550 §6.4.2).
        var packet = new byte[32];
        packet[0] = 0x81;
        packet[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 7);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        random.NextBytes(packet.AsSpan(8));
        return packet;
    }
}
