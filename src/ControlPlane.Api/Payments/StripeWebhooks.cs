using System.Text.Json;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Payments;

public sealed record WebhookOutcome(string EventId, string Type, bool Duplicate, string Outcome);

/// <summary>
/// POST /payments/webhook. The signature is checked over the raw body before anything is parsed. Each event id is
/// recorded in processed_stripe_events in the same transaction as its effects, so however many times Stripe
/// delivers it (retries, concurrent redeliveries to several nodes) it takes effect once: a twin delivery blocks on
/// the id's primary key until the first commits, then sees it done. A failure rolls everything back and answers
/// 5xx, and Stripe delivers again later.
/// </summary>
public sealed class StripeWebhooks(ControlPlaneDb db, Checkout checkout, Subscriptions subscriptions, IOptions<StripeOptions> options,
    TimeProvider clock, ILogger<StripeWebhooks> log)
{
    public async Task<WebhookOutcome> HandleAsync(byte[] payload, string? signatureHeader, CancellationToken ct)
    {
        var o = options.Value;
        if (o.WebhookSecrets.Count == 0)
            throw new ApiException(503, ErrorCodes.PaymentsNotConfigured, "Webhooks are not configured on this server (STRIPE_WEBHOOK_SECRET)");
        var check = StripeSignature.Verify(payload, signatureHeader, o.WebhookSecrets, clock.GetUtcNow(), TimeSpan.FromSeconds(o.WebhookToleranceSeconds));
        if (check != StripeSignatureCheck.Valid)
        {
            log.LogWarning("Stripe webhook refused: signature {Check}", check);
            throw ApiException.BadRequest(ErrorCodes.WebhookSignatureInvalid, check switch
            {
                StripeSignatureCheck.Missing => "The Stripe-Signature header is missing",
                StripeSignatureCheck.Stale => "The Stripe-Signature timestamp is outside the tolerance",
                StripeSignatureCheck.NoMatch => "No signature in Stripe-Signature matches the payload",
                _ => "The Stripe-Signature header is malformed",
            });
        }

        JsonElement evt;
        try { evt = JsonDocument.Parse(payload).RootElement.Clone(); }
        catch (JsonException) { throw ApiException.BadRequest(ErrorCodes.InvalidJson, "The event is not valid JSON"); }
        var id = evt.Str("id");
        var type = evt.Str("type");
        var obj = evt.Obj("data").Obj("object");
        if (id is null || id.Length > 255 || type is null || type.Length > 100 || obj.ValueKind != JsonValueKind.Object)
            throw ApiException.BadRequest(ErrorCodes.ValidationFailed, "The event has no id, type or data.object");
        var created = evt.Long("created") ?? clock.GetUtcNow().ToUnixTimeSeconds();

        return await db.InTransactionAsync(async () =>
        {
            var fresh = await (await db.CommandAsync("""
                INSERT INTO processed_stripe_events (id, type, processed_at, outcome) VALUES (@id, @type, @now, 'processing')
                ON CONFLICT (id) DO NOTHING
                """, ct)).With("id", id).With("type", type).With("now", clock.GetUtcNow()).ExecuteAsync(ct);
            if (fresh == 0)
            {
                log.LogInformation("Stripe event {Event} ({Type}) already processed", id, type);
                return new WebhookOutcome(id, type, true, "duplicate");
            }
            var outcome = type switch
            {
                "checkout.session.completed" or "checkout.session.async_payment_succeeded" => (await checkout.FulfilAsync(obj, ct)).Outcome,
                "checkout.session.expired" => await checkout.CloseAsync(obj, OrderStatuses.Expired, ct),
                "checkout.session.async_payment_failed" => await checkout.CloseAsync(obj, OrderStatuses.Failed, ct),
                "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted" =>
                    await subscriptions.ApplyAsync(obj, created, null, ct),
                "invoice.payment_failed" => await subscriptions.MarkPaymentFailedAsync(obj.Id("subscription"), created, ct),
                _ => "ignored:unhandled_type",
            };
            await (await db.CommandAsync("UPDATE processed_stripe_events SET outcome = @o WHERE id = @id", ct))
                .With("o", outcome.Length > 100 ? outcome[..100] : outcome).With("id", id).ExecuteAsync(ct);
            log.LogInformation("Stripe event {Event} ({Type}): {Outcome}", id, type, outcome);
            return new WebhookOutcome(id, type, false, outcome);
        }, ct);
    }
}
