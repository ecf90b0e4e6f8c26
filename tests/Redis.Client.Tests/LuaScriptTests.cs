using Testing.Services;

namespace Redis.Client.Tests;

/// <summary>On a private server, since SCRIPT FLUSH empties the server-wide script cache.</summary>
public class LuaScriptTests : IAsyncLifetime
{
    private static readonly LuaScript Reserve = new("""
        local left = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
        if left <= 0 then return {0, left} end
        redis.call('SET', KEYS[1], left - 1)
        return {1, left - 1}
        """);

    private RedisServer _server = null!;
    private RedisClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartPrivateAsync();
        _client = await RedisClient.ConnectAsync(_server.Url);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public void Sha1IsThatOfTheSource()
    {
        // SHA1("return 1"), as redis-cli SCRIPT LOAD "return 1" prints it.
        Assert.Equal("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", new LuaScript("return 1").Sha1);
    }

    [Fact]
    public async Task EvaluateLoadsOnNoScriptAndReusesTheCache()
    {
        Assert.Equal(0, (await _client.ExecuteAsync("SCRIPT", "EXISTS", Reserve.Sha1))[0].AsInt64());

        var first = await _client.EvaluateAsync(Reserve, ["seats"], [3]);
        Assert.Equal([1L, 2L], first.AsArray()!.Select(r => r.AsInt64()));
        Assert.Equal(1, (await _client.ExecuteAsync("SCRIPT", "EXISTS", Reserve.Sha1))[0].AsInt64());

        await _client.ExecuteAsync("SCRIPT", "FLUSH");
        var raw = await Assert.ThrowsAsync<RedisServerException>(() => _client.EvalShaAsync(Reserve.Sha1, ["seats"], [3]));
        Assert.Equal("NOSCRIPT", raw.ErrorCode);

        // Reloaded transparently after the flush.
        Assert.Equal([1L, 1L], (await _client.EvaluateAsync(Reserve, ["seats"], [3])).AsArray()!.Select(r => r.AsInt64()));
        Assert.Equal([1L, 0L], (await _client.EvaluateAsync(Reserve, ["seats"], [3])).AsArray()!.Select(r => r.AsInt64()));
        Assert.Equal([0L, 0L], (await _client.EvaluateAsync(Reserve, ["seats"], [3])).AsArray()!.Select(r => r.AsInt64()));
    }

    [Fact]
    public async Task ConcurrentEvaluationsAfterFlushAllSucceed()
    {
        var script = new LuaScript("return redis.call('INCR', KEYS[1])");
        await _client.ExecuteAsync("SCRIPT", "FLUSH");
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => _client.EvaluateAsync(script, ["counter"])));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Select(r => r.AsInt64()).Order());
    }

    [Fact]
    public async Task ScriptErrorsAreServerExceptions()
    {
        var broken = new LuaScript("return redis.call('NOSUCHCOMMAND')");
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => _client.EvaluateAsync(broken));
        Assert.Contains("Unknown Redis command", ex.Message, StringComparison.OrdinalIgnoreCase);

        var syntax = new LuaScript("this is not lua");
        var compile = await Assert.ThrowsAsync<RedisServerException>(() => _client.EvaluateAsync(syntax));
        Assert.Contains("Error compiling script", compile.Message);
    }
}
