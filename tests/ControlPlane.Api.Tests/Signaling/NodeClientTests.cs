using System.Diagnostics;
using System.Text.Json;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Signaling;

/// <summary>The official SignalR JavaScript client (npm @microsoft/signalr, installed by scripts/setup.sh) against the hub.</summary>
public sealed class NodeClientTests
{
    [Fact]
    public async Task The_javascript_client_negotiates_pairs_chats_and_gets_errors()
    {
        await using var host = await HubHost.StartAsync();
        var a = await host.Api.SignInAsync();
        var b = await host.Api.SignInAsync();
        var script = Path.Combine(RepoRoot.Path, "tests", "node", "signalr-pairing.mjs");
        Assert.True(Directory.Exists(Path.Combine(RepoRoot.Path, "tests", "node", "node_modules", "@microsoft", "signalr")),
            "npm packages missing: run scripts/setup.sh (npm install in tests/node)");
        var psi = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(host.Api.BaseAddress.ToString().TrimEnd('/'));
        psi.ArgumentList.Add(a.AccessToken);
        psi.ArgumentList.Add(b.AccessToken);
        using var node = Process.Start(psi)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(cts.Token);
        Assert.True(node.ExitCode == 0, "node failed: " + await stderr + await stdout);

        var r = JsonDocument.Parse((await stdout).Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(a.DeviceId, r.GetProperty("ca").Id("deviceId"));
        Assert.Equal(b.DeviceId, r.GetProperty("fa").Id("partnerId"));
        Assert.Equal(a.DeviceId, r.GetProperty("fb").Id("partnerId"));
        Assert.Equal("hello from node", r.GetProperty("message").Str("content"));
        Assert.Equal("INVALID_PAYLOAD", r.GetProperty("error").Str("code"));
        Assert.Equal("partner_left", r.GetProperty("ended").Str("reason"));
    }
}
