using Media.Sfu.Rtp;

namespace Media.Sfu.Tests.Rtp;

public class RtpPacketTests
{
    // RFC 3550 §5.1 header laid out by hand: V=2 P=0 X=0 CC=2 | M=1 PT=96 | seq 0x1234 | ts 0xDEADBEEF |
    // SSRC 0x11223344 | CSRC 0xAABBCCDD, 0x01020304 | payload 01 02 03.
    private static byte[] HandBuiltPacket() => Convert.FromHexString(
        "82" + "E0" + "1234" + "DEADBEEF" + "11223344" + "AABBCCDD" + "01020304" + "010203");

    [Fact]
    public void Parses_fixed_header_and_csrcs()
    {
        var bytes = HandBuiltPacket();
        Assert.True(RtpPacket.TryParse(bytes, out var packet));

        Assert.True(packet.Marker);
        Assert.Equal(96, packet.PayloadType);
        Assert.Equal(0x1234, packet.SequenceNumber);
        Assert.Equal(0xDEADBEEFu, packet.Timestamp);
        Assert.Equal(0x11223344u, packet.Ssrc);
        Assert.Equal(2, packet.CsrcCount);
        Assert.Equal(0xAABBCCDDu, packet.GetCsrc(0));
        Assert.Equal(0x01020304u, packet.GetCsrc(1));
        Assert.Equal(0u, packet.GetCsrc(2));
        Assert.Equal(8, packet.Csrcs.Length);
        Assert.Equal(20, packet.HeaderLength);
        Assert.Equal(new byte[] { 1, 2, 3 }, packet.Payload.ToArray());
        Assert.Equal(0, packet.PaddingLength);
        Assert.False(packet.HasExtension);
        Assert.Equal(RtpExtensionForm.None, packet.ExtensionForm);
        Assert.False(packet.TryGetExtension(1, out _));
    }

    [Fact]
    public void Setters_rewrite_the_buffer_in_place()
    {
        var bytes = HandBuiltPacket();
        Assert.True(RtpPacket.TryParse(bytes, out var packet));

        packet.SequenceNumber = 0xBEEF;
        packet.Timestamp = 0x01020304;
        packet.Ssrc = 0xCAFEBABE;
        packet.PayloadType = 111;
        packet.Marker = false;

        Assert.Equal(Convert.FromHexString("82" + "6F" + "BEEF" + "01020304" + "CAFEBABE"), bytes[..12]);
        packet.Marker = true;
        Assert.Equal(0xEF, bytes[1]);
        packet.PayloadType = 0xFF; // high bit ignored: the marker is untouched
        Assert.Equal(0xFF, bytes[1]);
        Assert.Equal(127, packet.PayloadType);
        Assert.True(packet.Marker);
    }

    [Fact]
    public void Padding_is_validated_against_the_length()
    {
        // P=1, 3 payload bytes, then 4 padding bytes whose last octet is the count.
        var ok = Convert.FromHexString("A0" + "60" + "0001" + "00000001" + "00000002" + "AABBCC" + "00000004");
        Assert.True(RtpPacket.TryParse(ok, out var packet));
        Assert.Equal(4, packet.PaddingLength);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, packet.Payload.ToArray());

        var zeroCount = (byte[])ok.Clone();
        zeroCount[^1] = 0;
        Assert.False(RtpPacket.TryParse(zeroCount, out _));

        var tooLong = (byte[])ok.Clone();
        tooLong[^1] = 8; // only 7 bytes follow the header
        Assert.False(RtpPacket.TryParse(tooLong, out _));

