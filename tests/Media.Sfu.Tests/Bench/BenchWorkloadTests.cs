using System.Buffers.Binary;
using System.Security.Cryptography;
using Media.Sfu.Bench.Workloads;
using Media.Sfu.Ice;
using Media.Sfu.Rtp;
using Media.Sfu.Srtp;
using Media.Sfu.Stun;
using Media.Sfu.Tests.Native;

namespace Media.Sfu.Tests.Bench;

/// <summary>
/// What each sfu-micro benchmark body computes is right, and it allocates nothing once warm —
/// so the benchmarks measure the real work. No timing is asserted.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class BenchWorkloadTests
{
    public static TheoryData<SrtpProfile> Profiles => new() { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm };

    [Fact]
    public void BenchmarkPacketIs1200BytesWithTheThreeBrowserExtensions()
    {
        byte[] bytes = BenchPackets.Rtp(7, 90_000, seed: 1);
        Assert.Equal(1200, bytes.Length);
        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket packet));
        Assert.Equal(RtpExtensionForm.OneByte, packet.ExtensionForm);
        Assert.True(packet.TryGetExtension(BenchPackets.MidId, out Span<byte> mid));
        Assert.Equal("0"u8.ToArray(), mid.ToArray());
        Assert.True(packet.TryGetExtension(BenchPackets.AbsSendTimeId, out Span<byte> absSendTime));
        Assert.Equal(3, absSendTime.Length);
        Assert.True(packet.TryGetExtension(BenchPackets.TransportCcId, out Span<byte> transportCc));
        Assert.Equal(2, transportCc.Length);
        Assert.Equal(1200 - packet.HeaderLength, packet.Payload.Length);
    }

    [Fact]
    public void StunSuccessPathWritesAnAuthenticatedBindingSuccessResponse()
    {
        var workload = new StunWorkload();
        Assert.Equal(workload.Request.Length, workload.Parse());

        int length = workload.ProcessBindingRequest();
        Assert.Equal(IceCheckOutcome.Success, workload.LastOutcome);
        Assert.True(StunMessage.TryParse(workload.Response.AsSpan(0, length), out StunMessage response));
        Assert.Equal(length, response.Length);
        Assert.Equal(StunMessageType.BindingSuccessResponse, response.MessageType);
        Assert.True(StunMessage.TryParse(workload.Request, out StunMessage request));
        Assert.Equal(request.TransactionId.ToArray(), response.TransactionId.ToArray());
        Assert.True(response.ValidateFingerprint());
        Assert.True(response.ValidateMessageIntegrity(System.Text.Encoding.ASCII.GetBytes(StunWorkload.LocalPassword)));
        Span<byte> address = stackalloc byte[16];
        Assert.True(response.TryGetXorMappedAddress(address, out int addressLength, out ushort port));
        Assert.Equal(new byte[] { 192, 0, 2, 10 }, address[..addressLength].ToArray());
        Assert.Equal(54_321, port);
        Assert.True(workload.Session.HasSelectedTuple); // USE-CANDIDATE was honoured
        Assert.Equal(workload.Remote, workload.Session.SelectedTuple);
    }

    [Fact]
    public void StunUnauthorizedPathWrites401WithoutIntegrity()
    {
        var workload = new StunWorkload();
        int length = workload.ProcessUnauthorizedRequest();
        Assert.Equal(IceCheckOutcome.Unauthorized, workload.LastOutcome);
        Assert.True(StunMessage.TryParse(workload.Response.AsSpan(0, length), out StunMessage response));
        Assert.Equal(StunMessageType.BindingErrorResponse, response.MessageType);
        Assert.True(response.TryGetErrorCode(out int code, out _));
        Assert.Equal(StunErrorCode.Unauthorized, code);
        Assert.False(response.HasMessageIntegrity);
        Assert.True(response.ValidateFingerprint());
        Assert.False(workload.Session.IsValidated(workload.Remote));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void SrtpProtectUnprotectRestoresTheOriginalPacket(SrtpProfile profile)
    {
        using var workload = new SrtpWorkload(profile);
        byte[] original = BenchPackets.Rtp(0, 90_000, seed: 1);
        for (int i = 0; i < 70_000; i++) // past a sequence-number wrap: the rollover counter must follow
        {
            ushort sequenceNumber = workload.NextSequenceNumber;
            Assert.Equal(1200, workload.ProtectUnprotect());
            BinaryPrimitives.WriteUInt16BigEndian(original.AsSpan(2), sequenceNumber);
            if (i % 9_999 == 0 || i == 65_536)
                Assert.Equal(original, workload.Buffer.AsSpan(0, 1200).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void SrtpProtectProducesPacketsAFreshReceiverAccepts(SrtpProfile profile)
    {
        using var workload = new SrtpWorkload(profile);
        using var receiver = new SrtpSession(profile, SrtpDirection.Inbound, BenchPackets.MasterKeyAndSalt(profile, seed: 1));
        for (int i = 0; i < 3; i++)
        {
            int length = workload.Protect();
            Assert.Equal(1200 + profile.AuthTagLength(), length);
            byte[] copy = workload.Buffer.AsSpan(0, length).ToArray();
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(copy, length, out int plainLength));
            Assert.Equal(1200, plainLength);
            Assert.Equal((ushort)i, BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(2)));
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void UnprotectRingDecryptsEverySlotAndRewindsCleanly(SrtpProfile profile)
    {
        using var ring = new SrtpUnprotectRing(profile, capacity: 64);
        byte[] expected = (byte[])ring.Plaintext.Clone();
        for (int round = 0; round < 2; round++)
        {
            ring.Rewind();
            for (int i = 0; i < ring.Capacity; i++)
            {
                int length = ring.Unprotect();
                Assert.Equal(1200, length);
                BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(2), (ushort)i);
                Assert.Equal(expected, ring.LastSlot(length).ToArray());
            }
        }
        Assert.Equal(0, ring.UnplannedRewinds);
        ring.Unprotect(); // past the end: rewinds by itself instead of failing on a replay
        Assert.Equal(1, ring.UnplannedRewinds);
    }

    [Fact]
    public void RtpRewriteSetsTheConsumerHeaderAndRenumbersExtensions()
    {
        var workload = new RtpRewriteWorkload();
        byte[] before = (byte[])workload.Packet.Clone();
        Assert.True(RtpPacket.TryParse(before, out RtpPacket original));
        original.TryGetExtension(BenchPackets.AbsSendTimeId, out Span<byte> absSendTime);
        original.TryGetExtension(BenchPackets.TransportCcId, out Span<byte> transportCc);

        workload.Rewrite();
        Assert.True(RtpPacket.TryParse(workload.Packet, out RtpPacket packet));
        Assert.Equal(RtpRewriteWorkload.ConsumerSsrc, packet.Ssrc);
        Assert.Equal(RtpRewriteWorkload.ConsumerPayloadType, packet.PayloadType);
        Assert.Equal(1000, packet.SequenceNumber);
        Assert.True(packet.TryGetExtension(4, out Span<byte> mid)); // 1 → 4
        Assert.Equal("0"u8.ToArray(), mid.ToArray());
        Assert.True(packet.TryGetExtension(2, out Span<byte> abs)); // unchanged id
        Assert.Equal(absSendTime.ToArray(), abs.ToArray());
        Assert.True(packet.TryGetExtension(5, out Span<byte> cc)); // 3 → 5
        Assert.Equal(transportCc.ToArray(), cc.ToArray());
        Assert.False(packet.TryGetExtension(1, out _));
        Assert.Equal(original.Payload.ToArray(), packet.Payload.ToArray());

        workload.Rewrite(); // the map is its own inverse: ids are back, so every call does the same work
        Assert.True(RtpPacket.TryParse(workload.Packet, out packet));
        Assert.True(packet.TryGetExtension(BenchPackets.MidId, out _));
        Assert.True(packet.TryGetExtension(BenchPackets.TransportCcId, out _));
        Assert.Equal(1001, packet.SequenceNumber);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void ForwardSendsTheRewrittenPacketEncryptedForTheConsumer(SrtpProfile profile)
    {
        using var workload = new ForwardWorkload(profile);
        using var consumer = new SrtpSession(profile, SrtpDirection.Inbound, workload.Key);
        byte[] source = (byte[])workload.Source.Clone();
        for (int i = 0; i < 3; i++)
        {
            int length = workload.Forward();
            Assert.Equal(source, workload.Source); // the producer's packet is never touched
            byte[] received = workload.SendBuffer.AsSpan(0, length).ToArray();
            Assert.Equal(SrtpStatus.Ok, consumer.UnprotectRtp(received, length, out int plainLength));
            Assert.Equal(1200, plainLength);
            Assert.True(RtpPacket.TryParse(received.AsSpan(0, plainLength), out RtpPacket packet));
            Assert.Equal(workload.LastRewrite.Ssrc, packet.Ssrc);
            Assert.Equal(workload.LastRewrite.SequenceNumber, packet.SequenceNumber);
            Assert.Equal(workload.LastRewrite.Timestamp, packet.Timestamp);
            Assert.Equal(workload.LastRewrite.PayloadType, packet.PayloadType);
            Assert.True(packet.TryGetExtension(4, out _));
            Assert.True(packet.TryGetExtension(5, out _));
            Assert.True(RtpPacket.TryParse(source, out RtpPacket sourcePacket));
            Assert.Equal(sourcePacket.Payload.ToArray(), packet.Payload.ToArray());
        }
    }

    [Fact]
    public void ReferencesCopyAndEncryptForReal()
    {
        using var workload = new ReferenceWorkload();
        workload.Copy();
        Assert.Equal(workload.Source, workload.Destination);

        workload.EncryptAesGcm();
        byte[] firstNonce = (byte[])workload.Nonce.Clone();
        using var aes = new AesGcm(workload.Key, ReferenceWorkload.TagLength);
        var plaintext = new byte[ReferenceWorkload.Length];
        aes.Decrypt(workload.Nonce, workload.Ciphertext, workload.Tag, plaintext);
        Assert.Equal(workload.Source, plaintext);
        workload.EncryptAesGcm();
        Assert.NotEqual(firstNonce, workload.Nonce); // a fresh nonce per call

        workload.HmacSha1();
        using var hmac = new HMACSHA1(workload.HmacKey);
        Assert.Equal(hmac.ComputeHash(workload.Source, 0, ReferenceWorkload.StunSizedLength), workload.Mac);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void BenchmarkBodiesDoNotAllocateOnceWarm(SrtpProfile profile)
    {
        var stun = new StunWorkload();
        using var srtp = new SrtpWorkload(profile);
        using var ring = new SrtpUnprotectRing(profile, capacity: 1200);
        var rewrite = new RtpRewriteWorkload();
        using var forward = new ForwardWorkload(profile);
        using var references = new ReferenceWorkload();

        long checksum = RunAll(100); // JIT and tiering
        ring.Rewind();
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += RunAll(1000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, checksum);

        long RunAll(int count)
        {
            long sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += stun.Parse() + stun.ProcessBindingRequest() + stun.ProcessUnauthorizedRequest()
                       + srtp.Protect() + srtp.ProtectUnprotect() + ring.Unprotect()
                       + rewrite.Rewrite() + forward.Forward() + references.Copy() + references.EncryptAesGcm() + references.HmacSha1();
            }
            return sum;
        }
    }
}
