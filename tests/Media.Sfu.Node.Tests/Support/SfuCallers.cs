using Testing.Services;
using Testing.Services.Signaling;

namespace Media.Sfu.Node.Tests.Support;

/// <summary>A matched video call as two seed-000 clients see it.</summary>
public sealed record SfuCall(SignalingClient Offerer, SignalingClient Waiter, Guid Session);

/// <summary>Devices on the control plane's /signaling that make video calls through the SFU with real SDP.</summary>
public sealed class SfuCallers(ApiHost api) : IAsyncDisposable
{
    private readonly List<SignalingClient> _clients = new();

    public async Task<SignalingClient> ConnectAsync()
    {
        var token = await api.SignInAsync();
        var client = await SignalingClient.ConnectAsync(api.BaseAddress, token.AccessToken, token.DeviceId);
        lock (_clients) _clients.Add(client);
        await client.WaitAsync("connected");
        return client;
    }

    /// <summary>
    /// Two devices join the video queue and are matched; the initiator's offer is answered by the SFU ("answer"
    /// event), the other side receives the SFU's offer ("offer" event) and answers it.
    /// </summary>
    public async Task<SfuCall> StartCallAsync()
    {
        var a = await ConnectAsync();
        var b = await ConnectAsync();
        await a.InvokeAsync("join-queue", new { preferences = new { chatType = "video" } });
        await b.InvokeAsync("join-queue", new { preferences = new { chatType = "video" } });
        var matched = await a.WaitAsync("matched");
        await b.WaitAsync("matched");
        var session = Guid.Parse(matched.GetProperty("sessionId").GetString()!);
        var (offerer, waiter) = matched.GetProperty("initiator").GetBoolean() ? (a, b) : (b, a);

        await offerer.SendAsync("send-offer", new { sessionId = session, data = new { type = "offer", sdp = SdpPeer.Offer(video: true) } });
        var answer = await offerer.WaitAsync("answer");
        Assert.Equal("sfu", answer.GetProperty("via").GetString());
        Assert.Equal(session.ToString(), answer.GetProperty("sessionId").GetString());
        Assert.Equal("answer", answer.GetProperty("answer").GetProperty("type").GetString());
        Assert.Contains("a=ice-lite", answer.GetProperty("answer").GetProperty("sdp").GetString());

        var offer = await waiter.WaitAsync("offer");
        Assert.Equal("sfu", offer.GetProperty("via").GetString());
        Assert.Equal("offer", offer.GetProperty("offer").GetProperty("type").GetString());
        var sfuOffer = offer.GetProperty("offer").GetProperty("sdp").GetString()!;
        Assert.Contains("m=video ", sfuOffer);
        await waiter.SendAsync("send-answer", new { sessionId = session, data = new { type = "answer", sdp = SdpPeer.Answer(sfuOffer) } });
        return new SfuCall(offerer, waiter, session);
    }

    public static async Task EndCallAsync(SfuCall call)
    {
        await call.Offerer.SendAsync("end-call", new { sessionId = call.Session });
        await call.Offerer.WaitAsync("call-ended");
        await call.Waiter.WaitAsync("peer-disconnected");
    }

    public string Describe()
    {
        lock (_clients) return string.Join(" | ", _clients.TakeLast(4).Select(c => c.Describe()));
    }

    public async ValueTask DisposeAsync()
    {
        SignalingClient[] clients;
        lock (_clients) clients = _clients.ToArray();
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
    }
}
