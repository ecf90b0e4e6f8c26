using System.Text.Json.Serialization;

namespace Media.Sfu.Quality;

/// <summary>What the SFU does with a stream whose measured bitrate stays above its cap.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OverCapPolicy>))]
public enum OverCapPolicy : byte
{
    /// <summary>Count the violation; forward everything.</summary>
    ReportOnly,
    /// <summary>Count it, and while it lasts drop audio packets beyond a token-bucket budget of cap × (1 + tolerance).
    /// Never RTCP, never video (a dropped keyframe fragment costs more than it saves).</summary>
    DropOverBudget,
}

/// <summary>
/// Media limits of one call, given to <c>SfuNode.OpenRoom</c>. The caps go into the SFU's answer (Opus
/// <c>maxaveragebitrate</c>, RFC 7587 §6.1, plus <c>b=AS</c>/<c>b=TIAS</c>, RFC 3890) and are then checked against the
/// measured bitrate of every incoming stream: one that stays above cap × (1 + <see cref="Tolerance"/>) for
/// <see cref="SustainSeconds"/> consecutive seconds counts a violation and, with
/// <see cref="OverCapPolicy.DropOverBudget"/>, is policed. The video cap also bounds the REMB the SFU sends.
/// Bitrates are RTP payload bits per second (what Opus' target and WebRTC's bytesReceived count), not IP traffic.
/// </summary>
public sealed record CallMediaPolicy(int? AudioCapKbps = null, int? VideoCapKbps = null, OverCapPolicy OverCap = OverCapPolicy.ReportOnly)
{
    /// <summary>How far above the cap the measured bitrate may go before it counts (0.10 = 10 %).</summary>
    public double Tolerance { get; init; } = 0.10;

    /// <summary>Consecutive seconds above cap + tolerance that make a violation.</summary>
    public int SustainSeconds { get; init; } = 3;

    /// <summary>The cap for a kind of media in kbps, or null.</summary>
    public int? CapKbps(bool video) => video ? VideoCapKbps : AudioCapKbps;

    /// <summary>Problems with the values, empty when usable.</summary>
    public IEnumerable<string> Validate()
    {
        // RFC 7587 §6.1: maxaveragebitrate is 6000–510000 bits/s.
        if (AudioCapKbps is < 6 or > 510) yield return "the audio cap must be 6–510 kbps";
        if (VideoCapKbps is < 30 or > 100_000) yield return "the video cap must be 30–100000 kbps";
        if (!(Tolerance is >= 0 and <= 1)) yield return "the tolerance must be 0–1";
        if (SustainSeconds is < 1 or > 60) yield return "sustain seconds must be 1–60";
        if (!Enum.IsDefined(OverCap)) yield return "unknown over-cap policy";
    }
}
