using Media.Sfu.Rtcp;

namespace Media.Sfu.Tests.Rtcp;

public class RtcpFeedbackTests
{
    private static List<ushort> Lost(GenericNack nack)
    {
        var list = new List<ushort>();
        foreach (ushort seq in nack.LostSequenceNumbers)
        {
            list.Add(seq);
        }

        return list;
    }

    [Fact]
    public void Generic_nack_is_parsed_from_rfc4585_layout()
    {
        // RFC 4585 §6.1/§6.2.1: V=2 P=0 FMT=1 PT=205 length=3 | sender | media | PID=100 BLP=0x8011.
        // BLP bit i set means PID+i+1 is lost: bits 0, 4, 15 -> 101, 105, 116.
        var bytes = Convert.FromHexString("81CD0003" + "00000001" + "00000002" + "00648011");
        Assert.True(GenericNack.TryParse(bytes, out var nack));
        Assert.Equal(1u, nack.SenderSsrc);
        Assert.Equal(2u, nack.MediaSsrc);
        Assert.Equal(1, nack.ItemCount);
        Assert.Equal(new NackItem(100, 0x8011), nack.GetItem(0));
        Assert.Equal(new ushort[] { 100, 101, 105, 116 }, Lost(nack));
    }

    [Fact]
    public void Generic_nack_writer_packs_pid_blp_pairs()
    {
        ushort[] lost = { 100, 101, 105, 116, 117, 200 };
        // 100 starts a pair; 101/105/116 are within 16 (bits 0, 4, 15); 117 is 17 away: new pair; 200: new pair.
        var expected = Convert.FromHexString("81CD0005" + "00000001" + "00000002" + "00648011" + "00750000" + "00C80000");
        Span<byte> buffer = stackalloc byte[64];
        Assert.Equal(3, GenericNack.CountItems(lost));
        Assert.Equal(24, GenericNack.GetLength(lost));
        Assert.True(GenericNack.TryWrite(buffer, 1, 2, lost, out int written));
        Assert.Equal(expected, buffer[..written].ToArray());

        Assert.True(GenericNack.TryParse(buffer[..written], out var nack));
        Assert.Equal(lost, Lost(nack));
    }

    [Fact]
    public void Generic_nack_writer_handles_wrap_and_repeats()
    {
        ushort[] lost = { 65535, 0, 0, 3 };
        Span<byte> buffer = stackalloc byte[32];
        Assert.True(GenericNack.TryWrite(buffer, 1, 2, lost, out int written));
        // PID 65535; 0 is 1 after it (bit 0), 3 is 4 after it (bit 3): BLP 0x0009.
        Assert.Equal("FFFF0009", Convert.ToHexString(buffer.Slice(12, 4)));
        Assert.Equal(16, written);
        Assert.True(GenericNack.TryParse(buffer[..written], out var nack));
        Assert.Equal(new ushort[] { 65535, 0, 3 }, Lost(nack));

        Assert.False(GenericNack.TryWrite(buffer, 1, 2, ReadOnlySpan<ushort>.Empty, out _));
        Assert.False(GenericNack.TryWrite(buffer[..15], 1, 2, lost, out _));
    }

    [Fact]
    public void Generic_nack_random_sets_round_trip()
    {
        var random = new Random(4585);
        var buffer = new byte[2048];
        for (int run = 0; run < 500; run++)
        {
            var lost = new List<ushort>();
            ushort seq = (ushort)random.Next(65536);
            int count = random.Next(1, 80);
            for (int i = 0; i < count; i++)
            {
                seq += (ushort)random.Next(1, 30);
                lost.Add(seq);
            }

            Assert.True(GenericNack.TryWrite(buffer, 7, 8, lost.ToArray(), out int written));
            Assert.True(GenericNack.TryParse(buffer.AsSpan(0, written), out var nack));
            Assert.Equal(lost, Lost(nack));
        }
    }

    [Fact]
    public void Generic_nack_rejects_other_formats_and_partial_items()
    {
        Assert.False(GenericNack.TryParse(Convert.FromHexString("8FCD0003" + "00000001" + "00000002" + "00648011"), out _)); // FMT 15
        Assert.False(GenericNack.TryParse(Convert.FromHexString("81CE0003" + "00000001" + "00000002" + "00648011"), out _)); // PSFB
        Assert.False(GenericNack.TryParse(Convert.FromHexString("81CD0001" + "00000001"), out _)); // no media SSRC
    }

    [Fact]
    public void Picture_loss_indication_round_trips_byte_exact()
    {
        // RFC 4585 §6.3.1: FMT=1, PT=206, length=2, no FCI.
        var expected = Convert.FromHexString("81CE0002" + "0000000A" + "0000000B");
        Span<byte> buffer = stackalloc byte[16];
        Assert.True(new PictureLossIndication(10, 11).TryWrite(buffer, out int written));
        Assert.Equal(expected, buffer[..written].ToArray());
        Assert.True(PictureLossIndication.TryParse(expected, out var pli));
        Assert.Equal(new PictureLossIndication(10, 11), pli);

        Assert.False(PictureLossIndication.TryParse(Convert.FromHexString("84CE0002" + "0000000A" + "0000000B"), out _));
        Assert.False(new PictureLossIndication(1, 2).TryWrite(buffer[..11], out _));
    }

