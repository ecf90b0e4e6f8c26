using System.Buffers;
using System.Text;

namespace Redis.Client.Tests.Protocol;

public class RespReplyReaderTests
{
    private static RedisReply ReadOne(string wire)
    {
        var buffer = Sequences.Of(wire);
        var status = RespReplyReader.TryRead(ref buffer, out var reply, out var error);
        Assert.True(status == RespParseStatus.Complete, $"{status}: {error}");
        Assert.Equal(0, buffer.Length);
        return reply!;
    }

    private static string Error(string wire, RespLimits? limits = null)
    {
        var buffer = Sequences.Of(wire);
        long before = buffer.Length;
        var status = RespReplyReader.TryRead(ref buffer, out var reply, out var error, limits);
        Assert.Equal(RespParseStatus.ProtocolError, status);
        Assert.Null(reply);
        Assert.Equal(before, buffer.Length);
        Assert.False(string.IsNullOrEmpty(error));
        return error!;
    }

    [Fact]
    public void SimpleString()
    {
        var reply = ReadOne("+OK\r\n");
        Assert.Equal(RedisReplyKind.SimpleString, reply.Kind);
        Assert.Equal("OK", reply.AsString());
        Assert.Equal("hello world", ReadOne("+hello world\r\n").AsString());
        Assert.Equal("", ReadOne("+\r\n").AsString());
    }

