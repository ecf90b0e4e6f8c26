using System.Security.Claims;
using System.Text;
using Media.Sfu.Hosting;
using Media.Sfu.Sdp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Media.Sfu.Http;

/// <summary>
/// The SFU's HTTP API: WHIP (RFC 9725) — POST an SDP offer, get 201 + Location + the answer; PATCH the
/// session with a trickle-ice-sdpfrag (RFC 8840) for candidates or an ICE restart; DELETE ends it — plus
/// stats. Served under /sfu when hosted in the control plane, at the root of a standalone node. The host's
/// authentication decides who the caller is (ClaimTypes.NameIdentifier).
/// </summary>
public static class SfuHttpApi
{
    public const int MaxSdpBytes = 64 * 1024;

    public static RouteGroupBuilder MapSfuApi(this IEndpointRouteBuilder app, string prefix = "")
    {
        var group = app.MapGroup(prefix).RequireAuthorization();

        group.MapPost("/whip", (HttpContext http, SfuNode node) =>
        {
            var mode = http.Request.Query["mode"].ToString() switch
            {
                "echo" => SfuSessionMode.Echo,
                "" or "publish" => SfuSessionMode.Publish,
                _ => (SfuSessionMode?)null,
            };
            return mode is null
                ? Task.FromResult(Error(http, 400, "VALIDATION_FAILED", "mode must be 'echo' or 'publish'"))
                : AnswerOfferAsync(http, node, mode.Value, null);
        });

        // WHEP (draft-ietf-wish-whep): a viewer's recvonly offer subscribes to a published session's streams.
        group.MapPost("/whep/{sessionId}", (string sessionId, HttpContext http, SfuNode node) =>
            AnswerOfferAsync(http, node, SfuSessionMode.Watch, sessionId));

        // A participant joins a call room the control plane opened for the matched users.
        group.MapPost("/rooms/{roomId}/whip", (string roomId, HttpContext http, SfuNode node) =>
            AnswerOfferAsync(http, node, SfuSessionMode.Call, roomId));

        group.MapMethods("/whip/{id}", new[] { "PATCH" }, async (string id, HttpContext http, SfuNode node) =>
        {
            if (!node.TryGetSession(id, out var session) || session.OwnerUserId != UserId(http))
                return Error(http, 404, "SESSION_NOT_FOUND", "No such WHIP session");
            if (!IsContentType(http.Request, TrickleIceFragment.MediaType))
                return Error(http, 415, "UNSUPPORTED_MEDIA_TYPE", $"Send {TrickleIceFragment.MediaType}");
            var (body, tooLarge) = await ReadBodyAsync(http.Request);
            if (tooLarge) return Error(http, 413, "PAYLOAD_TOO_LARGE", "The fragment is too large");
            if (!TrickleIceFragment.TryParse(body ?? "", out var fragment, out var error))
                return Error(http, 400, "SDPFRAG_INVALID", "The body is not a trickle-ice-sdpfrag: " + error);
            var ifMatch = http.Request.Headers.IfMatch.ToString();
            if (ifMatch.Length > 0 && ifMatch != "*" && ifMatch != session.ETag)
                return Error(http, 412, "PRECONDITION_FAILED", "The session changed (ETag mismatch)");

            var remote = session.RemoteIceUfrag;
            if (fragment.IceUfrag is { } ufrag && ufrag != remote)
            {
                // RFC 9725 §4.3.2: new remote credentials are an ICE restart; answer with ours, new as well.
                var local = session.RestartIce(ufrag, fragment.IcePwd ?? "");
                var answer = new TrickleIceFragment { IceUfrag = local.Ufrag, IcePwd = local.Password };
                var mid = fragment.Media.FirstOrDefault()?.Mid ?? "0";
                answer.Media.Add(new TrickleIceMedia { Mid = mid, Candidates = node.CandidateAttributes(session.Worker).Select(c => IceCandidate.TryParse(c, out var parsed, out _) ? parsed! : null).OfType<IceCandidate>().ToList(), EndOfCandidates = true });
                http.Response.StatusCode = 200;
                http.Response.Headers.ETag = session.ETag;
                http.Response.ContentType = TrickleIceFragment.MediaType;
                await http.Response.WriteAsync(answer.ToString());
                return Results.Empty;
            }
            // An ICE-lite server needs no remote candidates: the client's checks find the path (RFC 8445 §2.5).
            return Results.NoContent();
        });

        group.MapDelete("/whip/{id}", (string id, HttpContext http, SfuNode node) =>
        {
            if (!node.TryGetSession(id, out var session) || session.OwnerUserId != UserId(http))
                return Error(http, 404, "SESSION_NOT_FOUND", "No such WHIP session");
            node.CloseSession(id);
            return Results.Ok();
        });

        group.MapGet("/stats", (SfuNode node) => Results.Ok(node.Stats()));
        return group;
    }

