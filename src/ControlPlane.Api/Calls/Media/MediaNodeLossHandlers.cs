using ControlPlane.Api.Calls.Direct;
using ControlPlane.Api.Chat;
using ControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Api.Calls.Media;

/// <summary>
/// Matched chats' calls on a lost node: the room ends as a failed connection, for both sides (seed 000
/// peer-disconnected, seed 004 voice_room_ended with reason connection_failed; the session's end reason is
/// connection_failed), and its transports' closing goes through <see cref="MediaCalls.CloseAsync"/> as for any end.
/// </summary>
internal sealed class MatchedCallNodeLoss(IServiceProvider services) : IMediaNodeLossHandler
{
    public async Task<bool> EndCallOnLostNodeAsync(Guid roomId, string nodeId)
    {
        // Only a room whose media the directory places on that node (a direct call's room has no entry).
        if (await services.GetRequiredService<IMediaCallDirectory>().GetAsync(roomId) is not { } entry || entry.NodeId != nodeId) return false;
        return await services.GetRequiredService<ChatRooms>().EndAsync(roomId, EndCause.ConnectionFailed, null) is not null;
    }
}

/// <summary>
/// Seed 003's direct calls on a lost node: an answered call in that room, on that node, ends by the server with
/// <see cref="NodeLossWatch.DirectCallEndReason"/> (billing stops, both sides hear call-ended). It belongs beside
/// DirectCallMediaLoss in Calls/Direct; it lives here because that folder was not this change's to edit.
/// </summary>
internal sealed class DirectCallNodeLoss(IServiceProvider services) : IMediaNodeLossHandler
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
        return callId is { } id && await calls.EndBySystemAsync(id, NodeLossWatch.DirectCallEndReason) is not null;
    }
}
