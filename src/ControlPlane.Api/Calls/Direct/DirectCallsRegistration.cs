using ControlPlane.Api.Calls.Billing;
using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Calls.Direct;

public static class DirectCallsRegistration
{
    /// <summary>
    /// Calls placed through /api/calls, on the SFU, metered for Super Lovers: registers the real
    /// <see cref="ICallTermination"/> and <see cref="ICallBillingAlerts"/> in place of billing's logging stand-ins.
    /// Needs AddCallBilling, AddCallMedia and AddSignaling.
    /// </summary>
    public static IServiceCollection AddDirectCalls(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<DirectCallOptions>("Calls");
        services.AddSingleton<DirectCallEvents>();
        services.AddSingleton<DirectCalls>();
        services.AddSingleton<ISfuOfferCopies>(sp => sp.GetService<Signaling.SignalingRedis>() is not null
            ? ActivatorUtilities.CreateInstance<RedisSfuOfferCopies>(sp)
            : ActivatorUtilities.CreateInstance<InProcessSfuOfferCopies>(sp));
        services.AddSingleton<DirectCallSignaling>();
        services.AddSingleton<ICallTermination, DirectCallTermination>();
        services.AddSingleton<ICallBillingAlerts, DirectCallBillingAlerts>();
        services.AddHostedService<DirectCallMonitor>();
        services.AddSingleton<Media.IMediaLossHandler, DirectCallMediaLoss>();
        services.AddSingleton<Media.IMediaNodeLossHandler, DirectCallNodeLoss>();
        return services;
    }
}
