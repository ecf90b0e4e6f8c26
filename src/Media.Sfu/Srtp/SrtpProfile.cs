namespace Media.Sfu.Srtp;

/// <summary>SRTP protection profiles the SFU negotiates through DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2).</summary>
public enum SrtpProfile
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80: 16-byte key, 14-byte salt, 10-byte tag. Every browser offers it.</summary>
    AesCm128HmacSha1_80 = 1,

    /// <summary>SRTP_AEAD_AES_128_GCM: 16-byte key, 12-byte salt, 16-byte tag.</summary>
    AeadAes128Gcm = 7,
}

/// <summary>Key sizes per profile (RFC 5764 §4.1.2, RFC 7714 §12).</summary>
public static class SrtpProfileExtensions
{
    public static int MasterKeyLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 => 16,
        SrtpProfile.AeadAes128Gcm => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, null),
    };

    public static int MasterSaltLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 => 14,
        SrtpProfile.AeadAes128Gcm => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, null),
    };

    /// <summary>Bytes of authentication tag protect appends to each RTP packet.</summary>
    public static int AuthTagLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 => 10,
        SrtpProfile.AeadAes128Gcm => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, null),
    };

    /// <summary>Length of the key||salt buffer an <see cref="SrtpSession"/> takes.</summary>
    public static int MasterKeyAndSaltLength(this SrtpProfile profile) =>
        profile.MasterKeyLength() + profile.MasterSaltLength();
}
