using ControlPlane.Api.Chat;
using Media.Sfu.Hosting;

namespace ControlPlane.Api.Calls.Media;

/// <summary>
/// Ends a call whose participant's media transport died (ICE consent lost when its network went away, DTLS
/// closed, idle): the partner hears peer-disconnected / call-ended as for a hang-up, and the room is closed on its
/// node. Reports come from the SFU in this process and, through <see cref="HandleAsync"/>, from node processes.
/// </summary>
public sealed class MediaParticipantLoss(IServiceProvider services, ILogger<MediaParticipantLoss> log) : IHostedService
{
    private SfuNode? _local;

    public async Task HandleAsync(MediaParticipantLost lost)
    {
        try
        {
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
        return Task.CompletedTask;
    }

    private void OnLocal(ParticipantLeftEvent e)
    {
        // Raised on an SFU thread: hand off at once.
        if (Guid.TryParse(e.RoomId, out var room) && Guid.TryParse(e.UserId, out var device))
            _ = Task.Run(() => HandleAsync(new MediaParticipantLost(room, device, e.Reason.ToString())));
    }

    public Task StopAsync(CancellationToken ct)
    {
        if (_local is not null) _local.ParticipantLeft -= OnLocal;
        return Task.CompletedTask;
    }
}
