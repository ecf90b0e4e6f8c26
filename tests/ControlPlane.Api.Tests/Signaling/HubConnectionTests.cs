using System.Net;
using System.Net.WebSockets;
using ControlPlane.Api.Tests.Support;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Signaling;

public sealed class HubConnectionTests
{
    [Fact]
    public async Task The_hub_requires_an_access_token()
    {
        await using var host = await HubHost.StartAsync(StateMode.InProcess);
        var negotiate = await host.Api.Client.PostAsync("/signaling/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        await Assert.ThrowsAnyAsync<WebSocketException>(() => SignalingClient.ConnectAsync(host.Api.BaseAddress, "not-a-token"));

        var token = await host.Api.SignInAsync();
        var req = host.Api.Authorized(HttpMethod.Post, "/signaling/negotiate?negotiateVersion=1", token.AccessToken);
        var ok = await host.Api.Client.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("WebSockets", await ok.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Connecting_announces_the_device()
    {
        await using var host = await HubHost.StartAsync();
        var token = await host.Api.SignInAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var client = await host.ConnectWithTokenAsync(token.AccessToken, token.DeviceId);
        var connected = await client.WaitAsync("connected");
        Assert.Equal(token.DeviceId, connected.Id("deviceId"));
        Assert.InRange(connected.GetProperty("timestamp").GetInt64(), before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
    }

    [Fact]
    public async Task Unknown_events_get_an_error_and_the_connection_stays_usable()
    {
        await using var host = await HubHost.StartAsync();
        var c = await host.ConnectAsync();
        await c.SendAsync("no-such-event", new { x = 1 });
        var error = await c.WaitAsync("error");
        Assert.Equal("UNKNOWN_EVENT", error.Str("code"));
        Assert.Contains("no-such-event", error.Str("message"));
        // An invocation (with an id) of an unknown method completes normally after the error event.
        await c.InvokeAsync("whatever");
        Assert.Equal("UNKNOWN_EVENT", (await c.WaitAsync("error")).Str("code"));
        await c.InvokeAsync("join-queue", new { });
        await c.WaitAsync("queue-joined");
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task A_new_connection_of_the_same_device_replaces_the_old_one(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode);
        var token = await host.Api.SignInAsync();
        var first = await host.ConnectWithTokenAsync(token.AccessToken, token.DeviceId);
        await first.WaitAsync("connected");
        await first.InvokeAsync("join-queue", new { });
        var second = await host.ConnectWithTokenAsync(token.AccessToken, token.DeviceId);
        await second.WaitAsync("connected");
        Assert.Equal("SESSION_REPLACED", (await first.WaitAsync("error")).Str("code"));
        await first.Closed.WaitAsync(TimeSpan.FromSeconds(5));

        // The old connection's close did not take the device out of the queue: the new one owns it.
        var other = await host.ConnectAsync();
        await other.SendAsync("join-queue", new { });
        Assert.Equal(token.DeviceId, (await other.WaitAsync("matched")).Id("peerId"));
        Assert.Equal(other.DeviceId, (await second.WaitAsync("matched")).Id("peerId"));
    }
}
