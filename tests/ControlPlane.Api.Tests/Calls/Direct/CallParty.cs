using Microsoft.Extensions.DependencyInjection;
using Media.Sfu.Hosting;
using System.Text.Json;
using ControlPlane.Api.Tests.Coins;
using Media.Sfu.Sdp;
using Testing.Services;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>A signed-in device with its /signaling connection: one side of a call in a test.</summary>
public sealed class CallParty(ApiHost api, TokenResponse token, SignalingClient hub)
{
    public TokenResponse Token { get; } = token;
    public SignalingClient Hub { get; } = hub;
    public Guid Id => Token.DeviceId;
    public string Bearer => Token.AccessToken;

    public static async Task<CallParty> ConnectAsync(ApiHost api, TokenResponse? token = null)
    {
        token ??= await api.SignInAsync();
        var hub = await SignalingClient.ConnectAsync(api.BaseAddress, token.AccessToken, token.DeviceId);
        await hub.WaitAsync("connected");
        return new CallParty(api, token, hub);
    }

    /// <summary>Signs in and becomes a Super Lover (the host must waive verification and the coin threshold).</summary>
    public static async Task<TokenResponse> SuperLoverAsync(ApiHost api, string status = "ready")
    {
        var t = await api.SignInAsync();
        (await api.PostAsync("/api/super-lover/become", t.AccessToken, new { superLoverBio = "Hi", age = 25 })).EnsureSuccessStatusCode();
        (await api.SendAsync(HttpMethod.Put, "/api/super-lover/status", t.AccessToken, new { status })).EnsureSuccessStatusCode();
        return t;
    }

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null, string? idempotencyKey = null) =>
        api.PostAsync(path, Bearer, body, idempotencyKey);

    public async Task<JsonElement> OkAsync(string path, object? body = null) => (await (await PostAsync(path, body)).OkJsonAsync()).Data();

    public async Task<Guid> CallAsync(CallParty receiver, string callType = "video") =>
        Guid.Parse((await OkAsync("/api/calls/initiate", new { receiverId = receiver.Id.ToString(), callType })).GetProperty("callId").GetString()!);

    public async Task<JsonElement> GetCallAsync(Guid callId) =>
        (await api.GetOkAsync($"/api/calls/{callId}", Bearer)).Data().GetProperty("call");

    /// <summary>What a browser would answer to the SFU's offer (its own ICE credentials and certificate fingerprint, DTLS active).</summary>
    public static string AnswerTo(string sfuOffer)
    {
        var result = SdpAnswerer.Answer(sfuOffer, new AnswerOptions
        {
            Transport = new LocalTransportParameters
            {
                IceUfrag = "brws", IcePwd = "abcdefghijklmnopqrstuvwx", IceLite = false,
                Fingerprint = new SdpFingerprint("sha-256", "0B:4F:1E:29:35:60:89:7A:8B:D9:5E:56:1E:C8:1B:4C:49:0D:8E:32:1C:AF:94:77:45:A1:91:2E:84:22:56:17"),
            },
            SetupWhenOfferActPass = SetupRole.Active,
        });
        Assert.True(result.IsSuccess, result.ToString());
        return result.AnswerSdp!;
    }
}

/// <summary>
/// What the direct-call tests share: a control plane (real PostgreSQL, the in-process SFU) and the parties connected
/// to its hub, disposed together. Override <see cref="StartApiAsync"/> to configure the control plane.
/// </summary>
public abstract class CallPartyTests : IAsyncLifetime
{
    private readonly List<CallParty> _parties = new();

    protected ApiHost Api { get; set; } = null!;

    protected SfuNode Sfu => Api.Services.GetRequiredService<SfuNode>();

    protected virtual Task<ApiHost> StartApiAsync() => ApiHost.StartAsync();

    public virtual async Task InitializeAsync() => Api = await StartApiAsync();

    public async Task DisposeAsync()
    {
        foreach (var p in _parties) await p.Hub.DisposeAsync();
        await Api.DisposeAsync();
    }

    protected async Task<CallParty> PartyAsync(TokenResponse? token = null)
    {
        var p = await CallParty.ConnectAsync(Api, token);
        _parties.Add(p);
        return p;
    }

    protected static bool Is(JsonElement e, Guid callId) => e.GetProperty("callId").GetString() == callId.ToString();
}
