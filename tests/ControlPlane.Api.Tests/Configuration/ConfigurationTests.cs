using ControlPlane.Api.Auth;
using ControlPlane.Api.Configuration;
using ControlPlane.Api.Data;
using ControlPlane.Api.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Tests.Configuration;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("postgresql://app:p%40ss@db.example:6543/omegle?sslmode=require", "Host=db.example;Port=6543;Database=omegle;Username=app;Password=p@ss;SSL Mode=Require")]
    [InlineData("postgres://u@127.0.0.1/x", "Host=127.0.0.1;Port=5432;Database=x;Username=u")]
    [InlineData("Host=h;Database=d", "Host=h;Database=d")]
    public void Database_urls_become_npgsql_connection_strings(string url, string expected) =>
        Assert.Equal(expected, DatabaseOptions.ToNpgsql(url));

    [Theory]
    [InlineData("7d", 7 * 86400)]
    [InlineData("15m", 900)]
    [InlineData("12h", 43200)]
    [InlineData("3600", 3600)]
    [InlineData("90s", 90)]
    public void Seed_durations_parse(string text, int seconds)
    {
        Assert.True(SeedEnvironment.TryParseDuration(text, out var d));
        Assert.Equal(seconds, (int)d.TotalSeconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("7w")]
    [InlineData("-5m")]
    [InlineData("abc")]
    public void Bad_durations_do_not_parse(string text) => Assert.False(SeedEnvironment.TryParseDuration(text, out _));

    [Fact]
    public void Seed_environment_names_map_to_configuration_keys()
    {
        var env = new Dictionary<string, string> { ["DATABASE_URL"] = "postgresql://x/y", ["TURN_SECRET"] = "a,b", ["PORT"] = "4000", ["JWT_EXPIRES_IN"] = "1d" };
        var values = SeedEnvironment.Read(n => env.GetValueOrDefault(n));
        Assert.Equal("postgresql://x/y", values["Database:Url"]);
        Assert.Equal("a,b", values["Turn:Secrets"]);
        Assert.Equal("http://127.0.0.1:4000", values["Urls"]);
        Assert.Equal("1d", values["Auth:AccessTokenLifetime"]);
    }

    [Fact]
    public void Auth_options_name_each_problem()
    {
        var errors = new AuthOptions { JwtSecret = "short", AccessTokenLifetime = "soon", ModeratorDeviceIds = "x" }.Validate().ToList();
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public async Task Start_up_fails_fast_on_invalid_configuration()
    {
        var app = ControlPlaneApp.Build(Array.Empty<string>(), new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0", ["Database:Url"] = "postgresql://u@127.0.0.1/x", ["Auth:JwtSecret"] = "too-short",
            ["Turn:Secrets"] = "s", ["Redis:Url"] = "http://not-redis",
        });
        // Every invalid component is reported at once, each in its own words.
        var e = await Assert.ThrowsAsync<AggregateException>(() => app.StartAsync());
        var messages = e.InnerExceptions.OfType<OptionsValidationException>().Select(x => x.Message).ToList();
        Assert.Equal(3, messages.Count);
        Assert.Contains(messages, m => m.Contains("JWT_SECRET must be at least 32 bytes"));
        Assert.Contains(messages, m => m.Contains("REDIS_URL must look like redis://host:6379"));
        Assert.Contains(messages, m => m.Contains("TURN secret #1 must be at least 16 characters"));
        await app.DisposeAsync();
    }
}
