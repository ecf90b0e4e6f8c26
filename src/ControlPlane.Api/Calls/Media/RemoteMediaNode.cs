using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Media.Sfu.Cluster;
using Service.Tokens;

namespace ControlPlane.Api.Calls.Media;

/// <summary>
/// An SFU node process reached over its control API (<see cref="SfuControlApi"/>). Every request carries a fresh
/// service token for this node and has a time limit; the node's refusals, an unreachable node and a timeout all
/// surface as <see cref="MediaNodeException"/> (SFU_NODE_UNREACHABLE 503, SFU_NODE_TIMEOUT 504), so callers
/// handle one exception type and placement moves on to the next node. With an <paramref name="index"/>, every room it
/// opens is indexed under the node until it closes it, so the room's call is ended if the node dies
/// (<see cref="NodeLossWatch"/>), whichever feature opened it.
/// </summary>
public sealed class RemoteMediaNode(string id, Uri baseAddress, HttpClient http, SfuControlTokens tokens, TimeProvider clock, TimeSpan timeout,
    IMediaCallDirectory? index = null, ILogger? log = null) : IMediaNode
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Id { get; } = id;
    public Uri BaseAddress { get; } = baseAddress;

    public async Task OpenRoomAsync(Guid roomId, IReadOnlyList<Guid> participants, CallMediaSettings settings, CancellationToken ct = default)
    {
        await SendAsync<RoomOpened>(HttpMethod.Put, SfuControlApi.Room(roomId.ToString()),
            new OpenRoomRequest(participants.Select(p => p.ToString()).ToList(), settings.Video, settings.AudioCapKbps, settings.VideoCapKbps, settings.DropOverCap), ct);
        if (index is null) return;
        try { await index.TrackRoomAsync(Id, roomId, ct); }
        catch (Exception e) when (e is Redis.Client.RedisException or TimeoutException)
        {
            // The room is open: failing the call for its index would leave it behind on the node.
            log?.LogWarning("Room {RoomId} on SFU node {Node} is not indexed; its call will not end if the node dies: {Error}", roomId, Id, e.Message);
        }
    }

    public async Task<MediaAnswer> AnswerAsync(Guid roomId, Guid participant, string offerSdp, CancellationToken ct = default)
    {
        var answer = await SendAsync<SdpAnswerResponse>(HttpMethod.Post, SfuControlApi.Answer(roomId.ToString()), new SdpRequest(participant.ToString(), offerSdp), ct);
        return new MediaAnswer(answer!.SessionId, answer.Sdp);
    }

    public async Task<MediaOffer> OfferAsync(Guid roomId, Guid participant, bool video, CancellationToken ct = default)
    {
        var offer = await SendAsync<SdpOfferResponse>(HttpMethod.Post, SfuControlApi.Offer(roomId.ToString()), new OfferRequest(participant.ToString(), video), ct);
        return new MediaOffer(offer!.OfferId, offer.Sdp);
    }

    public Task AcceptAnswerAsync(string offerId, Guid participant, string answerSdp, CancellationToken ct = default) =>
        SendAsync<AnswerAccepted>(HttpMethod.Post, SfuControlApi.OfferAnswer(offerId), new SdpRequest(participant.ToString(), answerSdp), ct);

    public async Task<bool> CloseRoomAsync(Guid roomId, CancellationToken ct = default)
    {
        try
        {
            await SendAsync<object>(HttpMethod.Delete, SfuControlApi.Room(roomId.ToString()), null, ct);
            await ForgetAsync(roomId);
            return true;
        }
        catch (MediaNodeException e) when (e.Status == 404)
        {
            await ForgetAsync(roomId);
            return false;
        }
    }

    private async Task ForgetAsync(Guid roomId)
    {
        if (index is null) return;
        try { await index.ForgetRoomAsync(Id, roomId); }
        catch (Exception e) when (e is Redis.Client.RedisException or TimeoutException)
        {
            log?.LogDebug("Room {RoomId} stays in SFU node {Node}'s index: {Error}", roomId, Id, e.Message); // harmless: a closed room ends nothing
        }
    }

    public Task<global::Media.Sfu.Quality.SfuQualitySnapshot?> QualityAsync(CancellationToken ct = default) =>
        SendAsync<global::Media.Sfu.Quality.SfuQualitySnapshot>(HttpMethod.Get, SfuControlApi.Quality, null, ct);

    public Task<SfuNodeStatus?> StatusAsync(CancellationToken ct = default) => SendAsync<SfuNodeStatus>(HttpMethod.Get, SfuControlApi.Status, null, ct);

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct) where T : class
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        using var request = new HttpRequestMessage(method, new Uri(BaseAddress, path));
        request.Headers.Authorization = new("Bearer", tokens.Issue(Id, clock.GetUtcNow()));
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        try
        {
            using var response = await http.SendAsync(request, limit.Token);
            if (response.IsSuccessStatusCode)
                return response.StatusCode == HttpStatusCode.NoContent ? null : await response.Content.ReadFromJsonAsync<T>(Json, limit.Token);
            throw await ErrorOf(response, limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new MediaNodeException(504, "SFU_NODE_TIMEOUT", $"SFU node {Id} did not answer {method} {path} within {timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            throw new MediaNodeException(503, "SFU_NODE_UNREACHABLE", $"SFU node {Id} is unreachable: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new MediaNodeException(502, "SFU_NODE_BAD_RESPONSE", $"SFU node {Id} answered something that is not its API's JSON: {e.Message}");
        }
    }

    /// <summary>The node's error shape ({errorCode, message}); anything else keeps its status with a generic code.</summary>
    private async Task<MediaNodeException> ErrorOf(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("errorCode", out var code) && code.ValueKind == JsonValueKind.String)
            {
                var message = doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : code.GetString()!;
                return new MediaNodeException(status, code.GetString()!, message);
            }
        }
        catch (JsonException) { }
        return new MediaNodeException(status, "SFU_NODE_ERROR", $"SFU node {Id} answered {status}");
    }
}
