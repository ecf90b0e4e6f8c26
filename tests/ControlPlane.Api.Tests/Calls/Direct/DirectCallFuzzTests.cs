using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Sfu;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>
/// Untrusted input on the call and message endpoints: seeded random and mutated JSON bodies, and mutated SDP sent to a
/// live call's SFU, are answered with a success or a 4xx in the error shape — never a server error — and the call survives.
/// The same holds for seed 003's call socket events: a success or an error event with a client error code.
/// </summary>
public sealed class DirectCallFuzzTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Calls:InitiateLimitPerMinute"] = "10000", ["Calls:MediaOfferLimitPerMinute"] = "10000" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static async Task AssertNotServerErrorAsync(HttpResponseMessage res, string what)
    {
        var status = (int)res.StatusCode;
        Assert.True(status < 500, $"{what} answered {status}: {await res.Content.ReadAsStringAsync()}");
        if (status >= 400) await ErrorShape.AssertAsync(res, status);
    }

    private static string Mutate(string text, Random random)
    {
        var chars = text.ToCharArray().ToList();
        for (int n = random.Next(1, 8); n > 0 && chars.Count > 0; n--)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(5))
            {
                case 0: chars[at] = (char)random.Next(0, 0x2FF); break;
                case 1: chars.RemoveRange(at, Math.Min(chars.Count - at, random.Next(1, 200))); break;
                case 2: chars.InsertRange(at, chars.GetRange(at, Math.Min(chars.Count - at, random.Next(1, 200)))); break;
                case 3: chars.Insert(at, "\r\n\0=:; "[random.Next(7)]); break;
                default: chars[at] = char.IsDigit(chars[at]) ? (char)('0' + random.Next(10)) : chars[at]; break;
            }
        }
        return new string(chars.ToArray());
    }

    [Fact]
    public async Task Mutated_sdp_offers_and_answers_never_cause_a_server_error_and_the_call_goes_on()
    {
        var caller = await _api.SignInAsync();
        var receiver = await _api.SignInAsync();
        var callId = JsonDocument.Parse(await (await _api.PostAsync("/api/calls/initiate", caller.AccessToken,
            new { receiverId = receiver.DeviceId.ToString(), callType = "video" })).Content.ReadAsStringAsync()).RootElement.Data().GetProperty("callId").GetString();
        var accepted = await (await _api.PostAsync($"/api/calls/{callId}/accept", receiver.AccessToken)).OkJsonAsync();
        var sfuOffer = accepted.Data().GetProperty("offer").GetProperty("sdp").GetString()!;
        var validAnswer = CallParty.AnswerTo(sfuOffer);

        var random = new Random(20261122);
        var accepted200 = 0;
        for (var i = 0; i < 300; i++)
        {
            var offer = Mutate(WhipApiTests.Offer, random);
            var res = await _api.PostAsync($"/api/calls/{callId}/webrtc/offer", caller.AccessToken, new { sdp = offer });
            if (res.IsSuccessStatusCode) accepted200++;
            await AssertNotServerErrorAsync(res, $"offer #{i}");
            var answer = await _api.PostAsync($"/api/calls/{callId}/webrtc/answer", receiver.AccessToken, new { sdp = Mutate(validAnswer, random) });
            await AssertNotServerErrorAsync(answer, $"answer #{i}");
        }
        // Both paths were exercised: some mutations still parse and are answered, most are refused.
        Assert.InRange(accepted200, 1, 299);
        var call = (await _api.GetOkAsync($"/api/calls/{callId}", caller.AccessToken)).Data().GetProperty("call");
        Assert.Equal("answered", call.GetProperty("status").GetString());
        (await _api.PostAsync($"/api/calls/{callId}/webrtc/offer", caller.AccessToken, new { sdp = WhipApiTests.Offer })).EnsureSuccessStatusCode();
    }

    /// <summary>What a call socket event may be refused with when its call is live: everything but a server error.</summary>
    private static readonly HashSet<string> ClientCodes =
        ["INVALID_PAYLOAD", "PAYLOAD_TOO_LARGE", "CALL_NOT_FOUND", "INVALID_TARGET", "SDP_INVALID", "NO_PENDING_OFFER", "OFFER_EXPIRED"];

    [Fact]
    public async Task Random_and_mutated_call_socket_events_get_a_client_error_or_succeed_and_the_call_and_connections_go_on()
    {
        var caller = await CallParty.ConnectAsync(_api);
        var receiver = await CallParty.ConnectAsync(_api);
        try
        {
            var callId = await caller.CallAsync(receiver);
            await receiver.Hub.WaitAsync("incoming-call");
            var accepted = await receiver.OkAsync($"/api/calls/{callId}/accept");
            var room = accepted.GetProperty("roomId").GetString()!;
            var validAnswer = CallParty.AnswerTo(accepted.GetProperty("offer").GetProperty("sdp").GetString()!);
            const string candidate = "candidate:1 1 udp 2130706431 192.0.2.9 40000 typ host";

            var random = new Random(20261124);
            var events = new[] { "join-room", "webrtc-offer", "webrtc-answer", "ice-candidate", "call-end" };
            for (var i = 0; i < 400; i++)
            {
                var (me, partner) = i % 2 == 0 ? (caller, receiver) : (receiver, caller);
                var name = events[random.Next(events.Length)];
                // call-end never names the live call (it would end it); every other event may.
                var named = name != "call-end";
                // Mostly the valid value, so that the deeper checks (the call, the target, the SFU's SDP parsers) are reached.
                JsonNode? Field(Func<JsonNode> valid, string text, bool optional = false) => random.Next(optional ? 12 : 24) switch
                {
                    0 => null,
                    1 => Mutate(text, random),
                    2 => random.Next(4) switch { 0 => JsonValue.Create(random.Next()), 1 => JsonValue.Create(true), 2 => new JsonArray(text), _ => new JsonObject { ["x"] = text } },
                    3 => new string('x', random.Next(60_000, 110_000)),
                    4 => Guid.NewGuid().ToString(),
                    < 8 when optional => null,
                    _ => valid(),
                };
                var payload = new JsonObject();
                void Put(string key, JsonNode? value) { if (value is not null) payload[key] = value; }
                Put("roomId", Field(() => named ? room : Guid.NewGuid().ToString(), named ? room : Guid.NewGuid().ToString()));
                if (random.Next(4) == 0) Put("callId", Field(() => named ? callId.ToString() : Guid.NewGuid().ToString(), Guid.NewGuid().ToString()));
                Put("userId", Field(() => me.Id.ToString(), me.Id.ToString(), optional: true));
                Put("targetUserId", Field(() => partner.Id.ToString(), partner.Id.ToString(), optional: true));
                switch (name)
                {
                    case "webrtc-offer":
                        var offer = random.Next(3) == 0 ? WhipApiTests.Offer : Mutate(WhipApiTests.Offer, random);
                        Put("offer", Field(() => random.Next(2) == 0 ? offer : new JsonObject { ["type"] = "offer", ["sdp"] = offer }, offer));
                        break;
                    case "webrtc-answer":
                        var answer = Mutate(validAnswer, random);
                        Put("answer", Field(() => random.Next(2) == 0 ? answer : new JsonObject { ["type"] = "answer", ["sdp"] = answer }, answer));
                        break;
                    case "ice-candidate":
                        Put("candidate", Field(() => random.Next(2) == 0 ? candidate
                            : new JsonObject { ["candidate"] = Mutate(candidate, random), ["sdpMid"] = "0", ["sdpMLineIndex"] = random.Next(-2, 3) }, candidate));
                        break;
                }
                object?[] args = random.Next(20) switch
                {
                    0 => [],
                    1 => [null],
                    2 => [Mutate(payload.ToJsonString(), random)],
                    3 => [new JsonArray(payload)],
                    _ => [payload],
                };
                // The completion comes after any error event the invocation raised.
                await me.Hub.InvokeAsync(name, args);
                Assert.True(me.Hub.IsOpen, $"#{i} {name} closed the connection");
            }

            var errors = caller.Hub.History.Concat(receiver.Hub.History).Where(e => e.Name == "error").ToList();
            var unexpected = errors.Where(e => !ClientCodes.Contains(e.Payload.GetProperty("code").GetString()!)).Select(e => e.Payload.GetRawText()).ToList();
            Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Take(10)));
            Assert.InRange(errors.Count, 100, 399); // most are refused, some succeed
            Assert.Contains(caller.Hub.History, e => e.Name == "webrtc-answer"); // some offers reached the SFU and were answered
            Assert.DoesNotContain(caller.Hub.History.Concat(receiver.Hub.History), e => e.Name is "ice-candidate" or "call-ended");

            var call = (await _api.GetOkAsync($"/api/calls/{callId}", caller.Bearer)).Data().GetProperty("call");
            Assert.Equal("answered", call.GetProperty("status").GetString());
            caller.Hub.Clear();
            await caller.Hub.InvokeAsync("webrtc-offer", new { roomId = room, offer = WhipApiTests.Offer });
            await caller.Hub.WaitAsync("webrtc-answer");
            await receiver.Hub.InvokeAsync("call-end", new { roomId = room });
            await caller.Hub.WaitAsync("call-ended");
        }
        finally
        {
            await caller.Hub.DisposeAsync();
            await receiver.Hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task Random_and_mutated_json_bodies_never_cause_a_server_error()
    {
        var t = await _api.SignInAsync();
        var other = await _api.SignInAsync();
        var seeds = new (string Path, string Body)[]
        {
            ("/api/calls/initiate", $$"""{"receiverId":"{{other.DeviceId}}","callType":"audio"}"""),
            ("/api/messages/send", $$"""{"receiverId":"{{other.DeviceId}}","messageText":"hello","messageType":"text"}"""),
            ("/api/calls/00000000-1111-4222-8333-444444444444/end", """{"duration":12}"""),
            ("/api/calls/00000000-1111-4222-8333-444444444444/webrtc/offer", """{"sdp":"v=0","roomId":"r"}"""),
        };
        var random = new Random(20261123);
        for (var i = 0; i < 400; i++)
        {
            var (path, seed) = seeds[i % seeds.Length];
            string body = (i % 3) switch
            {
                0 => Encoding.UTF8.GetString(Enumerable.Range(0, random.Next(0, 300)).Select(_ => (byte)random.Next(256)).ToArray()),
                1 => Mutate(seed, random),
                _ => new string('[', random.Next(1, 3000)),
            };
            var req = _api.Authorized(HttpMethod.Post, path, t.AccessToken);
            req.Content = new StringContent(body, Encoding.UTF8);
            req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var res = await _api.Client.SendAsync(req);
            await AssertNotServerErrorAsync(res, $"{path} body #{i}");
            // Whatever was placed is hung up again, so neither side stays busy.
            if (res.IsSuccessStatusCode && path == "/api/calls/initiate")
            {
                var id = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.Data().GetProperty("callId").GetString();
                (await _api.PostAsync($"/api/calls/{id}/end", t.AccessToken)).EnsureSuccessStatusCode();
            }
        }
    }
}
