using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Payments;

public static class PaymentsRegistration
{
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<StripeOptions>("Stripe");
        services.AddHttpClient(StripeClient.HttpClientName);
        services.AddScoped<StripeClient>();
        services.AddScoped<Subscriptions>();
        // Matchmaking registers a "nobody is premium" default with TryAdd; this one wins.
        services.AddSingleton<Matchmaking.IMatchPriority, PremiumMatchPriority>();
        services.AddScoped<Checkout>();
        services.AddScoped<StripeWebhooks>();
        services.AddSingleton<IPremiumStatus, PremiumStatus>();
        return services;
    }
}
