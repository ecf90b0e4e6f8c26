using Media.Sfu.Rtcp;
using Media.Sfu.Rtp;

namespace Media.Sfu.Tests.Rtcp;

public class RtcpReportTests
{
    // One report block following the RFC 3550 §6.4.1 layout: SSRC_1 0x55667788, fraction lost 25,
    // cumulative lost −1 (24-bit two's complement), extended highest seq 65541, jitter 42,
    // LSR 0xB7052000, DLSR 0x00054000 (5.25 s).
    private const string BlockHex = "55667788" + "19FFFFFF" + "00010005" + "0000002A" + "B7052000" + "00054000";

    private static readonly ReportBlock Block = new(0x55667788, 25, -1, 65541, 42, 0xB7052000, 0x00054000);

    // SR: V=2 P=0 RC=1 PT=200 length=12 | SSRC | NTP 0xB44DB705:20000000 | RTP ts 123456 | 100 packets | 16000 octets | block.
    private const string SenderReportHex =
        "81C8000C" + "11223344" + "B44DB705" + "20000000" + "0001E240" + "00000064" + "00003E80" + BlockHex;

    [Fact]
    public void Sender_report_is_written_byte_exact()
    {
        Span<byte> buffer = stackalloc byte[64];
        var info = new RtcpSenderInfo(0xB44DB705_20000000, 123456, 100, 16000);
        Assert.True(RtcpSenderReport.TryWrite(buffer, 0x11223344, info, new[] { Block }, out int written));
        Assert.Equal(52, written);
        Assert.Equal(Convert.FromHexString(SenderReportHex), buffer[..written].ToArray());
        Assert.Equal(written, RtcpSenderReport.GetLength(1));
    }

    [Fact]
    public void Sender_report_is_parsed_from_hand_built_bytes()
    {
        var bytes = Convert.FromHexString(SenderReportHex);
        Assert.True(RtcpSenderReport.TryParse(bytes, out var sr));
        Assert.Equal(0x11223344u, sr.Ssrc);
        Assert.Equal(0xB44DB705_20000000UL, sr.NtpTimestamp);
        Assert.Equal(new DateTime(1995, 11, 10, 11, 33, 25, 125, DateTimeKind.Utc), NtpTime.ToDateTime(sr.NtpTimestamp));
        Assert.Equal(123456u, sr.RtpTimestamp);
        Assert.Equal(100u, sr.PacketCount);
        Assert.Equal(16000u, sr.OctetCount);
        Assert.Equal(new RtcpSenderInfo(0xB44DB705_20000000, 123456, 100, 16000), sr.SenderInfo);
        Assert.Equal(1, sr.ReportCount);
        Assert.Equal(Block, sr.GetReportBlock(0));
        Assert.Equal(default, sr.GetReportBlock(1));
        Assert.Equal(0, sr.ProfileExtension.Length);
    }

    [Fact]
    public void Sender_report_rejects_missing_blocks_and_wrong_type()
    {
        var bytes = Convert.FromHexString(SenderReportHex);
        bytes[0] = 0x82; // RC=2 but one block present
        Assert.False(RtcpSenderReport.TryParse(bytes, out _));
        bytes[0] = 0x81;
        bytes[1] = 201;
        Assert.False(RtcpSenderReport.TryParse(bytes, out _));
        Assert.False(RtcpSenderReport.TryParse(Convert.FromHexString("80C80001" + "11223344"), out _));
    }

    [Fact]
    public void Receiver_report_round_trips_byte_exact()
    {
        var expected = Convert.FromHexString("81C90007" + "11223344" + BlockHex);
        Span<byte> buffer = stackalloc byte[64];
        Assert.True(RtcpReceiverReport.TryWrite(buffer, 0x11223344, new[] { Block }, out int written));
        Assert.Equal(expected, buffer[..written].ToArray());

        Assert.True(RtcpReceiverReport.TryParse(expected, out var rr));
        Assert.Equal(0x11223344u, rr.Ssrc);
        Assert.Equal(1, rr.ReportCount);
        Assert.Equal(Block, rr.GetReportBlock(0));
    }

