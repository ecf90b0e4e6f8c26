using System.Text;
using Media.Sfu.Dtls;

namespace Media.Sfu.Tests.Dtls;

public sealed class DtlsFingerprintTests
{
    private static readonly byte[] Abc = "abc"u8.ToArray();

    // FIPS 180-2 Appendix B / C test vectors for the message "abc".
    [Theory]
    [InlineData("sha-1", "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D")]
    [InlineData("sha-256", "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD")]
    [InlineData("SHA-384", "CB:00:75:3F:45:A3:5E:8B:B5:A0:3D:69:9A:C6:50:07:27:2C:32:AB:0E:DE:D1:63:1A:8B:60:5A:43:FF:5B:ED:80:86:07:2B:A1:E7:CC:23:58:BA:EC:A1:34:C8:25:A7")]
    [InlineData("sha-512", "DD:AF:35:A1:93:61:7A:BA:CC:41:73:49:AE:20:41:31:12:E6:FA:4E:89:A9:7E:A2:0A:9E:EE:E6:4B:55:D3:9A:21:92:99:2A:27:4F:C1:A8:36:BA:3C:23:A3:FE:EB:BD:45:4D:44:23:64:3C:E8:0E:2A:9A:C9:4F:A5:4C:A4:9F")]
    public void ComputeFormatsKnownDigestsAsUppercaseColonHex(string algorithm, string expected)
    {
        var fingerprint = DtlsFingerprint.Compute(algorithm, Abc);
        Assert.Equal(algorithm.ToLowerInvariant(), fingerprint.Algorithm);
        Assert.Equal(expected, fingerprint.Value);
        Assert.Equal($"{algorithm.ToLowerInvariant()} {expected}", fingerprint.ToString());
        Assert.True(fingerprint.Matches(Abc));
        Assert.False(fingerprint.Matches("abd"u8));
    }

    [Fact]
    public void ParsingIsCaseInsensitiveAndRoundTrips()
    {
        var computed = DtlsFingerprint.Compute("sha-256", Abc);
        Assert.True(DtlsFingerprint.TryParse("SHA-256 " + computed.Value.ToLowerInvariant(), out var parsed));
        Assert.Equal(computed, parsed);
        Assert.Equal(computed.Value, parsed.Value);
        Assert.True(parsed.Matches(Abc));
        Assert.True(DtlsFingerprint.TryParse("  " + computed + "  ", out var padded));
        Assert.Equal(computed, padded);
        Assert.Equal(computed, DtlsFingerprint.Create("sha-256", computed.Value));
        Assert.NotEqual(computed, DtlsFingerprint.Compute("sha-1", Abc));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha-256")]
    [InlineData("md5 AB:CD")]
    [InlineData("sha-256 BA:78:16")]
    [InlineData("sha-256 BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("sha-256 BA-78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD")]
    [InlineData("sha-256 GA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD")]
    [InlineData("sha-1 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD")]
    public void MalformedFingerprintsAreRejected(string? value)
    {
        Assert.False(DtlsFingerprint.TryParse(value, out var parsed));
        Assert.Null(parsed);
    }

    [Fact]
    public void UnsupportedAlgorithmThrowsOnCompute()
    {
        Assert.Throws<ArgumentException>(() => DtlsFingerprint.Compute("md5", Abc));
        Assert.Throws<ArgumentException>(() => DtlsFingerprint.Create("sha-256", "zz"));
    }

    [Fact]
    public void RandomAttributeValuesNeverThrow()
    {
        var random = new Random(2024);
        const string alphabet = "sha-125684 :ABCDEFabcdef0123456789xyz\t";
        var valid = DtlsFingerprint.Compute("sha-256", Abc).ToString();
        for (var i = 0; i < 5000; i++)
        {
            string candidate;
            if (i % 2 == 0)
            {
                var builder = new StringBuilder();
                var length = random.Next(0, 120);
                for (var c = 0; c < length; c++)
                {
                    builder.Append(alphabet[random.Next(alphabet.Length)]);
                }
                candidate = builder.ToString();
            }
            else
            {
                var chars = valid.ToCharArray();
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                candidate = new string(chars, 0, random.Next(chars.Length + 1));
            }
            if (DtlsFingerprint.TryParse(candidate, out var parsed))
            {
                Assert.Equal(parsed.Digest.Length * 3 - 1, parsed.Value.Length);
                Assert.Contains(parsed.Algorithm, DtlsFingerprint.SupportedAlgorithms);
            }
        }
    }
}
