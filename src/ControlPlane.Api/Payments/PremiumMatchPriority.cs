using ControlPlane.Api.Matchmaking;

namespace ControlPlane.Api.Payments;

/// <summary>Premium subscribers are served first by matchmaking (issue 8 §6): the payments feature's answer to the queue.</summary>
public sealed class PremiumMatchPriority(IPremiumStatus premium) : IMatchPriority
{
    public async ValueTask<MatchStanding> GetAsync(Guid deviceId, CancellationToken ct = default) =>
        new(await premium.IsPremiumAsync(deviceId, ct), Tier: 0);
}