    [Fact]
    public void ErrorReply()
    {
        var reply = ReadOne("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        Assert.True(reply.IsError);
        Assert.Equal("WRONGTYPE Operation against a key holding the wrong kind of value", reply.ErrorMessage);
    }

    [Theory]
    [InlineData(":0\r\n", 0)]
    [InlineData(":1000\r\n", 1000)]
    [InlineData(":-1\r\n", -1)]
    [InlineData(":9223372036854775807\r\n", long.MaxValue)]
    [InlineData(":-9223372036854775808\r\n", long.MinValue)]
    public void Integers(string wire, long expected)
    {
        var reply = ReadOne(wire);
        Assert.Equal(RedisReplyKind.Integer, reply.Kind);
        Assert.Equal(expected, reply.AsInt64());
    }

    [Fact]
    public void BulkStrings()
    {
        Assert.Equal("foobar", ReadOne("$6\r\nfoobar\r\n").AsString());
        Assert.Equal("", ReadOne("$0\r\n\r\n").AsString());
        // Bulk strings are binary safe: CR, LF and NUL inside are payload.
        var binary = new byte[] { (byte)'$', (byte)'3', 13, 10, 13, 10, 0, 13, 10 };
        var seq = new ReadOnlySequence<byte>(binary);
        Assert.Equal(RespParseStatus.Complete, RespReplyReader.TryRead(ref seq, out var bin, out _));
        Assert.Equal(new byte[] { 13, 10, 0 }, bin!.AsBytes());
        Assert.Equal("héllo", ReadOne("$6\r\nhéllo\r\n").AsString());
    }

    [Fact]
    public void NullBulkStringAndNullArray()
    {
        var bulk = ReadOne("$-1\r\n");
        Assert.Equal(RedisReplyKind.BulkString, bulk.Kind);
        Assert.True(bulk.IsNull);
        Assert.Null(bulk.AsString());
        Assert.Null(bulk.AsBytes());

        var array = ReadOne("*-1\r\n");
        Assert.Equal(RedisReplyKind.Array, array.Kind);
        Assert.True(array.IsNull);
        Assert.Null(array.AsArray());
    }

    [Fact]
    public void Arrays()
    {
        Assert.Empty(ReadOne("*0\r\n").AsArray()!);

        var mixed = ReadOne("*5\r\n:1\r\n:2\r\n$5\r\nhello\r\n$-1\r\n+OK\r\n");
        Assert.Equal(5, mixed.Count);
        Assert.Equal(1, mixed[0].AsInt64());
        Assert.Equal(2, mixed[1].AsInt64());
        Assert.Equal("hello", mixed[2].AsString());
        Assert.True(mixed[3].IsNull);
        Assert.Equal("OK", mixed[4].AsString());
    }

    [Fact]
    public void NestedArrays()
    {
        var nested = ReadOne("*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n");
        Assert.Equal(2, nested.Count);
        Assert.Equal(new long[] { 1, 2, 3 }, nested[0].AsArray()!.Select(x => x.AsInt64()));
        Assert.Equal("Hello", nested[1][0].AsString());
        Assert.True(nested[1][1].IsError);

        var withNull = ReadOne("*3\r\n*0\r\n*-1\r\n*1\r\n*1\r\n:7\r\n");
        Assert.Empty(withNull[0].AsArray()!);
        Assert.True(withNull[1].IsNull);
        Assert.Equal(7, withNull[2][0][0].AsInt64());
    }

    [Fact]
    public void SeveralRepliesInOneBuffer()
    {
        var buffer = Sequences.Of("+OK\r\n:5\r\n$3\r\nabc\r\n*1\r\n:1\r\n+partial");
        var replies = new List<RedisReply>();
        while (RespReplyReader.TryRead(ref buffer, out var reply, out _) == RespParseStatus.Complete)
        {
            replies.Add(reply!);
        }

        Assert.Equal(["+OK", ":5", "\"abc\"", "[:1]"], replies.Select(r => r.ToString()));
        Assert.Equal("+partial", Encoding.ASCII.GetString(buffer.ToArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("+OK")]
    [InlineData("+OK\r")]
    [InlineData(":12")]
    [InlineData("$6\r\nfoo")]
    [InlineData("$6\r\nfoobar")]
    [InlineData("$6\r\nfoobar\r")]
    [InlineData("*2\r\n:1\r\n")]
    [InlineData("*2\r\n*2\r\n:1\r\n:2\r\n")]
    [InlineData("*3\r\n$-1\r\n*-1\r\n")]
    [InlineData("$-")]
    [InlineData("*")]
    public void IncompleteInputNeedsMoreData(string wire)
    {
        var buffer = Sequences.Of(wire);
        var status = RespReplyReader.TryRead(ref buffer, out var reply, out var error);
        Assert.Equal(RespParseStatus.NeedMoreData, status);
        Assert.Null(reply);
        Assert.Null(error);
        Assert.Equal(Encoding.UTF8.GetByteCount(wire), buffer.Length);
    }

    [Theory]
    [InlineData("?\r\n", "type byte")]
    [InlineData("_\r\n", "type byte")] // RESP3 null
    [InlineData("%1\r\n", "type byte")] // RESP3 map
    [InlineData(":12a\r\n", "non-digit")]
    [InlineData(":\r\n", "Empty number")]
    [InlineData(":-\r\n", "Empty number")]
    [InlineData(":+5\r\n", "non-digit")]
    [InlineData(": 5\r\n", "non-digit")]
    [InlineData(":9223372036854775808\r\n", "out of range")]
    [InlineData(":-9223372036854775809\r\n", "out of range")]
    [InlineData(":123456789012345678901\r\n", "longer than")]
    [InlineData("$-2\r\n", "Invalid bulk string length")]
    [InlineData("$3\r\nabcd\r\n", "not followed by CRLF")]
    [InlineData("$3\r\nabc\n\r", "not followed by CRLF")]
    [InlineData("$536870913\r\n", "exceeds the limit")]
    [InlineData("*-2\r\n", "Invalid array length")]
    [InlineData("*2147483648\r\n", "Invalid array length")]
    [InlineData("+OK\rX", "CR not followed by LF")]
    [InlineData("+OK\nX", "LF without CR")]
    [InlineData("+O\nK\r\n", "LF without CR")]
    [InlineData("*2\r\n:1\r\n!oops\r\n", "type byte")]
    public void MalformedInputIsAProtocolError(string wire, string expectedError)
    {
        Assert.Contains(expectedError, Error(wire));
    }

    [Fact]
    public void BulkOfExactlyTheRedisLimitIsAcceptedAsHeader()
    {
        // 512 MB is allowed; the payload simply has not arrived yet.
        var buffer = Sequences.Of("$536870912\r\nabc");
        Assert.Equal(RespParseStatus.NeedMoreData, RespReplyReader.TryRead(ref buffer, out _, out _));
    }

    [Fact]
    public void NestingDeeperThanTheLimitIsRejected()
    {
        var limits = new RespLimits { MaxDepth = 4 };
        string ok = string.Concat(Enumerable.Repeat("*1\r\n", 4)) + ":1\r\n";
        var buffer = Sequences.Of(ok);
        Assert.Equal(RespParseStatus.Complete, RespReplyReader.TryRead(ref buffer, out var reply, out _, limits));
        Assert.Equal(1, reply![0][0][0][0].AsInt64());

        string deep = string.Concat(Enumerable.Repeat("*1\r\n", 5)) + ":1\r\n";
        Assert.Contains("nested deeper than 4", Error(deep, limits));

        // The default limit rejects a hostile 100 000-level nesting without recursing.
        Assert.Contains("nested deeper", Error(string.Concat(Enumerable.Repeat("*1\r\n", 100_000))));
    }

    [Fact]
    public void OverlongLinesAreRejectedBeforeTheirEnd()
    {
        var limits = new RespLimits { MaxLineLength = 16 };
        var buffer = Sequences.Of("+" + new string('a', 16) + "\r\n");
        Assert.Equal(RespParseStatus.Complete, RespReplyReader.TryRead(ref buffer, out _, out _, limits));
        // No CRLF yet, but already past the limit: waiting longer cannot help.
        Assert.Contains("longer than 16", Error("+" + new string('a', 17), limits));
        Assert.Contains("longer than 16", Error("-" + new string('e', 40) + "\r\n", limits));
    }

    [Fact]
    public void SmallerBulkLimitIsHonoured()
    {
        var limits = new RespLimits { MaxBulkLength = 10 };
        Assert.Contains("exceeds the limit of 10", Error("$11\r\nhello world\r\n", limits));
    }

    [Fact]
    public void TokenReaderGivesZeroCopySlices()
    {
        var data = Encoding.ASCII.GetBytes("*2\r\n$5\r\nhello\r\n:42\r\n");
        var reader = new RespReader(Sequences.Split(data, 9, 11));
        Assert.Equal(RespParseStatus.Complete, reader.TryReadToken(out var array));
        Assert.Equal(RespType.Array, array.Type);
        Assert.Equal(2, array.Length);

        Assert.Equal(RespParseStatus.Complete, reader.TryReadToken(out var bulk));
        Assert.Equal(RespType.BulkString, bulk.Type);
        Assert.Equal(5, bulk.Length);
        Assert.False(bulk.Payload.IsSingleSegment); // spans the cuts: a slice, not a copy
        Assert.Equal("hello", Encoding.ASCII.GetString(bulk.Payload.ToArray()));

        Assert.Equal(RespParseStatus.Complete, reader.TryReadToken(out var integer));
        Assert.Equal(42, integer.Integer);
        Assert.Equal(data.Length, reader.Consumed);
        Assert.Equal(RespParseStatus.NeedMoreData, reader.TryReadToken(out _));
    }

    [Fact]
    public void TokenReaderDoesNotMoveOnIncompleteToken()
    {
        var reader = new RespReader(Sequences.Of(":1\r\n$10\r\nabc"));
        Assert.Equal(RespParseStatus.Complete, reader.TryReadToken(out _));
        long consumed = reader.Consumed;
        Assert.Equal(RespParseStatus.NeedMoreData, reader.TryReadToken(out _));
        Assert.Equal(consumed, reader.Consumed);
    }
}
