using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Sfu;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>
/// Untrusted input on the call and message endpoints: seeded random and mutated JSON bodies, and mutated SDP sent to a
/// live call's SFU, are answered with a success or a 4xx in the error shape — never a server error — and the call survives.
/// </summary>
public sealed class DirectCallFuzzTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Calls:InitiateLimitPerMinute"] = "10000" });

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
