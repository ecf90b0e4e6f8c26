using ControlPlane.Api.Calls.Sessions;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Configuration;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Moderation;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Redis.Client;

namespace ControlPlane.Api.Signaling;

public static class SignalingRegistration
{
    /// <summary>
    /// The /signaling hub, matchmaking, rooms, sessions and moderation. With REDIS_URL the shared state (queues,
    /// presence, rooms, rate limits, bans) lives in Redis and events cross nodes over Redis pub/sub; without it,
    /// everything is in this process (single node).
    /// </summary>
    public static IServiceCollection AddSignaling(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<SignalingOptions>("Signaling");
        services.AddValidatedOptions<MatchmakingOptions>("Matchmaking");
        services.AddValidatedOptions<ChatOptions>("Chat");
        services.AddValidatedOptions<RetentionOptions>("Retention");

        var signaling = config.GetSection("Signaling").Get<SignalingOptions>() ?? new SignalingOptions();
        var nodeId = string.IsNullOrWhiteSpace(signaling.NodeId) ? "node-" + Guid.NewGuid().ToString("N")[..12] : signaling.NodeId;
        services.AddSingleton(new NodeIdentity(nodeId));

        services.AddSignalR(o =>
            {
                o.MaximumReceiveMessageSize = signaling.MaxMessageBytes;
                o.EnableDetailedErrors = false;
            })
            .AddHubOptions<SignalingHub>(o => o.AddFilter<SignalingErrorFilter>());
        // Our JSON protocol replaces the stock one under the same name ("json").
        services.RemoveAll<IHubProtocol>();
        services.AddSingleton<IHubProtocol, LenientJsonHubProtocol>();
        services.AddSingleton<SignalingErrorFilter>();

        if (config["Redis:Url"] is { Length: > 0 } redisUrl)
        {
            services.TryAddSingleton<IRedisClient>(sp =>
            {
                var o = Redis.Client.RedisOptions.Parse(redisUrl);
                o.LoggerFactory = sp.GetRequiredService<ILoggerFactory>();
                return new RedisClient(o);
            });
            services.AddSingleton<SignalingRedis>();
            services.AddSingleton<IConnectionDirectory, RedisConnectionDirectory>();
            services.AddSingleton<IRateLimiter, RedisRateLimiter>();
            services.AddSingleton<IBanList, RedisBanList>();
            services.AddSingleton<IRoomStore, RedisRoomStore>();
            services.AddSingleton<IMatchQueue>(sp => new RedisMatchQueue(sp.GetRequiredService<SignalingRedis>(), sp.GetRequiredService<IOptions<MatchmakingOptions>>())
            {
                NodeId = nodeId,
                // One node sweeps a queue per interval; the lock lapses before the next tick so another may take over.
                SweepLockMs = Math.Max(1, sp.GetRequiredService<IOptions<MatchmakingOptions>>().Value.SweepIntervalMs * 4 / 5),
            });
            services.AddHostedService<NodeChannelSubscription>();
        }
        else
        {
            services.AddSingleton<InProcessRoomStore>();
            services.AddSingleton<IRoomStore>(sp => sp.GetRequiredService<InProcessRoomStore>());
            services.AddSingleton<InProcessBanList>();
            services.AddSingleton<IBanList>(sp => sp.GetRequiredService<InProcessBanList>());
            services.AddSingleton<IMatchQueue, InProcessMatchQueue>();
            services.AddSingleton<IConnectionDirectory, InProcessConnectionDirectory>();
            services.AddSingleton<IRateLimiter, InProcessRateLimiter>();
        }

        services.AddSingleton<LocalConnections>();
        services.AddSingleton<DeviceMessenger>();
        services.AddSingleton<HubConnections>();
        services.AddSingleton<TypingIndicators>();
        services.AddSingleton<RoomNotifier>();
        services.AddSingleton<ChatRooms>();
        services.AddSingleton<WaitEstimator>();
        services.AddSingleton<Matchmaker>();
        services.TryAddSingleton<IMatchPriority, NoMatchPriority>();
        services.AddSingleton<PairBlocks>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<DeviceBans>();
        services.AddScoped<ReportReview>();

        services.AddSingleton<SessionLog>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionLog>());
        services.AddSingleton<SessionRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionRetention>());
        services.AddHostedService<RoomSweeper>();
        services.AddHostedService<MatchSweeper>();
        return services;
    }

    public static IEndpointRouteBuilder MapSignaling(this IEndpointRouteBuilder app)
    {
        var max = app.ServiceProvider.GetRequiredService<IOptions<SignalingOptions>>().Value.MaxMessageBytes;
        app.MapHub<SignalingHub>("/signaling", o =>
        {
            // The transport must be able to buffer a whole message of the largest accepted size.
            o.ApplicationMaxBufferSize = max + 64 * 1024;
        });
        return app;
    }
}
