using Media.Sfu.Sdp;

namespace Media.Sfu.Tests.Sdp;

public class CodecParameterTests
{
    [Theory]
    [InlineData("42e01f", H264Profile.ConstrainedBaseline, 0x1f)]
    [InlineData("42E034", H264Profile.ConstrainedBaseline, 0x34)]
    [InlineData("42001f", H264Profile.Baseline, 0x1f)]
    [InlineData("4d001f", H264Profile.Main, 0x1f)]
    [InlineData("4de01f", H264Profile.ConstrainedBaseline, 0x1f)]
    [InlineData("58c01e", H264Profile.ConstrainedBaseline, 0x1e)]
    [InlineData("58801e", H264Profile.Baseline, 0x1e)]
    [InlineData("58001e", H264Profile.Extended, 0x1e)]
    [InlineData("640c1f", H264Profile.ConstrainedHigh, 0x1f)]
    [InlineData("64001f", H264Profile.High, 0x1f)]
    [InlineData("6e001f", H264Profile.High10, 0x1f)]
    [InlineData("7a001f", H264Profile.High422, 0x1f)]
    [InlineData("f4001f", H264Profile.High444Predictive, 0x1f)]
    [InlineData("53001f", H264Profile.Unknown, 0x1f)]
    public void H264ProfileLevelId_ClassifiesProfiles(string text, H264Profile profile, int level)
    {
        // RFC 6184 §8.1 Table 5 combinations of profile_idc and profile-iop.
        Assert.True(H264ProfileLevelId.TryParse(text, out var id));
        Assert.Equal(profile, id.Profile);
        Assert.Equal(level, id.LevelIdc);
        Assert.Equal(text.ToLowerInvariant(), id.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("42e01")]
    [InlineData("42e01f0")]
    [InlineData("42g01f")]
    public void H264ProfileLevelId_RejectsMalformed(string? text)
    {
        Assert.False(H264ProfileLevelId.TryParse(text, out _));
    }

    [Fact]
    public void H264ProfileLevelId_DefaultIsBaselineLevel1()
    {
        Assert.Equal(H264Profile.Baseline, H264ProfileLevelId.Default.Profile);
        Assert.Equal(10, H264ProfileLevelId.Default.LevelIdc);
    }

    [Fact]
    public void FormatParameters_ParseLookupAndWrite()
    {
        var p = FormatParameters.Parse("minptime=10; useinbandfec=1;;Stereo=1");

        Assert.Equal(3, p.Count);
        Assert.Equal("10", p.Get("minptime"));
        Assert.Equal("1", p.Get("stereo"));
        Assert.True(p.TryGetInt("useinbandfec", out int fec));
        Assert.Equal(1, fec);
        Assert.Null(p.Get("maxaveragebitrate"));
        p.Set("maxaveragebitrate", "32000").Set("STEREO", "0").Remove("minptime");
        Assert.Equal("useinbandfec=1;Stereo=0;maxaveragebitrate=32000", p.ToString());
        Assert.Equal("0", p.ToDictionary()["stereo"]);
    }

    [Fact]
    public void FormatParameters_BareEntries()
    {
        var red = FormatParameters.Parse("111/111");
        var dtmf = FormatParameters.Parse("0-15");

        Assert.Equal("111/111", red.Entries.Single().Key);
        Assert.Null(red.Entries.Single().Value);
        Assert.Null(red.Get("111/111"));
        Assert.Equal("0-15", dtmf.ToString());
        Assert.Equal("", dtmf.ToDictionary()["0-15"]);
        Assert.Equal(0, FormatParameters.Parse(null).Count);
    }

    [Fact]
    public void MediaDirection_ReverseAndFlags()
    {
        Assert.Equal(MediaDirection.RecvOnly, MediaDirection.SendOnly.Reverse());
        Assert.Equal(MediaDirection.SendRecv, MediaDirection.SendRecv.Reverse());
        Assert.Equal(MediaDirection.Inactive, SdpEnumText.FromFlags(false, false));
        Assert.True(MediaDirection.SendRecv.Sends() && MediaDirection.SendRecv.Receives());
        Assert.False(MediaDirection.RecvOnly.Sends());
    }
}
