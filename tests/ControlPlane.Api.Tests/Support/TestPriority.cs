using System.Collections.Concurrent;
using ControlPlane.Api.Matchmaking;

namespace ControlPlane.Api.Tests.Support;

/// <summary>Premium and tier per device, set by the test (the payments feature supplies the real lookup).</summary>
public sealed class TestPriority : IMatchPriority
{
    private readonly ConcurrentDictionary<Guid, MatchStanding> _standing = new();
    public void Set(Guid device, bool premium = false, int tier = 0) => _standing[device] = new MatchStanding(premium, tier);
    public ValueTask<MatchStanding> GetAsync(Guid deviceId, CancellationToken ct = default) =>
        ValueTask.FromResult(_standing.TryGetValue(deviceId, out var s) ? s : default);
}
