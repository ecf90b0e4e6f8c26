using ControlPlane.Api.Auth;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Hosting;
using ControlPlane.Api.Signaling;

namespace ControlPlane.Api.Messages;

public sealed record SendMessageRequest(string? ReceiverId, string? MessageText, string? MessageType) : IIdempotentRequest;

/// <summary>
/// Seed 003 §5: /api/messages — send (paid, Idempotency-Key), conversations, conversation/{userId}, read/{userId},
/// delete. The receiver gets new-message on /signaling, the sender messages-read when they are read.
/// (send-media needs media storage, which does not exist yet.)
/// </summary>
public static class MessageEndpoints
{
    public const string NewMessage = "new-message";
    public const string MessagesRead = "messages-read";

    public static IServiceCollection AddMessages(this IServiceCollection services)
    {
        services.AddScoped<Conversations>();
        return services;
    }

    public static RouteGroupBuilder MapMessages(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/messages").WithTags("Messages").RequireAuthorization();

        g.MapPost("/send", async (SendMessageRequest? body, HttpContext http, Conversations conversations, DeviceMessenger messenger,
            ILogger<Conversations> log, CancellationToken ct) =>
        {
            var receiver = Envelope.Uuid("receiverId", body?.ReceiverId);
            var type = Envelope.Token("messageType", body?.MessageType, 20, MessageTypes.Text);
            if (type != MessageTypes.Text) throw Envelope.Invalid("messageType", "only text messages can be sent here");
            var text = Conversations.CleanText(body?.MessageText);
            var (message, charge) = await conversations.SendAsync(http.User.DeviceId(), receiver, text, ct);
            var view = View(message);
            // Delivered once the message (and its charge) is committed; a replayed request delivers nothing again.
            SuccessfulResponse.Then(http, () => messenger.SendAsync(message.ReceiverId, NewMessage, new { message = view }), log);
            return Envelope.Ok(new { message = view, coinsSpent = charge.CoinsSpent, newBalance = charge.NewBalance }, "Message sent successfully");
        }).Idempotent();

        g.MapGet("/conversations", async (int? page, int? limit, HttpContext http, Conversations conversations, CancellationToken ct) =>
        {
            var (p, l) = Envelope.Paging(page, limit, 50);
            var (items, total) = await conversations.ListAsync(http.User.DeviceId(), p, l, ct);
            return Envelope.Ok(new
            {
                // A conversation is identified by the other user: GET conversation/{id} reads it.
                conversations = items.Select(c => new
                {
                    id = c.PartnerId, user = new { id = c.PartnerId, fullName = c.FullName, profileImageUrl = c.ProfileImageUrl },
                    lastMessage = c.LastMessage, lastMessageSenderId = c.LastSenderId, lastMessageTime = c.LastMessageTime, unreadCount = c.UnreadCount,
                }),
                pagination = Envelope.Pagination(p, l, total),
            }, "Conversations retrieved successfully");
        });

        g.MapGet("/conversation/{userId}", async (string userId, int? page, int? limit, HttpContext http, Conversations conversations, CancellationToken ct) =>
        {
            var other = Envelope.Uuid("userId", userId);
            var (p, l) = Envelope.Paging(page, limit, 50);
            var (items, total) = await conversations.HistoryAsync(http.User.DeviceId(), other, p, l, ct);
            return Envelope.Ok(new { messages = items.Select(View), pagination = Envelope.Pagination(p, l, total) }, "Messages retrieved successfully");
        });

        g.MapPut("/read/{userId}", async (string userId, HttpContext http, Conversations conversations, DeviceMessenger messenger, TimeProvider clock,
            CancellationToken ct) =>
        {
            var other = Envelope.Uuid("userId", userId);
            var me = http.User.DeviceId();
            var count = await conversations.MarkReadAsync(me, other, ct);
            if (count > 0) await messenger.SendAsync(other, MessagesRead, new { readerId = me, count, timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds() });
            return Envelope.Ok(new { readCount = count }, "Messages marked as read");
        });

        g.MapDelete("/{messageId}", async (string messageId, HttpContext http, Conversations conversations, CancellationToken ct) =>
        {
            await conversations.DeleteAsync(http.User.DeviceId(), Envelope.Uuid("messageId", messageId), ct);
            return Envelope.Ok("Message deleted successfully");
        });

        return g;
    }

    private static object View(DirectMessage m) => new
    {
        id = m.Id, senderId = m.SenderId, receiverId = m.ReceiverId, messageText = m.MessageText, messageType = m.MessageType,
        isRead = m.IsRead, coinsSpent = m.CoinsSpent, createdAt = m.CreatedAt,
    };
}
