using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Api.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Testing.Services;

/// <summary>The real control plane on Kestrel (loopback, random port) against a fresh database on the real PostgreSQL.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string JwtSecret = "test-jwt-secret-that-is-long-enough-0123456789";
    private readonly WebApplication _app;

    public HttpClient Client { get; }
    public Uri BaseAddress { get; }
    public string DatabaseUrl { get; }
    public IServiceProvider Services => _app.Services;

    private ApiHost(WebApplication app, Uri baseAddress, string databaseUrl)
    {
        _app = app;
        BaseAddress = baseAddress;
        DatabaseUrl = databaseUrl;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <param name="configureServices">Replaces or adds services after the app's own (e.g. a test premium lookup).</param>
    public static async Task<ApiHost> StartAsync(IDictionary<string, string?>? settings = null, string? databaseUrl = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var pg = await PostgresServer.SharedAsync();
        databaseUrl ??= await pg.CreateDatabaseAsync("api");
        var config = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Database:Url"] = databaseUrl,
            ["Auth:JwtSecret"] = JwtSecret,
            ["Logging:Level"] = "warning",
            // The in-process SFU takes any free ports so hosts can run side by side.
            ["Sfu:UdpPort"] = "0",
            ["Sfu:TcpPort"] = "0",
        };
        if (settings is not null) foreach (var (k, v) in settings) config[k] = v;
        var app = ControlPlaneApp.Build(Array.Empty<string>(), config, configureServices);
        await ControlPlaneApp.InitializeAsync(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiHost(app, new Uri(address), databaseUrl);
    }

    public async Task<TokenResponse> SignInAsync(Guid? deviceId = null)
    {
        var id = deviceId ?? Guid.NewGuid();
        var res = await Client.PostAsJsonAsync("/auth/token", new { deviceId = id.ToString() });
        res.EnsureSuccessStatusCode();
        return (await res.Content.ReadFromJsonAsync<TokenResponse>())! with { DeviceId = id };
    }

    public HttpRequestMessage Authorized(HttpMethod method, string path, string token) =>
        new(method, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record TokenResponse(string AccessToken, string RefreshToken, int ExpiresIn)
{
    public Guid DeviceId { get; init; }
}
