using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ControlPlane.Api.Tests.Support;
using Media.Sfu.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Testing.Services;

namespace ControlPlane.Api.Tests.Sfu;

/// <summary>The SFU's WHIP API as hosted under /sfu (RFC 9725): status codes, headers and every error path.</summary>
public sealed class WhipApiTests : IAsyncLifetime
{
    // A Chrome-shaped audio+video offer (BUNDLE, rtcp-mux, actpass, SSRCs with FID groups).
    internal const string Offer =
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS s1\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 0B:4F:1E:29:35:60:89:7A:8B:D9:5E:56:1E:C8:1B:4C:49:0D:8E:32:1C:AF:94:77:45:A1:91:2E:84:22:56:17\r\na=setup:actpass\r\na=mid:0\r\n" +
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendrecv\r\na=msid:s1 a1\r\na=rtcp-mux\r\na=rtcp-rsize\r\n" +
        "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\na=ssrc:1111 cname:c1\r\na=ssrc:1111 msid:s1 a1\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 0B:4F:1E:29:35:60:89:7A:8B:D9:5E:56:1E:C8:1B:4C:49:0D:8E:32:1C:AF:94:77:45:A1:91:2E:84:22:56:17\r\na=setup:actpass\r\na=mid:1\r\n" +
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendrecv\r\na=msid:s1 v1\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n" +
        "a=rtcp-fb:96 ccm fir\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\na=ssrc-group:FID 2222 3333\r\na=ssrc:2222 cname:c1\r\na=ssrc:3333 cname:c1\r\n";

    private ApiHost _api = null!;
    private string _token = "";

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync();
        _token = (await _api.SignInAsync()).AccessToken;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private HttpRequestMessage Post(string body, string contentType = "application/sdp", string path = "/sfu/whip?mode=echo", string? token = null)
    {
        var req = _api.Authorized(HttpMethod.Post, path, token ?? _token);
        req.Content = new StringContent(body, Encoding.UTF8);
        req.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return req;
    }

    private HttpRequestMessage Patch(string location, string body, string contentType = "application/trickle-ice-sdpfrag")
    {
        var req = _api.Authorized(HttpMethod.Patch, location, _token);
        req.Content = new StringContent(body, Encoding.UTF8);
        req.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return req;
    }

    [Fact]
    public async Task An_offer_is_answered_with_201_location_etag_and_an_ice_lite_answer()
    {
        var res = await _api.Client.SendAsync(Post(Offer));
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        Assert.Equal("application/sdp", res.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("/sfu/whip/", res.Headers.Location!.ToString());
        Assert.NotNull(res.Headers.ETag);
        var answer = await res.Content.ReadAsStringAsync();
        Assert.Contains("a=ice-lite", answer);
        Assert.Contains("a=setup:passive", answer);
        Assert.Contains("a=fingerprint:sha-256 ", answer);
        Assert.Contains(" udp ", answer);
        Assert.Contains("tcptype passive", answer);
        Assert.Contains("a=group:BUNDLE 0 1", answer);
        Assert.Contains("a=rtpmap:111 opus/48000/2", answer);
        Assert.Contains("a=rtpmap:96 VP8/90000", answer);
        // Echo announces one outgoing SSRC per m-line, plus an RTX SSRC (RFC 4588 FID group) on video for NACK answers.
        Assert.Equal(3, answer.Split("cname:").Length - 1);
        Assert.Single(answer.Split("\r\n"), l => l.StartsWith("a=ssrc-group:FID "));
    }

    [Fact]
    public async Task Whip_requires_a_token()
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/sfu/whip") { Content = new StringContent(Offer, Encoding.UTF8, "application/sdp") };
        Assert.Equal("UNAUTHORIZED", await ErrorShape.AssertAsync(await _api.Client.SendAsync(req), 401));
        Assert.Equal("INVALID_TOKEN", await ErrorShape.AssertAsync(await _api.Client.SendAsync(Post(Offer, token: "x.y.z")), 401));
    }

    [Theory]
    [InlineData("garbage", "application/sdp", "", 400, "SDP_INVALID")]
    [InlineData("", "application/sdp", "", 400, "SDP_INVALID")]
    [InlineData("v=0", "text/plain", "", 415, "UNSUPPORTED_MEDIA_TYPE")]
    [InlineData("OFFER", "application/sdp", "?mode=bogus", 400, "VALIDATION_FAILED")]
    public async Task Bad_offers_get_an_error_in_the_api_shape(string body, string contentType, string query, int status, string code)
    {
        var res = await _api.Client.SendAsync(Post(body == "OFFER" ? Offer : body, contentType, "/sfu/whip" + query));
        Assert.Equal(code, await ErrorShape.AssertAsync(res, status));
        Assert.Empty(_api.Services.GetRequiredService<SfuNode>().Sessions);
    }

