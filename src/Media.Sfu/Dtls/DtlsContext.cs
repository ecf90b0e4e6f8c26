using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Media.Sfu.Native;
using Media.Sfu.Srtp;

namespace Media.Sfu.Dtls;

/// <summary>
/// The OpenSSL <c>SSL_CTX</c> shared by all DTLS sessions of the SFU: DTLS 1.2 minimum, the
/// SFU certificate and key, the use_srtp extension (RFC 5764 §4.1.1) with the configured profiles,
/// and a mandatory peer certificate that is accepted as-is during the handshake because WebRTC
/// authenticates it afterwards against the SDP fingerprint (RFC 8842 §5). Thread-safe to share.
/// </summary>
public sealed unsafe class DtlsContext : IDisposable
{
    /// <summary>Preferred first: GCM (cheaper, RFC 7714), then the profile every browser supports.</summary>
    public static readonly IReadOnlyList<SrtpProfile> DefaultSrtpProfiles =
        [SrtpProfile.AeadAes128Gcm, SrtpProfile.AesCm128HmacSha1_80];

    private readonly SslContextHandle _handle;

    /// <param name="certificate">The local identity; the context takes its own references.</param>
    /// <param name="srtpProfiles">Offered (client) or accepted (server) SRTP profiles in preference order; tests pass one to force it.</param>
    public DtlsContext(DtlsCertificate certificate, IReadOnlyList<SrtpProfile>? srtpProfiles = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var profiles = srtpProfiles ?? DefaultSrtpProfiles;
        if (profiles.Count == 0)
        {
            throw new ArgumentException("At least one SRTP profile is required.", nameof(srtpProfiles));
        }

        LibCrypto.ERR_clear_error();
        var ctx = LibSsl.SSL_CTX_new(LibSsl.DTLS_method());
        if (ctx == 0)
        {
            throw new CryptographicException(LibCrypto.DrainErrors("SSL_CTX_new(DTLS_method()) failed"));
        }
        _handle = new SslContextHandle(ctx);
        try
        {
            if (LibSsl.SSL_CTX_ctrl(_handle, LibSsl.SSL_CTRL_SET_MIN_PROTO_VERSION, LibSsl.DTLS1_2_VERSION, 0) != 1)
            {
                throw new CryptographicException(LibCrypto.DrainErrors("Setting the minimum version to DTLS 1.2 failed"));
            }
            // No QUERY_MTU: memory BIOs know no path MTU; sessions set it explicitly.
            // No tickets or renegotiation: each WebRTC transport does one full handshake.
            LibSsl.SSL_CTX_set_options(_handle,
                LibSsl.SSL_OP_NO_QUERY_MTU | LibSsl.SSL_OP_NO_TICKET | LibSsl.SSL_OP_NO_RENEGOTIATION | LibSsl.SSL_OP_CIPHER_SERVER_PREFERENCE);
            LibSsl.SSL_CTX_ctrl(_handle, LibSsl.SSL_CTRL_SET_SESS_CACHE_MODE, LibSsl.SSL_SESS_CACHE_OFF, 0);

            if (LibSsl.SSL_CTX_use_certificate(_handle, certificate.X509) != 1)
            {
                throw new CryptographicException(LibCrypto.DrainErrors("SSL_CTX_use_certificate failed"));
            }
            if (LibSsl.SSL_CTX_use_PrivateKey(_handle, certificate.PrivateKey) != 1
                || LibSsl.SSL_CTX_check_private_key(_handle) != 1)
            {
                throw new CryptographicException(LibCrypto.DrainErrors("SSL_CTX_use_PrivateKey failed"));
            }

            // Returns 0 on success, unlike the rest of OpenSSL.
            if (LibSsl.SSL_CTX_set_tlsext_use_srtp(_handle, OpenSslProfileList(profiles)) != 0)
            {
                throw new CryptographicException(LibCrypto.DrainErrors("SSL_CTX_set_tlsext_use_srtp failed"));
            }

            LibSsl.SSL_CTX_set_verify(_handle, LibSsl.SSL_VERIFY_PEER | LibSsl.SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &AcceptAnyCertificate);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }

        Certificate = certificate;
        SrtpProfiles = profiles.ToArray();
        LocalFingerprint = certificate.Fingerprint;
    }

    /// <summary>The certificate this context was built with (may be disposed by its owner; the context holds its own copy).</summary>
    public DtlsCertificate Certificate { get; }

    /// <summary>SHA-256 fingerprint of the local certificate, for <c>a=fingerprint</c> in the answer.</summary>
    public DtlsFingerprint LocalFingerprint { get; }

    public IReadOnlyList<SrtpProfile> SrtpProfiles { get; }

    internal SslContextHandle Handle => _handle;

    /// <summary>OpenSSL's name for a profile (openssl/srtp.h).</summary>
    public static string OpenSslProfileName(SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
        SrtpProfile.AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, null),
    };

    /// <summary>Maps OpenSSL's profile id (the IANA DTLS-SRTP value) back to a profile.</summary>
    internal static bool TryMapProfileId(nuint id, out SrtpProfile profile)
    {
        switch (id)
        {
            case 0x0001: profile = SrtpProfile.AesCm128HmacSha1_80; return true;
            case 0x0007: profile = SrtpProfile.AeadAes128Gcm; return true;
            default: profile = default; return false;
        }
    }

    public void Dispose() => _handle.Dispose();

    private static string OpenSslProfileList(IReadOnlyList<SrtpProfile> profiles)
    {
        var names = new string[profiles.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = OpenSslProfileName(profiles[i]);
        }
        return string.Join(':', names);
    }

    // The handshake accepts any certificate; DtlsSession checks the SDP fingerprint after it.
    [UnmanagedCallersOnly]
    private static int AcceptAnyCertificate(int preverifyOk, nint storeContext) => 1;
}
