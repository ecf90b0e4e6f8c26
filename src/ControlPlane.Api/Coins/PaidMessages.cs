using ControlPlane.Api.Coins.SuperLovers;
using ControlPlane.Api.Errors;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Coins;

/// <summary>What charging one message did (seed 003 §5.3: coinsSpent, newBalance).</summary>
public sealed record PaidMessageCharge(int CoinsSpent, long NewBalance, long ReceiverEarned, bool AlreadyCharged);

/// <summary>
/// Paid messages (seed 003 §5.3): the messaging feature calls this before it stores a message. Scoped: it shares the
/// caller's DbContext and joins its transaction, so "charge and store the message" can commit or fail together.
/// </summary>
public interface IPaidMessages
{
    /// <summary>
    /// Charges the sender the message price once per message id (a retry with the same id charges nothing and says so);
    /// a Super Lover receiver gets their share. Throws ApiException 402 INSUFFICIENT_COINS when the sender cannot pay.
    /// </summary>
    Task<PaidMessageCharge> ChargeAsync(Guid senderId, Guid receiverId, Guid messageId, CancellationToken ct = default);
}

public sealed class PaidMessages(CoinLedger ledger, SuperLoverDirectory superLovers, IOptions<CoinOptions> coins,
    IOptions<SuperLoverOptions> shares) : IPaidMessages
{
    public async Task<PaidMessageCharge> ChargeAsync(Guid senderId, Guid receiverId, Guid messageId, CancellationToken ct = default)
    {
        if (senderId == receiverId) throw Envelope.Invalid("receiverId", "you cannot message yourself");
        var price = coins.Value.MessagePrice;
        if (price == 0) return new PaidMessageCharge(0, await ledger.EnsureAccountAsync(senderId, ct), 0, false);
        var reference = messageId.ToString();
        var debit = new LedgerPosting(senderId, price, CoinTransactionTypes.Spend, "Message sent", "message", reference, $"message:{messageId}:debit");
        var share = await superLovers.IsSuperLoverAsync(receiverId, ct) ? shares.Value.ShareOf(price) : 0;
        LedgerResult paid;
        long earned = 0;
        if (share > 0)
        {
            var credit = new LedgerPosting(receiverId, share, CoinTransactionTypes.Transfer, "Earnings from a message", "message", reference, $"message:{messageId}:credit");
            var (payer, payee) = await ledger.TransferAsync(debit, credit, ct);
            paid = payer;
            earned = payee?.Applied == true ? share : 0;
        }
        else paid = await ledger.DebitAsync(debit, ct);

        return paid.Outcome switch
        {
            LedgerOutcome.Applied => new PaidMessageCharge(price, paid.Balance, earned, false),
            LedgerOutcome.Duplicate => new PaidMessageCharge(0, paid.Balance, 0, true),
            _ => throw new ApiException(402, ErrorCodes.InsufficientCoins, $"Not enough coins: a message costs {price}, the balance is {paid.Balance}"),
        };
    }
}
