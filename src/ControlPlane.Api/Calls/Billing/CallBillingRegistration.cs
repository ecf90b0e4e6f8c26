using ControlPlane.Api.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ControlPlane.Api.Calls.Billing;

public static class CallBillingRegistration
{
    /// <summary>
    /// CallBilling as <see cref="IPaidCallLifecycle"/>. The calls/SFU feature registers its own <see cref="ICallTermination"/>
    /// and <see cref="ICallBillingAlerts"/> (AddSingleton; the logging stand-ins here give way to them).
    /// </summary>
    public static IServiceCollection AddCallBilling(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<CallBillingOptions>("CallBilling");
        services.TryAddSingleton<ICallTermination, LoggedCallTermination>();
        services.TryAddSingleton<ICallBillingAlerts, LoggedCallBillingAlerts>();
        services.AddSingleton<CallBilling>();
        services.AddSingleton<IPaidCallLifecycle>(sp => sp.GetRequiredService<CallBilling>());
        return services;
    }
}
