using ControlPlane.Api.Calls.Billing;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Coins.SuperLovers;

public sealed record SuperLoverEligibility(bool CanBecome, bool IsVerified, int? Age, long Coins, IReadOnlyList<FieldError> Unmet);

public sealed record SuperLoverStats(double Rating, int TotalCalls, long TotalEarnings, long TotalDuration, long AverageCallDuration, long MonthlyEarnings);

public sealed record SuperLoverListing(SuperLoverProfile Profile, double Rating);

/// <summary>
/// Super Lovers (seed 003 §3): who may become one (verified when required, MinimumAge+, holding CoinsRequired coins
/// — a threshold, nothing is charged), their status and bio, earnings statistics from the ledger and paid calls,
/// the listing callers browse, and ratings (only from a caller who had a paid call with them).
/// </summary>
public sealed class SuperLoverDirectory(ControlPlaneDb db, CoinLedger ledger, IOptions<SuperLoverOptions> options, TimeProvider clock)
{
    public SuperLoverOptions Rules => options.Value;

    public Task<SuperLoverProfile?> FindAsync(Guid deviceId, CancellationToken ct) =>
        db.Set<SuperLoverProfile>().AsNoTracking().FirstOrDefaultAsync(p => p.DeviceId == deviceId, ct);

    /// <summary>Whether calls and messages to this device are paid: an active Super Lover who is not offline.</summary>
    public async Task<bool> IsAvailableAsync(Guid deviceId, CancellationToken ct) =>
        await FindAsync(deviceId, ct) is { IsSuperLover: true } p && p.Status != SuperLoverStatuses.Offline;

    public async Task<bool> IsSuperLoverAsync(Guid deviceId, CancellationToken ct) =>
        await FindAsync(deviceId, ct) is { IsSuperLover: true };

    public async Task<SuperLoverEligibility> CheckAsync(Guid deviceId, CancellationToken ct)
    {
        var coins = await ledger.EnsureAccountAsync(deviceId, ct);
        return Evaluate(await FindAsync(deviceId, ct), coins);
    }

    private SuperLoverEligibility Evaluate(SuperLoverProfile? p, long coins)
    {
        var rules = options.Value;
        var unmet = new List<FieldError>();
        var verified = p?.IsVerified ?? false;
        if (rules.RequireVerification && !verified) unmet.Add(new("isVerified", "the account must be verified"));
        if (p?.Age is not { } age) unmet.Add(new("age", $"your age is unknown; you must be at least {rules.MinimumAge}"));
        else if (age < rules.MinimumAge) unmet.Add(new("age", $"you must be at least {rules.MinimumAge}"));
        if (coins < rules.CoinsRequired) unmet.Add(new("coins", $"you need at least {rules.CoinsRequired} coins"));
        return new SuperLoverEligibility(unmet.Count == 0, verified, p?.Age, coins, unmet);
    }

    public Task<(SuperLoverProfile Profile, long Coins)> BecomeAsync(Guid deviceId, string? bio, string? fullName, int? age, string? gender,
        string? imageUrl, CancellationToken ct) => db.InTransactionAsync(async () =>
    {
        var coins = await ledger.EnsureAccountAsync(deviceId, ct);
        var p = await LockProfileAsync(deviceId, ct);
        if (p.IsSuperLover) throw ApiException.Conflict(ErrorCodes.AlreadySuperLover, "You are already a Super Lover");
        if (age is not null && !p.IsVerified) p.Age = age; // a verified age is not overwritten by a declared one
        var eligibility = Evaluate(p, coins);
        if (!eligibility.CanBecome)
            throw new ApiException(403, ErrorCodes.SuperLoverRequirementsNotMet,
                "You do not meet the requirements to become a Super Lover: " + string.Join("; ", eligibility.Unmet.Select(u => u.Message)), eligibility.Unmet);
        var now = clock.GetUtcNow();
        p.IsSuperLover = true;
        p.Bio = bio ?? p.Bio;
        p.FullName = fullName ?? p.FullName;
        p.Gender = gender ?? p.Gender;
        p.ProfileImageUrl = imageUrl ?? p.ProfileImageUrl;
        p.BecameAt = now;
        p.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return (p, coins);
    }, ct);

    public Task<SuperLoverProfile> UpdateAsync(Guid deviceId, Action<SuperLoverProfile> change, CancellationToken ct) => db.InTransactionAsync(async () =>
    {
        var p = await db.Set<SuperLoverProfile>().FirstOrDefaultAsync(x => x.DeviceId == deviceId, ct);
        if (p is not { IsSuperLover: true }) throw ApiException.Forbidden(ErrorCodes.NotSuperLover, "Become a Super Lover first");
        change(p);
        p.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return p;
    }, ct);

