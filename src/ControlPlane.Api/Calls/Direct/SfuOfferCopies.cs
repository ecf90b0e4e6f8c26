using System.Collections.Concurrent;
using ControlPlane.Api.Signaling;
using Media.Sfu.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Calls.Direct;

/// <summary>
/// The SDP of each SFU offer a participant has yet to answer, by offer id (the calls table keeps only the id), so that
/// join-room can send a participant the very offer it may be answering already: a second, different offer would
/// race with that answer. Best effort: a copy that cannot be stored or read is simply absent, and join-room then asks
/// the SFU for a new offer. A copy lapses before the SFU's own offer does (Sfu:OfferTimeoutSeconds).
/// </summary>
public interface ISfuOfferCopies
{
    Task KeepAsync(string offerId, string sdp);

    Task<string?> FindAsync(string offerId, CancellationToken ct = default);
}

internal static class SfuOfferCopyLifetime
{
    /// <summary>Four fifths of the SFU's offer lifetime: a re-sent copy leaves the client time to answer it.</summary>
    public static TimeSpan Of(SfuOptions sfu) => TimeSpan.FromSeconds(sfu.OfferTimeoutSeconds * 0.8);
}

/// <summary>One node's copies, in memory (the single-node install: without Redis every request reaches this process).</summary>
public sealed class InProcessSfuOfferCopies(TimeProvider clock, IOptions<SfuOptions> sfu) : ISfuOfferCopies
{
    private readonly ConcurrentDictionary<string, (string Sdp, DateTimeOffset Until)> _copies = new();
    private readonly TimeSpan _lifetime = SfuOfferCopyLifetime.Of(sfu.Value);
    private long _lastPrune;

    public Task KeepAsync(string offerId, string sdp)
    {
        var now = clock.GetUtcNow();
        _copies[offerId] = (sdp, now + _lifetime);
        if (now.ToUnixTimeMilliseconds() - Interlocked.Read(ref _lastPrune) > 60_000)
        {
            Interlocked.Exchange(ref _lastPrune, now.ToUnixTimeMilliseconds());
            foreach (var (id, copy) in _copies)
                if (copy.Until <= now) _copies.TryRemove(id, out _);
        }
        return Task.CompletedTask;
    }

    public Task<string?> FindAsync(string offerId, CancellationToken ct = default) =>
        Task.FromResult(_copies.TryGetValue(offerId, out var copy) && copy.Until > clock.GetUtcNow() ? copy.Sdp : null);

    internal int Count => _copies.Count;
}

/// <summary>Copies shared by every node (REDIS_URL): the receiver's socket may be served by another node than its accept.</summary>
public sealed class RedisSfuOfferCopies(SignalingRedis redis, IOptions<SfuOptions> sfu, ILogger<RedisSfuOfferCopies> log) : ISfuOfferCopies
{
    private readonly TimeSpan _lifetime = SfuOfferCopyLifetime.Of(sfu.Value);

    private string Key(string offerId) => redis.Key("call-offer:" + offerId);

    public async Task KeepAsync(string offerId, string sdp)
    {
        try { await redis.Client.SetAsync(Key(offerId), sdp, _lifetime); }
        catch (Exception e) { log.LogWarning("Keeping a copy of SFU offer {OfferId} failed: {Error}", offerId, e.Message); }
    }

    public async Task<string?> FindAsync(string offerId, CancellationToken ct = default)
    {
        try { return await redis.Client.GetAsync(Key(offerId), ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Reading the copy of SFU offer {OfferId} failed: {Error}", offerId, e.Message);
            return null;
        }
    }
}