    /// <summary>
    /// Maps the SFU's Prometheus exposition (text format 0.0.4) at <paramref name="path"/>, without authentication
    /// (scrapers do not sign in; put it on an internal port or path if it must not be public). The host decides
    /// where: a standalone node at <c>/metrics</c>; a control plane that writes its own families may call
    /// <see cref="SfuNode.WriteMetrics"/> into the same exposition instead.
    /// </summary>
    public static RouteHandlerBuilder MapSfuMetrics(this IEndpointRouteBuilder app, string path = "/metrics") =>
        app.MapGet(path, (SfuNode node) => Results.Text(node.RenderMetrics(), Prometheus.Text.PrometheusTextWriter.ContentType))
            .AllowAnonymous();

    private static async Task<IResult> AnswerOfferAsync(HttpContext http, SfuNode node, SfuSessionMode mode, string? roomId)
    {
        if (!IsContentType(http.Request, "application/sdp"))
            return Error(http, 415, "UNSUPPORTED_MEDIA_TYPE", "A WHIP offer is sent as Content-Type: application/sdp");
        var (offer, tooLarge) = await ReadBodyAsync(http.Request);
        if (tooLarge) return Error(http, 413, "PAYLOAD_TOO_LARGE", $"An SDP offer is at most {MaxSdpBytes} bytes");
        if (string.IsNullOrWhiteSpace(offer)) return Error(http, 400, "SDP_INVALID", "The body must be an SDP offer");
        try
        {
            var (session, answer) = node.CreateSession(UserId(http), offer, mode, roomId);
            http.Response.StatusCode = 201;
            // Sessions are addressed the same way whichever route created them (RFC 9725 §4.2: any URL will do).
            http.Response.Headers.Location = $"{http.Request.PathBase}{Prefix(http, roomId)}/whip/{session.Id}";
            http.Response.Headers.ETag = session.ETag;
            http.Response.ContentType = "application/sdp";
            await http.Response.WriteAsync(answer);
            return Results.Empty;
        }
        catch (SfuException e) { return Error(http, e.StatusCode, e.Code, e.Message); }
    }

    /// <summary>The API prefix (e.g. "/sfu") this request came through, so Location works in process and standalone.</summary>
    private static string Prefix(HttpContext http, string? roomId)
    {
        var path = http.Request.Path.Value ?? "";
        var marker = roomId is null ? "/whip" : path.Contains("/whep/", StringComparison.Ordinal) ? "/whep/" : "/rooms/";
        var i = path.LastIndexOf(marker, StringComparison.Ordinal);
        return i < 0 ? "" : path[..i];
    }

    private static string UserId(HttpContext http) => http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    private static bool IsContentType(HttpRequest request, string mediaType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var ct) &&
        string.Equals(ct.MediaType.Value, mediaType, StringComparison.OrdinalIgnoreCase);

    private static async Task<(string? Body, bool TooLarge)> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxSdpBytes) return (null, true);
        var buffer = new byte[MaxSdpBytes + 1];
        var total = 0;
        int n;
        while ((n = await request.Body.ReadAsync(buffer.AsMemory(total, buffer.Length - total))) > 0)
        {
            total += n;
            if (total > MaxSdpBytes) return (null, true);
        }
        return (Encoding.UTF8.GetString(buffer, 0, total), false);
    }

    /// <summary>The same error shape as the control plane: {success:false, status:"error", message, errorCode, timestamp}.</summary>
    private static IResult Error(HttpContext http, int status, string code, string message) =>
        Results.Json(new Dictionary<string, object?>
        {
            ["success"] = false, ["status"] = "error", ["message"] = message, ["errorCode"] = code,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
        }, statusCode: status);
}
