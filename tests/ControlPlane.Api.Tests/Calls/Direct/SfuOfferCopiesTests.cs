using ControlPlane.Api.Calls.Direct;
using ControlPlane.Api.Signaling;
using Media.Sfu.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Redis.Client;
using Testing.Services;

namespace ControlPlane.Api.Tests.Calls.Direct;

/// <summary>The copies of SFU offers join-room re-sends: kept until shortly before the SFU's offer lapses, shared through Redis.</summary>
public sealed class SfuOfferCopiesTests
{
    private static IOptions<SfuOptions> Sfu(int offerTimeoutSeconds) => Options.Create(new SfuOptions { OfferTimeoutSeconds = offerTimeoutSeconds });

    [Fact]
    public async Task In_process_copies_are_found_by_offer_id_until_four_fifths_of_the_SFU_offer_lifetime()
    {
        var clock = new Calls.ManualTimeProvider(DateTimeOffset.Parse("2026-11-22T10:00:00Z"));
        var copies = new InProcessSfuOfferCopies(clock, Sfu(60));
        await copies.KeepAsync("a", "v=0 a");
        await copies.KeepAsync("b", "v=0 b");
        Assert.Equal("v=0 a", await copies.FindAsync("a"));
        Assert.Equal("v=0 b", await copies.FindAsync("b"));
        Assert.Null(await copies.FindAsync("c"));

        clock.Jump(TimeSpan.FromSeconds(47));
        Assert.Equal("v=0 a", await copies.FindAsync("a"));
        clock.Jump(TimeSpan.FromSeconds(1));
        Assert.Null(await copies.FindAsync("a")); // 48 s = 0.8 × 60 s: the SFU's offer is about to lapse

        // Lapsed copies are dropped once a minute, when another is kept.
        clock.Jump(TimeSpan.FromSeconds(61));
        await copies.KeepAsync("d", "v=0 d");
        Assert.Equal(1, copies.Count);
        Assert.Equal("v=0 d", await copies.FindAsync("d"));
    }

    [Fact]
    public async Task Redis_copies_are_shared_between_nodes_and_expire_with_the_offer()
    {
        await using var client = await RedisClient.ConnectAsync((await RedisServer.SharedAsync()).Url);
        var prefix = "oc" + Guid.NewGuid().ToString("N")[..10] + ":";
        RedisSfuOfferCopies Node() => new(new SignalingRedis(client, Options.Create(new SignalingOptions { RedisKeyPrefix = prefix })), Sfu(30),
            NullLogger<RedisSfuOfferCopies>.Instance);
        var (a, b) = (Node(), Node());
        var sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
        await a.KeepAsync("offer-1", sdp);
        Assert.Equal(sdp, await b.FindAsync("offer-1"));
        Assert.Null(await b.FindAsync("offer-2"));
        Assert.InRange(await client.TtlAsync(prefix + "call-offer:offer-1"), 20, 24); // 0.8 × 30 s
    }

    [Fact]
    public async Task An_unreachable_Redis_loses_copies_without_failing_the_caller()
    {
        var options = RedisOptions.Parse($"redis://127.0.0.1:{FreePort.Tcp()}");
        options.ConnectTimeout = options.CommandTimeout = TimeSpan.FromMilliseconds(500);
        await using var client = new RedisClient(options);
        var copies = new RedisSfuOfferCopies(new SignalingRedis(client, Options.Create(new SignalingOptions())), Sfu(60), NullLogger<RedisSfuOfferCopies>.Instance);
        await copies.KeepAsync("offer-1", "v=0");
        Assert.Null(await copies.FindAsync("offer-1"));
    }
}
