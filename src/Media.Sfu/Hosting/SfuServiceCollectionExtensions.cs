using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Hosting;

public static class SfuServiceCollectionExtensions
{
    /// <summary>Registers an SFU node (options from section "Sfu", validated at start-up) that starts with the host.</summary>
    public static IServiceCollection AddSfu(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SfuOptions>()
            .Bind(configuration.GetSection("Sfu"))
            .Configure(o =>
            {
                // SFU_SRTP_PROFILES arrives as one comma-separated value.
                if (configuration["Sfu:SrtpProfiles"] is { Length: > 0 } csv)
                    o.SrtpProfiles = csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SfuOptions>, SfuOptionsValidation>();
        services.AddSingleton<SfuNode>();
        services.AddHostedService(sp => sp.GetRequiredService<SfuNode>());
        return services;
    }

    private sealed class SfuOptionsValidation : IValidateOptions<SfuOptions>
    {
        public ValidateOptionsResult Validate(string? name, SfuOptions options)
        {
            var errors = options.Validate().Select(e => "SfuOptions: " + e).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
