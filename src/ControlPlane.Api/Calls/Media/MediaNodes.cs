using Media.Sfu.Cluster;

namespace ControlPlane.Api.Calls.Media;

/// <summary>
/// An SFU node as the control plane sees it: the SFU in this process (<see cref="LocalMediaNode"/>) or a separate
/// node process reached over its authenticated HTTP API. Every call on a node is a room that only its participants
/// may join; participants reach it with an SDP offer (the SFU answers) or by answering the SFU's own offer.
/// </summary>
public interface IMediaNode
{
    string Id { get; }

    Task OpenRoomAsync(Guid roomId, IReadOnlyList<Guid> participants, CallMediaSettings settings, CancellationToken ct = default);

    /// <summary>Answers a participant's offer: its transport joins the room. Replaces the participant's previous transport.</summary>
    Task<MediaAnswer> AnswerAsync(Guid roomId, Guid participant, string offerSdp, CancellationToken ct = default);

    /// <summary>An offer from the SFU to a participant who waits for one (the seeds' non-initiator).</summary>
    Task<MediaOffer> OfferAsync(Guid roomId, Guid participant, bool video, CancellationToken ct = default);

    Task AcceptAnswerAsync(string offerId, Guid participant, string answerSdp, CancellationToken ct = default);

    /// <summary>Closes every transport of the room. False if the node did not know it (already closed).</summary>
    Task<bool> CloseRoomAsync(Guid roomId, CancellationToken ct = default);
}

/// <summary>The media limits of one call, decided by the control plane when it places the call.</summary>
public sealed record CallMediaSettings(bool Video, int? AudioCapKbps = null, int? VideoCapKbps = null, bool DropOverCap = false);

public sealed record MediaAnswer(string SessionId, string Sdp);

public sealed record MediaOffer(string OfferId, string Sdp);

/// <summary>A node refused or failed a request: <see cref="Code"/> is the node's error code (SDP_INVALID, SFU_AT_CAPACITY, …).</summary>
public sealed class MediaNodeException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>Chooses the node for a new call and finds the node of a running one.</summary>
public interface IMediaPlacement
{
    /// <summary>The least-loaded healthy node, excluding <paramref name="exclude"/> (nodes that just refused the call).</summary>
    Task<IMediaNode?> PlaceAsync(IReadOnlyCollection<string> exclude, CancellationToken ct = default);

    Task<IMediaNode?> FindAsync(string nodeId, CancellationToken ct = default);

    /// <summary>Every node placement knows of now, fresh or stale, with its last reported load (for operators).</summary>
    Task<IReadOnlyList<SfuNodeRecord>> NodesAsync(CancellationToken ct = default);
}

/// <summary>A call participant's media transport ended on its own (ICE consent lost, DTLS closed, idle) — reported by a node.</summary>
public sealed record MediaParticipantLost(Guid RoomId, Guid Participant, string Reason);
