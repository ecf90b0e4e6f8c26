using ControlPlane.Api.Chat;

namespace ControlPlane.Api.Calls.Media;

/// <summary>
/// Matched chats' calls on a lost node: the room ends as a failed connection, for both sides (seed 000
/// peer-disconnected, seed 004 voice_room_ended with reason connection_failed; the session's end reason is
/// media_node_lost, as for direct calls), and its transports' closing goes through <see cref="MediaCalls.CloseAsync"/> as for any end.
/// </summary>
internal sealed class MatchedCallNodeLoss(IServiceProvider services) : IMediaNodeLossHandler
{
    public async Task<bool> EndCallOnLostNodeAsync(Guid roomId, string nodeId)
    {
        // Only a room whose media the directory places on that node (a direct call's room has no entry).
        if (await services.GetRequiredService<IMediaCallDirectory>().GetAsync(roomId) is not { } entry || entry.NodeId != nodeId) return false;
        return await services.GetRequiredService<ChatRooms>().EndAsync(roomId, EndCause.MediaNodeLost, null) is not null;
    }
}
