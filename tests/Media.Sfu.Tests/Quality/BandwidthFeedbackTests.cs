using Media.Sfu.Quality;
using Media.Sfu.Rtcp;

namespace Media.Sfu.Tests.Quality;

public sealed class BandwidthFeedbackTests
{
    [Theory]
    [InlineData(400_000, null, 600_000)]     // measured × 1.5
    [InlineData(0, null, 300_000)]           // floor: a paused or starting publisher may still send 300 kbps
    [InlineData(3_000_000, null, 2_500_000)] // ceiling
    [InlineData(400_000, 500, 500_000)]      // the call's video cap bounds the estimate…
    [InlineData(0, 200, 200_000)]            // …even below the floor
    public void Remb_estimate_is_measured_times_headroom_within_floor_ceiling_and_cap(long measured, int? capKbps, long expected)
    {
        Assert.Equal(expected, BandwidthFeedbackSettings.Default.EstimateBps(measured, capKbps));
    }

    [Theory]
    // PSFB (PT 206) FMT 15, length 5 words, media SSRC 0, "REMB", 1 SSRC, exponent/mantissa, the SSRC.
    [InlineData(600_000, "010A49F0")] // 150000 << 2
    [InlineData(500_000, "0107D090")] // 250000 << 1
    [InlineData(300_000, "010649F0")] // 150000 << 1
    [InlineData(262_143, "0103FFFF")] // the largest mantissa with exponent 0
    public void Remb_bytes_carry_the_estimate_as_exponent_and_mantissa(long bps, string word)
    {
        var buffer = new byte[64];
        Assert.True(ReceiverEstimatedMaxBitrate.TryWrite(buffer, 0xAABBCCDD, (ulong)bps, [0x01020304u], out var n));
        Assert.Equal("8FCE0005" + "AABBCCDD" + "00000000" + "52454D42" + word + "01020304", Convert.ToHexString(buffer, 0, n));
        Assert.True(ReceiverEstimatedMaxBitrate.TryParse(buffer.AsSpan(0, n), out var remb));
        Assert.Equal((ulong)bps, remb.Bitrate);
    }

    [Fact]
    public void Settings_validation()
    {
        Assert.Empty(BandwidthFeedbackSettings.Default.Validate());
        Assert.NotEmpty(new BandwidthFeedbackSettings(FloorKbps: 1000, CeilingKbps: 500).Validate());
        Assert.NotEmpty(new BandwidthFeedbackSettings(Headroom: 0.5).Validate());
        Assert.NotEmpty(new BandwidthFeedbackSettings(FloorKbps: 0).Validate());
        // The node's options carry them (section "Sfu") and refuse bad values at start-up.
        Assert.Empty(new Media.Sfu.Hosting.SfuOptions().Validate());
        Assert.Contains(new Media.Sfu.Hosting.SfuOptions { RembCeilingKbps = 100 }.Validate(), e => e.Contains("REMB ceiling"));
        var settings = new Media.Sfu.Hosting.SfuOptions { RembFloorKbps = 100, RembCeilingKbps = 900, SendTransportCc = false }.FeedbackSettings();
        Assert.Equal(new BandwidthFeedbackSettings(100, 900, 1.5, SendRemb: true, SendTransportCc: false), settings);
    }
}
