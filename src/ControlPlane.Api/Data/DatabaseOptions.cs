using ControlPlane.Api.Configuration;
using Npgsql;

namespace ControlPlane.Api.Data;

public sealed class DatabaseOptions : IValidatedOptions
{
    /// <summary>postgresql://user:password@host:port/db?sslmode=... (DATABASE_URL) or an Npgsql connection string.</summary>
    public string? Url { get; set; }

    /// <summary>Apply pending migrations at start-up (one node takes EF's migration lock; others wait).</summary>
    public bool MigrateOnStart { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Url)) { yield return "DATABASE_URL is required"; yield break; }
        string? error = null;
        try { _ = ConnectionString(); } catch (ArgumentException e) { error = e.Message; }
        if (error is not null) yield return "DATABASE_URL is not valid: " + error;
    }

    public string ConnectionString() => ToNpgsql(Url!);

    /// <summary>Converts a libpq-style URL into an Npgsql connection string; other strings pass through.</summary>
    public static string ToNpgsql(string url)
    {
        if (!url.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) &&
            !url.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new NpgsqlConnectionStringBuilder(url).ConnectionString;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException("expected postgresql://user:password@host:port/database");
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
            switch (key.ToLowerInvariant())
            {
                case "sslmode": b.SslMode = Enum.Parse<SslMode>(value, ignoreCase: true); break;
                case "host": b.Host = value; break; // unix socket directory
                case "schema": b.SearchPath = value; break;
                default: b[key] = value; break;
            }
        }
        return b.ConnectionString;
    }
}
