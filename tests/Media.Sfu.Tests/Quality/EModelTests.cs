using System.Text.Json;
using Media.Sfu.Quality;

namespace Media.Sfu.Tests.Quality;

public sealed class EModelTests
{
    [Theory]
    // R → MOS from G.107 Annex B: 1 + 0.035R + 7e-6·R(R−60)(100−R), hand-computed.
    [InlineData(0, 1.0)]
    [InlineData(-5, 1.0)]
    [InlineData(5, 1.0)]         // the polynomial gives 0.992 here; MOS stays at its floor
    [InlineData(50, 2.575)]      // 1 + 1.75 − 0.175
    [InlineData(60, 3.1)]        // 1 + 2.1 + 0
    [InlineData(80, 4.024)]      // 1 + 2.8 + 0.224
    [InlineData(93.2, 4.409)]    // 1 + 3.262 + 0.147…
    [InlineData(100, 4.5)]
    [InlineData(120, 4.5)]
    public void Mos_follows_annex_b(double r, double mos)
    {
        Assert.Equal(mos, EModel.MosFromR(r), 3);
    }

    [Theory]
    // d = RTT/2 + 2·jitter + 10; Id = d/40 below 160 ms, (d − 120)/10 above; Ie = 95·P/(P + 25.1).
    [InlineData(0, 0, 0, 92.95)]          // d 10 → Id 0.25
    [InlineData(0.05, 40, 5, 76.4193)]     // d 40 → 1.0; Ie 15.7807
    [InlineData(0.01, 100, 10, 87.5602)]   // d 80 → 2.0; Ie 95/26.1 = 3.6398
    [InlineData(0, 400, 20, 80.2)]         // d 250 → (250 − 120)/10 = 13
    [InlineData(0.2, 20, 2, 50.4714)]      // d 24 → 0.6; Ie 95·20/45.1 = 42.1286
    [InlineData(1, 0, 0, 17.0108)]         // Ie 95·100/125.1 = 75.9392; d 10 → 0.25; R = 93.2 − 0.25 − 75.9392
    public void R_factor_from_loss_rtt_and_jitter(double loss, double rtt, double jitter, double r)
    {
        Assert.Equal(r, EModel.RFactor(loss, rtt, jitter), 3);
    }

    [Fact]
    public void Levels_use_the_g109_boundaries()
    {
        Assert.Equal(QualityLevel.Good, EModel.LevelOf(80));
        Assert.Equal(QualityLevel.Fair, EModel.LevelOf(79.99));
        Assert.Equal(QualityLevel.Fair, EModel.LevelOf(60));
        Assert.Equal(QualityLevel.Poor, EModel.LevelOf(59.99));
        // What the scenarios give on loopback (RTT ~1 ms, jitter ~2 ms): clean is good, 5 % is not, 20 % is poor.
        Assert.Equal(QualityLevel.Good, EModel.Score(0, 1, 2).Level);
        Assert.Equal(QualityLevel.Good, EModel.Score(0.02, 1, 2).Level);
        Assert.Equal(QualityLevel.Fair, EModel.Score(0.05, 1, 2).Level);
        Assert.Equal(QualityLevel.Fair, EModel.Score(0.045, 1, 2).Level);
        Assert.Equal(QualityLevel.Poor, EModel.Score(0.2, 1, 2).Level);
        // Latency alone: a 600 ms RTT with 50 ms jitter is no longer good.
        Assert.NotEqual(QualityLevel.Good, EModel.Score(0, 600, 50).Level);
    }

    [Fact]
    public void Score_is_monotonic_in_each_impairment_and_bounded()
    {
        double previous = 5;
        for (var loss = 0.0; loss <= 1.0; loss += 0.01)
        {
            var mos = EModel.Score(loss, 50, 5).Mos;
            Assert.True(mos <= previous + 1e-9, $"MOS rose at loss {loss}");
            Assert.InRange(mos, 1, 4.5);
            previous = mos;
        }
        previous = 5;
        for (var rtt = 0; rtt <= 3000; rtt += 25)
        {
            var mos = EModel.Score(0.01, rtt, 5).Mos;
            Assert.True(mos <= previous + 1e-9, $"MOS rose at RTT {rtt}");
            previous = mos;
        }
        var odd = EModel.Score(double.NaN, double.PositiveInfinity, -3);
        Assert.InRange(odd.Mos, 1, 4.5);
        Assert.Equal(0, odd.LossFraction);
    }

    private static IncomingStreamQuality In(string kind, long expected, double loss, double jitterMs, long packets = 100) =>
        new("0", kind, 1, "opus", 48000, packets, packets * 100, packets * 80, 32000, loss, 0, loss, expected, jitterMs, 0, 0, 0, null, 0, false, 0);

    private static OutgoingStreamQuality Out(string kind, long expected, double loss, double? jitterMs, double? rtt) =>
        new("1", kind, 2, "peer", 100, 10000, 8000, 32000, jitterMs is null ? null : loss, 0, loss, expected, jitterMs, rtt, 0, 0, 0, 0, 0);

    [Fact]
    public void Participant_score_takes_the_worse_direction_and_audio_jitter()
    {
        // Uplink: audio 2 % of 250, video 10 % of 750 → 8 %. Downlink: 1 %.
        var incoming = new[] { In("audio", 250, 0.02, 4), In("video", 750, 0.10, 25) };
        var outgoing = new[] { Out("audio", 250, 0.01, 6, 40), Out("video", 750, 0.01, 30, 40) };
        var score = ParticipantScoring.Score(incoming, outgoing, 40)!;
        Assert.Equal(0.08, score.LossFraction, 9);
        Assert.Equal(6, score.JitterMs);     // audio streams only: max(4, 6); video jitter is frame bursts
        Assert.Equal(40, score.RoundTripTimeMs);
        Assert.Equal(EModel.Score(0.08, 40, 6), score);

        // Without audio, video jitter counts.
        var videoOnly = ParticipantScoring.Score([In("video", 750, 0, 25)], [], null)!;
        Assert.Equal(25, videoOnly.JitterMs);
        Assert.Equal(0, videoOnly.RoundTripTimeMs);

        // Nothing measured yet: no score.
        Assert.Null(ParticipantScoring.Score([In("audio", 0, 0, 0, packets: 0)], [Out("audio", 0, 0, null, null)], null));
    }

    [Fact]
    public void Call_score_is_the_worst_participant_and_serializes_its_level_as_text()
    {
        var good = EModel.Score(0, 20, 2);
        var fair = EModel.Score(0.06, 20, 2);
        Assert.Same(fair, ParticipantScoring.Worst([good, null, fair]));
        Assert.Null(ParticipantScoring.Worst([null, null]));
        var json = JsonSerializer.Serialize(fair);
        Assert.Contains("\"Level\":\"Fair\"", json);
    }
}
