using System.Security.Cryptography;
using System.Text;

namespace Turn.Auth;

/// <summary>Credentials in the shape of seed 000's POST /turn/credentials response.</summary>
public sealed record TurnCredentials(IReadOnlyList<string> Urls, string Username, string Credential, int Ttl, DateTimeOffset ExpiresAt);

/// <summary>
/// Mints and checks TURN REST API credentials: username = "&lt;expiry unix seconds&gt;:&lt;userId&gt;",
/// password = base64(HMAC-SHA1(secret, username)). This is what coturn's use-auth-secret mode verifies.
/// </summary>
public sealed class TurnCredentialIssuer
{
    private readonly TurnOptions _options;
    private readonly TimeProvider _clock;

    public TurnCredentialIssuer(TurnOptions options, TimeProvider? clock = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid TURN options: " + string.Join("; ", errors), nameof(options));
        _options = options;
        _clock = clock ?? TimeProvider.System;
    }

    public TurnCredentials Issue(string userId)
    {
        if (string.IsNullOrEmpty(userId)) throw new ArgumentException("userId is required", nameof(userId));
        // The colon separates expiry from user id; coturn reads the expiry up to the first colon,
        // so a user id may contain colons, but control characters would break log lines and realms.
        foreach (var c in userId)
            if (char.IsControl(c)) throw new ArgumentException("userId contains control characters", nameof(userId));
        var expires = _clock.GetUtcNow().AddSeconds(_options.TtlSeconds);
        var username = $"{expires.ToUnixTimeSeconds()}:{userId}";
        return new TurnCredentials(_options.Urls, username, Password(_options.Secrets[0], username), _options.TtlSeconds,
            DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>True when the pair was signed by any configured secret and has not expired, as coturn decides.</summary>
    public bool IsValid(string username, string credential)
    {
        var colon = username.IndexOf(':');
        var expiryText = colon < 0 ? username : username[..colon];
        if (!long.TryParse(expiryText, out var expiry) || expiry < _clock.GetUtcNow().ToUnixTimeSeconds()) return false;
        var given = Encoding.ASCII.GetBytes(credential);
        foreach (var secret in _options.Secrets)
            if (CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(Password(secret, username))))
                return true;
        return false;
    }

    public static string Password(string secret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
}
