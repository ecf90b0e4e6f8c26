namespace Media.Sfu.Cluster;

/// <summary>
/// The control API every SFU node serves to the control plane (JSON; errors in the API's error shape
/// {success:false, status:"error", message, errorCode, timestamp}). Each request carries a service token from
/// <c>Service.Tokens.SfuControlTokens</c> as its bearer, issued for the node it is sent to.
/// </summary>
public static class SfuControlApi
{
    /// <summary>PUT: opens (idempotently) a call room for exactly the participants → 200 <see cref="RoomOpened"/>; 503 SFU_AT_CAPACITY when full.</summary>
    public static string Room(string roomId) => "/control/rooms/" + Uri.EscapeDataString(roomId);

    /// <summary>POST <see cref="SdpRequest"/> (the participant's offer) → 200 <see cref="SdpAnswerResponse"/>.</summary>
    public static string Answer(string roomId) => Room(roomId) + "/answer";

    /// <summary>POST <see cref="OfferRequest"/> → 200 <see cref="SdpOfferResponse"/> (the SFU's offer to a participant).</summary>
    public static string Offer(string roomId) => Room(roomId) + "/offer";

    /// <summary>POST <see cref="SdpRequest"/> (the participant's answer to an SFU offer) → 200 <see cref="AnswerAccepted"/>.</summary>
    public static string OfferAnswer(string offerId) => "/control/offers/" + Uri.EscapeDataString(offerId) + "/answer";

    /// <summary>GET → 200 <see cref="SfuNodeStatus"/>.</summary>
    public const string Status = "/control/status";

    /// <summary>GET: every call room on the node with per-stream quality (Media.Sfu.Quality.SfuQualitySnapshot).</summary>
    public const string Quality = "/control/quality";

    public const string AtCapacity = "SFU_AT_CAPACITY";
    public const string Stopping = "SFU_NODE_STOPPING";
}

/// <summary>A call room's participants and media limits. Caps are kbps (null: no cap).</summary>
public sealed record OpenRoomRequest(IReadOnlyList<string> Participants, bool Video, int? AudioCapKbps = null, int? VideoCapKbps = null,
    bool DropOverCap = false);

public sealed record RoomOpened(string RoomId, IReadOnlyList<string> Participants);

public sealed record SdpRequest(string Participant, string Sdp);

public sealed record OfferRequest(string Participant, bool Video);

public sealed record SdpAnswerResponse(string SessionId, string Sdp);

public sealed record SdpOfferResponse(string OfferId, string Sdp);

public sealed record AnswerAccepted(string SessionId);

/// <summary>The node's view of itself: its record as published, plus leak counters.</summary>
public sealed record SfuNodeStatus(SfuNodeRecord Node, bool Stopping, long RtpPacketsIn, long RtpPacketsOut, long NativeContexts);