    /// <summary>Records that a person was verified and their verified age (moderator endpoint; later the accounts feature).</summary>
    public Task<SuperLoverProfile> RecordVerificationAsync(Guid deviceId, int age, bool verified, Guid? verifiedBy, CancellationToken ct) =>
        db.InTransactionAsync(async () =>
        {
            if (!await db.Set<Auth.Device>().AnyAsync(d => d.Id == deviceId, ct))
                throw ApiException.NotFound(ErrorCodes.DeviceNotFound, "No such device");
            var p = await LockProfileAsync(deviceId, ct);
            var now = clock.GetUtcNow();
            p.IsVerified = verified;
            p.Age = age;
            p.VerifiedAt = verified ? now : null;
            p.VerifiedBy = verified ? verifiedBy : null;
            p.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            return p;
        }, ct);

    public async Task<SuperLoverStats> StatsAsync(Guid deviceId, CancellationToken ct)
    {
        if (!await IsSuperLoverAsync(deviceId, ct)) throw ApiException.Forbidden(ErrorCodes.NotSuperLover, "Become a Super Lover first");
        var calls = db.Set<PaidCall>().Where(c => c.CalleeId == deviceId && c.MinutesCharged > 0);
        var totalCalls = await calls.CountAsync(ct);
        var minutes = await calls.SumAsync(c => (long)c.MinutesCharged, ct);
        var earnings = db.Set<CoinTransaction>().Where(t => t.DeviceId == deviceId && t.Type == CoinTransactionTypes.Transfer && t.Amount > 0);
        var total = await earnings.SumAsync(t => t.Amount, ct);
        var now = clock.GetUtcNow();
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var monthly = await earnings.Where(t => t.CreatedAt >= monthStart).SumAsync(t => t.Amount, ct);
        return new SuperLoverStats(await RatingAsync(deviceId, ct), totalCalls, total, minutes,
            totalCalls == 0 ? 0 : (long)Math.Round((double)minutes / totalCalls), monthly);
    }

    public async Task<(IReadOnlyList<SuperLoverListing> Items, long Total)> AvailableAsync(string[] statuses, int page, int limit, CancellationToken ct)
    {
        var q = db.Set<SuperLoverProfile>().AsNoTracking().Where(p => p.IsSuperLover && statuses.Contains(p.Status));
        var total = await q.LongCountAsync(ct);
        var rows = await q
            .Select(p => new { p, rating = db.Set<SuperLoverRating>().Where(r => r.SuperLoverId == p.DeviceId).Average(r => (double?)r.Rating) })
            .OrderByDescending(x => x.p.Status == SuperLoverStatuses.Ready).ThenByDescending(x => x.rating ?? 0).ThenBy(x => x.p.DeviceId)
            .Skip((page - 1) * limit).Take(limit).ToListAsync(ct);
        return (rows.Select(r => new SuperLoverListing(r.p, Math.Round(r.rating ?? 0, 2))).ToList(), total);
    }

    public async Task RateAsync(Guid raterId, Guid superLoverId, int rating, string? comment, CancellationToken ct)
    {
        if (raterId == superLoverId) throw Envelope.Invalid("superLoverId", "you cannot rate yourself");
        if (!await IsSuperLoverAsync(superLoverId, ct)) throw ApiException.NotFound(ErrorCodes.SuperLoverNotFound, "No such Super Lover");
        var hadCall = await db.Set<PaidCall>().AnyAsync(c => c.CallerId == raterId && c.CalleeId == superLoverId && c.MinutesCharged > 0, ct);
        if (!hadCall) throw ApiException.Forbidden(ErrorCodes.RatingNotAllowed, "Only callers who had a paid call with this Super Lover can rate them");
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO super_lover_ratings (id, super_lover_id, rater_id, rating, comment, created_at, updated_at)
            VALUES ({Guid.NewGuid()}, {superLoverId}, {raterId}, {rating}, {comment}, {now}, {now})
            ON CONFLICT (super_lover_id, rater_id) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, updated_at = EXCLUDED.updated_at
            """, ct);
    }

    public async Task<double> RatingAsync(Guid superLoverId, CancellationToken ct) =>
        Math.Round(await db.Set<SuperLoverRating>().Where(r => r.SuperLoverId == superLoverId).AverageAsync(r => (double?)r.Rating, ct) ?? 0, 2);

    /// <summary>The device's profile row, created when absent, locked for the rest of the transaction.</summary>
    private async Task<SuperLoverProfile> LockProfileAsync(Guid deviceId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO super_lover_profiles (device_id, is_super_lover, status, is_verified, call_count, created_at, updated_at)
            VALUES ({deviceId}, false, 'offline', false, 0, {now}, {now}) ON CONFLICT (device_id) DO NOTHING
            """, ct);
        var rows = await db.Set<SuperLoverProfile>().FromSqlInterpolated($"SELECT * FROM super_lover_profiles WHERE device_id = {deviceId} FOR UPDATE").ToListAsync(ct);
        return rows.Single();
    }
}
