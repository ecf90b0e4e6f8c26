using ControlPlane.Api.Tests.Coins;
using ControlPlane.Api.Tests.Support;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>Without an SFU node a call cannot be answered: 503, the call keeps ringing, nobody is charged.</summary>
public sealed class NoMediaNodeTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync(new Dictionary<string, string?>
    {
        ["Sfu:Enabled"] = "false", ["SuperLover:RequireVerification"] = "false", ["SuperLover:CoinsRequired"] = "0",
    });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Accepting_without_a_media_node_is_503_and_the_call_still_rings()
    {
        var caller = await CallParty.ConnectAsync(_api);
        var lover = await CallParty.ConnectAsync(_api, await CallParty.SuperLoverAsync(_api));
        try
        {
            var callId = await caller.CallAsync(lover);
            Assert.Equal("MEDIA_UNAVAILABLE", await ErrorShape.AssertAsync(await lover.PostAsync($"/api/calls/{callId}/accept"), 503));
            Assert.Equal("ringing", (await caller.GetCallAsync(callId)).GetProperty("status").GetString());
            Assert.Equal(50, await _api.BalanceAsync(caller.Bearer));
            Assert.Equal(0L, await new LedgerProbe(_api.DatabaseUrl).ScalarAsync<long>("SELECT count(*) FROM paid_calls"));
            Assert.Equal("cancelled", (await caller.OkAsync($"/api/calls/{callId}/end")).GetProperty("reason").GetString());
        }
        finally
        {
            await caller.Hub.DisposeAsync();
            await lover.Hub.DisposeAsync();
        }
    }
}
