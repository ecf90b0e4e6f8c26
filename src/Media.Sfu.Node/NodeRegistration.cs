using Media.Sfu.Cluster;
using Media.Sfu.Hosting;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Node;

/// <summary>
/// Keeps this node in placement: once the HTTP API listens, writes its <see cref="SfuNodeRecord"/> every heartbeat
/// (with a TTL of a few heartbeats, so a killed node drops out by itself); publishes a participant whose transport
/// died on the participant-lost channel; and on a graceful stop refuses new calls, removes its record at once and
/// reports its calls' participants as lost so the control plane ends those calls now rather than on their timeouts.
/// </summary>
public sealed class NodeRegistration(
    SfuNode sfu, SfuNodeRegistry registry, IOptions<NodeOptions> options, IHostApplicationLifetime lifetime,
    TimeProvider clock, ILogger<NodeRegistration> log) : IHostedService
{
    private readonly NodeOptions _options = options.Value;
    private readonly CancellationTokenSource _stop = new();
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();
    private Task _heartbeats = Task.CompletedTask;
    private Task _leaving = Task.CompletedTask;
    private long _lastPackets;
    private long _lastPacketsAt;
    private double _packetsPerSecond;
    private volatile bool _stopping;
    private bool _reportedFailure;

    /// <summary>True from the moment the host begins to stop: new calls are refused.</summary>
    public bool Stopping => _stopping;

    public Task StartAsync(CancellationToken ct)
    {
        sfu.ParticipantLeft += OnParticipantLeft;
        lifetime.ApplicationStarted.Register(() => _heartbeats = Task.Run(HeartbeatLoopAsync));
        lifetime.ApplicationStopping.Register(() =>
        {
            _stopping = true;
            _stop.Cancel();
            _leaving = Task.Run(LeaveAsync);
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        _stopping = true;
        _stop.Cancel();
        try { await Task.WhenAll(_heartbeats, _leaving).WaitAsync(TimeSpan.FromSeconds(3), ct); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) { log.LogWarning("Leaving placement did not finish in time"); }
        sfu.ParticipantLeft -= OnParticipantLeft;
    }

    /// <summary>The record as it would be written now.</summary>
    public SfuNodeRecord Snapshot()
    {
        var stats = sfu.Stats();
        var load = sfu.Load();
        return new SfuNodeRecord(_options.Id, _options.PublicUrl, _options.MaxRooms, sfu.Options.MaxTransports,
            sfu.Rooms.Count, stats.Transports, stats.Sessions, Math.Round(Volatile.Read(ref _packetsPerSecond), 1), clock.GetUtcNow(), _startedAt)
        {
            Streams = load.Streams, MaxStreams = sfu.Options.MaxStreams, CpuPercent = Math.Round(load.CpuPercent, 1),
            MaxCpuPercent = sfu.Options.MaxCpuPercent, PacketsOutPerSecond = Math.Round(load.PacketsOutPerSecond, 1),
        };
    }

    /// <summary>
    /// Packets the shared media socket received since the previous heartbeat, per second: cheap, and what load
    /// means for an SFU. Measured by the heartbeat alone, so status requests do not shorten its window.
    /// </summary>
    private void MeasurePacketRate()
    {
        var packets = sfu.Stats().UdpPacketsReceived;
        var now = Environment.TickCount64;
        if (_lastPacketsAt > 0 && now > _lastPacketsAt)
            Volatile.Write(ref _packetsPerSecond, Math.Max(0, packets - _lastPackets) * 1000.0 / (now - _lastPacketsAt));
        (_lastPackets, _lastPacketsAt) = (packets, now);
    }

    private async Task HeartbeatLoopAsync()
    {
        var ttl = TimeSpan.FromMilliseconds(_options.RecordTtlMs);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.HeartbeatMs));
        log.LogInformation("SFU node {Node} registers at {Url} every {Heartbeat} ms (TTL {Ttl} ms)", _options.Id, _options.PublicUrl, _options.HeartbeatMs, _options.RecordTtlMs);
        try
        {
            do
            {
                if (_stopping) return;
                try
                {
                    MeasurePacketRate();
                    await registry.WriteAsync(Snapshot(), ttl, _stop.Token);
                    if (_reportedFailure) log.LogInformation("SFU node {Node} is registered again", _options.Id);
                    _reportedFailure = false;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Logged once per outage: the node drops out of placement until Redis answers again.
                    if (!_reportedFailure) log.LogWarning("SFU node {Node} could not write its record: {Error}", _options.Id, e.Message);
                    _reportedFailure = true;
                }
            } while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException) { }
    }

    private async Task LeaveAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _heartbeats.WaitAsync(timeout.Token).ConfigureAwait(false);
            await registry.RemoveAsync(_options.Id, timeout.Token);
            log.LogInformation("SFU node {Node} left placement", _options.Id);
            foreach (var room in sfu.Rooms)
                foreach (var participant in room.Participants)
                    await registry.PublishParticipantLostAsync(new ParticipantLostMessage(_options.Id, room.Id, participant, "NodeStopping"), timeout.Token);
        }
        catch (Exception e)
        {
            log.LogWarning("SFU node {Node} could not leave placement cleanly (its record expires by itself): {Error}", _options.Id, e.Message);
        }
    }

    private void OnParticipantLeft(ParticipantLeftEvent e)
    {
        // Raised on an SFU thread: hand off at once.
        _ = Task.Run(async () =>
        {
            try
            {
                await registry.PublishParticipantLostAsync(new ParticipantLostMessage(_options.Id, e.RoomId, e.UserId, e.Reason.ToString()));
            }
            catch (Exception ex)
            {
                log.LogWarning("Reporting lost participant {User} of room {Room} failed: {Error}", e.UserId, e.RoomId, ex.Message);
            }
        });
    }
}
