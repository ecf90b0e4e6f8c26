using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Api.Tests.Payments;

public sealed record RecordedStripeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Form,
    string? Authorization, string? StripeVersion, string? IdempotencyKey, string? ContentType);

/// <summary>
/// A stand-in for api.stripe.com on loopback: the endpoints the control plane calls, answering with the JSON shapes of
/// API version 2024-06-20, recording every request, honouring Idempotency-Key like Stripe (same key and same
/// parameters → the same object; same key, other parameters → 400 idempotency_error). Tests complete sessions,
/// build events and sign them with the webhook secret.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_fake_51NfakeKey0123456789";
    public const string WebhookSecret = "whsec_test_fake_0123456789abcdef";
    public const string MonthlyPrice = "price_monthly_test";
    public const string YearlyPrice = "price_yearly_test";
    public const string ApiVersion = "2024-06-20";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, JsonObject> _sessions = new();
    private readonly ConcurrentDictionary<string, JsonObject> _subscriptions = new();
    private readonly ConcurrentDictionary<string, (string Fingerprint, string Response)> _idempotency = new();
    private readonly object _gate = new();

    public ConcurrentQueue<RecordedStripeRequest> Requests { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>When set, the next API call answers this status with a Stripe error (then it clears).</summary>
    public int? FailNextWith { get; set; }

    private FakeStripe(WebApplication app) => _app = app;

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeStripe(app);
        // Two parameters: a lone HttpContext parameter would make it a RequestDelegate whose IResult is never executed.
        app.MapPost("/v1/checkout/sessions", (HttpContext http, CancellationToken _) => fake.CreateSessionAsync(http));
        app.MapGet("/v1/checkout/sessions/{id}", (HttpContext http, string id) => fake.Answer(http, () => fake.Get(fake._sessions, id, "checkout.session")));
        app.MapGet("/v1/subscriptions/{id}", (HttpContext http, string id) => fake.Answer(http, () => fake.Get(fake._subscriptions, id, "subscription")));
        app.MapPost("/v1/subscriptions/{id}", fake.UpdateSubscriptionAsync);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return fake;
    }

    /// <summary>Configuration that points the control plane at this fake.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Stripe:SecretKey"] = SecretKey,
        ["Stripe:WebhookSecret"] = WebhookSecret,
        ["Stripe:MonthlyPriceId"] = MonthlyPrice,
        ["Stripe:YearlyPriceId"] = YearlyPrice,
        ["Stripe:ApiBase"] = BaseAddress.ToString(),
    };

    public IReadOnlyList<RecordedStripeRequest> RequestsTo(string method, string pathPrefix) =>
        Requests.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

    public JsonObject Session(string id) => Public(_sessions[id]);
    public JsonObject SubscriptionObject(string id) => (JsonObject)_subscriptions[id].DeepClone();

    /// <summary>The buyer paid: the session completes (and a subscription is created for mode=subscription).</summary>
    public JsonObject Complete(string sessionId, long? amountPaid = null)
    {
        lock (_gate)
        {
            var s = _sessions[sessionId];
            s["status"] = "complete";
            s["payment_status"] = "paid";
            if (amountPaid is { } a) s["amount_total"] = a;
            if ((string?)s["mode"] == "payment") s["payment_intent"] = "pi_" + Random(24);
            else
            {
                var sub = NewSubscription((string?)s["fake_price"] ?? MonthlyPrice, (JsonObject)s["subscription_metadata"]!.DeepClone());
                s["subscription"] = (string)sub["id"]!;
                s["customer"] = (string)sub["customer"]!;
            }
            return Public(s);
        }
    }

    public JsonObject Expire(string sessionId)
    {
        lock (_gate)
        {
            _sessions[sessionId]["status"] = "expired";
            return Public(_sessions[sessionId]);
        }
    }

    public JsonObject ChangeSubscription(string id, Action<JsonObject> change)
    {
        lock (_gate)
        {
            change(_subscriptions[id]);
            return (JsonObject)_subscriptions[id].DeepClone();
        }
    }

    /// <summary>An event as Stripe sends it.</summary>
    public static string Event(string type, JsonObject obj, long? created = null, string? id = null) => new JsonObject
    {
        ["id"] = id ?? "evt_" + Random(24),
        ["object"] = "event",
        ["api_version"] = ApiVersion,
        ["created"] = created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["type"] = type,
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["data"] = new JsonObject { ["object"] = obj },
    }.ToJsonString();

    /// <summary>A Stripe-Signature header: t=…,v1=HMAC-SHA256(secret, "t.payload") in hex (computed here independently of the server).</summary>
    public static string Sign(string payload, string secret = WebhookSecret, long? timestamp = null)
    {
        var t = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var mac = hmac.ComputeHash(Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexString(mac).ToLowerInvariant()}";
    }

    private async Task<IResult> CreateSessionAsync(HttpContext http)
    {
        var form = await Record(http);
        if (Refuse(http) is { } refused) return refused;
        var fingerprint = string.Join("&", form.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        lock (_gate)
        {
            if (key.Length > 0 && _idempotency.TryGetValue(key, out var seen))
                return seen.Fingerprint == fingerprint
                    ? Results.Content(seen.Response, "application/json")
                    : Error(400, "idempotency_error", null, "Keys for idempotent requests can only be used with the same parameters they were first used with.");

            string? mode = form.GetValueOrDefault("mode");
            if (mode is not ("payment" or "subscription")) return Error(400, "invalid_request_error", "parameter_missing", "Missing required param: mode.");
            if (!form.ContainsKey("success_url")) return Error(400, "invalid_request_error", "parameter_missing", "Missing required param: success_url.");
            var id = "cs_test_" + Random(40);
            long? amount;
            string? price = form.GetValueOrDefault("line_items[0][price]");
            if (price is not null) amount = price == YearlyPrice ? 9999 : price == MonthlyPrice ? 999 : 500;
            else amount = long.Parse(form["line_items[0][price_data][unit_amount]"]) * long.Parse(form.GetValueOrDefault("line_items[0][quantity]", "1"));
            var metadata = new JsonObject();
            var subMetadata = new JsonObject();
            foreach (var (k, v) in form)
            {
                if (k.StartsWith("metadata[", StringComparison.Ordinal)) metadata[k[9..^1]] = v;
                if (k.StartsWith("subscription_data[metadata][", StringComparison.Ordinal)) subMetadata[k[28..^1]] = v;
            }
            var session = new JsonObject
            {
                ["id"] = id,
                ["object"] = "checkout.session",
                ["mode"] = mode,
                ["status"] = "open",
                ["payment_status"] = "unpaid",
                ["url"] = "https://checkout.stripe.com/c/pay/" + id,
                ["client_reference_id"] = form.GetValueOrDefault("client_reference_id"),
                ["metadata"] = metadata,
                ["amount_total"] = amount,
                ["currency"] = form.GetValueOrDefault("line_items[0][price_data][currency]", "usd"),
                ["customer"] = null,
                ["subscription"] = null,
                ["payment_intent"] = null,
                ["client_secret"] = null,
                ["success_url"] = form["success_url"],
                ["cancel_url"] = form.GetValueOrDefault("cancel_url"),
                ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["expires_at"] = DateTimeOffset.UtcNow.AddHours(24).ToUnixTimeSeconds(),
                ["livemode"] = false,
                // Not Stripe fields: kept to build the subscription when the session completes; never sent.
                ["subscription_metadata"] = subMetadata,
                ["fake_price"] = price,
            };
            _sessions[id] = session;
            var response = Public(session).ToJsonString();
            if (key.Length > 0) _idempotency[key] = (fingerprint, response);
            return Results.Content(response, "application/json");
        }
    }

    private async Task<IResult> UpdateSubscriptionAsync(HttpContext http, string id)
    {
        var form = await Record(http);
        if (Refuse(http) is { } refused) return refused;
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(id, out var sub)) return Missing("subscription", id);
            if (form.TryGetValue("cancel_at_period_end", out var cape))
            {
                sub["cancel_at_period_end"] = cape == "true";
                sub["canceled_at"] = cape == "true" ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() : null;
            }
            return Results.Content(sub.ToJsonString(), "application/json");
        }
    }

    private IResult Answer(HttpContext http, Func<IResult> answer)
    {
        Requests.Enqueue(new RecordedStripeRequest(http.Request.Method, http.Request.Path, new Dictionary<string, string>(),
            http.Request.Headers.Authorization.ToString(), http.Request.Headers["Stripe-Version"].ToString(), null, null));
        return Refuse(http) ?? answer();
    }

    private IResult Get(ConcurrentDictionary<string, JsonObject> store, string id, string kind)
    {
        lock (_gate) return store.TryGetValue(id, out var o) ? Results.Content(Public(o).ToJsonString(), "application/json") : Missing(kind, id);
    }

    private static JsonObject Public(JsonObject o)
    {
        var copy = (JsonObject)o.DeepClone();
        copy.Remove("subscription_metadata");
        copy.Remove("fake_price");
        return copy;
    }

    private JsonObject NewSubscription(string price, JsonObject metadata)
    {
        var now = DateTimeOffset.UtcNow;
        var yearly = price == YearlyPrice;
        var sub = new JsonObject
        {
            ["id"] = "sub_" + Random(24),
            ["object"] = "subscription",
            ["customer"] = "cus_" + Random(14),
            ["status"] = "active",
            ["current_period_start"] = now.ToUnixTimeSeconds(),
            ["current_period_end"] = (yearly ? now.AddYears(1) : now.AddMonths(1)).ToUnixTimeSeconds(),
            ["cancel_at_period_end"] = false,
            ["canceled_at"] = null,
            ["ended_at"] = null,
            ["metadata"] = metadata,
            ["items"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = "si_" + Random(14),
                    ["object"] = "subscription_item",
                    ["price"] = new JsonObject { ["id"] = price, ["object"] = "price", ["recurring"] = new JsonObject { ["interval"] = yearly ? "year" : "month" } },
                }),
            },
        };
        _subscriptions[(string)sub["id"]!] = sub;
        return sub;
    }

    private async Task<Dictionary<string, string>> Record(HttpContext http)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (http.Request.HasFormContentType)
            foreach (var (k, v) in await http.Request.ReadFormAsync()) form[k] = v.ToString();
        Requests.Enqueue(new RecordedStripeRequest(http.Request.Method, http.Request.Path, form, http.Request.Headers.Authorization.ToString(),
            http.Request.Headers["Stripe-Version"].ToString(), http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k2 ? k2 : null,
            http.Request.ContentType));
        return form;
    }

    /// <summary>Stripe's answers to a wrong key, a missing version pin, or an injected failure.</summary>
    private IResult? Refuse(HttpContext http)
    {
        if (http.Request.Headers.Authorization.ToString() != "Bearer " + SecretKey)
            return Error(401, "invalid_request_error", null, "Invalid API Key provided");
        if (http.Request.Headers["Stripe-Version"].ToString() != ApiVersion)
            return Error(400, "invalid_request_error", null, "This fake only speaks " + ApiVersion);
        if (FailNextWith is { } status)
        {
            FailNextWith = null;
            return Error(status, "api_error", null, "Injected failure");
        }
        return null;
    }

    private static IResult Missing(string kind, string id) => Error(404, "invalid_request_error", "resource_missing", $"No such {kind}: '{id}'");

    private static IResult Error(int status, string type, string? code, string message) =>
        Results.Content(new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message } }.ToJsonString(),
            "application/json", Encoding.UTF8, status);

    private static string Random(int n)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return RandomNumberGenerator.GetString(alphabet, n);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
