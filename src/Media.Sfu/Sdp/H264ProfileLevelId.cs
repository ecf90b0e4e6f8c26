namespace Media.Sfu.Sdp;

/// <summary>H.264 profiles as distinguished by profile_idc plus constraint flags (RFC 6184 §8.1, Table 5).</summary>
public enum H264Profile
{
    Unknown,
    ConstrainedBaseline,
    Baseline,
    Main,
    Extended,
    ConstrainedHigh,
    High,
    High10,
    High422,
    High444Predictive,
}

/// <summary>
/// The H.264 <c>profile-level-id</c> fmtp value: profile_idc, profile-iop (constraint flags) and
/// level_idc as three hex bytes (RFC 6184 §8.1).
/// </summary>
public readonly record struct H264ProfileLevelId(byte ProfileIdc, byte ProfileIop, byte LevelIdc)
{
    /// <summary>RFC 6184 §8.1: when profile-level-id is absent, Baseline at level 1 is inferred.</summary>
    public static H264ProfileLevelId Default => new(0x42, 0x00, 0x0A);

    public static bool TryParse(string? text, out H264ProfileLevelId value)
    {
        value = default;
        if (text is null || text.Length != 6) return false;
        Span<byte> bytes = stackalloc byte[3];
        for (int i = 0; i < 3; i++)
        {
            int hi = HexValue(text[2 * i]);
            int lo = HexValue(text[2 * i + 1]);
            if (hi < 0 || lo < 0) return false;
            bytes[i] = (byte)(hi << 4 | lo);
        }
        value = new H264ProfileLevelId(bytes[0], bytes[1], bytes[2]);
        return true;
    }

    /// <summary>Profile from profile_idc and the constraint_set flags (bit 7 = set0 … bit 2 = set5).</summary>
    public H264Profile Profile
    {
        get
        {
            bool set0 = (ProfileIop & 0x80) != 0;
            bool set1 = (ProfileIop & 0x40) != 0;
            bool set4 = (ProfileIop & 0x08) != 0;
            bool set5 = (ProfileIop & 0x04) != 0;
            return ProfileIdc switch
            {
                // Constrained Baseline is any stream Baseline, Main and Extended decoders all accept.
                0x42 => set1 ? H264Profile.ConstrainedBaseline : H264Profile.Baseline,
                0x4D => set0 ? H264Profile.ConstrainedBaseline : H264Profile.Main,
                0x58 => set0 && set1 ? H264Profile.ConstrainedBaseline : set0 ? H264Profile.Baseline : H264Profile.Extended,
                0x64 => set4 && set5 ? H264Profile.ConstrainedHigh : H264Profile.High,
                0x6E => H264Profile.High10,
                0x7A => H264Profile.High422,
                0xF4 => H264Profile.High444Predictive,
                _ => H264Profile.Unknown,
            };
        }
    }

    public override string ToString() => $"{ProfileIdc:x2}{ProfileIop:x2}{LevelIdc:x2}";

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
