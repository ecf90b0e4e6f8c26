using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Coins;

/// <summary>One ledger row to write: who, how much (always positive here; debits are stored negative), why.</summary>
public sealed record LedgerPosting(
    Guid DeviceId, long Amount, string Type, string Description,
    string? ReferenceType = null, string? ReferenceId = null, string? UniqueKey = null);

public enum LedgerOutcome { Applied, Duplicate, InsufficientCoins }

/// <summary>What a posting did; Balance is the account balance afterwards (or now, when nothing was applied).</summary>
public sealed record LedgerResult(LedgerOutcome Outcome, long Balance, Guid? TransactionId = null)
{
    public bool Applied => Outcome == LedgerOutcome.Applied;
}

public sealed record CoinBalance(long Balance, long TotalEarned, long TotalSpent);

/// <summary>
/// The coin ledger. Every balance change is one statement that updates coin_accounts and inserts the
/// coin_transactions row explaining it (a data-modifying CTE), so the two can never disagree. A debit is the
/// conditional UPDATE … WHERE balance &gt;= n: under any number of concurrent requests on any number of API nodes,
/// PostgreSQL's row lock serialises them and no debit can overdraw (the CHECK (balance &gt;= 0) is the backstop).
/// Postings with a unique key (signup bonus, a checkout session, a call minute) happen at most once: the account
/// row is locked first, so the existence check and the write cannot interleave with a twin.
/// </summary>
public sealed class CoinLedger(ControlPlaneDb db, IOptions<CoinOptions> options, TimeProvider clock)
{
    private const string CreditSql = """
        WITH acc AS (
            UPDATE coin_accounts SET balance = balance + @n, updated_at = @now WHERE device_id = @d RETURNING balance)
        INSERT INTO coin_transactions (id, device_id, transaction_type, amount, balance_after, description, reference_type, reference_id, unique_key, created_at)
        SELECT @id, @d, @type, @n, acc.balance, @desc, @rtype, @rid, @ukey, @now FROM acc
        RETURNING balance_after
        """;

    private const string DebitSql = """
        WITH acc AS (
            UPDATE coin_accounts SET balance = balance - @n, updated_at = @now WHERE device_id = @d AND balance >= @n RETURNING balance)
        INSERT INTO coin_transactions (id, device_id, transaction_type, amount, balance_after, description, reference_type, reference_id, unique_key, created_at)
        SELECT @id, @d, @type, -@n, acc.balance, @desc, @rtype, @rid, @ukey, @now FROM acc
        RETURNING balance_after
        """;

    /// <summary>
    /// Creates the device's account on its first coin access, with the signup bonus and its ledger row in the same
    /// statement (a racing twin finds the account and does nothing). Returns the balance.
    /// </summary>
    public async Task<long> EnsureAccountAsync(Guid deviceId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var create = await db.CommandAsync("""
            WITH acc AS (
                INSERT INTO coin_accounts (device_id, balance, created_at, updated_at)
                SELECT @d, @bonus, @now, @now WHERE EXISTS (SELECT 1 FROM devices WHERE id = @d)
                ON CONFLICT (device_id) DO NOTHING
                RETURNING device_id, balance)
            INSERT INTO coin_transactions (id, device_id, transaction_type, amount, balance_after, description, reference_type, unique_key, created_at)
            SELECT @id, device_id, 'earn', balance, balance, 'Signup bonus', 'signup_bonus', 'signup_bonus:' || device_id::text, @now
            FROM acc WHERE balance > 0
            """, ct);
        await create.With("d", deviceId).With("bonus", (long)options.Value.SignupBonus).With("now", now).With("id", Guid.NewGuid()).ExecuteAsync(ct);
        var balance = await (await db.CommandAsync("SELECT balance FROM coin_accounts WHERE device_id = @d", ct)).With("d", deviceId).ScalarLongAsync(ct);
        return balance ?? throw ApiException.NotFound(ErrorCodes.DeviceNotFound, "This device is unknown; sign in again with POST /auth/token");
    }

