using ControlPlane.Api.Auth;
using Media.Sfu.Cluster;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Calls.Media;

/// <summary>
/// GET /moderation/sfu/nodes: the SFU nodes placement sees and the load each last reported (rooms, transports,
/// streams, packets per second, CPU, against its limits), for operators watching capacity. Node addresses are
/// left out: they are internal.
/// </summary>
public static class MediaNodeEndpoints
{
    public static IEndpointRouteBuilder MapMediaNodes(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/moderation/sfu").WithTags("Moderation").RequireAuthorization(BearerAuthentication.ModeratorPolicy)
            .MapGet("/nodes", async (IMediaPlacement placement, IServiceProvider services, TimeProvider clock, CancellationToken ct) =>
            {
                var staleAfter = TimeSpan.FromMilliseconds((services.GetService<IOptions<MediaNodeOptions>>()?.Value ?? new MediaNodeOptions()).StaleAfterMs);
                var now = clock.GetUtcNow();
                var nodes = (await placement.NodesAsync(ct)).OrderBy(n => n.NodeId, StringComparer.Ordinal).Select(n => View(n, now, staleAfter)).ToList();
                return Results.Ok(new { success = true, data = new { nodes, count = nodes.Count } });
            });
        return app;
    }

    private static object View(SfuNodeRecord n, DateTimeOffset now, TimeSpan staleAfter) => new
    {
        id = n.NodeId,
        fresh = now - n.UpdatedAt <= staleAfter,
        full = n.IsFull,
        load = Math.Round(n.Load, 4),
        rooms = n.Rooms, maxRooms = n.MaxRooms,
        transports = n.Transports, maxTransports = n.MaxTransports,
        streams = n.Streams, maxStreams = n.MaxStreams,
        cpuPercent = n.CpuPercent, maxCpuPercent = n.MaxCpuPercent,
        packetsInPerSecond = n.PacketsPerSecond, packetsOutPerSecond = n.PacketsOutPerSecond,
        updatedAt = n.UpdatedAt.ToUnixTimeMilliseconds(), startedAt = n.StartedAt.ToUnixTimeMilliseconds(),
    };
}
