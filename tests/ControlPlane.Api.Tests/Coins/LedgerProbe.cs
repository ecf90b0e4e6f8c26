using ControlPlane.Api.Data;
using Npgsql;

namespace ControlPlane.Api.Tests.Coins;

/// <summary>Reads the ledger straight from PostgreSQL, so tests check what is stored, not what the API says.</summary>
public sealed class LedgerProbe(string databaseUrl)
{
    private readonly string _connection = DatabaseOptions.ToNpgsql(databaseUrl);

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(_connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        var result = await cmd.ExecuteScalarAsync();
        return result is null or DBNull ? default! : (T)Convert.ChangeType(result, typeof(T));
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(_connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync();
    }

    public Task<long> RowCountAsync() => ScalarAsync<long>("SELECT count(*) FROM coin_transactions");

    public Task<long> RowCountAsync(Guid device) => ScalarAsync<long>("SELECT count(*) FROM coin_transactions WHERE device_id = @d", ("d", device));

    public Task<long> BalanceAsync(Guid device) => ScalarAsync<long>("SELECT balance FROM coin_accounts WHERE device_id = @d", ("d", device));

    public Task<long> SumAsync(Guid device) => ScalarAsync<long>("SELECT COALESCE(SUM(amount), 0) FROM coin_transactions WHERE device_id = @d", ("d", device));

    /// <summary>The ledger invariant over every account: balance = sum of its rows, and never negative.</summary>
    public async Task AssertConsistentAsync()
    {
        var mismatched = await ScalarAsync<long>("""
            SELECT count(*) FROM coin_accounts a
            WHERE a.balance <> (SELECT COALESCE(SUM(t.amount), 0) FROM coin_transactions t WHERE t.device_id = a.device_id) OR a.balance < 0
            """);
        Assert.Equal(0L, mismatched);
    }
}
