using Media.Sfu.Cluster;
using Media.Sfu.Hosting;
using Media.Sfu.Quality;

namespace ControlPlane.Api.Calls.Media;

/// <summary>The SFU hosted in this process (the single-machine install): calls go straight to <see cref="SfuNode"/>.</summary>
public sealed class LocalMediaNode(SfuNode node) : IMediaNode, IMediaPlacement
{
    public const string LocalId = "local";

    public string Id => LocalId;

    public Task OpenRoomAsync(Guid roomId, IReadOnlyList<Guid> participants, CallMediaSettings settings, CancellationToken ct = default) =>
        Run(() => node.OpenRoom(roomId.ToString(), participants.Select(p => p.ToString()).ToArray(), Policy(settings)));

    /// <summary>The SFU's form of a call's limits.</summary>
    public static CallMediaPolicy Policy(CallMediaSettings s) =>
        new(s.AudioCapKbps, s.Video ? s.VideoCapKbps : null, s.DropOverCap ? OverCapPolicy.DropOverBudget : OverCapPolicy.ReportOnly);

    public Task<MediaAnswer> AnswerAsync(Guid roomId, Guid participant, string offerSdp, CancellationToken ct = default) => Run(() =>
    {
        var (session, sdp) = node.CreateSession(participant.ToString(), offerSdp, SfuSessionMode.Call, roomId.ToString());
        return new MediaAnswer(session.Id, sdp);
    });

    public Task<MediaOffer> OfferAsync(Guid roomId, Guid participant, bool video, CancellationToken ct = default) => Run(() =>
    {
        var (id, sdp) = node.CreateOffer(participant.ToString(), roomId.ToString(), video);
        return new MediaOffer(id, sdp);
    });

    public Task AcceptAnswerAsync(string offerId, Guid participant, string answerSdp, CancellationToken ct = default) =>
        Run(() => node.AcceptAnswer(offerId, participant.ToString(), answerSdp));

    public Task<bool> CloseRoomAsync(Guid roomId, CancellationToken ct = default) => Run(() => node.CloseRoom(roomId.ToString()));

    public Task<IMediaNode?> PlaceAsync(IReadOnlyCollection<string> exclude, CancellationToken ct = default) =>
        Task.FromResult<IMediaNode?>(node.IsRunning && !exclude.Contains(LocalId) ? this : null);

    public Task<IMediaNode?> FindAsync(string nodeId, CancellationToken ct = default) =>
        Task.FromResult<IMediaNode?>(nodeId == LocalId ? this : null);

    public Task<IReadOnlyList<SfuNodeRecord>> NodesAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<SfuNodeRecord>>(Record(DateTimeOffset.UtcNow) is { } r ? [r] : []);

    /// <summary>This SFU as a placement candidate beside the node processes; null while it is not running.</summary>
    public SfuNodeRecord? Record(DateTimeOffset now)
    {
        if (!node.IsRunning) return null;
        var maxTransports = node.Options.MaxTransports;
        var load = node.Load();
        return new SfuNodeRecord(LocalId, "http://in-process/", Math.Max(1, maxTransports / SfuNodeRecord.TransportsPerCall), maxTransports,
            node.Rooms.Count, node.Transports.Count, node.Sessions.Count, Math.Round(load.PacketsInPerSecond, 1), now, now)
        {
            Streams = load.Streams, MaxStreams = node.Options.MaxStreams, CpuPercent = Math.Round(load.CpuPercent, 1),
            MaxCpuPercent = node.Options.MaxCpuPercent, PacketsOutPerSecond = Math.Round(load.PacketsOutPerSecond, 1),
        };
    }

    private static Task<T> Run<T>(Func<T> action)
    {
        try { return Task.FromResult(action()); }
        catch (SfuException e) { return Task.FromException<T>(new MediaNodeException(e.StatusCode, e.Code, e.Message)); }
    }

    private static Task Run(Action action) => Run(() => { action(); return true; });
}
