using Service.Tokens;

namespace Media.Sfu.Node.Tests.Tokens;

/// <summary>The control plane's service tokens for SFU nodes, and their separation from device access tokens.</summary>
public class ServiceTokenTests
{
    private const string Secret = "the-shared-sfu-node-secret-0123456789";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void A_token_for_one_node_is_accepted_there_and_refused_by_every_other()
    {
        var tokens = new SfuControlTokens(Secret);
        var token = tokens.Issue("sfu-a", Now);
        Assert.Equal(TokenRejection.None, tokens.Validate(token, "sfu-a", Now));
        Assert.Equal(TokenRejection.WrongAudience, tokens.Validate(token, "sfu-b", Now));
    }

    [Fact]
    public void A_token_lives_about_a_minute()
    {
        var tokens = new SfuControlTokens(Secret);
        var token = tokens.Issue("sfu-a", Now);
        Assert.Equal(TokenRejection.None, tokens.Validate(token, "sfu-a", Now + TimeSpan.FromSeconds(89)));
        Assert.Equal(TokenRejection.Expired, tokens.Validate(token, "sfu-a", Now + TimeSpan.FromSeconds(91)));
    }

    [Fact]
    public void Another_secret_is_refused()
    {
        var token = new SfuControlTokens("a-different-secret-that-is-long-enough").Issue("sfu-a", Now);
        Assert.Equal(TokenRejection.BadSignature, new SfuControlTokens(Secret).Validate(token, "sfu-a", Now));
    }

    [Fact]
    public void Device_access_tokens_and_service_tokens_never_pass_for_each_other_even_under_one_secret()
    {
        var access = new AccessTokenFormat(new Hs256Jwt(Secret), "omegle.media", "omegle.media");
        var control = new SfuControlTokens(Secret);
        var (deviceToken, _) = access.Issue(Guid.NewGuid(), "admin", Now, TimeSpan.FromHours(1));
        // The service key is derived from the secret for its purpose alone: the device token's MAC does not verify.
        Assert.Equal(TokenRejection.BadSignature, control.Validate(deviceToken, "omegle.media", Now));
        Assert.Equal(TokenRejection.BadSignature, access.Validate(control.Issue("omegle.media", Now), Now, out _));
    }

    [Fact]
    public void An_access_token_carries_the_device_and_role()
    {
        var access = new AccessTokenFormat(new Hs256Jwt(Secret), "iss", "aud");
        var device = Guid.NewGuid();
        var (token, expiresAt) = access.Issue(device, "moderator", Now, TimeSpan.FromMinutes(15));
        Assert.Equal(TokenRejection.None, access.Validate(token, Now, out var claims));
        Assert.Equal(device, claims!.DeviceId);
        Assert.Equal("moderator", claims.Role);
        Assert.Equal(Now + TimeSpan.FromMinutes(15), expiresAt);
        Assert.Equal(TokenRejection.WrongAudience, new AccessTokenFormat(new Hs256Jwt(Secret), "iss", "other").Validate(token, Now, out _));
    }

    [Fact]
    public void A_short_shared_secret_is_refused() =>
        Assert.Throws<ArgumentException>(() => new SfuControlTokens("too-short"));
}
