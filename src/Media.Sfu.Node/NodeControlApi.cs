using System.Text.Json;
using Media.Sfu.Cluster;
using Media.Sfu.Hosting;
using Media.Sfu.Native;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Node;

/// <summary>
/// The API the control plane drives calls with (<see cref="SfuControlApi"/>): open a room for the matched
/// participants, answer a participant's offer, make an offer to a participant and take its answer, close the
/// room, and the node's status. Every endpoint needs a control token issued for this node.
/// </summary>
public static class NodeControlApi
{
    private const int MaxBodyBytes = 128 * 1024;
    private const int MaxParticipants = 16;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapNodeControlApi(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup("/control").RequireAuthorization(NodeBearerAuthentication.ControlPolicy);

        control.MapPut("/rooms/{roomId}", async (string roomId, HttpContext http, SfuNode sfu, NodeRegistration registration, IOptions<NodeOptions> options) =>
        {
            var (body, error) = await ReadAsync<OpenRoomRequest>(http);
            if (error is not null) return error;
            if (body!.Participants is not { Count: > 0 and <= MaxParticipants } participants
                || participants.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 128) || participants.Distinct().Count() != participants.Count)
                return NodeErrors.Result(400, "VALIDATION_FAILED", $"participants must be 1–{MaxParticipants} distinct ids of 1–128 characters");
            var policy = new Media.Sfu.Quality.CallMediaPolicy(body.AudioCapKbps, body.Video ? body.VideoCapKbps : null,
                body.DropOverCap ? Media.Sfu.Quality.OverCapPolicy.DropOverBudget : Media.Sfu.Quality.OverCapPolicy.ReportOnly);
            if (policy.Validate().FirstOrDefault() is { } invalid) return NodeErrors.Result(400, "VALIDATION_FAILED", invalid);
            if (registration.Stopping) return NodeErrors.Result(503, SfuControlApi.Stopping, "This SFU node is stopping");
            if (sfu.TryGetRoom(roomId, out var existing))
                return existing.Participants.ToHashSet().SetEquals(participants)
                    ? Results.Ok(new RoomOpened(roomId, existing.Participants.ToList()))
                    : NodeErrors.Result(409, "ROOM_EXISTS", "A room with this id is open for other participants");
            if (sfu.Rooms.Count >= options.Value.MaxRooms || sfu.Transports.Count + participants.Count > sfu.Options.MaxTransports)
                return NodeErrors.Result(503, SfuControlApi.AtCapacity, "This SFU node is at its room or transport limit");
            return Run(() => new RoomOpened(sfu.OpenRoom(roomId, participants.ToArray(), policy).Id, participants));
        });

        control.MapPost("/rooms/{roomId}/answer", async (string roomId, HttpContext http, SfuNode sfu) =>
        {
            var (body, error) = await ReadSdpAsync(http);
            return error ?? Run(() =>
            {
                var (session, answer) = sfu.CreateSession(body!.Participant, body.Sdp, SfuSessionMode.Call, roomId);
                return new SdpAnswerResponse(session.Id, answer);
            });
        });

        control.MapPost("/rooms/{roomId}/offer", async (string roomId, HttpContext http, SfuNode sfu) =>
        {
            var (body, error) = await ReadAsync<OfferRequest>(http);
            if (error is not null) return error;
            if (string.IsNullOrWhiteSpace(body!.Participant)) return NodeErrors.Result(400, "VALIDATION_FAILED", "participant is required");
            return Run(() =>
            {
                var (id, sdp) = sfu.CreateOffer(body.Participant, roomId, body.Video);
                return new SdpOfferResponse(id, sdp);
            });
        });

        control.MapPost("/offers/{offerId}/answer", async (string offerId, HttpContext http, SfuNode sfu) =>
        {
            var (body, error) = await ReadSdpAsync(http);
            return error ?? Run(() => new AnswerAccepted(sfu.AcceptAnswer(offerId, body!.Participant, body.Sdp).Id));
        });

        control.MapDelete("/rooms/{roomId}", (string roomId, SfuNode sfu) =>
            sfu.CloseRoom(roomId) ? Results.NoContent() : NodeErrors.Result(404, "ROOM_NOT_FOUND", "No such room on this SFU node"));

        control.MapGet("/quality", (SfuNode sfu) => Results.Ok(sfu.Quality()));
        control.MapGet("/status", (SfuNode sfu, NodeRegistration registration) =>
        {
            var stats = sfu.Stats();
            return Results.Ok(new SfuNodeStatus(registration.Snapshot(), registration.Stopping, stats.RtpPacketsIn, stats.RtpPacketsOut, LiveNativeContexts.Total));
        });
    }

    /// <summary>The SFU's own refusals (SDP_INVALID, ROOM_NOT_FOUND, NOT_A_PARTICIPANT, SFU_AT_CAPACITY, …) keep their status and code.</summary>
    private static IResult Run<T>(Func<T> action)
    {
        try { return Results.Ok(action()); }
        catch (SfuException e) { return NodeErrors.Result(e.StatusCode, e.Code, e.Message); }
    }

    private static async Task<(SdpRequest?, IResult?)> ReadSdpAsync(HttpContext http)
    {
        var (body, error) = await ReadAsync<SdpRequest>(http);
        if (error is not null) return (null, error);
        if (string.IsNullOrWhiteSpace(body!.Participant)) return (null, NodeErrors.Result(400, "VALIDATION_FAILED", "participant is required"));
        if (string.IsNullOrWhiteSpace(body.Sdp)) return (null, NodeErrors.Result(400, "SDP_INVALID", "sdp is required"));
        return (body, null);
    }

    private static async Task<(T?, IResult?)> ReadAsync<T>(HttpContext http) where T : class
    {
        if (!http.Request.HasJsonContentType()) return (null, NodeErrors.Result(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json"));
        if (http.Request.ContentLength > MaxBodyBytes) return (null, NodeErrors.Result(413, "PAYLOAD_TOO_LARGE", "The request body is too large"));
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                if (limited.Length + n > MaxBodyBytes) return (null, NodeErrors.Result(413, "PAYLOAD_TOO_LARGE", "The request body is too large"));
                limited.Write(buffer, 0, n);
            }
            var value = JsonSerializer.Deserialize<T>(limited.GetBuffer().AsSpan(0, (int)limited.Length), Json);
            return value is null ? (null, NodeErrors.Result(400, "INVALID_JSON", "The body must be a JSON object")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, NodeErrors.Result(400, "INVALID_JSON", "The body is not valid JSON: " + e.Message.Split('\n')[0]));
        }
    }
}
