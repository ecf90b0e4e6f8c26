using Media.Sfu.Hosting;
using Media.Sfu.Http;
using Media.Sfu.Tests.Native;
using Media.Sfu.Tests.Quality;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Media.Sfu.Tests.Hosting.SfuNodeHarness;

namespace Media.Sfu.Tests.Hosting;

[Collection(NativeCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_are_served_without_authentication_in_the_text_format()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("r", ["a", "b"]);
        var (a, _) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "r");
        for (var i = 0; i < 10; i++) room.Router.OnRtp(a.Transport, MediaPacket(111, (ushort)i, (uint)i * 960, AudioSsrcA, 50, (ushort)i));

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(h.Node);
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.UseAuthorization();
        app.MapSfuMetrics("/metrics");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var families = PrometheusTextParser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(10, families.Value("sfu_stream_packets_total", ("direction", "in"), ("kind", "audio")));
        Assert.Equal(1, families.Value("sfu_transports"));
        Assert.Equal("counter", families.Family("sfu_rtp_packets_total").Type);
        Assert.Equal("histogram", families.Family("sfu_stream_jitter_seconds").Type);
        Assert.All(families, f => Assert.StartsWith("sfu_", f.Name));
        await app.StopAsync();
    }
}
