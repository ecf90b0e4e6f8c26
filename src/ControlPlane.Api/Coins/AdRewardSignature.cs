using System.Security.Cryptography;
using System.Text;

namespace ControlPlane.Api.Coins;

/// <summary>What a verified AdMob server-side verification callback says.</summary>
public sealed record VerifiedAdReward(
    string TransactionId, string? UserId, string? AdNetwork, string? AdUnit, string? RewardItem, string? RewardAmount,
    DateTimeOffset Timestamp, string KeyId);

public enum AdRewardRejection { None, Missing, Malformed, UnknownKey, BadSignature, Expired, FromTheFuture }

/// <summary>
/// AdMob rewarded-ad server-side verification (SSV). Google calls the app's callback with
/// ad_network, ad_unit, reward_amount, reward_item, timestamp (ms), transaction_id, user_id, custom_data, and last
/// signature and key_id. The signature is ECDSA P-256 / SHA-256 (DER, URL-safe base64) over the query string exactly
/// as received, up to but not including "&amp;signature=". Keys are Google's published verifier keys, by key id.
/// </summary>
public sealed class AdRewardSignature
{
    private readonly IReadOnlyDictionary<string, byte[]> _keys;
    private readonly TimeSpan _maxAge;
    private static readonly TimeSpan FutureSkew = TimeSpan.FromMinutes(5);

    public AdRewardSignature(IReadOnlyDictionary<string, byte[]> keys, TimeSpan maxAge)
    {
        _keys = keys;
        _maxAge = maxAge;
    }

    /// <summary>"keyId:base64 SubjectPublicKeyInfo" pairs separated by commas; each key must be an EC public key.</summary>
    public static Dictionary<string, byte[]> ParseKeys(string text)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.IndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1) throw new FormatException($"'{Shorten(entry)}' is not keyId:base64");
            var id = entry[..colon];
            byte[] spki;
            try { spki = Convert.FromBase64String(entry[(colon + 1)..]); }
            catch (FormatException) { throw new FormatException($"key {id} is not base64"); }
            try
            {
                using var ec = ECDsa.Create();
                ec.ImportSubjectPublicKeyInfo(spki, out _);
            }
            catch (CryptographicException) { throw new FormatException($"key {id} is not an EC public key (SubjectPublicKeyInfo)"); }
            keys[id] = spki;
        }
        if (keys.Count == 0) throw new FormatException("no keys");
        return keys;
    }

    public AdRewardRejection Verify(string? queryString, DateTimeOffset now, out VerifiedAdReward? reward)
    {
        reward = null;
        if (string.IsNullOrEmpty(queryString)) return AdRewardRejection.Missing;
        var query = queryString[0] == '?' ? queryString[1..] : queryString;
        if (query.Length > 4096) return AdRewardRejection.Malformed;
        var cut = query.IndexOf("&signature=", StringComparison.Ordinal);
        if (cut <= 0 || query.IndexOf("&signature=", cut + 1, StringComparison.Ordinal) >= 0) return AdRewardRejection.Malformed;
        var signed = query[..cut];

        var fields = Parse(query);
        if (fields is null) return AdRewardRejection.Malformed;
        if (!fields.TryGetValue("signature", out var signatureText) || !fields.TryGetValue("key_id", out var keyId))
            return AdRewardRejection.Malformed;
        // signature and key_id are the last two parameters: nothing unsigned may follow them.
        var tail = query[(cut + 1)..];
        if (tail.Split('&').Any(p => !p.StartsWith("signature=", StringComparison.Ordinal) && !p.StartsWith("key_id=", StringComparison.Ordinal)))
            return AdRewardRejection.Malformed;
        if (!_keys.TryGetValue(keyId, out var spki)) return AdRewardRejection.UnknownKey;
        var signature = FromUrlBase64(signatureText);
        if (signature is null) return AdRewardRejection.Malformed;

        using (var ec = ECDsa.Create())
        {
            ec.ImportSubjectPublicKeyInfo(spki, out _);
            bool valid;
            try { valid = ec.VerifyData(Encoding.UTF8.GetBytes(signed), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence); }
            catch (CryptographicException) { valid = false; }
            if (!valid) return AdRewardRejection.BadSignature;
        }

        if (!fields.TryGetValue("transaction_id", out var transaction) || transaction.Length is 0 or > 255) return AdRewardRejection.Malformed;
        if (!fields.TryGetValue("timestamp", out var ts) || !long.TryParse(ts, out var ms) || ms < 0 || ms > 253402300799999)
            return AdRewardRejection.Malformed;
        var at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        if (now - at > _maxAge) return AdRewardRejection.Expired;
        if (at - now > FutureSkew) return AdRewardRejection.FromTheFuture;

        reward = new VerifiedAdReward(transaction, fields.GetValueOrDefault("user_id"), fields.GetValueOrDefault("ad_network"),
            fields.GetValueOrDefault("ad_unit"), fields.GetValueOrDefault("reward_item"), fields.GetValueOrDefault("reward_amount"), at, keyId);
        return AdRewardRejection.None;
    }

    private static Dictionary<string, string>? Parse(string query)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&'))
        {
            if (pair.Length == 0) continue;
            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (!fields.TryAdd(name, value)) return null; // a repeated parameter is ambiguous: refuse it
        }
        return fields;
    }

    private static byte[]? FromUrlBase64(string text)
    {
        if (text.Length is 0 or > 512) return null;
        // URL-safe alphabet as AdMob sends it; a '+' that form decoding turned into ' ' is put back.
        var s = text.Replace(' ', '+').Replace('-', '+').Replace('_', '/').TrimEnd('=');
        s += new string('=', (4 - s.Length % 4) % 4);
        try { return Convert.FromBase64String(s); }
        catch (FormatException) { return null; }
    }

    private static string Shorten(string s) => s.Length > 20 ? s[..20] + "…" : s;
}
