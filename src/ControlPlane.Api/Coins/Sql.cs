using ControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ControlPlane.Api.Coins;

/// <summary>Raw SQL on the request's DbContext connection, inside whatever transaction it has open.</summary>
internal static class Sql
{
    public static async Task<NpgsqlCommand> CommandAsync(this ControlPlaneDb db, string text, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var cmd = ((NpgsqlConnection)db.Database.GetDbConnection()).CreateCommand();
        cmd.CommandText = text;
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction;
        return cmd;
    }

    public static NpgsqlCommand With(this NpgsqlCommand cmd, string name, object value)
    {
        cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    /// <summary>A text parameter that may be null (a typed null, so PostgreSQL need not guess its type).</summary>
    public static NpgsqlCommand WithText(this NpgsqlCommand cmd, string name, string? value)
    {
        cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });
        return cmd;
    }

    public static NpgsqlCommand WithTime(this NpgsqlCommand cmd, string name, DateTimeOffset? value)
    {
        cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = (object?)value ?? DBNull.Value });
        return cmd;
    }

    /// <summary>
    /// Runs work in the transaction already open on db (an Idempotency-Key request opens one around the whole
    /// handler) or, when there is none, in a new one that commits if work returns and rolls back if it throws.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(this ControlPlaneDb db, Func<Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await work();
        await using IDbContextTransaction tx = await db.Database.BeginTransactionAsync(ct);
        var result = await work();
        await tx.CommitAsync(ct);
        return result;
    }

    public static async Task<long?> ScalarLongAsync(this NpgsqlCommand cmd, CancellationToken ct)
    {
        await using (cmd)
        {
            var value = await cmd.ExecuteScalarAsync(ct);
            return value is null or DBNull ? null : Convert.ToInt64(value);
        }
    }

    public static async Task<int> ExecuteAsync(this NpgsqlCommand cmd, CancellationToken ct)
    {
        await using (cmd) return await cmd.ExecuteNonQueryAsync(ct);
    }
}
