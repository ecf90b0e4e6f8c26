using System.Text.Json.Serialization;

namespace Media.Sfu.Quality;

/// <summary>
/// Levels on the ITU-T G.109 scale of the E-model's R: Good = R ≥ 80 ("users satisfied", MOS ≥ 4.03),
/// Fair = R ≥ 60 ("some to many users dissatisfied", MOS ≥ 3.10), Poor below.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<QualityLevel>))]
public enum QualityLevel : byte { Good, Fair, Poor }

/// <summary>A quality estimate and what it was computed from.</summary>
/// <param name="LossFraction">0–1.</param>
public sealed record CallScore(double Mos, double RFactor, QualityLevel Level, double LossFraction, double RoundTripTimeMs, double JitterMs);

/// <summary>
/// A simplified ITU-T G.107 E-model, as LiveKit and rtcscore use it for WebRTC audio: R = R0 − Id − Ie,eff, then
/// MOS from R (G.107 Annex B). Delay: effective latency d = RTT/2 + 2·jitter + 10 ms (one-way delay plus a
/// jitter-buffer allowance plus codec delay); Id = d/40 below 160 ms, (d − 120)/10 above (the piecewise fit of
/// G.107's Idd). Loss: G.107 §7.2 Ie,eff = Ie + (95 − Ie)·Ppl/(Ppl + Bpl) with Ie = 0 and random loss, Bpl = 25.1
/// (G.113 Appendix I, packet-loss-concealing codec): steeper at low loss than LiveKit's 2.5 per percent, so 5 %
/// random loss leaves "good" (R ≈ 77) as listening tests say it should.
/// </summary>
public static class EModel
{
    /// <summary>G.107 default R with all other parameters at their defaults.</summary>
    public const double DefaultR0 = 93.2;

    /// <summary>Packet-loss robustness of a concealing codec (G.113 Appendix I, G.711 with PLC).</summary>
    public const double DefaultBpl = 25.1;

    public const double GoodR = 80;
    public const double FairR = 60;

    public static double EffectiveLatencyMs(double rttMs, double jitterMs) => Math.Max(0, rttMs) / 2 + 2 * Math.Max(0, jitterMs) + 10;

    public static double DelayImpairment(double effectiveLatencyMs) =>
        effectiveLatencyMs < 160 ? effectiveLatencyMs / 40 : (effectiveLatencyMs - 120) / 10;

    /// <param name="lossFraction">0–1 (clamped).</param>
    public static double LossImpairment(double lossFraction, double bpl = DefaultBpl)
    {
        var percent = Math.Clamp(double.IsNaN(lossFraction) ? 0 : lossFraction, 0, 1) * 100;
        return 95 * percent / (percent + bpl);
    }

    public static double RFactor(double lossFraction, double rttMs, double jitterMs, double bpl = DefaultBpl) =>
        Math.Clamp(DefaultR0 - DelayImpairment(EffectiveLatencyMs(rttMs, jitterMs)) - LossImpairment(lossFraction, bpl), 0, 100);

    /// <summary>
    /// G.107 Annex B: MOS = 1 + 0.035R + 7·10⁻⁶·R(R − 60)(100 − R) for 0 &lt; R &lt; 100, held at 1 where the
    /// polynomial dips below it (R &lt; 6.5), so MOS never falls as R rises.
    /// </summary>
    public static double MosFromR(double r) =>
        r <= 0 ? 1 : r >= 100 ? 4.5 : Math.Max(1, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r));

    public static QualityLevel LevelOf(double r) => r >= GoodR ? QualityLevel.Good : r >= FairR ? QualityLevel.Fair : QualityLevel.Poor;

    public static CallScore Score(double lossFraction, double rttMs, double jitterMs)
    {
        if (!double.IsFinite(lossFraction)) lossFraction = 0;
        if (!double.IsFinite(rttMs)) rttMs = 0;
        if (!double.IsFinite(jitterMs)) jitterMs = 0;
        var r = RFactor(lossFraction, rttMs, jitterMs);
        return new CallScore(Math.Round(MosFromR(r), 3), Math.Round(r, 2), LevelOf(r),
            Math.Clamp(lossFraction, 0, 1), Math.Max(0, rttMs), Math.Max(0, jitterMs));
    }
}