    public async Task<CoinBalance> GetBalanceAsync(Guid deviceId, CancellationToken ct)
    {
        var balance = await EnsureAccountAsync(deviceId, ct);
        await using var cmd = (await db.CommandAsync("""
            SELECT COALESCE(SUM(amount) FILTER (WHERE amount > 0), 0), COALESCE(-SUM(amount) FILTER (WHERE amount < 0), 0)
            FROM coin_transactions WHERE device_id = @d
            """, ct)).With("d", deviceId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new CoinBalance(balance, r.GetInt64(0), r.GetInt64(1));
    }

    public Task<LedgerResult> CreditAsync(LedgerPosting p, CancellationToken ct) => PostAsync(p, debit: false, ct);

    public Task<LedgerResult> DebitAsync(LedgerPosting p, CancellationToken ct) => PostAsync(p, debit: true, ct);

    /// <summary>
    /// Moves coins between two devices in one transaction: <paramref name="debit"/> leaves the payer, <paramref name="credit"/>
    /// (at most the debit; the rest is the platform's) reaches the payee. Both rows carry the reference; the unique
    /// key base makes a retried transfer a no-op. Accounts are locked in id order so opposite transfers cannot deadlock.
    /// </summary>
    public Task<(LedgerResult Payer, LedgerResult? Payee)> TransferAsync(
        LedgerPosting payer, LedgerPosting payee, CancellationToken ct)
    {
        if (payer.UniqueKey is null || payee.UniqueKey is null) throw new ArgumentException("transfers need unique keys");
        if (payee.Amount > payer.Amount) throw new ArgumentException("a payee cannot receive more than the payer paid");
        return db.InTransactionAsync(async () =>
        {
            await EnsureAccountAsync(payer.DeviceId, ct);
            await EnsureAccountAsync(payee.DeviceId, ct);
            var first = payer.DeviceId.CompareTo(payee.DeviceId) < 0 ? payer.DeviceId : payee.DeviceId;
            var second = first == payer.DeviceId ? payee.DeviceId : payer.DeviceId;
            await LockAsync(first, ct);
            await LockAsync(second, ct);
            if (await ExistingAsync(payer.UniqueKey, ct))
                return (new LedgerResult(LedgerOutcome.Duplicate, await BalanceAsync(payer.DeviceId, ct)), (LedgerResult?)null);
            var paid = await WriteAsync(payer, debit: true, ct);
            if (!paid.Applied || payee.Amount == 0) return (paid, null);
            var received = await WriteAsync(payee, debit: false, ct);
            return (paid, received);
        }, ct);
    }

    private async Task<LedgerResult> PostAsync(LedgerPosting p, bool debit, CancellationToken ct)
    {
        Validate(p);
        if (p.UniqueKey is null)
        {
            // One statement: atomic on its own, no explicit transaction needed.
            await EnsureAccountAsync(p.DeviceId, ct);
            return await WriteAsync(p, debit, ct);
        }
        return await db.InTransactionAsync(async () =>
        {
            await EnsureAccountAsync(p.DeviceId, ct);
            var balance = await LockAsync(p.DeviceId, ct);
            if (await ExistingAsync(p.UniqueKey, ct)) return new LedgerResult(LedgerOutcome.Duplicate, balance);
            return await WriteAsync(p, debit, ct);
        }, ct);
    }

    private async Task<LedgerResult> WriteAsync(LedgerPosting p, bool debit, CancellationToken ct)
    {
        Validate(p);
        var id = Guid.NewGuid();
        var cmd = (await db.CommandAsync(debit ? DebitSql : CreditSql, ct))
            .With("n", p.Amount).With("d", p.DeviceId).With("now", clock.GetUtcNow()).With("id", id).With("type", p.Type)
            .WithText("desc", p.Description).WithText("rtype", p.ReferenceType).WithText("rid", p.ReferenceId).WithText("ukey", p.UniqueKey);
        var after = await cmd.ScalarLongAsync(ct);
        if (after is { } b) return new LedgerResult(LedgerOutcome.Applied, b, id);
        return new LedgerResult(LedgerOutcome.InsufficientCoins, await BalanceAsync(p.DeviceId, ct));
    }

    private async Task<long> LockAsync(Guid deviceId, CancellationToken ct) =>
        await (await db.CommandAsync("SELECT balance FROM coin_accounts WHERE device_id = @d FOR UPDATE", ct)).With("d", deviceId).ScalarLongAsync(ct)
        ?? throw new InvalidOperationException("account vanished");

    private async Task<long> BalanceAsync(Guid deviceId, CancellationToken ct) =>
        await (await db.CommandAsync("SELECT balance FROM coin_accounts WHERE device_id = @d", ct)).With("d", deviceId).ScalarLongAsync(ct) ?? 0;

    private async Task<bool> ExistingAsync(string uniqueKey, CancellationToken ct) =>
        await (await db.CommandAsync("SELECT 1 FROM coin_transactions WHERE unique_key = @k", ct)).With("k", uniqueKey).ScalarLongAsync(ct) is not null;

    private static void Validate(LedgerPosting p)
    {
        if (p.Amount <= 0) throw new ArgumentOutOfRangeException(nameof(p), "ledger amounts are positive; the direction is the operation");
        if (!CoinTransactionTypes.All.Contains(p.Type)) throw new ArgumentException($"unknown transaction type {p.Type}");
    }
}
