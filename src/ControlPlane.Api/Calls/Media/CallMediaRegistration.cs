using ControlPlane.Api.Configuration;
using ControlPlane.Api.Signaling;
using Media.Sfu.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ControlPlane.Api.Calls.Media;

public static class CallMediaRegistration
{
    /// <summary>
    /// Matched calls through the SFU: placement on the in-process SFU (when it runs here), the call directory
    /// (Redis when REDIS_URL is set), and the handler that ends calls whose media transport died.
    /// </summary>
    public static IServiceCollection AddCallMedia(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<CallMediaOptions>("CallMedia");
        services.TryAddSingleton<IMediaPlacement>(sp => sp.GetService<SfuNode>() is { } node
            ? new LocalMediaNode(node)
            : new NoMediaPlacement());
        if (config["Redis:Url"] is { Length: > 0 })
            services.AddSingleton<IMediaCallDirectory>(sp => new RedisMediaCallDirectory(sp.GetRequiredService<SignalingRedis>()));
        else
            services.AddSingleton<IMediaCallDirectory, InProcessMediaCallDirectory>();
        services.AddSingleton<MediaCalls>();
        services.AddSingleton<MediaParticipantLoss>();
        services.AddHostedService(sp => sp.GetRequiredService<MediaParticipantLoss>());
        return services;
    }

    private sealed class NoMediaPlacement : IMediaPlacement
    {
        public Task<IMediaNode?> PlaceAsync(IReadOnlyCollection<string> exclude, CancellationToken ct = default) => Task.FromResult<IMediaNode?>(null);
        public Task<IMediaNode?> FindAsync(string nodeId, CancellationToken ct = default) => Task.FromResult<IMediaNode?>(null);
    }
}
