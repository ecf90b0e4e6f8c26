using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Media.Sfu.Native;

namespace Media.Sfu.Tests.Native;

[Collection(NativeCollection.Name)]
public sealed unsafe class NativeLibraryTests
{
    [Fact]
    public void OpenSslIsVersion3()
    {
        // OPENSSL_VERSION_NUMBER is 0xMNN00PP0L; major in the top nibble.
        var version = (ulong)LibCrypto.OpenSSL_version_num();
        Assert.Equal(3UL, version >> 28);
    }

    [Fact]
    public void LibSrtpIsVersion2()
    {
        // srtp_get_version packs major << 24 | minor << 16 | micro.
        var version = LibSrtp.srtp_get_version();
        Assert.Equal(2u, version >> 24);
        Assert.True(((version >> 16) & 0xFF) >= 3, $"libsrtp 2.{(version >> 16) & 0xFF} is older than expected");
    }

    [Fact]
    public void SrtpPolicyLayoutMatchesLibSrtp25OnLp64()
    {
        Assert.Equal(128, sizeof(SrtpPolicy));
        Assert.Equal(24, sizeof(SrtpCryptoPolicy));
        Assert.Equal(0, (int)Marshal.OffsetOf<SrtpPolicy>(nameof(SrtpPolicy.Ssrc)));
        Assert.Equal(8, (int)Marshal.OffsetOf<SrtpPolicy>(nameof(SrtpPolicy.Rtp)));
        Assert.Equal(32, (int)Marshal.OffsetOf<SrtpPolicy>(nameof(SrtpPolicy.Rtcp)));
        Assert.Equal(56, (int)Marshal.OffsetOf<SrtpPolicy>(nameof(SrtpPolicy.Key)));
        Assert.Equal(88, (int)Marshal.OffsetOf<SrtpPolicy>(nameof(SrtpPolicy.WindowSize)));
        Assert.Equal(96, (int)Marshal.OffsetOf<SrtpPolicy>(nameof(SrtpPolicy.AllowRepeatTx)));
        Assert.Equal(120, (int)Marshal.OffsetOf<SrtpPolicy>(nameof(SrtpPolicy.Next)));

        // The managed offsets must also be where the compiler really puts the fields.
        var policy = default(SrtpPolicy);
        var start = (byte*)&policy;
        Assert.Equal(56, (byte*)&policy.Key - start);
        Assert.Equal(88, (byte*)&policy.WindowSize - start);
        Assert.Equal(96, (byte*)&policy.AllowRepeatTx - start);
        Assert.Equal(120, (byte*)&policy.Next - start);
    }

    [Fact]
    public void LibSrtpWritesCryptoPoliciesExactlyIntoTheirManagedSlots()
    {
        var policy = default(SrtpPolicy);
        var bytes = new Span<byte>(&policy, sizeof(SrtpPolicy));
        bytes.Fill(0xCC);

        LibSrtp.srtp_crypto_policy_set_rtp_default(&policy.Rtp);
        LibSrtp.srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.Rtcp);

        // AES_CM_128_HMAC_SHA1_80: SRTP_AES_ICM_128 (1), 30-byte key+salt, SRTP_HMAC_SHA1 (3), 20-byte auth key, 10-byte tag, conf+auth.
        Assert.Equal(1, policy.Rtp.CipherType);
        Assert.Equal(30, policy.Rtp.CipherKeyLength);
        Assert.Equal(3, policy.Rtp.AuthType);
        Assert.Equal(20, policy.Rtp.AuthKeyLength);
        Assert.Equal(10, policy.Rtp.AuthTagLength);
        Assert.Equal(3, policy.Rtp.SecurityServices);
        // AEAD_AES_128_GCM: SRTP_AES_GCM_128 (6), 28-byte key+salt, NULL auth, 16-byte tag.
        Assert.Equal(6, policy.Rtcp.CipherType);
        Assert.Equal(28, policy.Rtcp.CipherKeyLength);
        Assert.Equal(0, policy.Rtcp.AuthType);
        Assert.Equal(16, policy.Rtcp.AuthTagLength);

        // Nothing outside rtp@8..32 and rtcp@32..56 was touched.
        Assert.All(bytes[..8].ToArray(), b => Assert.Equal(0xCC, b));
        Assert.All(bytes[56..].ToArray(), b => Assert.Equal(0xCC, b));
    }

    [Fact]
    public void TimeValAndSrtpProtectionProfileMatchLp64()
    {
        Assert.Equal(16, Unsafe.SizeOf<LibSsl.TimeVal>());
        Assert.Equal(16, Unsafe.SizeOf<LibSsl.SrtpProtectionProfile>());
        Assert.Equal(8, (int)Marshal.OffsetOf<LibSsl.SrtpProtectionProfile>(nameof(LibSsl.SrtpProtectionProfile.Id)));
    }
}
