namespace Media.Sfu.Quality;

/// <summary>
/// How the SFU tells publishers what bandwidth to use. REMB (draft-alvestrand-rmcat-remb) about once a second
/// to every video publisher that negotiated goog-remb, carrying min(video cap, estimate) where the estimate is
/// the measured incoming video bitrate × <see cref="Headroom"/>, kept within [<see cref="FloorKbps"/>,
/// <see cref="CeilingKbps"/>] — the browser can always grow by the headroom, so it probes upward step by step.
/// Transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01) every tick (~100 ms) where the
/// extension and the transport-cc feedback were negotiated, so the browser's own estimator works.
/// </summary>
public sealed record BandwidthFeedbackSettings(int FloorKbps = 300, int CeilingKbps = 2500, double Headroom = 1.5,
    bool SendRemb = true, bool SendTransportCc = true)
{
    public static BandwidthFeedbackSettings Default { get; } = new();

    /// <summary>The REMB value in bits per second for a measured video bitrate and an optional cap.</summary>
    public long EstimateBps(long measuredBps, int? capKbps)
    {
        var estimate = Math.Clamp((long)(Math.Max(0, measuredBps) * Headroom), FloorKbps * 1000L, CeilingKbps * 1000L);
        return capKbps is int cap ? Math.Min(estimate, cap * 1000L) : estimate;
    }

    public IEnumerable<string> Validate()
    {
        if (FloorKbps is < 30 or > 100_000) yield return "the REMB floor must be 30–100000 kbps";
        if (CeilingKbps < FloorKbps || CeilingKbps > 1_000_000) yield return "the REMB ceiling must be at least the floor and at most 1000000 kbps";
        if (!(Headroom is >= 1 and <= 10)) yield return "the REMB headroom must be 1–10";
    }
}
