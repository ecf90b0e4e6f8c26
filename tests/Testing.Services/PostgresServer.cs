namespace Testing.Services;

/// <summary>A real PostgreSQL 15 on loopback, one per test process, shared by all tests (each test uses its own rows).</summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync);

    public string Url { get; }
    public int Port { get; }

    private PostgresServer(string url, int port) { Url = url; Port = port; }

    /// <summary>TEST_DATABASE_URL points the tests at an existing server instead.</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    private static async Task<PostgresServer> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable("TEST_DATABASE_URL") is { Length: > 0 } external)
            return new PostgresServer(external, new Uri(external).Port);
        var services = new LocalServices("pg");
        var port = FreePort.Tcp();
        var url = await services.StartAsync("postgres", port.ToString());
        return new PostgresServer(url, port);
    }

    /// <summary>A fresh, empty database on the shared server, for tests that need a clean schema.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        var psi = new System.Diagnostics.ProcessStartInfo("psql", new[] { "-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", "-d", "postgres", "-qc", $"CREATE DATABASE \"{name}\"" })
            { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException("CREATE DATABASE failed: " + await p.StandardError.ReadToEndAsync());
        var b = new UriBuilder(Url) { Path = "/" + name };
        return b.Uri.ToString();
    }
}
