using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Media.Sfu.Dtls;
using Media.Sfu.Native;
using Media.Sfu.Tests.Native;

namespace Media.Sfu.Tests.Dtls;

[Collection(NativeCollection.Name)]
public sealed unsafe class DtlsCertificateTests
{
    [Fact]
    public void GeneratedCertificateIsSelfSignedEcdsaP256()
    {
        using var certificate = DtlsCertificate.Generate("sfu-test", TimeSpan.FromDays(7));
        using var parsed = X509CertificateLoader.LoadCertificate(certificate.Der);

        Assert.Equal("CN=sfu-test", parsed.Subject);
        Assert.Equal(parsed.Subject, parsed.Issuer);
        using var publicKey = parsed.GetECDsaPublicKey();
        Assert.NotNull(publicKey);
        Assert.Equal(256, publicKey.KeySize);
        Assert.Equal("1.2.840.10045.4.3.2", parsed.SignatureAlgorithm.Value); // ecdsa-with-SHA256
        Assert.InRange(certificate.NotAfter - DateTimeOffset.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7.1));
        Assert.True(certificate.NotBefore < DateTimeOffset.UtcNow);
    }

    [Fact]
    public void FingerprintMatchesTheCertificatesSha256Hash()
    {
        using var certificate = DtlsCertificate.Generate();
        using var parsed = X509CertificateLoader.LoadCertificate(certificate.Der);
        var expected = Convert.ToHexString(parsed.GetCertHash(HashAlgorithmName.SHA256));

        Assert.Equal("sha-256", certificate.Fingerprint.Algorithm);
        Assert.Equal(expected, certificate.Fingerprint.Value.Replace(":", "", StringComparison.Ordinal));
        Assert.Equal(95, certificate.Fingerprint.Value.Length);
        Assert.Equal(Convert.ToHexString(parsed.GetCertHash(HashAlgorithmName.SHA384)),
            certificate.GetFingerprint("sha-384").Value.Replace(":", "", StringComparison.Ordinal));
        Assert.Equal(Convert.ToHexString(parsed.GetCertHash(HashAlgorithmName.SHA1)),
            certificate.GetFingerprint("sha-1").Value.Replace(":", "", StringComparison.Ordinal));
    }

    [Fact]
    public void OpenSslHoldsTheSameCertificate()
    {
        using var certificate = DtlsCertificate.Generate();
        var x509 = certificate.X509.DangerousGetHandle();
        var length = LibCrypto.i2d_X509(x509, null);
        var der = new byte[length];
        fixed (byte* start = der)
        {
            var cursor = start;
            Assert.Equal(length, LibCrypto.i2d_X509(x509, &cursor));
        }
        Assert.Equal(certificate.Der.ToArray(), der);
    }

    [Fact]
    public void SeparatelyExportedKeyFormatsLoad()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=imported", key, HashAlgorithmName.SHA256);
        using var x509 = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var fromSec1 = DtlsCertificate.FromDer(x509.RawData, key.ExportECPrivateKey());
        using var context = new DtlsContext(fromSec1);
        Assert.Equal(DtlsFingerprint.Compute("sha-256", x509.RawData), context.LocalFingerprint);
    }

    [Fact]
    public void MismatchedKeyOrGarbageIsRejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mismatch", key, HashAlgorithmName.SHA256);
        using var x509 = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var certificates = LiveNativeContexts.Certificates;
        var contexts = LiveNativeContexts.SslContexts;
        using (var mismatched = DtlsCertificate.FromDer(x509.RawData, otherKey.ExportPkcs8PrivateKey()))
        {
            Assert.Throws<CryptographicException>(() => new DtlsContext(mismatched));
        }
        Assert.Equal(contexts, LiveNativeContexts.SslContexts);
        Assert.ThrowsAny<CryptographicException>(() => DtlsCertificate.FromDer(x509.RawData, new byte[] { 1, 2, 3 }));
        Assert.ThrowsAny<CryptographicException>(() => DtlsCertificate.FromDer(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, key.ExportPkcs8PrivateKey()));
        Assert.Equal(certificates, LiveNativeContexts.Certificates);
    }

    [Fact]
    public void ContextKeepsWorkingAfterTheCertificateIsDisposed()
    {
        var certificate = DtlsCertificate.Generate();
        using var serverContext = new DtlsContext(certificate);
        var fingerprint = certificate.Fingerprint;
        certificate.Dispose();

        using var clientCertificate = DtlsCertificate.Generate();
        using var clientContext = new DtlsContext(clientCertificate);
        var toClient = new DatagramOutbox();
        var toServer = new DatagramOutbox();
        using var server = new DtlsSession(serverContext, DtlsRole.Server, toClient);
        using var client = new DtlsSession(clientContext, DtlsRole.Client, toServer);
        server.SetRemoteFingerprint(clientCertificate.Fingerprint);
        client.SetRemoteFingerprint(fingerprint);
        client.Start();
        for (var i = 0; i < 10 && client.State != DtlsState.Connected; i++)
        {
            toServer.Take().ForEach(d => server.HandleDatagram(d));
            toClient.Take().ForEach(d => client.HandleDatagram(d));
        }
        Assert.Equal(DtlsState.Connected, client.State);
        Assert.Equal(DtlsState.Connected, server.State);
    }
}
