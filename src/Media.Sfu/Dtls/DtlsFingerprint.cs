using System.Security.Cryptography;
using System.Text;

namespace Media.Sfu.Dtls;

/// <summary>
/// A certificate fingerprint as carried in SDP <c>a=fingerprint:&lt;algorithm&gt; &lt;value&gt;</c>
/// (RFC 8122 §5): a lowercase hash name (sha-1, sha-256, sha-384, sha-512) and the digest as
/// uppercase hex byte pairs separated by colons. Comparison is case-insensitive and constant-time.
/// </summary>
public sealed class DtlsFingerprint : IEquatable<DtlsFingerprint>
{
    /// <summary>The algorithm WebRTC endpoints use (RFC 8827 §6.5 requires SHA-256 support).</summary>
    public const string Sha256 = "sha-256";

    private static readonly string[] Algorithms = ["sha-1", "sha-256", "sha-384", "sha-512"];

    private readonly byte[] _digest;

    private DtlsFingerprint(string algorithm, byte[] digest)
    {
        Algorithm = algorithm;
        _digest = digest;
        Value = FormatHex(digest);
    }

    /// <summary>Hash function name, lowercase (e.g. "sha-256").</summary>
    public string Algorithm { get; }

    /// <summary>Digest as "AB:CD:…", uppercase.</summary>
    public string Value { get; }

    /// <summary>The raw digest bytes.</summary>
    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>Hash functions this type can compute.</summary>
    public static IReadOnlyList<string> SupportedAlgorithms => Algorithms;

    /// <summary>Computes the fingerprint of a DER-encoded certificate.</summary>
    public static DtlsFingerprint Compute(string algorithm, ReadOnlySpan<byte> certificateDer)
    {
        var normalized = NormalizeAlgorithm(algorithm)
            ?? throw new ArgumentException($"Unsupported fingerprint algorithm '{algorithm}'.", nameof(algorithm));
        return new DtlsFingerprint(normalized, Hash(normalized, certificateDer));
    }

    /// <summary>Builds a fingerprint from an algorithm and "AB:CD:…" value; throws when either is malformed.</summary>
    public static DtlsFingerprint Create(string algorithm, string value) =>
        TryCreate(algorithm, value, out var fingerprint)
            ? fingerprint
            : throw new ArgumentException($"Malformed fingerprint '{algorithm} {value}'.");

    /// <summary>Builds a fingerprint from an algorithm and "AB:CD:…" value (hex case-insensitive).</summary>
    public static bool TryCreate(string? algorithm, string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        var normalized = algorithm is null ? null : NormalizeAlgorithm(algorithm);
        if (normalized is null || value is null)
        {
            return false;
        }
        var expectedLength = DigestLength(normalized);
        // "XX" per byte plus a colon between bytes.
        if (value.Length != expectedLength * 3 - 1)
        {
            return false;
        }
        var digest = new byte[expectedLength];
        for (var i = 0; i < expectedLength; i++)
        {
            var position = i * 3;
            if (i > 0 && value[position - 1] != ':')
            {
                return false;
            }
            var high = HexValue(value[position]);
            var low = HexValue(value[position + 1]);
            if (high < 0 || low < 0)
            {
                return false;
            }
            digest[i] = (byte)(high << 4 | low);
        }
        fingerprint = new DtlsFingerprint(normalized, digest);
        return true;
    }

    /// <summary>Parses the attribute value of <c>a=fingerprint:</c>, e.g. "sha-256 AB:CD:…".</summary>
    public static bool TryParse(string? attributeValue, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        if (attributeValue is null)
        {
            return false;
        }
        var trimmed = attributeValue.Trim();
        var space = trimmed.IndexOf(' ');
        if (space <= 0)
        {
            return false;
        }
        return TryCreate(trimmed[..space], trimmed[(space + 1)..].Trim(), out fingerprint);
    }

    /// <summary>True when <paramref name="certificateDer"/> hashes to this fingerprint (constant-time compare).</summary>
    public bool Matches(ReadOnlySpan<byte> certificateDer) =>
        CryptographicOperations.FixedTimeEquals(Hash(Algorithm, certificateDer), _digest);

    public bool Equals(DtlsFingerprint? other) =>
        other is not null && other.Algorithm == Algorithm && CryptographicOperations.FixedTimeEquals(other._digest, _digest);

    public override bool Equals(object? obj) => Equals(obj as DtlsFingerprint);

    public override int GetHashCode() => HashCode.Combine(Algorithm, Value);

    /// <summary>The SDP attribute value: "sha-256 AB:CD:…".</summary>
    public override string ToString() => Algorithm + " " + Value;

    private static string? NormalizeAlgorithm(string algorithm)
    {
        foreach (var known in Algorithms)
        {
            if (string.Equals(known, algorithm.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }
        return null;
    }

    private static int DigestLength(string algorithm) => algorithm switch
    {
        "sha-1" => SHA1.HashSizeInBytes,
        "sha-256" => SHA256.HashSizeInBytes,
        "sha-384" => SHA384.HashSizeInBytes,
        _ => SHA512.HashSizeInBytes,
    };

    private static byte[] Hash(string algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        "sha-1" => SHA1.HashData(data),
        "sha-256" => SHA256.HashData(data),
        "sha-384" => SHA384.HashData(data),
        _ => SHA512.HashData(data),
    };

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    private static string FormatHex(ReadOnlySpan<byte> digest)
    {
        var builder = new StringBuilder(digest.Length * 3);
        for (var i = 0; i < digest.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(':');
            }
            builder.Append(digest[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
