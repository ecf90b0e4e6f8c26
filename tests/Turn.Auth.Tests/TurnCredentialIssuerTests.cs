namespace Turn.Auth.Tests;

public class TurnCredentialIssuerTests
{
    private const string Secret = "test-secret-0123456789";
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 - 86400);

    private static TurnOptions Options(params string[] secrets) => new()
    {
        Secrets = secrets.ToList(),
        Urls = TurnOptions.UrlsFor("127.0.0.1", 3478),
    };

    [Fact]
    public void Password_matches_openssl_hmac_sha1_vector()
    {
        // printf '%s' "1700000000:device-1" | openssl dgst -binary -sha1 -hmac 'test-secret-0123456789' | base64
        Assert.Equal("MEWtvDevYu5wVEW7Edeas2fCoQs=", TurnCredentialIssuer.Password(Secret, "1700000000:device-1"));
    }

    [Fact]
    public void Issue_builds_expiry_colon_user_and_signs_with_newest_secret()
    {
        var issuer = new TurnCredentialIssuer(Options(Secret, "older-secret-abcdefgh"), new ManualClock(T0));
        var c = issuer.Issue("device-1");
        Assert.Equal("1700000000:device-1", c.Username);
        Assert.Equal("MEWtvDevYu5wVEW7Edeas2fCoQs=", c.Credential);
        Assert.Equal(86400, c.Ttl);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), c.ExpiresAt);
        Assert.Equal(new[] { "turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp" }, c.Urls);
    }

    [Fact]
    public void Ttl_is_configurable_and_expiry_follows_the_clock()
    {
        var clock = new ManualClock(T0);
        var o = Options(Secret); o.TtlSeconds = 600;
        var issuer = new TurnCredentialIssuer(o, clock);
        var c = issuer.Issue("u");
        Assert.Equal(T0.ToUnixTimeSeconds() + 600, long.Parse(c.Username.Split(':')[0]));
        Assert.True(issuer.IsValid(c.Username, c.Credential));
        clock.Now = T0.AddSeconds(600);
        Assert.True(issuer.IsValid(c.Username, c.Credential)); // coturn accepts until the second passes
        clock.Now = T0.AddSeconds(601);
        Assert.False(issuer.IsValid(c.Username, c.Credential));
    }

    [Fact]
    public void Rotation_accepts_credentials_signed_by_any_listed_secret()
    {
        var clock = new ManualClock(T0);
        var oldIssuer = new TurnCredentialIssuer(Options("older-secret-abcdefgh"), clock);
        var issued = oldIssuer.Issue("device-9");
        var rotated = new TurnCredentialIssuer(Options(Secret, "older-secret-abcdefgh"), clock);
        Assert.True(rotated.IsValid(issued.Username, issued.Credential));
        var retired = new TurnCredentialIssuer(Options(Secret), clock);
        Assert.False(retired.IsValid(issued.Username, issued.Credential));
        Assert.Equal(TurnCredentialIssuer.Password(Secret, rotated.Issue("x").Username), rotated.Issue("x").Credential);
    }

    [Fact]
    public void Tampered_credentials_are_rejected()
    {
        var issuer = new TurnCredentialIssuer(Options(Secret), new ManualClock(T0));
        var c = issuer.Issue("device-1");
        var flipped = (char)(c.Credential[0] ^ 1) + c.Credential[1..];
        Assert.False(issuer.IsValid(c.Username, flipped));
        Assert.False(issuer.IsValid("1700000000:device-2", c.Credential));
        Assert.False(issuer.IsValid("not-a-number:device-1", c.Credential));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\nb")]
    public void Bad_user_ids_are_refused(string userId)
    {
        var issuer = new TurnCredentialIssuer(Options(Secret), new ManualClock(T0));
        Assert.Throws<ArgumentException>(() => issuer.Issue(userId));
    }

    [Fact]
    public void Options_validation_names_each_problem()
    {
        var o = new TurnOptions { Secrets = { "short" }, TtlSeconds = 5, Urls = { "http://x" } };
        var errors = o.Validate();
        Assert.Equal(3, errors.Count);
        Assert.Throws<ArgumentException>(() => new TurnCredentialIssuer(o));
        Assert.Contains("at least one TURN secret", new TurnOptions { Urls = { "turn:a" } }.Validate()[0]);
    }

    [Theory]
    [InlineData("turn:example.org", true)]
    [InlineData("turn:example.org:3478?transport=tcp", true)]
    [InlineData("turns:example.org:5349?transport=tcp", true)]
    [InlineData("turn:[::1]:3478", true)]
    [InlineData("stun:127.0.0.1:3478", true)]
    [InlineData("turn:example.org:99999", false)]
    [InlineData("turn:example.org?transport=sctp", false)]
    [InlineData("http://example.org", false)]
    [InlineData("turn:", false)]
    public void Turn_urls_are_checked(string url, bool valid) => Assert.Equal(valid, TurnUrl.IsValid(url));

    [Theory]
    [InlineData("turn:example.org", "example.org", 3478)]
    [InlineData("turn:127.0.0.1:3479?transport=tcp", "127.0.0.1", 3479)]
    [InlineData("turns:[::1]:5349?transport=tcp", "::1", 5349)]
    [InlineData("stun:[fe80::1]", "fe80::1", 3478)]
    public void Turn_urls_split_into_host_and_port(string url, string host, int port)
    {
        Assert.True(TurnUrl.TryParse(url, out var h, out var p));
        Assert.Equal((host, port), (h, p));
        if (System.Net.IPAddress.TryParse(host, out var ip))
            Assert.Equal(new System.Net.IPEndPoint(ip, port), TurnServerProbe.EndPointOf(url));
    }

    [Fact]
    public void Urls_for_ipv6_are_bracketed_and_tls_is_optional()
    {
        Assert.Equal(3, TurnOptions.UrlsFor("::1", 3478, 5349).Count);
        Assert.All(TurnOptions.UrlsFor("::1", 3478), u => Assert.StartsWith("turn:[::1]:3478", u));
    }
}
