using ControlPlane.Api.Calls.Media;
using ControlPlane.Api.Configuration;
using ControlPlane.Api.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Node.Tests.Placement;

/// <summary>The control plane's settings for SFU node processes.</summary>
public class ControlPlaneSettingsTests
{
    [Fact]
    public void The_environment_names_map_to_the_settings()
    {
        var env = new Dictionary<string, string> { ["SFU_NODE_SECRET"] = "s", ["SFU_NODE_STALE_MS"] = "1500", ["SFU_NODE_REQUEST_TIMEOUT_MS"] = "800" };
        var config = SeedEnvironment.Read(n => env.GetValueOrDefault(n));
        Assert.Equal(("s", "1500", "800"), (config["SfuNodes:Secret"], config["SfuNodes:StaleAfterMs"], config["SfuNodes:RequestTimeoutMs"]));
    }

    [Fact]
    public void Invalid_values_are_named()
    {
        var errors = new MediaNodeOptions { Secret = "short", StaleAfterMs = 50, RequestTimeoutMs = 0 }.Validate().ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("SFU_NODE_SECRET"));
        Assert.Contains(errors, e => e.Contains("SFU_NODE_STALE_MS"));
        Assert.Contains(errors, e => e.Contains("SFU_NODE_REQUEST_TIMEOUT_MS"));
        Assert.Empty(new MediaNodeOptions { Secret = new string('x', 32) }.Validate());
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var config = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0", ["Database:Url"] = "postgresql://u@127.0.0.1/x",
            ["Auth:JwtSecret"] = "jwt-secret-that-is-long-enough-0123456789", ["Redis:Url"] = "redis://127.0.0.1:1",
        };
        foreach (var (k, v) in settings) config[k] = v;
        return ControlPlaneApp.Build([], config);
    }

    [Fact]
    public async Task A_short_node_secret_stops_the_control_plane_at_start_up()
    {
        var app = Build(new() { ["SfuNodes:Secret"] = "short" });
        var e = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains("SFU_NODE_SECRET must be at least 32 bytes", e.ToString());
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Without_a_node_secret_the_jwt_secret_signs_the_service_tokens()
    {
        var app = Build(new());
        var options = app.Services.GetRequiredService<IOptions<MediaNodeOptions>>().Value;
        Assert.Equal(("jwt-secret-that-is-long-enough-0123456789", true), (options.Secret, options.SecretIsJwtSecret));
        Assert.IsType<RedisMediaPlacement>(app.Services.GetRequiredService<IMediaPlacement>());
        await app.DisposeAsync();
    }
}
