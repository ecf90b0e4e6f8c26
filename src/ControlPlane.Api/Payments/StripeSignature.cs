using System.Security.Cryptography;
using System.Text;

namespace ControlPlane.Api.Payments;

public enum StripeSignatureCheck { Valid, Missing, Malformed, NoMatch, Stale }

/// <summary>
/// Stripe webhook signatures: the header is "t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=…][,v0=…]"; each v1 is
/// HMAC-SHA256(secret, "&lt;t&gt;." + raw body). Any v1 matching any configured secret is enough (Stripe sends one per
/// active secret while rolling). Comparisons are fixed-time; t must be within the tolerance of now, so a captured
/// delivery cannot be replayed later.
/// </summary>
public static class StripeSignature
{
    public static StripeSignatureCheck Verify(ReadOnlySpan<byte> payload, string? header, IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header)) return StripeSignatureCheck.Missing;
        if (header.Length > 4096) return StripeSignatureCheck.Malformed;
        long? timestamp = null;
        var candidates = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (name == "t")
            {
                if (timestamp is not null || !long.TryParse(value, System.Globalization.NumberStyles.None, null, out var t)) return StripeSignatureCheck.Malformed;
                timestamp = t;
            }
            else if (name == "v1" && value.Length == 64)
            {
                try { candidates.Add(Convert.FromHexString(value)); }
                catch (FormatException) { /* not hex: cannot match, ignore like any unknown scheme */ }
            }
        }
        if (timestamp is null || candidates.Count == 0) return StripeSignatureCheck.Malformed;

        var prefix = Encoding.ASCII.GetBytes(timestamp.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(signed, 0);
        payload.CopyTo(signed.AsSpan(prefix.Length));

        var match = false;
        Span<byte> expected = stackalloc byte[32];
        foreach (var secret in secrets)
        {
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed, expected);
            foreach (var candidate in candidates)
                match |= CryptographicOperations.FixedTimeEquals(expected, candidate);
        }
        if (!match) return StripeSignatureCheck.NoMatch;
        var age = now.ToUnixTimeSeconds() - timestamp.Value;
        return Math.Abs(age) > tolerance.TotalSeconds ? StripeSignatureCheck.Stale : StripeSignatureCheck.Valid;
    }
}
