using Media.Sfu.Rtcp;

namespace Media.Sfu.Tests.Rtcp;

public class RtcpCompoundReaderTests
{
    // SR (RC=0) + SDES with CNAME "host" (RFC 3550 §6.1 compound: report first, then SDES).
    private static readonly byte[] SenderReportAndSdes = Convert.FromHexString(
        "80C80006" + "11223344" + "B44DB705" + "20000000" + "0001E240" + "00000064" + "00003E80" +
        "81CA0003" + "11223344" + "0104686F" + "73740000");

    [Fact]
    public void Iterates_the_packets_of_a_compound()
    {
        var reader = new RtcpCompoundReader(SenderReportAndSdes);

        Assert.True(reader.TryReadNext(out var first, out var firstPacket));
        Assert.Equal(RtcpPacketType.SenderReport, first.PacketType);
        Assert.Equal(0, first.Count);
        Assert.Equal(6, first.LengthInWords);
        Assert.Equal(28, first.PacketLength);
        Assert.Equal(28, firstPacket.Length);
        Assert.False(first.HasPadding);

        Assert.True(reader.TryReadNext(out var second, out var secondPacket));
        Assert.Equal(RtcpPacketType.SourceDescription, second.PacketType);
        Assert.Equal(1, second.Count);
        Assert.Equal(16, secondPacket.Length);
        Assert.Equal(44, reader.Offset);

        Assert.False(reader.TryReadNext(out _, out _));
        Assert.Equal(RtcpCompoundError.None, reader.Error);
        Assert.Equal(RtcpCompoundError.None, RtcpCompoundReader.Validate(SenderReportAndSdes));
    }

    [Theory]
    [InlineData("", RtcpCompoundError.Truncated)]
    [InlineData("80C9000111223344" + "80C9", RtcpCompoundError.Truncated)]
    [InlineData("40C9000111223344", RtcpCompoundError.BadVersion)]
    [InlineData("80C9000211223344", RtcpCompoundError.LengthExceedsBuffer)]
    [InlineData("A0C90002" + "11223344" + "00000000", RtcpCompoundError.BadPadding)] // count 0
    [InlineData("A0C90002" + "11223344" + "00000009", RtcpCompoundError.BadPadding)] // count > length − 4
    [InlineData("A0C90002" + "11223344" + "00000004" + "80C9000111223344", RtcpCompoundError.PaddingNotLast)]
    public void Reports_why_a_compound_is_invalid(string hex, RtcpCompoundError expected)
    {
        Assert.Equal(expected, RtcpCompoundReader.Validate(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Stops_at_the_first_invalid_packet_after_yielding_the_valid_ones()
    {
        var bytes = Convert.FromHexString("80C9000111223344" + "40C9000111223344");
        var reader = new RtcpCompoundReader(bytes);
        Assert.True(reader.TryReadNext(out _, out _));
        Assert.False(reader.TryReadNext(out _, out _));
        Assert.Equal(RtcpCompoundError.BadVersion, reader.Error);
        Assert.False(reader.TryReadNext(out _, out _));
    }

    [Fact]
    public void Padding_on_the_last_packet_is_excluded_from_its_content()
    {
        // RR with no blocks, 4 bytes of padding (count 4 in the last octet).
        var bytes = Convert.FromHexString("A0C90002" + "11223344" + "00000004");
        var reader = new RtcpCompoundReader(bytes);
        Assert.True(reader.TryReadNext(out var header, out var packet));
        Assert.True(header.HasPadding);
        Assert.Equal(4, header.PaddingLength);
        Assert.Equal(8, header.ContentLength);
        Assert.True(RtcpReceiverReport.TryParse(packet, out var rr));
        Assert.Equal(0x11223344u, rr.Ssrc);
        Assert.Equal(0, rr.ProfileExtension.Length);
    }

    [Fact]
    public void Lenient_mode_accepts_padding_on_every_packet_as_libwebrtc_sends_transport_cc()
    {
        var single = new byte[64];
        Assert.True(TransportCcFeedbackWriter.TryWrite(single, 1, 2, 0,
            new[] { new TransportCcArrival(1, 0), new TransportCcArrival(2, 1000), new TransportCcArrival(3, 2000) }, out int length, out _));
        Assert.True(new RtcpCompoundReader(single.AsSpan(0, length)).TryReadNext(out var header, out _));
        Assert.True(header.HasPadding);

        var twice = new byte[2 * length];
        single.AsSpan(0, length).CopyTo(twice);
        single.AsSpan(0, length).CopyTo(twice.AsSpan(length));

        Assert.Equal(RtcpCompoundError.PaddingNotLast, RtcpCompoundReader.Validate(twice));
        Assert.Equal(RtcpCompoundError.None, RtcpCompoundReader.Validate(twice, allowPaddingOnAnyPacket: true));

        var reader = new RtcpCompoundReader(twice, allowPaddingOnAnyPacket: true);
        int count = 0;
        while (reader.TryReadNext(out _, out var packet))
        {
            Assert.True(TransportCcFeedback.TryParse(packet, out var feedback));
            Assert.Equal(3, feedback.PacketStatusCount);
            count++;
        }

        Assert.Equal(2, count);
    }

    [Fact]
    public void Header_write_and_parse_round_trip()
    {
        Span<byte> buffer = stackalloc byte[12];
        buffer.Clear();
        Assert.True(RtcpHeader.TryWrite(buffer, 31, RtcpPacketType.PayloadSpecificFeedback, 12));
        Assert.Equal(new byte[] { 0x9F, 0xCE, 0x00, 0x02 }, buffer[..4].ToArray());
        Assert.True(RtcpHeader.TryParse(buffer, out var header));
        Assert.Equal(31, header.Format);
        Assert.Equal(12, header.PacketLength);

        Assert.False(RtcpHeader.TryWrite(buffer, 32, 200, 12));
        Assert.False(RtcpHeader.TryWrite(buffer, 1, 200, 10));
        Assert.False(RtcpHeader.TryWrite(buffer[..3], 1, 200, 12));
        Assert.False(RtcpHeader.TryParse(buffer[..8], out _));
    }
}
