using Media.Sfu.Cluster;
using Media.Sfu.Hosting;
using Media.Sfu.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Redis.Client;
using Serilog;
using Serilog.Events;
using Service.Tokens;

namespace Media.Sfu.Node;

/// <summary>
/// A standalone SFU node: the media sockets and rooms of <see cref="SfuNode"/>, the control API the control plane
/// drives calls with, registration and heartbeats in Redis, and (with JWT_SECRET) the WHIP API for devices.
/// </summary>
public static class SfuNodeApp
{
    /// <param name="overrides">Configuration that wins over the environment (tests, embedding).</param>
    public static WebApplication Build(string[] args, IDictionary<string, string?>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(NodeEnvironment.Read(Environment.GetEnvironmentVariable));
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        ConfigureLogging(builder);

        var config = builder.Configuration;
        var services = builder.Services;
        services.AddOptions<NodeOptions>().BindConfiguration("Node").PostConfigure(o =>
        {
            if (string.IsNullOrWhiteSpace(o.Id)) o.Id = "sfu-" + Guid.NewGuid().ToString("N")[..8];
            if (string.IsNullOrEmpty(o.Secret)) o.Secret = o.AccessTokenSecret;
        }).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidation>();
        // Read once here for what must be decided before the host is built; the validated options govern at run time.
        var node = new NodeOptions();
        config.GetSection("Node").Bind(node);
        builder.WebHost.UseUrls(node.ListenUrl);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        services.AddSingleton(TimeProvider.System);
        services.AddSfu(config);
        services.AddSingleton<IRedisClient>(sp =>
        {
            var o = Redis.Client.RedisOptions.Parse(sp.GetRequiredService<IOptions<NodeOptions>>().Value.RedisUrl!);
            o.LoggerFactory = sp.GetRequiredService<ILoggerFactory>();
            return new RedisClient(o);
        });
        services.AddSingleton(sp => new SfuNodeRegistry(sp.GetRequiredService<IRedisClient>(), sp.GetRequiredService<IOptions<NodeOptions>>().Value.RedisKeyPrefix));
        services.AddSingleton<NodeRegistration>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeRegistration>());

        services.AddSingleton(sp => new SfuControlTokens(sp.GetRequiredService<IOptions<NodeOptions>>().Value.Secret!));
        var auth = services.AddAuthentication(node.ServesWhip ? NodeBearerAuthentication.DeviceScheme : NodeBearerAuthentication.ControlScheme)
            .AddScheme<AuthenticationSchemeOptions, ControlTokenAuthentication>(NodeBearerAuthentication.ControlScheme, null);
        if (node.ServesWhip)
        {
            services.AddSingleton(sp =>
            {
                var o = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
                return new AccessTokenFormat(new Hs256Jwt(o.AccessTokenSecret!), o.AccessTokenIssuer, o.AccessTokenIssuer);
            });
            auth.AddScheme<AuthenticationSchemeOptions, DeviceTokenAuthentication>(NodeBearerAuthentication.DeviceScheme, null);
        }
        services.AddAuthorizationBuilder().AddPolicy(NodeBearerAuthentication.ControlPolicy, p => p
            .AddAuthenticationSchemes(NodeBearerAuthentication.ControlScheme)
            .RequireRole(SfuControlTokens.Type));

        var app = builder.Build();
        app.UseNodeErrorShape();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        app.MapNodeControlApi();
        app.MapSfuMetrics("/metrics");
        if (node.ServesWhip) app.MapSfuApi();
        return app;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        var level = (builder.Configuration["Logging:Level"] ?? "info").ToLowerInvariant() switch
        {
            "trace" or "verbose" => LogEventLevel.Verbose,
            "debug" => LogEventLevel.Debug,
            "warn" or "warning" => LogEventLevel.Warning,
            "error" => LogEventLevel.Error,
            _ => LogEventLevel.Information,
        };
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", LogEventLevel.Fatal)
            // Refused tokens are answered with 401 in the error shape; one log line per refusal is noise.
            .MinimumLevel.Override(typeof(ControlTokenAuthentication).FullName!, LogEventLevel.Warning)
            .MinimumLevel.Override(typeof(DeviceTokenAuthentication).FullName!, LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
    }

    private sealed class NodeOptionsValidation : IValidateOptions<NodeOptions>
    {
        public ValidateOptionsResult Validate(string? name, NodeOptions options)
        {
            var errors = options.Validate().Select(e => "NodeOptions: " + e).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