    [Fact]
    public void Empty_receiver_report_and_profile_extension()
    {
        Span<byte> buffer = stackalloc byte[16];
        Assert.True(RtcpReceiverReport.TryWrite(buffer, 0xCAFEBABE, ReadOnlySpan<ReportBlock>.Empty, out int written));
        Assert.Equal(Convert.FromHexString("80C90001CAFEBABE"), buffer[..written].ToArray());

        // An RR with RC=0 and 4 extra bytes: those are a profile-specific extension.
        var withExtension = Convert.FromHexString("80C90002" + "CAFEBABE" + "01020304");
        Assert.True(RtcpReceiverReport.TryParse(withExtension, out var rr));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, rr.ProfileExtension.ToArray());
    }

    [Fact]
    public void Writers_refuse_more_than_31_blocks_or_a_small_buffer()
    {
        var blocks = new ReportBlock[32];
        var buffer = new byte[2048];
        Assert.False(RtcpReceiverReport.TryWrite(buffer, 1, blocks, out _));
        Assert.False(RtcpSenderReport.TryWrite(buffer, 1, default, blocks, out _));
        Assert.True(RtcpReceiverReport.TryWrite(buffer, 1, blocks.AsSpan(0, 31), out int written));
        Assert.Equal(8 + 31 * 24, written);
        Assert.False(RtcpReceiverReport.TryWrite(buffer.AsSpan(0, 31), 1, blocks.AsSpan(0, 1), out _));
    }

    [Theory]
    [InlineData(-1, "FFFFFF")]
    [InlineData(0, "000000")]
    [InlineData(0x7FFFFF, "7FFFFF")]
    [InlineData(0x1000000, "7FFFFF")] // clamped
    [InlineData(-0x800000, "800000")]
    [InlineData(-0x900000, "800000")] // clamped
    public void Cumulative_lost_is_24_bit_signed(int lost, string wire)
    {
        Span<byte> buffer = stackalloc byte[24];
        Assert.True(new ReportBlock(1, 0xAB, lost, 0, 0, 0, 0).TryWrite(buffer));
        Assert.Equal("AB" + wire, Convert.ToHexString(buffer.Slice(4, 4)));
        Assert.True(ReportBlock.TryRead(buffer, out var back));
        Assert.Equal(Math.Clamp(lost, -0x800000, 0x7FFFFF), back.CumulativeLost);
        Assert.False(ReportBlock.TryRead(buffer[..23], out _));
    }

    [Fact]
    public void Receive_statistics_snapshot_fills_a_report_block()
    {
        var stats = new RtpReceiveStatistics(0x55667788, 90000);
        foreach (ushort seq in new ushort[] { 0, 1, 2, 4 })
        {
            stats.OnPacket(seq, 0, 0, 100);
        }

        Assert.True(stats.TryTakeSnapshot(0, out var s));
        var block = new ReportBlock(s.Ssrc, s.FractionLost, s.CumulativeLost, s.ExtendedHighestSequenceNumber, s.Jitter,
            s.LastSenderReport, s.DelaySinceLastSenderReport);
        Span<byte> buffer = stackalloc byte[64];
        Assert.True(RtcpReceiverReport.TryWrite(buffer, 1, new[] { block }, out int written));
        Assert.True(RtcpReceiverReport.TryParse(buffer[..written], out var rr));
        // Expected 4 (1..4), received 3: fraction (1 << 8) / 4 = 64.
        Assert.Equal(64, rr.GetReportBlock(0).FractionLost);
        Assert.Equal(1, rr.GetReportBlock(0).CumulativeLost);
        Assert.Equal(4u, rr.GetReportBlock(0).ExtendedHighestSequenceNumber);
    }
}
