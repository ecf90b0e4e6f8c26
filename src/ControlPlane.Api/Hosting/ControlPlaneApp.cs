using System.Diagnostics;
using ControlPlane.Api.Auth;
using ControlPlane.Api.Calls.Billing;
using ControlPlane.Api.Calls.Direct;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Configuration;
using ControlPlane.Api.Data;
using ControlPlane.Api.Errors;
using ControlPlane.Api.Health;
using ControlPlane.Api.Messages;
using ControlPlane.Api.Moderation;
using ControlPlane.Api.Payments;
using ControlPlane.Api.Signaling;
using ControlPlane.Api.Turn;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using ControlPlane.Api.Calls.Media;
using ControlPlane.Api.Calls.Quality;
using Media.Sfu.Hosting;
using Media.Sfu.Http;
using Turn.Auth;

namespace ControlPlane.Api.Hosting;

/// <summary>Composes the control plane: configuration, services, middleware and every feature's endpoints.</summary>
public static class ControlPlaneApp
{
    public const int MaxRequestBodyBytes = 1024 * 1024;

    /// <param name="overrides">Configuration that wins over files and environment (tests, embedding).</param>
    /// <param name="configureServices">Runs after the app's own registrations (tests and embedding replace services here).</param>
    public static WebApplication Build(string[] args, IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(SeedEnvironment.Read(Environment.GetEnvironmentVariable));
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:3333");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });

        ConfigureLogging(builder);
        AddServices(builder.Services, builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        UseMiddleware(app);
        MapEndpoints(app);
        return app;
    }

    /// <summary>Start-up work that must finish before traffic: database migrations.</summary>
    public static async Task InitializeAsync(WebApplication app, CancellationToken ct = default)
    {
        if (!app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart) return;
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ControlPlane.Api.Startup");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = app.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ControlPlaneDb>().Database.MigrateAsync(ct);
                log.LogInformation("Database schema is up to date");
                return;
            }
            catch (Exception e) when (attempt < 15 && e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                log.LogWarning("Database not reachable yet (attempt {Attempt}): {Error}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
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
            // EF logs the first migration-history query on a fresh database as an error; real SQL
            // failures surface as exceptions and are logged where they are handled.
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Database.Command", LogEventLevel.Fatal)
            // Client errors are thrown as ApiException and answered in the error shape; 5xx are logged by UseApiErrorShape.
            .MinimumLevel.Override("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", LogEventLevel.Fatal)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
    }

    private static void AddServices(IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(TimeProvider.System);
        services.Configure<JsonOptions>(o => o.SerializerOptions.PropertyNameCaseInsensitive = true);
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        services.AddValidatedOptions<DatabaseOptions>("Database");
        services.AddValidatedOptions<RedisOptions>("Redis");
        services.AddValidatedOptions<AuthOptions>("Auth");
        services.AddSingleton<IValidateOptions<TurnOptions>, TurnOptionsValidation>();
        services.AddOptions<TurnOptions>().Configure<IConfiguration>(BindTurn).ValidateOnStart();

        services.AddDbContext<ControlPlaneDb>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString())
            // Migrations are written by hand (no EF Design package here), so there is no model snapshot to compare.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));

        services.AddSingleton<AccessTokens>();
        services.AddScoped<RefreshTokens>();
        services.AddScoped<DeviceSignIn>();
        services.AddAuthentication(BearerAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(BearerAuthentication.ModeratorPolicy, p => p.RequireRole(Roles.Moderator, Roles.Admin));

        services.AddSingleton(sp => new TurnCredentialIssuer(sp.GetRequiredService<IOptions<TurnOptions>>().Value, sp.GetRequiredService<TimeProvider>()));

        services.AddCoins(config).AddPayments(config).AddCallBilling(config);
        // The SFU runs in this process unless SFU_ENABLED=false (a deployment with separate SFU nodes).
        if (config.GetValue("Sfu:Enabled", true)) services.AddSfu(config);
        services.AddSignaling(config);
        services.AddCallMedia(config);
        services.AddCallQuality();
        services.AddDirectCalls(config);
        services.AddMessages();

        services.AddSingleton<IReadinessCheck, DatabaseCheck>();
        services.AddSingleton<IReadinessCheck, RedisCheck>();
        services.AddSingleton<IReadinessCheck, TurnCheck>();
        services.AddSingleton<IReadinessCheck, SfuCheck>();
        services.AddSingleton<SystemProbes>();
        services.AddSingleton<ControlPlaneMetrics>();

        var origins = SeedEnvironment.List(config["Cors:Origins"]);
        services.AddCors(o => o.AddDefaultPolicy(p =>
        {
            if (origins.Contains("*")) p.AllowAnyOrigin(); else p.WithOrigins(origins.ToArray()).AllowCredentials();
            p.AllowAnyHeader().AllowAnyMethod();
        }));
    }

    /// <summary>TURN_SECRET and TURN_SERVER_URL are comma-separated lists; a bare turn:host:port gets UDP and TCP variants.</summary>
    private static void BindTurn(TurnOptions o, IConfiguration config)
    {
        var section = config.GetSection("Turn");
        if (section["TtlSeconds"] is { } ttl && int.TryParse(ttl, out var t)) o.TtlSeconds = t;
        if (section["Realm"] is { Length: > 0 } realm) o.Realm = realm;
        o.Secrets = SeedEnvironment.List(section["Secrets"]);
        var urls = SeedEnvironment.List(section["Urls"]);
        o.Urls = urls.Count == 1 && !urls[0].Contains('?') && urls[0].StartsWith("turn:", StringComparison.Ordinal)
            ? new List<string> { urls[0] + "?transport=udp", urls[0] + "?transport=tcp" }
            : urls;
    }

    private sealed class TurnOptionsValidation : IValidateOptions<TurnOptions>
    {
        public ValidateOptionsResult Validate(string? name, TurnOptions o)
        {
            if (o.Secrets.Count == 0 && o.Urls.Count == 0) return ValidateOptionsResult.Success; // TURN not offered
            var errors = o.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => "TurnOptions: " + e));
        }
    }

    private static void UseMiddleware(WebApplication app)
    {
        app.UseApiErrorShape();
        app.Use(async (http, next) =>
        {
            var sw = Stopwatch.StartNew();
            await next();
            // Path only: query strings can carry access tokens (WebSocket upgrades).
            app.Logger.LogInformation("HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms",
                http.Request.Method, http.Request.Path.Value, http.Response.StatusCode, sw.Elapsed.TotalMilliseconds);
        });
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapHealth();
        app.MapAuth();
        app.MapTurn();
        app.MapCoins(); app.MapPayments();
        app.MapDirectCalls(); app.MapMessages();
        if (app.Services.GetService<SfuNode>() is not null) app.MapSfuApi("/sfu");
        app.MapSignaling();
        app.MapModeration();
        app.MapCallQuality();
        app.MapMediaNodes();
        // No MapFallback: it would outrank routing's own 405/415 answers. Unmatched routes end as empty 404s,
        // which UseApiErrorShape's status-code handler writes in the error shape.
    }
}
