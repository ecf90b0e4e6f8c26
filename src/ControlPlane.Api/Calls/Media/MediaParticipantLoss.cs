using ControlPlane.Api.Chat;
using Media.Sfu.Cluster;
using Media.Sfu.Hosting;

namespace ControlPlane.Api.Calls.Media;

/// <summary>A feature whose calls run on SFU nodes and must end when a participant's transport dies.</summary>
public interface IMediaLossHandler
{
    Task HandleMediaLostAsync(MediaParticipantLost lost);
}

/// <summary>
/// Ends a call whose participant's media transport died (ICE consent lost when its network went away, DTLS
/// closed, idle): the partner hears peer-disconnected / call-ended as for a hang-up, and the room is closed on its
/// node. Reports come from the SFU in this process and from node processes, over the participant-lost channel in
/// Redis that every control-plane node subscribes to (one of them takes each report).
/// </summary>
public sealed class MediaParticipantLoss(IServiceProvider services, ILogger<MediaParticipantLoss> log) : IHostedService
{
    private static readonly TimeSpan ClaimTtl = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stop = new();
    private SfuNode? _local;
    private IAsyncDisposable? _subscription;
    private Task _subscribing = Task.CompletedTask;

    public async Task HandleAsync(MediaParticipantLost lost)
    {
        try
        {
            // Other kinds of calls on the SFU (seed 003's direct calls) handle their own rooms.
            foreach (var other in services.GetServices<IMediaLossHandler>()) await other.HandleMediaLostAsync(lost);
            var chat = services.GetRequiredService<ChatRooms>();
            var room = await chat.FindAsync(lost.Participant);
            if (room is null || room.Id != lost.RoomId) return; // already over, or the participant moved on
            log.LogInformation("Call {RoomId} ends: participant {Device} lost its media transport ({Reason})", lost.RoomId, lost.Participant, lost.Reason);
            await chat.EndAsync(lost.RoomId, EndCause.ConnectionFailed, lost.Participant);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Ending call {RoomId} after a lost transport failed", lost.RoomId);
        }
    }

    public Task StartAsync(CancellationToken ct)
    {
        _local = services.GetService<SfuNode>();
        if (_local is not null) _local.ParticipantLeft += OnLocal;
        if (services.GetService<SfuNodeRegistry>() is { } registry) _subscribing = Task.Run(() => SubscribeAsync(registry));
        return Task.CompletedTask;
    }

    private async Task SubscribeAsync(SfuNodeRegistry registry)
    {
        for (var attempt = 1; !_stop.IsCancellationRequested; attempt++)
        {
            try
            {
                _subscription = await registry.SubscribeParticipantLostAsync(m => OnRemoteAsync(registry, m), _stop.Token);
                return;
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                log.LogWarning("Could not subscribe to lost SFU participants (attempt {Attempt}): {Error}", attempt, e.Message);
                try { await Task.Delay(TimeSpan.FromMilliseconds(500 * Math.Min(attempt, 10)), _stop.Token); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task OnRemoteAsync(SfuNodeRegistry registry, ParticipantLostMessage m)
    {
        if (!Guid.TryParse(m.RoomId, out var room) || !Guid.TryParse(m.Participant, out var device)) return;
        try
        {
            // Every control-plane node hears the report; the one that claims it first ends the call.
            var claim = registry.Prefix + "sfu:lost:" + room.ToString("N") + ":" + device.ToString("N");
            if (!await registry.Redis.SetAsync(claim, m.NodeId, ClaimTtl, Redis.Client.SetCondition.IfNotExists)) return;
        }
        catch (Exception e) when (e is Redis.Client.RedisException or TimeoutException)
        {
            log.LogWarning("Claiming a lost-participant report failed; handling it here: {Error}", e.Message);
        }
        await HandleAsync(new MediaParticipantLost(room, device, m.Reason));
    }

    private void OnLocal(ParticipantLeftEvent e)
    {
        // Raised on an SFU thread: hand off at once.
        if (Guid.TryParse(e.RoomId, out var room) && Guid.TryParse(e.UserId, out var device))
            _ = Task.Run(() => HandleAsync(new MediaParticipantLost(room, device, e.Reason.ToString())));
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_local is not null) _local.ParticipantLeft -= OnLocal;
        _stop.Cancel();
        await Task.WhenAny(_subscribing, Task.Delay(TimeSpan.FromSeconds(2), ct));
        if (_subscription is not null)
        {
            try { await _subscription.DisposeAsync(); }
            catch (Exception e) { log.LogDebug("Unsubscribing from lost SFU participants failed: {Error}", e.Message); }
        }
    }
}
