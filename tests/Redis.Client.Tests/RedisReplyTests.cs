namespace Redis.Client.Tests;

public class RedisReplyTests
{
    [Fact]
    public void AccessorsConvertBetweenCompatibleShapes()
    {
        Assert.Equal(42, RedisReply.BulkString("42").AsInt64());
        Assert.Equal("42", RedisReply.Integer(42).AsString());
        Assert.Equal(1.5, RedisReply.BulkString("1.5").AsDouble());
        Assert.Equal(double.PositiveInfinity, RedisReply.BulkString("inf").AsDouble());
        Assert.Equal(double.NegativeInfinity, RedisReply.BulkString("-inf").AsDouble());
        Assert.Null(RedisReply.NullBulkString.AsNullableInt64());
        Assert.Null(RedisReply.NullBulkString.AsNullableDouble());
        Assert.True(RedisReply.Ok.AsBoolean());
        Assert.True(RedisReply.Integer(1).AsBoolean());
        Assert.False(RedisReply.Integer(0).AsBoolean());
        Assert.False(RedisReply.NullBulkString.AsBoolean());
        Assert.Equal(new string?[] { "a", null, "3" }, RedisReply.Array(RedisReply.BulkString("a"), RedisReply.NullBulkString, RedisReply.Integer(3)).AsStringArray());
    }

    [Fact]
    public void MismatchedAccessThrowsInvalidCastWithTheReply()
    {
        var ex = Assert.Throws<InvalidCastException>(() => RedisReply.BulkString("abc").AsInt64());
        Assert.Contains("abc", ex.Message);
        Assert.Throws<InvalidCastException>(() => RedisReply.Integer(1).AsArray());
        Assert.Throws<InvalidCastException>(() => RedisReply.Array(RedisReply.Ok).AsString());
        Assert.Throws<InvalidCastException>(() => RedisReply.NullBulkString.AsInt64());
    }

    [Fact]
    public void ErrorsKeepTheirMessage()
    {
        var reply = RedisReply.Error("ERR unknown command");
        Assert.True(reply.IsError);
        Assert.Equal("ERR unknown command", reply.ErrorMessage);
        Assert.Null(RedisReply.Ok.ErrorMessage);
        Assert.Equal("ERR", new RedisServerException("ERR unknown command").ErrorCode);
        Assert.Equal("NOSCRIPT", new RedisServerException("NOSCRIPT No matching script.").ErrorCode);
    }

    [Fact]
    public void SmallIntegersAreCachedAndLargeOnesAreExact()
    {
        Assert.Same(RedisReply.Integer(7), RedisReply.Integer(7));
        Assert.Equal(-1, RedisReply.Integer(-1).AsInt64());
        Assert.Equal(256, RedisReply.Integer(256).AsInt64());
        Assert.Equal(257, RedisReply.Integer(257).AsInt64());
        Assert.Equal(long.MinValue, RedisReply.Integer(long.MinValue).AsInt64());
    }
}
