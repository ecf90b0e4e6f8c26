using ControlPlane.Api.Tests.Support;

namespace ControlPlane.Api.Tests.Signaling;

public sealed class SmokeTests
{
    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task Two_users_are_matched(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode);
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.SendAsync("join-queue", new { region = "global" });
        var qa = await a.WaitAsync("queue-joined");
        Assert.Equal(1, qa.GetProperty("position").GetInt32());
        await b.SendAsync("join-queue", new { region = "global" });
        var ma = await a.WaitAsync("matched");
        var mb = await b.WaitAsync("matched");
        Assert.Equal(ma.Str("sessionId"), mb.Str("sessionId"));
        Assert.Equal(b.DeviceId, ma.Id("peerId"));
        Assert.Equal(a.DeviceId, mb.Id("peerId"));
    }
}
