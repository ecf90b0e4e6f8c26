using ControlPlane.Api.Coins.SuperLovers;
using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Coins;

public static class CoinsRegistration
{
    public static IServiceCollection AddCoins(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<CoinOptions>("Coins");
        services.AddValidatedOptions<AdRewardOptions>("AdRewards");
        services.AddValidatedOptions<SuperLoverOptions>("SuperLover");
        services.AddScoped<CoinLedger>();
        services.AddScoped<AdRewards>();
        services.AddScoped<SuperLoverDirectory>();
        services.AddScoped<IPaidMessages, PaidMessages>();
        return services;
    }

    /// <summary>/api/coins/* and /api/super-lover/* (seed 003).</summary>
    public static void MapCoins(this IEndpointRouteBuilder app)
    {
        app.MapCoinEndpoints();
        app.MapSuperLovers();
    }
}
