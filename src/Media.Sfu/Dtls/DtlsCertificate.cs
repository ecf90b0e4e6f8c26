using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Media.Sfu.Native;

namespace Media.Sfu.Dtls;

/// <summary>
/// The SFU's DTLS identity: a self-signed ECDSA P-256 certificate made in .NET and loaded into
/// OpenSSL. WebRTC authenticates it by the SDP fingerprint, not by a CA (RFC 8827 §6.5), so
/// self-signed is the norm; browsers make the same kind. Dispose releases the OpenSSL copies
/// (a <see cref="DtlsContext"/> built from it keeps its own references).
/// </summary>
public sealed unsafe class DtlsCertificate : IDisposable
{
    private readonly byte[] _der;

    private DtlsCertificate(byte[] der, X509Handle x509, EvpPKeyHandle privateKey, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        _der = der;
        X509 = x509;
        PrivateKey = privateKey;
        NotBefore = notBefore;
        NotAfter = notAfter;
        Fingerprint = DtlsFingerprint.Compute(DtlsFingerprint.Sha256, der);
    }

    /// <summary>DER encoding of the certificate.</summary>
    public ReadOnlySpan<byte> Der => _der;

    /// <summary>SHA-256 fingerprint for the answer's <c>a=fingerprint</c>.</summary>
    public DtlsFingerprint Fingerprint { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    internal X509Handle X509 { get; }

    internal EvpPKeyHandle PrivateKey { get; }

    /// <summary>Fingerprint with another hash function (sha-1, sha-256, sha-384, sha-512).</summary>
    public DtlsFingerprint GetFingerprint(string algorithm) => DtlsFingerprint.Compute(algorithm, _der);

    /// <summary>
    /// Generates a fresh P-256 key and a self-signed certificate valid from one day ago (clock skew)
    /// for <paramref name="validity"/> (default 30 days, like browsers' own certificates).
    /// </summary>
    public static DtlsCertificate Generate(string commonName = "Omegle.Media SFU", TimeSpan? validity = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(
            new X500DistinguishedName("CN=" + commonName.Replace(",", "", StringComparison.Ordinal)),
            key,
            HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        var notBefore = now.AddDays(-1);
        var notAfter = now + (validity ?? TimeSpan.FromDays(30));
        Span<byte> serial = stackalloc byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F; // positive INTEGER (RFC 5280 §4.1.2.2)
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), notBefore, notAfter, serial);
        var privateKey = key.ExportPkcs8PrivateKey();
        try
        {
            return FromDer(certificate.RawData, privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    /// <summary>Loads a DER certificate and its DER private key (PKCS#8 or SEC1) into OpenSSL.</summary>
    public static DtlsCertificate FromDer(ReadOnlySpan<byte> certificateDer, ReadOnlySpan<byte> privateKeyDer)
    {
        var der = certificateDer.ToArray();
        using var parsed = X509CertificateLoader.LoadCertificate(der);

        nint x509;
        fixed (byte* start = der)
        {
            var cursor = start;
            LibCrypto.ERR_clear_error();
            x509 = LibCrypto.d2i_X509(0, &cursor, der.Length);
        }
        if (x509 == 0)
        {
            throw new CryptographicException(LibCrypto.DrainErrors("d2i_X509 failed"));
        }
        var x509Handle = new X509Handle(x509);

        nint key;
        fixed (byte* start = privateKeyDer)
        {
            var cursor = start;
            key = LibCrypto.d2i_AutoPrivateKey(0, &cursor, privateKeyDer.Length);
        }
        if (key == 0)
        {
            x509Handle.Dispose();
            throw new CryptographicException(LibCrypto.DrainErrors("d2i_AutoPrivateKey failed"));
        }
        return new DtlsCertificate(der, x509Handle, new EvpPKeyHandle(key), parsed.NotBefore, parsed.NotAfter);
    }

    public void Dispose()
    {
        X509.Dispose();
        PrivateKey.Dispose();
    }
}
