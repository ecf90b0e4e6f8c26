using System.Diagnostics.Metrics;
using ControlPlane.Api.Calls.Media;
using ControlPlane.Api.Calls.Sessions;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Moderation;
using ControlPlane.Api.Signaling;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Matchmaking;

/// <summary>What a user asks the queue for. Empty strings mean "no preference".</summary>
public sealed record QueueRequest(
    ChatType Type,
    string Region = "",
    string Language = "",
    string Gender = "",
    string GenderPreference = "",
    string[]? Interests = null,
    int MinTier = 0,
    int MaxBitrate = 0);

/// <summary>
/// Joining and leaving the queues: rate limit (seed 000: join-queue 10 a minute), "next" (joining ends the current
/// room), premium and tier lookup, blocks, then the atomic join; the user hears its position and estimated wait,
/// and both users hear of a match in their own seed's events.
/// </summary>
public sealed class Matchmaker(
    IMatchQueue queue,
    IRateLimiter limiter,
    IMatchPriority priority,
    PairBlocks blocks,
    ChatRooms chat,
    RoomNotifier notify,
    DeviceMessenger messenger,
    SessionLog sessions,
    MediaCalls media,
    WaitEstimator waits,
    IOptions<MatchmakingOptions> options,
    TimeProvider clock)
{
    private static readonly Meter Meter = new("ControlPlane.Signaling");
    private static readonly Counter<long> Matches = Meter.CreateCounter<long>("signaling.matches");
    private static readonly Histogram<double> WaitSeconds = Meter.CreateHistogram<double>("signaling.queue_wait", "s");

    private MatchmakingOptions O => options.Value;
    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task JoinAsync(Guid device, QueueRequest request, Dialect dialect)
    {
        var now = Now;
        var d = await limiter.TryAcquireAsync("join:" + device, O.JoinLimit, (long)(O.JoinWindowSeconds * 1000), now);
        if (!d.Allowed)
            throw new HubError(HubErrorCodes.RateLimited, $"Too many queue joins: at most {O.JoinLimit} per {O.JoinWindowSeconds:0.#} s", d.RetryAfterMs);

        await chat.LeaveCurrentAsync(device);
        var standingTask = priority.GetAsync(device).AsTask();
        var blocked = await blocks.ForDeviceAsync(device);
        var standing = await standingTask;
        var entry = new QueueEntry
        {
            DeviceId = device,
            Type = request.Type.Name(),
            Dialect = dialect.Name(),
            Region = request.Region,
            Language = request.Language,
            Gender = request.Gender,
            GenderPreference = request.GenderPreference,
            Interests = request.Interests ?? Array.Empty<string>(),
            Tier = standing.Tier,
            MinTier = request.MinTier,
            Premium = standing.IsPremium,
            JoinedAt = Now,
            Blocked = blocked,
            MaxBitrate = request.MaxBitrate,
        };
        var outcome = await queue.JoinAsync(entry, Guid.NewGuid(), entry.JoinedAt);
        switch (outcome.Status)
        {
            case JoinStatus.Banned:
                throw new HubError(HubErrorCodes.DeviceBanned, "This device is banned");
            case JoinStatus.Queued:
                await SendQueuedAsync(device, dialect, request.Type, outcome.Position, standing.IsPremium);
                break;
            default:
                // The joiner hears "queued" before "matched", as seed 004 lists them.
                await SendQueuedAsync(device, dialect, request.Type, 1, standing.IsPremium, immediate: true);
                await OnMatchedAsync(outcome.Pair!);
                break;
        }
    }

    public async Task LeaveAsync(Guid device, Dialect dialect)
    {
        if (await queue.LeaveAsync(device) is null) throw new HubError(HubErrorCodes.NotInQueue, "Not waiting in a queue");
        var payload = new { timestamp = Now };
        await messenger.SendAsync(device, dialect switch
        {
            Dialect.OmegooText => "text_queue_left",
            Dialect.OmegooVoice => "voice_queue_left",
            _ => "queue-left",
        }, payload);
    }

    /// <summary>The connection closed: out of every queue, no events.</summary>
    public Task LeaveSilentlyAsync(Guid device) => queue.LeaveAsync(device);

    public async Task OnMatchedAsync(MatchedPair pair)
    {
        var now = Now;
        var (route, node) = await media.OpenAsync(pair);
        sessions.Started(pair.Room, node);
        var waited = now - pair.Waited.JoinedAt;
        waits.Record(pair.Room.Type, waited);
        Matches.Add(1);
        WaitSeconds.Record(waited / 1000.0);
        await notify.MatchedAsync(pair, route);
        if (route == MediaRoute.Sfu) await media.OfferToWaitingSideAsync(pair.Room);
        else if (route == MediaRoute.Unavailable) await chat.EndAsync(pair.Room.Id, EndCause.ConnectionFailed, null);
    }

    private Task SendQueuedAsync(Guid device, Dialect dialect, ChatType type, long position, bool premium, bool immediate = false)
    {
        var wait = immediate ? 0 : waits.EstimateSeconds(type, position);
        return dialect switch
        {
            Dialect.OmegooText => messenger.SendAsync(device, "text_queue_joined", new { position, estimatedWaitTime = wait }),
            Dialect.OmegooVoice => messenger.SendAsync(device, "voice_queue_joined", new { position, estimatedWaitTime = wait }),
            _ => messenger.SendAsync(device, "queue-joined", new
            {
                position, timestamp = Now, isPremium = premium, estimatedWaitTime = wait, chatType = type.Name(),
            }),
        };
    }
}

/// <summary>Re-examines the queues a few times a second so relaxed constraints turn into matches.</summary>
internal sealed class MatchSweeper(IServiceProvider services, IOptions<MatchmakingOptions> options, TimeProvider clock,
    ILogger<MatchSweeper> log) : BackgroundService
{
    private const int PairsPerSweep = 50;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        // Resolved here, not in the constructor: hosted services are built before configuration is validated.
        await Task.Yield();
        var queue = services.GetRequiredService<IMatchQueue>();
        var matchmaker = services.GetRequiredService<Matchmaker>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs));
        while (await timer.WaitForNextTickAsync(stop))
        {
            foreach (var type in ChatTypes.All)
            {
                try
                {
                    var ids = new Guid[PairsPerSweep];
                    for (var i = 0; i < ids.Length; i++) ids[i] = Guid.NewGuid();
                    foreach (var pair in await queue.SweepAsync(type, clock.GetUtcNow().ToUnixTimeMilliseconds(), ids, stop))
                        await matchmaker.OnMatchedAsync(pair);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    log.LogWarning("Queue sweep of {Type} failed: {Error}", type, e.Message);
                }
            }
        }
    }
}
