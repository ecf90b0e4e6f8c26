using System.Net;
using System.Text;
using ControlPlane.Api.Tests.Calls.Direct;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Coins;

/// <summary>/api/messages: each message is paid once, delivered over /signaling, and listed per conversation.</summary>
public sealed class PaidMessageTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;
    private readonly List<CallParty> _parties = new();

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["SuperLover:RequireVerification"] = "false", ["SuperLover:CoinsRequired"] = "0", ["SuperLover:SharePercent"] = "50",
            ["Coins:MessagePrice"] = "5",
        });
        _ledger = new LedgerProbe(_api.DatabaseUrl);
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _parties) await p.Hub.DisposeAsync();
        await _api.DisposeAsync();
    }

    private async Task<CallParty> PartyAsync(TokenResponse? token = null)
    {
        var p = await CallParty.ConnectAsync(_api, token);
        _parties.Add(p);
        return p;
    }

    private Task<long> MessageRowsAsync() => _ledger.ScalarAsync<long>("SELECT count(*) FROM messages");

    [Fact]
    public async Task A_message_is_charged_delivered_listed_read_and_deleted_and_a_super_lover_earns_a_share()
    {
        var sender = await PartyAsync();
        var receiver = await PartyAsync();
        var lover = await PartyAsync(await CallParty.SuperLoverAsync(_api));

        var sent = await sender.OkAsync("/api/messages/send", new { receiverId = receiver.Id.ToString(), messageText = "  Hello <b>there</b>!  ", messageType = "text" });
        Assert.Equal(5, sent.GetProperty("coinsSpent").GetInt32());
        Assert.Equal(45, sent.GetProperty("newBalance").GetInt64());
        var message = sent.GetProperty("message");
        Assert.Equal("Hello there!", message.GetProperty("messageText").GetString());
        Assert.False(message.GetProperty("isRead").GetBoolean());
        var delivered = (await receiver.Hub.WaitAsync("new-message")).GetProperty("message");
        Assert.Equal(message.GetProperty("id").GetString(), delivered.GetProperty("id").GetString());
        Assert.Equal(sender.Id.ToString(), delivered.GetProperty("senderId").GetString());
        Assert.Equal("Hello there!", delivered.GetProperty("messageText").GetString());

        var toLover = await sender.OkAsync("/api/messages/send", new { receiverId = lover.Id.ToString(), messageText = "Hi love" });
        Assert.Equal(40, toLover.GetProperty("newBalance").GetInt64());
        Assert.Equal(52, await _api.BalanceAsync(lover.Bearer)); // 50 % of 5, rounded down
        Assert.Equal(50, await _api.BalanceAsync(receiver.Bearer)); // an ordinary receiver earns nothing
        Assert.Equal(2L, await _ledger.ScalarAsync<long>(
            "SELECT count(*) FROM coin_transactions WHERE device_id = @d AND reference_type = 'message' AND transaction_type = 'spend'", ("d", sender.Id)));

        var mine = (await _api.GetOkAsync("/api/messages/conversations", sender.Bearer)).Data();
        var partners = mine.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal(new[] { lover.Id.ToString(), receiver.Id.ToString() }, partners); // most recent first
        Assert.Equal(2, mine.GetProperty("pagination").GetProperty("total").GetInt64());
        var theirs = (await _api.GetOkAsync("/api/messages/conversations", receiver.Bearer)).Data().GetProperty("conversations")[0];
        Assert.Equal(sender.Id.ToString(), theirs.GetProperty("user").GetProperty("id").GetString());
        Assert.Equal("Hello there!", theirs.GetProperty("lastMessage").GetString());
        Assert.Equal(1, theirs.GetProperty("unreadCount").GetInt64());

        (await receiver.OkAsync("/api/messages/send", new { receiverId = sender.Id.ToString(), messageText = "Hi back" })).GetProperty("message");
        var history = (await _api.GetOkAsync($"/api/messages/conversation/{sender.Id}?page=1&limit=50", receiver.Bearer)).Data();
        Assert.Equal(new[] { "Hi back", "Hello there!" }, history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("messageText").GetString()));
        Assert.Equal(2, history.GetProperty("pagination").GetProperty("total").GetInt64());

        var read = await _api.SendAsync(HttpMethod.Put, $"/api/messages/read/{sender.Id}", receiver.Bearer);
        Assert.Equal(1, (await read.OkJsonAsync()).Data().GetProperty("readCount").GetInt32());
        var receipt = await sender.Hub.WaitAsync("messages-read");
        Assert.Equal(receiver.Id.ToString(), receipt.GetProperty("readerId").GetString());
        Assert.Equal(1, receipt.GetProperty("count").GetInt32());
        Assert.Equal(0, (await (await _api.SendAsync(HttpMethod.Put, $"/api/messages/read/{sender.Id}", receiver.Bearer)).OkJsonAsync()).Data().GetProperty("readCount").GetInt32());
        Assert.True((await _api.GetOkAsync($"/api/messages/conversation/{receiver.Id}", sender.Bearer)).Data().GetProperty("messages")
            .EnumerateArray().Single(m => m.GetProperty("senderId").GetString() == sender.Id.ToString()).GetProperty("isRead").GetBoolean());

        // Deleting hides the message from the deleter only.
        var id = message.GetProperty("id").GetString();
        (await _api.SendAsync(HttpMethod.Delete, $"/api/messages/{id}", receiver.Bearer)).EnsureSuccessStatusCode();
        Assert.Equal(1, (await _api.GetOkAsync($"/api/messages/conversation/{sender.Id}", receiver.Bearer)).Data().GetProperty("pagination").GetProperty("total").GetInt64());
        Assert.Equal(2, (await _api.GetOkAsync($"/api/messages/conversation/{receiver.Id}", sender.Bearer)).Data().GetProperty("pagination").GetProperty("total").GetInt64());
        Assert.Equal("MESSAGE_NOT_FOUND", await ErrorShape.AssertAsync(await _api.SendAsync(HttpMethod.Delete, $"/api/messages/{id}", receiver.Bearer), 404));
        Assert.Equal("MESSAGE_NOT_FOUND", await ErrorShape.AssertAsync(await _api.SendAsync(HttpMethod.Delete, $"/api/messages/{id}", lover.Bearer), 404));
        await _ledger.AssertConsistentAsync();
    }

    [Fact]
    public async Task A_send_retried_with_its_idempotency_key_stores_charges_and_delivers_once()
    {
        var sender = await PartyAsync();
        var receiver = await PartyAsync();
        var body = new { receiverId = receiver.Id.ToString(), messageText = "once" };
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => sender.PostAsync("/api/messages/send", body, "msg-key-1")));
        var texts = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(texts.Distinct());
        Assert.Equal(4, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(texts[0], await (await sender.PostAsync("/api/messages/send", body, "msg-key-1")).Content.ReadAsStringAsync());

        Assert.Equal(45, await _ledger.BalanceAsync(sender.Id));
        Assert.Equal(1L, await MessageRowsAsync());
        await receiver.Hub.WaitAsync("new-message");
        await receiver.Hub.AssertNoEventAsync("new-message", TimeSpan.FromMilliseconds(300));
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", await ErrorShape.AssertAsync(
            await sender.PostAsync("/api/messages/send", new { receiverId = receiver.Id.ToString(), messageText = "another" }, "msg-key-1"), 422));

        // Without a key, a second request is a second message.
        (await sender.PostAsync("/api/messages/send", body)).EnsureSuccessStatusCode();
        Assert.Equal(40, await _ledger.BalanceAsync(sender.Id));
        await _ledger.AssertConsistentAsync();
    }

    public static readonly (string Method, string Path, string? Body, int Status, string Code)[] Cases =
    {
        ("POST", "/api/messages/send", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/messages/send", """{"receiverId":"x","messageText":"hi"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/messages/send", """{"receiverId":"00000000-1111-4222-8333-444444444444","messageText":"hi"}""", 404, "RECEIVER_NOT_FOUND"),
        ("POST", "/api/messages/send", """{"receiverId":"{R}"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/messages/send", """{"receiverId":"{R}","messageText":"   "}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/messages/send", """{"receiverId":"{R}","messageText":"<script>x</script>"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/messages/send", "{\"receiverId\":\"{R}\",\"messageText\":\"" + new string('a', 1001) + "\"}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/messages/send", """{"receiverId":"{R}","messageText":"hi","messageType":"image"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/messages/send", """{"receiverId":"{R}","messageText":123}""", 400, "INVALID_JSON"),
        ("POST", "/api/messages/send", """{"receiverId":"{S}","messageText":"me"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/messages/send", "not json", 400, "INVALID_JSON"),
        ("GET", "/api/messages/conversations?limit=0", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/messages/conversations?page=abc", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/messages/conversation/x", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/messages/conversation/{R}?limit=101", null, 400, "VALIDATION_FAILED"),
        ("PUT", "/api/messages/read/x", null, 400, "VALIDATION_FAILED"),
        ("DELETE", "/api/messages/x", null, 400, "VALIDATION_FAILED"),
        ("DELETE", "/api/messages/00000000-1111-4222-8333-444444444444", null, 404, "MESSAGE_NOT_FOUND"),
    };

    [Fact]
    public async Task Bad_input_and_an_unpaid_message_are_4xx_in_the_error_shape_and_change_nothing()
    {
        var sender = await PartyAsync();
        var receiver = await PartyAsync();
        Assert.Equal(50, await _api.BalanceAsync(sender.Bearer));
        var rows = await _ledger.RowCountAsync();
        var failures = new List<string>();
        foreach (var (method, path, body, status, code) in Cases)
        {
            string Fill(string s) => s.Replace("{R}", receiver.Id.ToString()).Replace("{S}", sender.Id.ToString());
            var res = await _api.SendAsync(new HttpMethod(method), Fill(path), sender.Bearer, rawBody: body is null ? null : Fill(body));
            try { Assert.Equal(code, await ErrorShape.AssertAsync(res, status)); }
            catch (Exception e) { failures.Add($"{method} {path} {body?[..Math.Min(body.Length, 60)]}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var form = _api.Authorized(HttpMethod.Post, "/api/messages/send", sender.Bearer);
        form.Content = new StringContent("receiverId=x", Encoding.UTF8, "application/x-www-form-urlencoded");
        Assert.Equal("UNSUPPORTED_MEDIA_TYPE", await ErrorShape.AssertAsync(await _api.Client.SendAsync(form), 415));
        Assert.Equal(rows, await _ledger.RowCountAsync());
        Assert.Equal(0L, await MessageRowsAsync());

        (await sender.PostAsync("/api/coins/spend", new { amount = 46, action = "gift" })).EnsureSuccessStatusCode(); // 4 left
        rows = await _ledger.RowCountAsync();
        Assert.Equal("INSUFFICIENT_COINS", await ErrorShape.AssertAsync(
            await sender.PostAsync("/api/messages/send", new { receiverId = receiver.Id.ToString(), messageText = "hi" }, "poor-key"), 402));
        Assert.Equal(rows, await _ledger.RowCountAsync());
        Assert.Equal(0L, await MessageRowsAsync());
        await receiver.Hub.AssertNoEventAsync("new-message", TimeSpan.FromMilliseconds(200));
        // A failed request stores nothing under its key: after a top-up the same key sends the message.
        (await sender.PostAsync("/api/coins/earn-ad", new { adType = "rewarded" })).EnsureSuccessStatusCode();
        (await sender.PostAsync("/api/messages/send", new { receiverId = receiver.Id.ToString(), messageText = "hi" }, "poor-key")).EnsureSuccessStatusCode();
        Assert.Equal(1L, await MessageRowsAsync());
        await _ledger.AssertConsistentAsync();
    }
}
