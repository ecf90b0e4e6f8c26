namespace ControlPlane.Api.Matchmaking;

/// <summary>
/// Who may be paired with whom. Every preference belongs to one user and relaxes with that user's own wait, so a
/// pair is allowed when each side's preferences are met or have expired:
/// region and language ("" / "any" / "global" accept all) until their relax time; shared interests until theirs;
/// gender preference, minimum tier, blocks and "not the previous partner" never relax.
/// RedisMatchQueue's Lua script implements the same rules; the contract tests run both.
/// </summary>
public static class MatchRules
{
    public static bool Compatible(QueueEntry a, QueueEntry b, long now, MatchmakingOptions o, Guid? lastPeerOfA, Guid? lastPeerOfB)
    {
        if (a.DeviceId == b.DeviceId || a.Type != b.Type) return false;
        if (lastPeerOfA == b.DeviceId || lastPeerOfB == a.DeviceId) return false;
        if (Array.IndexOf(a.Blocked, b.DeviceId) >= 0 || Array.IndexOf(b.Blocked, a.DeviceId) >= 0) return false;
        if (!Accepts(a.GenderPreference, b.Gender) || !Accepts(b.GenderPreference, a.Gender)) return false;
        if (b.Tier < a.MinTier || a.Tier < b.MinTier) return false;

        long waitA = now - a.JoinedAt, waitB = now - b.JoinedAt;
        if (!SameOrAny(a.Region, b.Region) && (waitA < o.RegionRelaxMs || waitB < o.RegionRelaxMs)) return false;
        if (!SameOrAny(a.Language, b.Language) && (waitA < o.LanguageRelaxMs || waitB < o.LanguageRelaxMs)) return false;
        if (Overlap(a, b) == 0)
        {
            if (a.Interests.Length > 0 && waitA < o.InterestsRelaxMs) return false;
            if (b.Interests.Length > 0 && waitB < o.InterestsRelaxMs) return false;
        }
        return true;
    }

    public static int Overlap(QueueEntry a, QueueEntry b)
    {
        var n = 0;
        foreach (var i in a.Interests)
            if (Array.IndexOf(b.Interests, i) >= 0) n++;
        return n;
    }

    /// <summary>A gender preference accepts a partner: none/"any" accepts everyone, otherwise the genders must be equal.</summary>
    public static bool Accepts(string preference, string gender) =>
        preference.Length == 0 || preference == "any" || preference == gender;

    public static bool IsWildcard(string value) => value.Length == 0 || value == "any" || value == "global";

    private static bool SameOrAny(string x, string y) => IsWildcard(x) || IsWildcard(y) || x == y;

    /// <summary>
    /// The partner for <paramref name="me"/> among <paramref name="waiting"/>[<paramref name="from"/>..] (in queue order,
    /// skipping <paramref name="taken"/> ones): the first compatible one, or when <paramref name="me"/> has interests the
    /// compatible one sharing the most (earliest on ties). -1 when there is none.
    /// </summary>
    public static int PickPartner(QueueEntry me, IReadOnlyList<QueueEntry> waiting, int from, bool[]? taken, long now,
        MatchmakingOptions o, Func<Guid, Guid?> lastPeer)
    {
        var best = -1;
        var bestOverlap = -1;
        var myLast = lastPeer(me.DeviceId);
        for (var k = from; k < waiting.Count; k++)
        {
            if (taken is not null && taken[k]) continue;
            var c = waiting[k];
            if (!Compatible(me, c, now, o, myLast, lastPeer(c.DeviceId))) continue;
            var overlap = Overlap(me, c);
            if (overlap > bestOverlap) { best = k; bestOverlap = overlap; }
            if (me.Interests.Length == 0 || overlap == me.Interests.Length) break;
        }
        return best;
    }
}
