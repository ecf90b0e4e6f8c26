using Media.Sfu.Rtp;

namespace Media.Sfu.Tests.Rtp;

public class RtxPayloadFormatTests
{
    // Original: PT 96, seq 0x1234, ts 0x01020304, SSRC 0xAAAAAAAA, one-byte extension id 5 = 00 07,
    // payload 10 20 30, padding 2 bytes.
    private static byte[] Original() => Convert.FromHexString(
        "B0" + "E0" + "1234" + "01020304" + "AAAAAAAA" + "BEDE0001" + "51000700" + "102030" + "0002");

    [Fact]
    public void Wrap_puts_osn_first_and_swaps_ssrc_pt_and_sequence()
    {
        var original = Original();
        var rtx = new byte[64];
        Assert.True(RtxPayloadFormat.TryWrap(original, rtx, rtxSsrc: 0xBBBBBBBB, rtxPayloadType: 97, rtxSequenceNumber: 0x0042, out int length));

        // RFC 4588 §4: same header (extension kept, padding dropped), payload = OSN || original payload.
        var expected = Convert.FromHexString(
            "90" + "E1" + "0042" + "01020304" + "BBBBBBBB" + "BEDE0001" + "51000700" + "1234" + "102030");
        Assert.Equal(expected, rtx[..length]);
        Assert.Equal(length, RtxPayloadFormat.GetWrappedLength(original));
        Assert.True(RtxPayloadFormat.TryGetOriginalSequenceNumber(rtx.AsSpan(0, length), out ushort osn));
        Assert.Equal(0x1234, osn);
    }

    [Fact]
    public void Unwrap_restores_the_original_without_padding()
    {
        var original = Original();
        var rtx = new byte[64];
        Assert.True(RtxPayloadFormat.TryWrap(original, rtx, 0xBBBBBBBB, 97, 0x0042, out int rtxLength));

        var restored = new byte[64];
        Assert.True(RtxPayloadFormat.TryUnwrap(rtx.AsSpan(0, rtxLength), restored, 0xAAAAAAAA, 96, out int length));

        var expected = Convert.FromHexString(
            "90" + "E0" + "1234" + "01020304" + "AAAAAAAA" + "BEDE0001" + "51000700" + "102030");
        Assert.Equal(expected, restored[..length]);
    }

    [Fact]
    public void Wrap_and_unwrap_work_in_place()
    {
        var original = Original();
        var buffer = new byte[64];
        original.CopyTo(buffer, 0);

        Assert.True(RtxPayloadFormat.TryWrap(buffer.AsSpan(0, original.Length), buffer, 0xBBBBBBBB, 97, 7, out int rtxLength));
        var separate = new byte[64];
        Assert.True(RtxPayloadFormat.TryWrap(original, separate, 0xBBBBBBBB, 97, 7, out int separateLength));
        Assert.Equal(separate[..separateLength], buffer[..rtxLength]);

        Assert.True(RtxPayloadFormat.TryUnwrap(buffer.AsSpan(0, rtxLength), buffer, 0xAAAAAAAA, 96, out int length));
        Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, length), out var packet));
        Assert.Equal(0x1234, packet.SequenceNumber);
        Assert.Equal(0xAAAAAAAAu, packet.Ssrc);
        Assert.Equal(96, packet.PayloadType);
        Assert.Equal(new byte[] { 0x10, 0x20, 0x30 }, packet.Payload.ToArray());
        Assert.True(packet.TryGetExtension(5, out var ext));
        Assert.Equal(new byte[] { 0, 7 }, ext.ToArray());
    }

    [Fact]
    public void Rejects_small_destinations_and_short_rtx_payloads()
    {
        var original = Original();
        Assert.False(RtxPayloadFormat.TryWrap(original, new byte[24], 1, 97, 1, out _)); // needs 20 + 2 + 3
        Assert.True(RtxPayloadFormat.TryWrap(original, new byte[25], 1, 97, 1, out _));

        // An RTX packet with a 1-byte payload has no complete OSN.
        var tiny = Convert.FromHexString("80610001000000010000000299");
        Assert.False(RtxPayloadFormat.TryUnwrap(tiny, new byte[64], 1, 96, out _));
        Assert.False(RtxPayloadFormat.TryGetOriginalSequenceNumber(tiny, out _));
        Assert.False(RtxPayloadFormat.TryWrap(new byte[5], new byte[64], 1, 97, 1, out _));
        Assert.Equal(-1, RtxPayloadFormat.GetWrappedLength(new byte[5]));
    }

    [Fact]
    public void Padding_only_probe_wraps_to_an_osn_only_rtx_packet()
    {
        var buffer = new byte[300];
        var writer = new RtpPacketWriter(buffer, 96, 500, 1, 0xAAAAAAAA);
        Assert.True(writer.TryComplete(200, out int probeLength));

        var rtx = new byte[300];
        Assert.True(RtxPayloadFormat.TryWrap(buffer.AsSpan(0, probeLength), rtx, 2, 97, 9, out int length));
        Assert.Equal(14, length);
        Assert.True(RtxPayloadFormat.TryGetOriginalSequenceNumber(rtx.AsSpan(0, length), out ushort osn));
        Assert.Equal(500, osn);
    }
}