    [Fact]
    public void Full_intra_request_round_trips_byte_exact()
    {
        // RFC 5104 §4.3.1: FMT=4, PT=206 | sender | media SSRC unused (0) | FCI: SSRC, seq nr, 3 reserved bytes.
        var expected = Convert.FromHexString("84CE0006" + "0000000A" + "00000000" + "0000000B" + "07000000" + "0000000C" + "FF000000");
        Span<byte> buffer = stackalloc byte[64];
        buffer.Fill(0xEE);
        Assert.True(FullIntraRequest.TryWrite(buffer, 10, new[] { new FirEntry(11, 7), new FirEntry(12, 255) }, out int written));
        Assert.Equal(expected, buffer[..written].ToArray());

        Assert.True(FullIntraRequest.TryParse(expected, out var fir));
        Assert.Equal(10u, fir.SenderSsrc);
        Assert.Equal(0u, fir.MediaSsrc);
        Assert.Equal(2, fir.EntryCount);
        Assert.Equal(new FirEntry(11, 7), fir.GetEntry(0));
        Assert.Equal(new FirEntry(12, 255), fir.GetEntry(1));
        Assert.Equal(default, fir.GetEntry(2));

        Assert.False(FullIntraRequest.TryParse(Convert.FromHexString("84CE0003" + "0000000A" + "00000000" + "0000000B"), out _));
    }

    [Fact]
    public void Remb_round_trips_byte_exact()
    {
        // draft-alvestrand-rmcat-remb §2.2: FMT=15, PT=206 | sender | media 0 | "REMB" | num SSRC=1, exp 2,
        // mantissa 250000 (1,000,000 bps) | SSRC feedback.
        var expected = Convert.FromHexString("8FCE0005" + "0000000A" + "00000000" + "52454D42" + "010BD090" + "12345678");
        Span<byte> buffer = stackalloc byte[64];
        Assert.True(ReceiverEstimatedMaxBitrate.TryWrite(buffer, 10, 1_000_000, new uint[] { 0x12345678 }, out int written));
        Assert.Equal(expected, buffer[..written].ToArray());

        Assert.True(ReceiverEstimatedMaxBitrate.TryParse(expected, out var remb));
        Assert.Equal(10u, remb.SenderSsrc);
        Assert.Equal(0u, remb.MediaSsrc);
        Assert.Equal(1_000_000UL, remb.Bitrate);
        Assert.Equal(1, remb.SsrcCount);
        Assert.Equal(0x12345678u, remb.GetSsrc(0));
    }

    [Theory]
    [InlineData(0UL, 0, 0u)]
    [InlineData(262_143UL, 0, 262_143u)]
    [InlineData(262_144UL, 1, 131_072u)]
    [InlineData(2_500_001UL, 4, 156_250u)] // rounds down: 156250 << 4 = 2,500,000
    [InlineData(ulong.MaxValue, 46, 262_143u)]
    public void Remb_bitrate_uses_the_smallest_exponent(ulong bitrate, int exponent, uint mantissa)
    {
        ReceiverEstimatedMaxBitrate.EncodeBitrate(bitrate, out int e, out uint m);
        Assert.Equal(exponent, e);
        Assert.Equal(mantissa, m);
    }

    [Fact]
    public void Remb_rejects_other_afb_overflow_and_missing_ssrcs()
    {
        Assert.False(ReceiverEstimatedMaxBitrate.TryParse(
            Convert.FromHexString("8FCE0005" + "0000000A" + "00000000" + "52454D43" + "010BD090" + "12345678"), out _)); // "REMC"
        Assert.False(ReceiverEstimatedMaxBitrate.TryParse(
            Convert.FromHexString("8FCE0004" + "0000000A" + "00000000" + "52454D42" + "010BD090"), out _)); // 1 SSRC announced, none present
        // Exponent 63 with a large mantissa does not fit 64 bits.
        Assert.False(ReceiverEstimatedMaxBitrate.TryParse(
            Convert.FromHexString("8FCE0004" + "0000000A" + "00000000" + "52454D42" + "00FFFFFF"), out _));
        // Exponent 46 with the largest mantissa is the largest representable value.
        Assert.True(ReceiverEstimatedMaxBitrate.TryParse(
            Convert.FromHexString("8FCE0004" + "0000000A" + "00000000" + "52454D42" + "00BBFFFF"), out var max));
        Assert.Equal(262_143UL << 46, max.Bitrate);
        Assert.Equal(0, max.SsrcCount);
    }
}