        var wholeBody = (byte[])ok.Clone();
        wholeBody[^1] = 7; // padding may take every byte after the header (padding-only probe)
        Assert.True(RtpPacket.TryParse(wholeBody, out var probe));
        Assert.Equal(0, probe.Payload.Length);
    }

    [Theory]
    [InlineData("40600001000000010000000201")] // version 1
    [InlineData("8060000100000001000000")] // 11 bytes
    [InlineData("8160000100000001000000020000")] // CC=1 but CSRC truncated
    [InlineData("906000010000000100000002BEDE")] // extension header truncated
    [InlineData("906000010000000100000002BEDE000210")] // extension says 8 bytes, 1 present
    public void Rejects_malformed_headers(string hex)
    {
        Assert.False(RtpPacket.TryParse(Convert.FromHexString(hex), out _));
    }

    // RFC 8285 §4.2 one-byte example: an element with L=0 (1 byte), one with L=1 (2 bytes), two padding bytes,
    // one with L=3 (4 bytes); length = 3 words. Ids chosen as 1, 2, 3.
    private static byte[] OneByteExample() => Convert.FromHexString(
        "90" + "60" + "0007" + "00000010" + "00000099" +
        "BEDE" + "0003" +
        "10" + "AA" + "21" + "BBCC" + "0000" + "33" + "01020304" +
        "FF");

    [Fact]
    public void Reads_one_byte_extensions_from_rfc8285_example()
    {
        var bytes = OneByteExample();
        Assert.True(RtpPacket.TryParse(bytes, out var packet));
        Assert.Equal(RtpExtensionForm.OneByte, packet.ExtensionForm);
        Assert.Equal(0xBEDE, packet.ExtensionProfile);
        Assert.Equal(12, packet.ExtensionData.Length);
        Assert.Equal(28, packet.HeaderLength);
        Assert.Equal(new byte[] { 0xFF }, packet.Payload.ToArray());

        Assert.True(packet.TryGetExtension(1, out var one));
        Assert.Equal(new byte[] { 0xAA }, one.ToArray());
        Assert.True(packet.TryGetExtension(2, out var two));
        Assert.Equal(new byte[] { 0xBB, 0xCC }, two.ToArray());
        Assert.True(packet.TryGetExtension(3, out var three));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, three.ToArray());
        Assert.False(packet.TryGetExtension(4, out _));

        var ids = new List<int>();
        foreach (var extension in packet.Extensions)
        {
            ids.Add(extension.Id);
        }

        Assert.Equal(new[] { 1, 2, 3 }, ids);
    }

    // RFC 8285 §4.3 two-byte example: an element with L=0, one with L=1, a padding byte, one with L=4.
    private static byte[] TwoByteExample() => Convert.FromHexString(
        "90" + "60" + "0007" + "00000010" + "00000099" +
        "1000" + "0003" +
        "0100" + "0201" + "AA" + "00" + "C804" + "01020304" +
        "FF");

    [Fact]
    public void Reads_two_byte_extensions_from_rfc8285_example()
    {
        var bytes = TwoByteExample();
        Assert.True(RtpPacket.TryParse(bytes, out var packet));
        Assert.Equal(RtpExtensionForm.TwoByte, packet.ExtensionForm);

        Assert.True(packet.TryGetExtension(1, out var empty));
        Assert.Equal(0, empty.Length);
        Assert.True(packet.TryGetExtension(2, out var two));
        Assert.Equal(new byte[] { 0xAA }, two.ToArray());
        Assert.True(packet.TryGetExtension(200, out var big));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, big.ToArray());
    }

    [Fact]
    public void Rewrites_abs_send_time_and_transport_sequence_in_place()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new RtpPacketWriter(buffer, 96, 1, 2, 3);
        Assert.True(writer.TryAddExtension(3, new byte[] { 0, 0, 0 })); // abs-send-time, 24 bits
        Assert.True(writer.TryAddExtension(5, new byte[] { 0, 0 })); // transport-wide sequence number
        Assert.True(writer.TryWritePayload(new byte[] { 9 }));
        Assert.True(writer.TryComplete(0, out int length));

        Assert.True(RtpPacket.TryParse(buffer[..length], out var packet));
        Assert.True(packet.TryWriteExtension(3, new byte[] { 0x12, 0x34, 0x56 }));
        Assert.True(packet.TryGetExtension(5, out var transportSeq));
        transportSeq[0] = 0xAB;
        transportSeq[1] = 0xCD;
        Assert.False(packet.TryWriteExtension(5, new byte[] { 1, 2, 3 })); // length must not change

        // BEDE 0002 | 32 123456 | 51 ABCD | 00 (pad)
        Assert.Equal(Convert.FromHexString("BEDE0002" + "32123456" + "51ABCD00"), buffer.Slice(12, 12).ToArray());
        Assert.Equal(9, buffer[24]);
    }

    [Fact]
    public void Changes_extension_ids_within_the_form()
    {
        var bytes = OneByteExample();
        Assert.True(RtpPacket.TryParse(bytes, out var packet));

        Assert.True(packet.TryChangeExtensionId(2, 9));
        Assert.Equal(0x91, bytes[18]); // id nibble changed, length nibble kept
        Assert.True(packet.TryGetExtension(9, out var moved));
        Assert.Equal(new byte[] { 0xBB, 0xCC }, moved.ToArray());
        Assert.False(packet.TryGetExtension(2, out _));

        Assert.False(packet.TryChangeExtensionId(1, 15)); // 15 is reserved in the one-byte form
        Assert.False(packet.TryChangeExtensionId(1, 0));
        Assert.False(packet.TryChangeExtensionId(7, 8)); // absent

        var twoByte = TwoByteExample();
        Assert.True(RtpPacket.TryParse(twoByte, out var wide));
        Assert.True(wide.TryChangeExtensionId(200, 255));
        Assert.True(wide.TryGetExtension(255, out var value));
        Assert.Equal(4, value.Length);
    }

    [Fact]
    public void Remaps_ids_in_one_pass_so_swaps_work_and_zero_removes()
    {
        var bytes = OneByteExample();
        Assert.True(RtpPacket.TryParse(bytes, out var packet));

        // 1 -> removed, 2 <-> 3.
        Span<byte> map = stackalloc byte[4];
        map[1] = 0;
        map[2] = 3;
        map[3] = 2;
        Assert.True(packet.TryRemapExtensionIds(map));

        Assert.False(packet.TryGetExtension(1, out _));
        Assert.True(packet.TryGetExtension(3, out var wasTwo));
        Assert.Equal(new byte[] { 0xBB, 0xCC }, wasTwo.ToArray());
        Assert.True(packet.TryGetExtension(2, out var wasThree));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, wasThree.ToArray());
        Assert.Equal(new byte[] { 0, 0 }, bytes.AsSpan(16, 2).ToArray()); // removed element became padding

        var before = (byte[])bytes.Clone();
        map[2] = 15; // invalid: nothing may change
        Assert.False(packet.TryRemapExtensionIds(map));
        Assert.Equal(before, bytes);
    }

    [Fact]
    public void Removing_an_extension_leaves_the_others_readable()
    {
        var bytes = OneByteExample();
        Assert.True(RtpPacket.TryParse(bytes, out var packet));
        Assert.True(packet.TryRemoveExtension(2));
        Assert.False(packet.TryGetExtension(2, out _));
        Assert.True(packet.TryGetExtension(1, out _));
        Assert.True(packet.TryGetExtension(3, out var three));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, three.ToArray());
    }

    [Fact]
    public void Stops_at_reserved_id_15_and_at_overlong_elements()
    {
        // BEDE, 2 words: id 1 L=0 | id 15 | id 2 L=0 ... : everything after id 15 is ignored (RFC 8285 §4.2).
        var bytes = Convert.FromHexString("906000010000000100000002" + "BEDE0002" + "10AAF020" + "11000000");
        Assert.True(RtpPacket.TryParse(bytes, out var packet));
        Assert.True(packet.TryGetExtension(1, out _));
        Assert.False(packet.TryGetExtension(2, out _));

        // An element claiming 16 bytes in a 4-byte block.
        var overlong = Convert.FromHexString("906000010000000100000002" + "BEDE0001" + "1FAABBCC");
        Assert.True(RtpPacket.TryParse(overlong, out var bad));
        Assert.False(bad.TryGetExtension(1, out _));
    }

    [Fact]
    public void Writer_builds_a_byte_exact_packet_with_everything()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new RtpPacketWriter(buffer, payloadType: 100, sequenceNumber: 0xFFFF, timestamp: 0x80000001, ssrc: 0x0A0B0C0D, marker: true);
        Assert.True(writer.TryAddCsrc(0x11111111));
        Assert.True(writer.TryAddExtension(14, new byte[] { 0x42 }));
        Assert.True(writer.TryWritePayload(new byte[] { 0xDE, 0xAD }));
        Assert.True(writer.TryWritePayload(new byte[] { 0xBE }));
        Assert.False(writer.TryAddCsrc(1)); // out of order: writer is now failed
        Assert.False(writer.TryComplete(0, out _));

        writer = new RtpPacketWriter(buffer, 100, 0xFFFF, 0x80000001, 0x0A0B0C0D, true);
        Assert.True(writer.TryAddCsrc(0x11111111));
        Assert.True(writer.TryAddExtension(14, new byte[] { 0x42 }));
        Assert.True(writer.TryWritePayload(new byte[] { 0xDE, 0xAD, 0xBE }));
        Assert.True(writer.TryComplete(5, out int length));

        var expected = Convert.FromHexString(
            "B1" + "E4" + "FFFF" + "80000001" + "0A0B0C0D" + "11111111" +
            "BEDE" + "0001" + "E0" + "42" + "0000" +
            "DEADBE" + "0000000005");
        Assert.Equal(expected, buffer[..length].ToArray());

        Assert.True(RtpPacket.TryParse(buffer[..length], out var packet));
        Assert.Equal(5, packet.PaddingLength);
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE }, packet.Payload.ToArray());
        Assert.Equal(0x11111111u, packet.GetCsrc(0));
        Assert.True(packet.TryGetExtension(14, out var ext));
        Assert.Equal(0x42, ext[0]);
    }

    [Fact]
    public void Writer_builds_padding_only_probe_and_rejects_bad_input()
    {
        Span<byte> buffer = stackalloc byte[300];
        var writer = new RtpPacketWriter(buffer, 96, 7, 8, 9);
        Assert.True(writer.TryComplete(255, out int length));
        Assert.Equal(12 + 255, length);
        Assert.True(RtpPacket.TryParse(buffer[..length], out var probe));
        Assert.Equal(0, probe.Payload.Length);
        Assert.Equal(255, probe.PaddingLength);

        Assert.False(new RtpPacketWriter(buffer, 96, 7, 8, 9).TryComplete(256, out _));
        var small = new RtpPacketWriter(buffer[..11], 96, 7, 8, 9);
        Assert.True(small.Failed);
        Assert.False(new RtpPacketWriter(buffer, 96, 7, 8, 9).TryAddExtension(15, new byte[] { 1 }));
        Assert.False(new RtpPacketWriter(buffer, 96, 7, 8, 9).TryAddExtension(1, new byte[17]));
        Assert.False(new RtpPacketWriter(buffer[..14], 96, 7, 8, 9).TryWritePayload(new byte[3]));

        var full = new RtpPacketWriter(buffer, 96, 7, 8, 9);
        for (int i = 0; i < 15; i++)
        {
            Assert.True(full.TryAddCsrc((uint)i));
        }

        Assert.False(full.TryAddCsrc(15));
    }

    [Fact]
    public void Writer_pads_extension_block_to_words()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new RtpPacketWriter(buffer, 96, 1, 2, 3);
        Assert.True(writer.TryAddExtension(1, new byte[] { 1, 2, 3, 4 })); // 5 bytes -> 2 words
        Assert.True(writer.TryComplete(0, out int length));
        Assert.Equal(12 + 4 + 8, length);
        Assert.Equal(Convert.FromHexString("BEDE0002" + "1301020304000000"), buffer.Slice(12, 12).ToArray());
        Assert.True(RtpPacket.TryParse(buffer[..length], out var packet));
        Assert.Equal(0, packet.Payload.Length);
        Assert.True(packet.TryGetExtension(1, out var value));
        Assert.Equal(4, value.Length);
    }
}
