using ControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Api.Calls.Direct;

/// <summary>
/// Watches calls from outside a request: a periodic sweep ends calls whose ringing or media-join timer was lost with a
/// node that died. Lost transports (on the SFU in this process or on node processes) arrive through
/// <see cref="Media.MediaParticipantLoss"/>, which hands them to <see cref="DirectCallMediaLoss"/>.
/// </summary>
internal sealed class DirectCallMonitor(IServiceProvider services, TimeProvider clock, ILogger<DirectCallMonitor> log) : IHostedService
{
    // Resolved at start, not construction: options validation (a bad REDIS_URL) must report before anything connects.
    private DirectCalls _calls = null!;
    private ITimer? _sweep;
    private int _sweeping;

    public Task StartAsync(CancellationToken ct)
    {
        _calls = services.GetRequiredService<DirectCalls>();
        var every = TimeSpan.FromSeconds(_calls.Options.SweepIntervalSeconds);
        _sweep = clock.CreateTimer(_ => Sweep(), null, every, every);
        return Task.CompletedTask;
    }

    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try { await _calls.SweepAsync(); }
            catch (Exception e) { log.LogWarning(e, "Sweeping calls failed"); }
            finally { Volatile.Write(ref _sweeping, 0); }
        });
    }

    public Task StopAsync(CancellationToken ct)
    {
        _sweep?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Ends a direct call whose participant's media transport died on its SFU node.</summary>
internal sealed class DirectCallMediaLoss(DirectCalls calls) : Media.IMediaLossHandler
{
    public Task HandleMediaLostAsync(Media.MediaParticipantLost lost) => calls.HandleMediaLostAsync(lost.RoomId, lost.Participant, lost.Reason);
}

/// <summary>
/// Seed 003's direct calls on a lost node: an answered call in that room, on that node, ends by the server with
/// <see cref="Media.NodeLossWatch.DirectCallEndReason"/> (billing stops, both sides hear call-ended)..
/// </summary>
internal sealed class DirectCallNodeLoss(IServiceProvider services) : Media.IMediaNodeLossHandler
{
    public async Task<bool> EndCallOnLostNodeAsync(Guid roomId, string nodeId)
    {
        if (services.GetService<DirectCalls>() is not { } calls) return false;
        Guid? callId;
        await using (var scope = services.CreateAsyncScope())
        {
            callId = await scope.ServiceProvider.GetRequiredService<ControlPlaneDb>().Set<DirectCall>().AsNoTracking()
                .Where(c => c.RoomId == roomId && c.MediaNode == nodeId && c.Status == CallStatuses.Answered)
                .Select(c => (Guid?)c.Id).FirstOrDefaultAsync();
        }
        return callId is { } id && await calls.EndBySystemAsync(id, Media.NodeLossWatch.DirectCallEndReason) is not null;
    }
}
