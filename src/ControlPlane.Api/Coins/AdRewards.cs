using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Coins;

public sealed record AdRewardResult(int CoinsEarned, long NewBalance);

/// <summary>
/// Rewarded ads (seed 003 §4.5): a fixed server-side amount per ad, at most MaxPerHour and MaxPerDay per device
/// (sliding windows over ad_rewards), and — when verifier keys are configured — only against an AdMob SSV signature
/// naming this device as user_id, each transaction_id paying once. The device's account row is locked while the
/// limits are counted so concurrent claims cannot both slip under a limit.
/// </summary>
public sealed class AdRewards(ControlPlaneDb db, CoinLedger ledger, IOptions<AdRewardOptions> options, TimeProvider clock)
{
    private AdRewardSignature? _verifier;

    public bool VerificationRequired => options.Value.VerificationRequired;

    public AdRewardSignature Verifier => _verifier ??= new AdRewardSignature(
        AdRewardSignature.ParseKeys(options.Value.VerifierKeys!), options.Value.MaxSignatureAge);

    /// <summary>Verifies a signed callback query string; throws 403 AD_VERIFICATION_FAILED naming the reason.</summary>
    public VerifiedAdReward VerifyOrThrow(string? query)
    {
        var rejection = Verifier.Verify(query, clock.GetUtcNow(), out var reward);
        return rejection == AdRewardRejection.None ? reward! : throw ApiException.Forbidden(ErrorCodes.AdVerificationFailed, rejection switch
        {
            AdRewardRejection.Missing => "A signed ad reward (the AdMob server-side verification query string) is required",
            AdRewardRejection.UnknownKey => "The reward is signed with an unknown key_id",
            AdRewardRejection.BadSignature => "The reward signature does not verify",
            AdRewardRejection.Expired => "The signed reward is too old",
            AdRewardRejection.FromTheFuture => "The signed reward's timestamp is in the future",
            _ => "The signed reward is malformed",
        });
    }

    public Task<AdRewardResult> EarnAsync(Guid deviceId, string adType, string adProvider, VerifiedAdReward? verified, CancellationToken ct)
    {
        var o = options.Value;
        if (o.VerificationRequired && verified is null) throw new InvalidOperationException("an unverified reward reached EarnAsync");
        return db.InTransactionAsync(async () =>
        {
            await ledger.EnsureAccountAsync(deviceId, ct);
            await (await db.CommandAsync("SELECT 1 FROM coin_accounts WHERE device_id = @d FOR UPDATE", ct)).With("d", deviceId).ExecuteAsync(ct);
            var now = clock.GetUtcNow();

            if (verified is not null &&
                await (await db.CommandAsync("SELECT 1 FROM ad_rewards WHERE verified_transaction_id = @t", ct)).With("t", verified.TransactionId).ScalarLongAsync(ct) is not null)
                throw ApiException.Conflict(ErrorCodes.AdRewardAlreadyClaimed, "This ad reward was already paid");

            var hour = await CountSinceAsync(deviceId, now.AddHours(-1), ct);
            if (hour >= o.MaxPerHour)
                throw new ApiException(429, ErrorCodes.AdLimitReached, $"Ad reward limit reached: at most {o.MaxPerHour} per hour");
            var day = await CountSinceAsync(deviceId, now.AddDays(-1), ct);
            if (day >= o.MaxPerDay)
                throw new ApiException(429, ErrorCodes.AdLimitReached, $"Ad reward limit reached: at most {o.MaxPerDay} per day");

            var id = Guid.NewGuid();
            await (await db.CommandAsync("""
                INSERT INTO ad_rewards (id, device_id, ad_type, ad_provider, coins_earned, verified_transaction_id, created_at)
                VALUES (@id, @d, @type, @provider, @coins, @tx, @now)
                """, ct)).With("id", id).With("d", deviceId).With("type", adType).With("provider", adProvider)
                .With("coins", o.CoinsPerAd).WithText("tx", verified?.TransactionId).With("now", now).ExecuteAsync(ct);
            var credit = await ledger.CreditAsync(new LedgerPosting(deviceId, o.CoinsPerAd, CoinTransactionTypes.Earn, "Watched ad",
                "ad_watch", id.ToString(), verified is null ? null : $"ad:{adProvider}:{verified.TransactionId}"), ct);
            if (!credit.Applied) throw ApiException.Conflict(ErrorCodes.AdRewardAlreadyClaimed, "This ad reward was already paid");
            return new AdRewardResult(o.CoinsPerAd, credit.Balance);
        }, ct);
    }

    private async Task<long> CountSinceAsync(Guid deviceId, DateTimeOffset since, CancellationToken ct) =>
        await (await db.CommandAsync("SELECT count(*) FROM ad_rewards WHERE device_id = @d AND created_at > @since", ct))
            .With("d", deviceId).With("since", since).ScalarLongAsync(ct) ?? 0;
}
