namespace Redis.Client.Tests;

public class RedisOptionsTests
{
    [Fact]
    public void HostOnlyUsesDefaults()
    {
        var o = RedisOptions.Parse("redis://cache.internal");
        Assert.Equal("cache.internal", o.Host);
        Assert.Equal(6379, o.Port);
        Assert.Null(o.User);
        Assert.Null(o.Password);
        Assert.Equal(0, o.Database);
    }

    [Fact]
    public void FullUrl()
    {
        var o = RedisOptions.Parse("redis://alice:s3cret@127.0.0.1:6390/2");
        Assert.Equal(("127.0.0.1", 6390, "alice", "s3cret", 2), (o.Host, o.Port, o.User, o.Password, o.Database));
        Assert.Equal("redis://alice:***@127.0.0.1:6390/2", o.SafeUrl);
    }

    [Fact]
    public void PasswordOnlyAndPercentEncoding()
    {
        var o = RedisOptions.Parse("redis://:p%40ss%3Aw%2Fd@localhost/");
        Assert.Null(o.User);
        Assert.Equal("p@ss:w/d", o.Password);
        Assert.Equal(0, o.Database);
        Assert.DoesNotContain("p@ss", o.SafeUrl);
    }

    [Fact]
    public void Ipv6InBrackets()
    {
        var o = RedisOptions.Parse("REDIS://[::1]:7000/15");
        Assert.Equal("::1", o.Host);
        Assert.Equal(7000, o.Port);
        Assert.Equal(15, o.Database);
        Assert.Equal("redis://[::1]:7000/15", o.SafeUrl);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("localhost:6379", "missing scheme")]
    [InlineData("http://localhost", "unsupported scheme 'http'")]
    [InlineData("rediss://localhost", "TLS")]
    [InlineData("redis://", "missing host")]
    [InlineData("redis://:pw@", "missing host")]
    [InlineData("redis://localhost:0", "port '0'")]
    [InlineData("redis://localhost:65536", "port '65536'")]
    [InlineData("redis://localhost:abc", "port 'abc'")]
    [InlineData("redis://localhost:", "port ''")]
    [InlineData("redis://localhost/abc", "database 'abc'")]
    [InlineData("redis://localhost/-1", "database '-1'")]
    [InlineData("redis://localhost/1/2", "database '1/2'")]
    [InlineData("redis://alice@localhost", "user given without a password")]
    [InlineData("redis://::1:6379", "brackets")]
    [InlineData("redis://[::1:6379", "unterminated IPv6")]
    [InlineData("redis://localhost?timeout=5", "query strings")]
    public void BadUrlsSayWhatIsWrong(string url, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisOptions.Parse(url));
        Assert.Contains(expected, ex.Message);
        Assert.Equal("url", ex.ParamName);
    }

    [Fact]
    public void ErrorsNeverShowThePassword()
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisOptions.Parse("redis://bob:hunter2@host:99999"));
        Assert.DoesNotContain("hunter2", ex.Message);
        Assert.Contains("redis://bob:***@host:99999", ex.Message);
    }

    [Fact]
    public async Task ClientConstructorsRejectBadUrls()
    {
        Assert.Throws<ArgumentException>(() => new RedisClient("nonsense"));
        await Assert.ThrowsAsync<ArgumentException>(() => RedisClient.ConnectAsync("redis://host:port"));
    }
}
