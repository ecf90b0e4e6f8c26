using System.Text;
using Media.Sfu.Rtcp;

namespace Media.Sfu.Tests.Rtcp;

public class RtcpSdesAndByeTests
{
    [Fact]
    public void Cname_chunk_is_written_byte_exact()
    {
        // RFC 3550 §6.5: SC=1, PT=202 | SSRC | CNAME=1, length 12, "user@example" | null + pad to 32 bits.
        var expected = Convert.FromHexString("81CA0005" + "11223344" + "010C" + Convert.ToHexString("user@example"u8) + "0000");
        Span<byte> buffer = stackalloc byte[64];
        Assert.True(RtcpSourceDescription.TryWriteCname(buffer, 0x11223344, "user@example"u8, out int written));
        Assert.Equal(expected, buffer[..written].ToArray());
        Assert.Equal(written, RtcpSourceDescription.GetCnameLength(12));

        buffer.Clear();
        Assert.True(RtcpSourceDescription.TryWriteCname(buffer, 0x11223344, "user@example".AsSpan(), out int fromText));
        Assert.Equal(expected, buffer[..fromText].ToArray());
    }

    [Fact]
    public void Cname_whose_item_ends_on_a_word_boundary_gets_a_full_null_word()
    {
        // 4 (SSRC) + 2 + 2 ("ab") = 8: the terminating null needs a new word.
        Span<byte> buffer = stackalloc byte[32];
        Assert.True(RtcpSourceDescription.TryWriteCname(buffer, 1, "ab"u8, out int written));
        Assert.Equal(Convert.FromHexString("81CA0003" + "00000001" + "01026162" + "00000000"), buffer[..written].ToArray());
        Assert.True(RtcpSourceDescription.TryParse(buffer[..written], out var sdes));
        Assert.True(sdes.TryGetCname(1, out var cname));
        Assert.Equal("ab", Encoding.UTF8.GetString(cname));
    }

    [Fact]
    public void Iterates_chunks_and_items()
    {
        // Two chunks: SSRC 1 with CNAME "a" and TOOL "xyz"; SSRC 2 with no items (just a null word).
        var bytes = Convert.FromHexString(
            "82CA0006" +
            "00000001" + "010161" + "060378797A" + "00000000" +
            "00000002" + "00000000");
        Assert.True(RtcpSourceDescription.TryParse(bytes, out var sdes));
        Assert.Equal(2, sdes.ChunkCount);

        var seen = new List<string>();
        foreach (var chunk in sdes.Chunks)
        {
            foreach (var item in chunk.Items)
            {
                seen.Add($"{chunk.Ssrc}:{item.Type}:{Encoding.UTF8.GetString(item.Value)}");
            }

            if (chunk.Ssrc == 2)
            {
                seen.Add("2:empty");
            }
        }

        Assert.Equal(new[] { "1:Cname:a", "1:Tool:xyz", "2:empty" }, seen);
        Assert.True(sdes.TryGetCname(1, out _));
        Assert.False(sdes.TryGetCname(2, out _));
    }

    [Theory]
    [InlineData("81CA0002" + "00000001" + "01056162")] // item runs past the packet
    [InlineData("81CA0002" + "00000001" + "01026162")] // no null terminator
    [InlineData("82CA0002" + "00000001" + "00000000")] // SC=2, one chunk
    [InlineData("81CA0000")] // SC=1, nothing
    public void Rejects_malformed_sdes(string hex)
    {
        Assert.False(RtcpSourceDescription.TryParse(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void Cname_longer_than_255_bytes_is_refused()
    {
        var buffer = new byte[400];
        Assert.False(RtcpSourceDescription.TryWriteCname(buffer, 1, new byte[256], out _));
        Assert.False(RtcpSourceDescription.TryWriteCname(buffer.AsSpan(0, 12), 1, "abc"u8, out _));
    }

    [Fact]
    public void Bye_with_reason_round_trips_byte_exact()
    {
        // RFC 3550 §6.6: SC=1, PT=203 | SSRC | length 4, "gone", padding to 32 bits.
        var expected = Convert.FromHexString("81CB0003" + "11223344" + "04676F6E" + "65000000");
        Span<byte> buffer = stackalloc byte[32];
        Assert.True(RtcpGoodbye.TryWrite(buffer, new uint[] { 0x11223344 }, "gone"u8, out int written));
        Assert.Equal(expected, buffer[..written].ToArray());

        Assert.True(RtcpGoodbye.TryParse(expected, out var bye));
        Assert.Equal(1, bye.SourceCount);
        Assert.Equal(0x11223344u, bye.GetSsrc(0));
        Assert.Equal(0u, bye.GetSsrc(1));
        Assert.Equal("gone", Encoding.UTF8.GetString(bye.Reason));
    }

    [Fact]
    public void Bye_without_reason_and_malformed_bye()
    {
        Span<byte> buffer = stackalloc byte[32];
        Assert.True(RtcpGoodbye.TryWrite(buffer, new uint[] { 1, 2 }, ReadOnlySpan<byte>.Empty, out int written));
        Assert.Equal(Convert.FromHexString("82CB0002" + "00000001" + "00000002"), buffer[..written].ToArray());
        Assert.True(RtcpGoodbye.TryParse(buffer[..written], out var bye));
        Assert.Equal(2u, bye.GetSsrc(1));
        Assert.True(bye.Reason.IsEmpty);

        Assert.False(RtcpGoodbye.TryParse(Convert.FromHexString("82CB0001" + "00000001"), out _)); // SC=2, one SSRC
        Assert.False(RtcpGoodbye.TryParse(Convert.FromHexString("81CB0002" + "00000001" + "09414243"), out _)); // reason too long
    }
}
