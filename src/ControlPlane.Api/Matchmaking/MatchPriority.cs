namespace ControlPlane.Api.Matchmaking;

/// <summary>What the queue needs to know about a device beyond its request: premium (served first) and its tier (seed 004 minTier).</summary>
public readonly record struct MatchStanding(bool IsPremium, int Tier);

/// <summary>
/// Supplies <see cref="MatchStanding"/>. The default says "not premium, tier 0"; the payments feature replaces it
/// (register another implementation: the last registration wins).
/// </summary>
public interface IMatchPriority
{
    ValueTask<MatchStanding> GetAsync(Guid deviceId, CancellationToken ct = default);
}

public sealed class NoMatchPriority : IMatchPriority
{
    public ValueTask<MatchStanding> GetAsync(Guid deviceId, CancellationToken ct = default) => ValueTask.FromResult(default(MatchStanding));
}

/// <summary>Seconds a newcomer can expect to wait: a moving average of recent waits per chat type, times its position.</summary>
public sealed class WaitEstimator
{
    private readonly double[] _average = { 1, 1, 1 };
    private readonly object _gate = new();

    public void Record(ChatType type, long waitedMs)
    {
        lock (_gate) _average[(int)type] = 0.8 * _average[(int)type] + 0.2 * Math.Max(0, waitedMs) / 1000.0;
    }

    public int EstimateSeconds(ChatType type, long position)
    {
        double avg;
        lock (_gate) avg = _average[(int)type];
        return (int)Math.Max(1, Math.Ceiling(avg * Math.Max(1, position)));
    }
}
