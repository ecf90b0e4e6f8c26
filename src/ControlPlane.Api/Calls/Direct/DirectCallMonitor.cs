using Media.Sfu.Hosting;

namespace ControlPlane.Api.Calls.Direct;

/// <summary>
/// Watches calls from outside a request: a participant's transport that dies on the SFU in this process ends its
/// call, and a periodic sweep ends calls whose ringing or media-join timer was lost with a node that died.
/// (Transports on separate SFU nodes are reported through <see cref="DirectCalls.HandleMediaLostAsync"/>.)
/// </summary>
internal sealed class DirectCallMonitor(IServiceProvider services, TimeProvider clock, ILogger<DirectCallMonitor> log) : IHostedService
{
    // Resolved at start, not construction: options validation (a bad REDIS_URL) must report before anything connects.
    private DirectCalls _calls = null!;
    private SfuNode? _local;
    private ITimer? _sweep;
    private int _sweeping;

    public Task StartAsync(CancellationToken ct)
    {
        _calls = services.GetRequiredService<DirectCalls>();
        _local = services.GetService<SfuNode>();
        if (_local is not null) _local.ParticipantLeft += OnParticipantLeft;
        var every = TimeSpan.FromSeconds(_calls.Options.SweepIntervalSeconds);
        _sweep = clock.CreateTimer(_ => Sweep(), null, every, every);
        return Task.CompletedTask;
    }

    private void OnParticipantLeft(ParticipantLeftEvent e)
    {
        // Raised on an SFU thread: hand off at once.
        if (Guid.TryParse(e.RoomId, out var room) && Guid.TryParse(e.UserId, out var device))
            _ = Task.Run(async () =>
            {
                try { await _calls.HandleMediaLostAsync(room, device, e.Reason.ToString()); }
                catch (Exception x) { log.LogWarning(x, "Ending the call of room {RoomId} after a lost transport failed", room); }
            });
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
        if (_local is not null) _local.ParticipantLeft -= OnParticipantLeft;
        _sweep?.Dispose();
        return Task.CompletedTask;
    }
}
