using ControlPlane.Api.Configuration;
using ControlPlane.Api.Signaling;
using Media.Sfu.Cluster;
using Media.Sfu.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ControlPlane.Api.Calls.Media;

public static class CallMediaRegistration
{
    /// <summary>
    /// Matched calls through the SFU: placement (with REDIS_URL, over the SFU node processes registered in Redis and
    /// the in-process SFU when it runs; without, on the in-process SFU alone), the call directory, the handler that
    /// ends calls whose media transport died, and (with REDIS_URL) the watch that ends the calls of node processes
    /// that died.
    /// </summary>
    public static IServiceCollection AddCallMedia(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<CallMediaOptions>("CallMedia");
        // The in-process SFU (registered before, unless SFU_ENABLED=false) is one of the nodes.
        if (services.Any(d => d.ServiceType == typeof(SfuNode)))
            services.TryAddSingleton(sp => new LocalMediaNode(sp.GetRequiredService<SfuNode>()));
        if (config["Redis:Url"] is { Length: > 0 })
        {
            services.AddValidatedOptions<MediaNodeOptions>("SfuNodes", (o, c) =>
            {
                if (!string.IsNullOrEmpty(o.Secret)) return;
                o.Secret = c["Auth:JwtSecret"];
                o.SecretIsJwtSecret = true;
            });
            services.TryAddSingleton(sp =>
            {
                var redis = sp.GetRequiredService<SignalingRedis>();
                return new SfuNodeRegistry(redis.Client, redis.Prefix);
            });
            services.TryAddSingleton<IMediaPlacement>(sp => new RedisMediaPlacement(
                sp.GetRequiredService<SfuNodeRegistry>(), sp.GetService<LocalMediaNode>(), sp.GetRequiredService<IOptions<MediaNodeOptions>>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisMediaPlacement>>(), sp.GetRequiredService<IMediaCallDirectory>()));
            services.AddSingleton<IMediaCallDirectory>(sp => new RedisMediaCallDirectory(sp.GetRequiredService<SignalingRedis>()));
            // Calls on node processes that die without a word end by themselves (the in-process SFU dies with us).
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IMediaNodeLossHandler, MatchedCallNodeLoss>());
            services.AddSingleton<NodeLossWatch>();
            services.AddHostedService(sp => sp.GetRequiredService<NodeLossWatch>());
        }
        else
        {
            services.TryAddSingleton<IMediaPlacement>(sp => (IMediaPlacement?)sp.GetService<LocalMediaNode>() ?? new NoMediaPlacement());
            services.AddSingleton<IMediaCallDirectory, InProcessMediaCallDirectory>();
        }
        services.AddSingleton<MediaCalls>();
        services.AddSingleton<MediaParticipantLoss>();
        services.AddHostedService(sp => sp.GetRequiredService<MediaParticipantLoss>());
        return services;
    }

    private sealed class NoMediaPlacement : IMediaPlacement
    {
        public Task<IMediaNode?> PlaceAsync(IReadOnlyCollection<string> exclude, CancellationToken ct = default) => Task.FromResult<IMediaNode?>(null);
        public Task<IMediaNode?> FindAsync(string nodeId, CancellationToken ct = default) => Task.FromResult<IMediaNode?>(null);
        public Task<IReadOnlyList<SfuNodeRecord>> NodesAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<SfuNodeRecord>>([]);
    }
}
