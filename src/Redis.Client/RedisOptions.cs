using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Redis.Client;

/// <summary>Where and how to connect. Build by hand or from a URL with <see cref="Parse"/>.</summary>
public sealed class RedisOptions
{
    public const int DefaultPort = 6379;
    private const string UrlShape = "redis://[[user]:password@]host[:port][/db]";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = DefaultPort;

    /// <summary>ACL user; null sends the one-argument AUTH (the "default" user).</summary>
    public string? User { get; set; }

    /// <summary>Sent with AUTH on every (re)connect when not null.</summary>
    public string? Password { get; set; }

    /// <summary>Selected with SELECT on every (re)connect when not 0.</summary>
    public int Database { get; set; }

    /// <summary>Per command, from the call until its reply, including any wait for a reconnection.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>For one connection attempt: TCP connect plus AUTH/SELECT.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay between failed reconnection attempts; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When the oldest unanswered command has waited this long and nothing at all arrived
    /// meanwhile, the connection is treated as dead (say, half-open after a network failure) and
    /// replaced. Must exceed the longest blocking command (BLPOP…) you send.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables the check.
    /// </summary>
    public TimeSpan StalledConnectionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages buffered per subscription for a slow handler; older ones are dropped beyond this.</summary>
    public int SubscriptionQueueCapacity { get; set; } = 10_000;

    public RespLimits Limits { get; set; } = RespLimits.Default;

    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The URL without the password, for logs and error messages.</summary>
    public string SafeUrl =>
        "redis://" + (Password is null ? "" : (User is null ? "" : Uri.EscapeDataString(User)) + ":***@") +
        (Host.Contains(':') ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture) +
        (Database != 0 ? "/" + Database.ToString(CultureInfo.InvariantCulture) : "");

    /// <summary>
    /// Parses redis://[[user]:password@]host[:port][/db]. User and password are percent-decoded;
    /// IPv6 hosts go in brackets. Throws <see cref="ArgumentException"/> naming what is wrong.
    /// </summary>
    public static RedisOptions Parse(string url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new ArgumentException($"The Redis URL is empty; expected {UrlShape}.", nameof(url));
        }

        string shown = Mask(url);
        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            throw Bad(shown, $"missing scheme, expected {UrlShape}");
        }

        string scheme = url[..schemeEnd].ToLowerInvariant();
        if (scheme == "rediss")
        {
            throw Bad(shown, "TLS (rediss://) is not supported by this client");
        }

        if (scheme != "redis")
        {
            throw Bad(shown, $"unsupported scheme '{url[..schemeEnd]}', expected redis://");
        }

        string rest = url[(schemeEnd + 3)..];
        if (rest.IndexOfAny(['?', '#']) >= 0)
        {
            throw Bad(shown, "query strings and fragments are not supported");
        }

        int slash = rest.IndexOf('/');
        string authority = slash < 0 ? rest : rest[..slash];
        string path = slash < 0 ? "" : rest[(slash + 1)..];

        var options = new RedisOptions();
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = authority[..at];
            authority = authority[(at + 1)..];
            int colon = userInfo.IndexOf(':');
            if (colon < 0)
            {
                throw Bad(shown, "user given without a password; use redis://:password@host or redis://user:password@host");
            }

            string user = Uri.UnescapeDataString(userInfo[..colon]);
            options.User = user.Length == 0 ? null : user;
            options.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }

        string host;
        string? port = null;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            if (close < 0)
            {
                throw Bad(shown, "unterminated IPv6 address, expected [address]");
            }

            host = authority[1..close];
            string after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    throw Bad(shown, "unexpected text after the IPv6 address");
                }

                port = after[1..];
            }
        }
        else
        {
            int colon = authority.IndexOf(':');
            if (colon >= 0 && authority.IndexOf(':', colon + 1) >= 0)
            {
                throw Bad(shown, "IPv6 addresses must be written in brackets, e.g. redis://[::1]:6379");
            }

            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw Bad(shown, "missing host");
        }

        options.Host = host;
        if (port is not null)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
            {
                throw Bad(shown, $"port '{port}' is not a number between 1 and 65535");
            }

            options.Port = p;
        }

        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out int db))
            {
                throw Bad(shown, $"database '{path}' is not a non-negative integer");
            }

            options.Database = db;
        }

        return options;
    }

    internal RedisOptions Clone() => (RedisOptions)MemberwiseClone();

    private static ArgumentException Bad(string shownUrl, string why) =>
        new($"Invalid Redis URL '{shownUrl}': {why}.", "url");

    /// <summary>Hides the password of a URL that may be malformed.</summary>
    private static string Mask(string url)
    {
        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        // The last '@' anywhere: a password may contain an unescaped '/'.
        int at = url.LastIndexOf('@');
        if (at < start)
        {
            return url;
        }

        int colon = url.IndexOf(':', start, at - start);
        return colon < 0 ? url : url[..(colon + 1)] + "***" + url[at..];
    }
}
