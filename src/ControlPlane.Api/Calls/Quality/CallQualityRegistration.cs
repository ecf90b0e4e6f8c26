using ControlPlane.Api.Configuration;
using Media.Sfu.Hosting;

namespace ControlPlane.Api.Calls.Quality;

public static class CallQualityRegistration
{
    /// <summary>Live call quality for moderators: the monitor (sampling, alerts, summaries), its sources, and the moderator hub.</summary>
    public static IServiceCollection AddCallQuality(this IServiceCollection services)
    {
        services.AddValidatedOptions<CallQualityOptions>("CallQuality");
        services.AddSingleton<ICallQualitySource>(sp => sp.GetService<SfuNode>() is { } node
            ? new LocalCallQualitySource(node)
            : new NoCallQualitySource());
        services.AddSingleton<ICallQualitySource>(sp => sp.GetRequiredService<Media.IMediaPlacement>() is Media.RedisMediaPlacement redis
            ? new RemoteCallQualitySource(redis, sp.GetRequiredService<ILogger<RemoteCallQualitySource>>())
            : new NoCallQualitySource());
        services.AddSingleton<CallQualityMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<CallQualityMonitor>());
        return services;
    }

    private sealed class NoCallQualitySource : ICallQualitySource
    {
        public Task<IReadOnlyList<(string Node, global::Media.Sfu.Quality.RoomQuality Room)>> SnapshotAsync(CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<(string, global::Media.Sfu.Quality.RoomQuality)>>([]);
    }
}
