using System.Buffers;
using System.Text;

namespace Redis.Client.Tests.Protocol;

public class RespWriterTests
{
    private static string Write(params RedisArgument[] parts)
    {
        var output = new ArrayBufferWriter<byte>();
        long written = RespWriter.WriteCommand(output, parts);
        Assert.Equal(output.WrittenCount, written);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void CommandIsAnArrayOfBulkStrings()
    {
        Assert.Equal("*1\r\n$4\r\nPING\r\n", Write("PING"));
        Assert.Equal("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", Write("SET", "key", "value"));
        Assert.Equal("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", Write("GET", ""));
    }

    [Fact]
    public void TextIsUtf8WithByteLengths()
    {
        // "é" is 2 bytes, "€" 3, "😀" 4: the bulk length counts bytes, not chars.
        Assert.Equal("*2\r\n$4\r\nECHO\r\n$9\r\né€😀\r\n", Write("ECHO", "é€😀"));
    }

    [Fact]
    public void BytesAreWrittenVerbatim()
    {
        var output = new ArrayBufferWriter<byte>();
        RespWriter.WriteCommand(output, ["SET", "k", new byte[] { 0, 13, 10, 255 }]);
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n"u8.ToArray().Concat(new byte[] { 0, 13, 10, 255, 13, 10 }), output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(-1L, "-1")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    public void IntegersAreDecimalText(long value, string text)
    {
        Assert.Equal($"*2\r\n$4\r\nECHO\r\n${text.Length}\r\n{text}\r\n", Write("ECHO", value));
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(1e300, "1E+300")]
    [InlineData(double.PositiveInfinity, "+inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void FloatsRoundTripAndUseRedisInfinities(double value, string text)
    {
        Assert.Equal($"*2\r\n$4\r\nECHO\r\n${text.Length}\r\n{text}\r\n", Write("ECHO", value));
        Assert.Equal(text, new RedisArgument(value).ToString());
    }

    [Fact]
    public void NaNAndNullAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new RedisArgument(double.NaN));
        Assert.Throws<ArgumentNullException>(() => (RedisArgument)(string)null!);
        Assert.Throws<ArgumentNullException>(() => RedisArgument.FromObject(null));
        Assert.Throws<ArgumentException>(() => RedisArgument.FromObject(new object()));
        Assert.Throws<ArgumentException>(() => RespWriter.WriteCommand(new ArrayBufferWriter<byte>(), []));
    }

    [Fact]
    public void WrittenCommandsParseBackAsArraysOfBulkStrings()
    {
        var random = new Random(11);
        var output = new ArrayBufferWriter<byte>();
        var commands = new List<string[]>();
        for (int i = 0; i < 500; i++)
        {
            var parts = Enumerable.Range(0, random.Next(1, 8))
                .Select(_ => new string(Enumerable.Range(0, random.Next(0, 50)).Select(_ => (char)random.Next(1, 0xD7FF)).ToArray()))
                .ToArray();
            commands.Add(parts);
            RespWriter.WriteCommand(output, parts.Select(p => (RedisArgument)p).ToArray());
        }

        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        foreach (var expected in commands)
        {
            Assert.Equal(RespParseStatus.Complete, RespReplyReader.TryRead(ref buffer, out var reply, out _));
            Assert.Equal(expected, reply!.AsStringArray());
        }

        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void LargeTextLongerThanOneBufferSegment()
    {
        string big = new('x', 300_000);
        var output = new ArrayBufferWriter<byte>(16);
        RespWriter.WriteCommand(output, ["SET", "k", big]);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.Equal(RespParseStatus.Complete, RespReplyReader.TryRead(ref buffer, out var reply, out _));
        Assert.Equal(big, reply![2].AsString());
    }
}
