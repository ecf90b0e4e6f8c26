using ControlPlane.Api.Auth;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using ControlPlane.Api.Moderation;
using ControlPlane.Api.Signaling;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Api.Messages;

public sealed record ConversationSummary(Guid PartnerId, string? FullName, string? ProfileImageUrl, string LastMessage,
    Guid LastSenderId, DateTimeOffset LastMessageTime, long UnreadCount);

public static class MessageErrorCodes
{
    public const string ReceiverNotFound = "RECEIVER_NOT_FOUND";
    public const string MessageBlocked = "MESSAGE_BLOCKED";
    public const string MessageNotFound = "MESSAGE_NOT_FOUND";
}

/// <summary>
/// Seed 003 §5: paid one-to-one messages. Sending stores the message and charges it (IPaidMessages: the sender pays
/// the message price once per message id, a Super Lover receiver earns their share) in one transaction — the
/// Idempotency-Key transaction when the request has one — so a message exists exactly when it was paid for.
/// Scoped: it works on the request's DbContext.
/// </summary>
public sealed class Conversations(ControlPlaneDb db, IPaidMessages paid, TimeProvider clock)
{
    public const int MaxLength = 1000;

    public async Task<(DirectMessage Message, PaidMessageCharge Charge)> SendAsync(Guid sender, Guid receiver, string text, CancellationToken ct)
    {
        if (sender == receiver) throw Envelope.Invalid("receiverId", "you cannot message yourself");
        var target = await db.Set<Device>().AsNoTracking().Where(d => d.Id == receiver).Select(d => new { d.BannedAt }).FirstOrDefaultAsync(ct);
        if (target is null || target.BannedAt is not null)
            throw ApiException.NotFound(MessageErrorCodes.ReceiverNotFound, "There is no user with that id to message");
        if (await db.Set<PairBlock>().AnyAsync(b => (b.DeviceId == sender && b.OtherId == receiver) || (b.DeviceId == receiver && b.OtherId == sender), ct))
            throw ApiException.Forbidden(MessageErrorCodes.MessageBlocked, "You cannot message this user");

        return await db.InTransactionAsync(async () =>
        {
            var message = new DirectMessage
            {
                Id = Guid.NewGuid(), SenderId = sender, ReceiverId = receiver, MessageText = text, MessageType = MessageTypes.Text,
                CreatedAt = clock.GetUtcNow(),
            };
            db.Add(message);
            await db.SaveChangesAsync(ct);
            // 402 INSUFFICIENT_COINS rolls the message back with the transaction.
            var charge = await paid.ChargeAsync(sender, receiver, message.Id, ct);
            message.CoinsSpent = charge.CoinsSpent;
            await db.SaveChangesAsync(ct);
            return (message, charge);
        }, ct);
    }

    /// <summary>Seed 004's text rules (trimmed, HTML removed, 1–1000 characters), answered as a 400 on the field.</summary>
    public static string CleanText(string? raw)
    {
        try { return MessageText.Clean(raw ?? "", MaxLength); }
        catch (HubError e) { throw Envelope.Invalid("messageText", raw is null ? "is required" : e.Message); }
    }

    /// <summary>The people the device has messages with, most recent conversation first.</summary>
    public async Task<(List<ConversationSummary> Items, long Total)> ListAsync(Guid me, int page, int limit, CancellationToken ct)
    {
        const string mine = """
            WITH mine AS (
                SELECT CASE WHEN sender_id = @me THEN receiver_id ELSE sender_id END AS partner,
                       id, sender_id, receiver_id, message_text, created_at, is_read
                FROM messages
                WHERE (sender_id = @me AND NOT deleted_by_sender) OR (receiver_id = @me AND NOT deleted_by_receiver))
            """;
        var total = await (await db.CommandAsync(mine + " SELECT count(DISTINCT partner) FROM mine", ct)).With("me", me).ScalarLongAsync(ct) ?? 0;
        await using var cmd = (await db.CommandAsync(mine + """
            , last AS (
                SELECT DISTINCT ON (partner) partner, message_text, sender_id, created_at FROM mine ORDER BY partner, created_at DESC, id DESC)
            SELECT l.partner, p.full_name, p.profile_image_url, l.message_text, l.sender_id, l.created_at,
                   (SELECT count(*) FROM mine u WHERE u.partner = l.partner AND u.receiver_id = @me AND NOT u.is_read)
            FROM last l LEFT JOIN super_lover_profiles p ON p.device_id = l.partner
            ORDER BY l.created_at DESC, l.partner
            LIMIT @limit OFFSET @offset
            """, ct)).With("me", me).With("limit", limit).With("offset", (page - 1) * limit);
        var items = new List<ConversationSummary>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            items.Add(new ConversationSummary(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.GetString(3), r.GetGuid(4), r.GetFieldValue<DateTimeOffset>(5), r.GetInt64(6)));
        return (items, total);
    }

    /// <summary>The messages between the device and another user, newest first.</summary>
    public async Task<(List<DirectMessage> Items, long Total)> HistoryAsync(Guid me, Guid other, int page, int limit, CancellationToken ct)
    {
        var q = db.Set<DirectMessage>().AsNoTracking().Where(m =>
            (m.SenderId == me && m.ReceiverId == other && !m.DeletedBySender) || (m.SenderId == other && m.ReceiverId == me && !m.DeletedByReceiver));
        var total = await q.LongCountAsync(ct);
        var rows = await q.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Skip((page - 1) * limit).Take(limit).ToListAsync(ct);
        return (rows, total);
    }

    /// <summary>Marks what <paramref name="other"/> sent to the device as read; the number of messages that changed.</summary>
    public Task<int> MarkReadAsync(Guid me, Guid other, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return db.Set<DirectMessage>().Where(m => m.SenderId == other && m.ReceiverId == me && !m.IsRead)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsRead, true).SetProperty(m => m.ReadAt, now), ct);
    }

    /// <summary>Removes a message from the device's own view (the other participant keeps theirs).</summary>
    public async Task DeleteAsync(Guid me, Guid messageId, CancellationToken ct)
    {
        var changed = await db.Set<DirectMessage>().Where(m => m.Id == messageId && m.SenderId == me && !m.DeletedBySender)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedBySender, true), ct);
        changed += await db.Set<DirectMessage>().Where(m => m.Id == messageId && m.ReceiverId == me && !m.DeletedByReceiver)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedByReceiver, true), ct);
        if (changed == 0) throw ApiException.NotFound(MessageErrorCodes.MessageNotFound, "No such message");
    }
}
