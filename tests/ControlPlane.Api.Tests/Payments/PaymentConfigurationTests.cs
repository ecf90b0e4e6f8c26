using ControlPlane.Api.Calls.Billing;
using ControlPlane.Api.Coins;
using ControlPlane.Api.Coins.SuperLovers;
using ControlPlane.Api.Configuration;
using ControlPlane.Api.Hosting;
using ControlPlane.Api.Payments;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Tests.Payments;

public sealed class PaymentConfigurationTests
{
    [Fact]
    public void Seed_and_our_environment_names_map_to_configuration_keys()
    {
        var env = new Dictionary<string, string>
        {
            ["STRIPE_SECRET_KEY"] = "sk_test_1", ["STRIPE_WEBHOOK_SECRET"] = "whsec_a,whsec_b", ["STRIPE_MONTHLY_PRICE_ID"] = "price_m",
            ["STRIPE_YEARLY_PRICE_ID"] = "price_y", ["STRIPE_API_BASE"] = "http://127.0.0.1:9", ["SIGNUP_BONUS_COINS"] = "10",
            ["AD_REWARD_MAX_PER_HOUR"] = "2", ["ADMOB_SSV_KEYS"] = "k:v", ["SUPER_LOVER_SHARE_PERCENT"] = "70", ["PAID_CALL_COINS_PER_MINUTE"] = "12",
        };
        var values = SeedEnvironment.Read(n => env.GetValueOrDefault(n));
        Assert.Equal("sk_test_1", values["Stripe:SecretKey"]);
        Assert.Equal("whsec_a,whsec_b", values["Stripe:WebhookSecret"]);
        Assert.Equal("price_m", values["Stripe:MonthlyPriceId"]);
        Assert.Equal("price_y", values["Stripe:YearlyPriceId"]);
        Assert.Equal("http://127.0.0.1:9", values["Stripe:ApiBase"]);
        Assert.Equal("10", values["Coins:SignupBonus"]);
        Assert.Equal("2", values["AdRewards:MaxPerHour"]);
        Assert.Equal("k:v", values["AdRewards:VerifierKeys"]);
        Assert.Equal("70", values["SuperLover:SharePercent"]);
        Assert.Equal("12", values["CallBilling:RatePerMinute"]);
        Assert.Equal(new[] { "whsec_a", "whsec_b" }, new StripeOptions { WebhookSecret = values["Stripe:WebhookSecret"] }.WebhookSecrets);
    }

    [Fact]
    public void Options_name_each_problem()
    {
        var stripe = new StripeOptions { SecretKey = "pk_live_oops", ApiBase = "ftp://x", MonthlyPriceId = "prod_1", WebhookToleranceSeconds = 0 }.Validate().ToList();
        Assert.Equal(4, stripe.Count);
        Assert.Contains(stripe, e => e.Contains("publishable"));
        Assert.Empty(new StripeOptions().Validate());          // unconfigured is valid: payments answer 503
        Assert.Empty(new StripeOptions { SecretKey = "rk_test_x" }.Validate());
        Assert.Equal(2, new CoinOptions { SignupBonus = -1, IdempotencyKeyTtl = "soon" }.Validate().Count());
        Assert.Contains(new AdRewardOptions { VerifierKeys = "1:AAAA" }.Validate(), e => e.StartsWith("ADMOB_SSV_KEYS"));
        Assert.Equal(2, new SuperLoverOptions { MinimumAge = 16, SharePercent = 101 }.Validate().Count());
        Assert.Single(new CallBillingOptions { RatePerMinute = 0 }.Validate());
    }

    [Fact]
    public async Task Start_up_fails_on_a_publishable_stripe_key()
    {
        var app = ControlPlaneApp.Build(Array.Empty<string>(), new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0", ["Database:Url"] = "postgresql://u@127.0.0.1/x",
            ["Auth:JwtSecret"] = "a-jwt-secret-that-is-long-enough-0123456789", ["Stripe:SecretKey"] = "pk_test_123",
        });
        var e = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        var messages = (e is AggregateException a ? a.InnerExceptions.ToList() : new List<Exception> { e }).OfType<OptionsValidationException>().Select(x => x.Message).ToList();
        Assert.Contains(messages, m => m.Contains("STRIPE_SECRET_KEY"));
        await app.DisposeAsync();
    }
}
