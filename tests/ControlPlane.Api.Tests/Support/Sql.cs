using ControlPlane.Api.Data;
using Npgsql;

namespace ControlPlane.Api.Tests.Support;

/// <summary>Direct SQL against a test host's database, to check what was (or was not) stored.</summary>
public static class Sql
{
    public static async Task<T?> ScalarAsync<T>(string databaseUrl, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new NpgsqlConnection(DatabaseOptions.ToNpgsql(databaseUrl));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        var r = await cmd.ExecuteScalarAsync();
        return r is null or DBNull ? default : (T)r;
    }

    public static async Task<List<Dictionary<string, object?>>> RowsAsync(string databaseUrl, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new NpgsqlConnection(DatabaseOptions.ToNpgsql(databaseUrl));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public static Task<int> ExecuteAsync(string databaseUrl, string sql, params (string Name, object Value)[] args) =>
        Task.Run(async () =>
        {
            await using var conn = new NpgsqlConnection(DatabaseOptions.ToNpgsql(databaseUrl));
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
            foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
            return await cmd.ExecuteNonQueryAsync();
        });

    /// <summary>Polls until the condition holds (background writers are asynchronous).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > end) throw new TimeoutException("Timed out waiting for: " + what);
            await Task.Delay(50);
        }
    }
}