    [Fact]
    public async Task Offers_the_sfu_cannot_answer_say_why()
    {
        var noBundle = Offer.Replace("a=group:BUNDLE 0 1\r\n", "");
        var noMux = Offer.Replace("a=rtcp-mux\r\n", "");
        var noFingerprint = string.Join("\r\n", Offer.Split("\r\n").Where(l => !l.StartsWith("a=fingerprint")));
        foreach (var bad in new[] { noBundle, noMux, noFingerprint })
        {
            var code = await ErrorShape.AssertAsync(await _api.Client.SendAsync(Post(bad)), 400);
            Assert.StartsWith("SDP_", code);
        }
        var huge = await _api.Client.SendAsync(Post(Offer + new string('a', 70_000)));
        Assert.Equal("PAYLOAD_TOO_LARGE", await ErrorShape.AssertAsync(huge, 413));
    }

    [Fact]
    public async Task Patch_trickles_candidates_restarts_ice_and_checks_preconditions()
    {
        var created = await _api.Client.SendAsync(Post(Offer));
        var location = created.Headers.Location!.ToString();
        var etag = created.Headers.ETag!.Tag;

        var trickle = "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\n";
        Assert.Equal(HttpStatusCode.NoContent, (await _api.Client.SendAsync(Patch(location, trickle))).StatusCode);

        var stale = Patch(location, trickle);
        stale.Headers.TryAddWithoutValidation("If-Match", "\"not-the-etag\"");
        Assert.Equal("PRECONDITION_FAILED", await ErrorShape.AssertAsync(await _api.Client.SendAsync(stale), 412));

        var restart = Patch(location, "a=ice-ufrag:efgh\r\na=ice-pwd:zyxwvutsrqponmlkjihgfedc\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n");
        restart.Headers.TryAddWithoutValidation("If-Match", "*");
        var restarted = await _api.Client.SendAsync(restart);
        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        Assert.Equal("application/trickle-ice-sdpfrag", restarted.Content.Headers.ContentType?.MediaType);
        var fragment = await restarted.Content.ReadAsStringAsync();
        Assert.Contains("a=ice-ufrag:", fragment);
        Assert.Contains("a=candidate:", fragment);
        Assert.NotEqual(etag, restarted.Headers.ETag!.Tag);

        Assert.Equal("UNSUPPORTED_MEDIA_TYPE", await ErrorShape.AssertAsync(await _api.Client.SendAsync(Patch(location, trickle, "application/sdp")), 415));
        Assert.Equal("SDPFRAG_INVALID", await ErrorShape.AssertAsync(await _api.Client.SendAsync(Patch(location, "m=broken")), 400));
        Assert.Equal("SESSION_NOT_FOUND", await ErrorShape.AssertAsync(await _api.Client.SendAsync(Patch("/sfu/whip/nope", trickle)), 404));
    }

    [Fact]
    public async Task Only_the_owner_can_end_a_session_and_it_ends_once()
    {
        var created = await _api.Client.SendAsync(Post(Offer));
        var location = created.Headers.Location!.ToString();
        var stranger = (await _api.SignInAsync()).AccessToken;
        Assert.Equal("SESSION_NOT_FOUND", await ErrorShape.AssertAsync(await _api.Client.SendAsync(_api.Authorized(HttpMethod.Delete, location, stranger)), 404));
        Assert.Equal(HttpStatusCode.OK, (await _api.Client.SendAsync(_api.Authorized(HttpMethod.Delete, location, _token))).StatusCode);
        Assert.Equal("SESSION_NOT_FOUND", await ErrorShape.AssertAsync(await _api.Client.SendAsync(_api.Authorized(HttpMethod.Delete, location, _token)), 404));
        Assert.Equal(0, _api.Services.GetRequiredService<SfuNode>().Transports.Count);
    }

    [Fact]
    public async Task A_users_new_echo_test_replaces_the_previous_one()
    {
        var first = (await _api.Client.SendAsync(Post(Offer))).Headers.Location!.ToString();
        var second = (await _api.Client.SendAsync(Post(Offer))).Headers.Location!.ToString();
        var node = _api.Services.GetRequiredService<SfuNode>();
        Assert.False(node.TryGetSession(first.Split('/')[^1], out _));
        Assert.True(node.TryGetSession(second.Split('/')[^1], out _));
        Assert.Single(node.Sessions);
    }
}
