using System.Text;
using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Sfu;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>Every /api/calls endpoint refuses bad input with a 4xx in the error shape, places no call and moves no coin.</summary>
public sealed class DirectCallBadInputTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private LedgerProbe _ledger = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync();
        _ledger = new LedgerProbe(_api.DatabaseUrl);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private const string Unknown = "00000000-1111-4222-8333-444444444444";
    private static readonly string Sdp = System.Text.Json.JsonSerializer.Serialize(WhipApiTests.Offer);

    public static readonly (string Method, string Path, string? Body, int Status, string Code)[] Cases =
    {
        ("POST", "/api/calls/initiate", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/initiate", "", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/initiate", "not json", 400, "INVALID_JSON"),
        ("POST", "/api/calls/initiate", "[1]", 400, "INVALID_JSON"),
        ("POST", "/api/calls/initiate", """{"receiverId":"x","callType":"video"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/initiate", """{"receiverId":"00000000-0000-0000-0000-000000000000","callType":"video"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/initiate", """{"receiverId":"{R}"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/initiate", """{"receiverId":"{R}","callType":"fax"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/initiate", """{"receiverId":"{R}","callType":5}""", 400, "INVALID_JSON"),
        ("POST", "/api/calls/initiate", """{"receiverId":42,"callType":"audio"}""", 400, "INVALID_JSON"),
        ("POST", "/api/calls/initiate", """{"receiverId":"{S}","callType":"audio"}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/initiate", "{\"receiverId\":\"" + Unknown + "\",\"callType\":\"audio\"}", 404, "RECEIVER_NOT_FOUND"),
        ("POST", "/api/calls/x/accept", null, 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/" + Unknown + "/accept", null, 404, "CALL_NOT_FOUND"),
        ("POST", "/api/calls/" + Unknown + "/reject", null, 404, "CALL_NOT_FOUND"),
        ("POST", "/api/calls/" + Unknown + "/end", null, 404, "CALL_NOT_FOUND"),
        ("POST", "/api/calls/" + Unknown + "/end", """{"duration":-1}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/" + Unknown + "/end", """{"duration":99999999999}""", 400, "INVALID_JSON"),
        ("POST", "/api/calls/" + Unknown + "/end", """{"duration":"long"}""", 400, "INVALID_JSON"),
        ("POST", "/api/calls/" + Unknown + "/end", """{"duration":86401}""", 400, "VALIDATION_FAILED"),
        ("GET", "/api/calls/history?page=0", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/calls/history?limit=101", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/calls/history?page=99999999999", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/calls/x", null, 400, "VALIDATION_FAILED"),
        ("GET", "/api/calls/" + Unknown, null, 404, "CALL_NOT_FOUND"),
        ("POST", "/api/calls/" + Unknown + "/webrtc/offer", "{}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/" + Unknown + "/webrtc/offer", """{"sdp":""}""", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/" + Unknown + "/webrtc/offer", """{"sdp":{"type":"offer"}}""", 400, "INVALID_JSON"),
        ("POST", "/api/calls/" + Unknown + "/webrtc/offer", "{\"sdp\":\"" + new string('a', 100_001) + "\"}", 400, "VALIDATION_FAILED"),
        ("POST", "/api/calls/" + Unknown + "/webrtc/offer", "{\"sdp\":" + Sdp + "}", 404, "CALL_NOT_FOUND"),
        ("POST", "/api/calls/" + Unknown + "/webrtc/answer", "{\"sdp\":" + Sdp + "}", 404, "CALL_NOT_FOUND"),
        ("POST", "/api/calls/x/webrtc/answer", "{\"sdp\":" + Sdp + "}", 400, "VALIDATION_FAILED"),
        ("PUT", "/api/calls/initiate", "{}", 405, "METHOD_NOT_ALLOWED"),
    };

    [Fact]
    public async Task Every_call_endpoint_answers_bad_input_with_a_4xx_error_shape_and_no_change()
    {
        var caller = await _api.SignInAsync();
        var receiver = await _api.SignInAsync();
        Assert.Equal(50, await _api.BalanceAsync(caller.AccessToken));
        var rows = await _ledger.RowCountAsync();
        var failures = new List<string>();
        foreach (var (method, path, body, status, code) in Cases)
        {
            string Fill(string s) => s.Replace("{R}", receiver.DeviceId.ToString()).Replace("{S}", caller.DeviceId.ToString());
            var res = await _api.SendAsync(new HttpMethod(method), path, caller.AccessToken, rawBody: body is null ? null : Fill(body));
            try { Assert.Equal(code, await ErrorShape.AssertAsync(res, status)); }
            catch (Exception e) { failures.Add($"{method} {path} {body?[..Math.Min(body.Length, 60)]}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        var form = _api.Authorized(HttpMethod.Post, "/api/calls/initiate", caller.AccessToken);
        form.Content = new StringContent("receiverId=x", Encoding.UTF8, "application/x-www-form-urlencoded");
        Assert.Equal("UNSUPPORTED_MEDIA_TYPE", await ErrorShape.AssertAsync(await _api.Client.SendAsync(form), 415));
        var anonymous = new HttpRequestMessage(HttpMethod.Post, "/api/calls/initiate")
        {
            Content = new StringContent($$"""{"receiverId":"{{receiver.DeviceId}}","callType":"audio"}""", Encoding.UTF8, "application/json"),
        };
        Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(await _api.Client.SendAsync(anonymous), 401));

        Assert.Equal(rows, await _ledger.RowCountAsync());
        Assert.Equal(0L, await _ledger.ScalarAsync<long>("SELECT count(*) FROM calls"));
    }
}
