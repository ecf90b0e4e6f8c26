using ControlPlane.Api.Tests.Support;
using Testing.Services.Signaling;

namespace ControlPlane.Api.Tests.Signaling;

/// <summary>Seed 000's session events between two matched peers (the peer-to-peer relay mode).</summary>
public sealed class PeerRelayTests
{
    private static async Task<(SignalingClient A, SignalingClient B, string Session)> PairAsync(HubHost host)
    {
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join-queue", new { });
        await b.InvokeAsync("join-queue", new { });
        var session = (await a.WaitAsync("matched")).Str("sessionId");
        await b.WaitAsync("matched");
        return (a, b, session);
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task Offer_answer_and_candidates_reach_the_peer(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode);
        var (a, b, session) = await PairAsync(host);
        const string sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
        await a.SendAsync("send-offer", new { sessionId = session, type = "offer", data = new { type = "offer", sdp } });
        var offer = await b.WaitAsync("offer");
        Assert.Equal(session, offer.Str("sessionId"));
        Assert.Equal(a.DeviceId, offer.Id("from"));
        Assert.Equal(sdp, offer.GetProperty("offer").Str("sdp"));
        Assert.Equal("offer", offer.GetProperty("offer").Str("type"));

        await b.SendAsync("send-answer", new { sessionId = session, type = "answer", data = new { type = "answer", sdp } });
        var answer = await a.WaitAsync("answer");
        Assert.Equal(b.DeviceId, answer.Id("from"));
        Assert.Equal("answer", answer.GetProperty("answer").Str("type"));

        await a.SendAsync("send-candidate", new { sessionId = session, type = "candidate", data = new { candidate = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", sdpMLineIndex = 0, sdpMid = "0" } });
        var candidate = await b.WaitAsync("candidate");
        Assert.Equal(0, candidate.GetProperty("candidate").GetProperty("sdpMLineIndex").GetInt32());
        Assert.StartsWith("candidate:1", candidate.GetProperty("candidate").Str("candidate"));
        Assert.Equal(a.DeviceId, candidate.Id("from"));
        await a.AssertNoEventAsync("offer", TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Messages_and_reactions_reach_the_peer_cleaned()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, session) = await PairAsync(host);
        await a.SendAsync("send-message", new { sessionId = session, message = "  hi <i>there</i>  ", sender = "John", timestamp = 1234567890 });
        var m = await b.WaitAsync("message");
        Assert.Equal("hi there", m.Str("message"));
        Assert.Equal("John", m.Str("sender"));
        Assert.Equal(a.DeviceId, m.Id("from"));
        Assert.Equal(session, m.Str("sessionId"));
        Assert.True(m.GetProperty("timestamp").GetInt64() > 1_700_000_000_000);
        await b.SendAsync("send-reaction", new { sessionId = session, emoji = "👋", timestamp = 1234567890 });
        var r = await a.WaitAsync("reaction");
        Assert.Equal("👋", r.Str("emoji"));
        Assert.Equal(b.DeviceId, r.Id("from"));
        Assert.Equal(1234567890, r.GetProperty("timestamp").GetInt64());
        await a.AssertNoEventAsync("message", TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Ending_the_call_tells_both_and_is_recorded()
    {
        await using var host = await HubHost.StartAsync();
        var (a, b, session) = await PairAsync(host);
        await Task.Delay(1100);
        await a.SendAsync("end-call", new { sessionId = session });
        Assert.Equal(session, (await a.WaitAsync("call-ended")).Str("sessionId"));
        Assert.Equal(session, (await b.WaitAsync("peer-disconnected")).Str("sessionId"));
        await b.SendAsync("send-offer", new { sessionId = session, data = new { type = "offer", sdp = "v=0" } });
        Assert.Equal("SESSION_NOT_FOUND", (await b.WaitAsync("error")).Str("code"));

        var url = host.Api.DatabaseUrl;
        await Sql.EventuallyAsync(async () => await Sql.ScalarAsync<string>(url, "SELECT end_reason FROM chat_sessions WHERE id = @id", ("id", Guid.Parse(session))) is not null, "session end recorded");
        var row = Assert.Single(await Sql.RowsAsync(url, "SELECT * FROM chat_sessions WHERE id = @id", ("id", Guid.Parse(session))));
        Assert.Equal("video", row["chat_type"]);
        Assert.Equal(a.DeviceId, row["participant_a"]);
        Assert.Equal(b.DeviceId, row["participant_b"]);
        Assert.Equal("user_left", row["end_reason"]);
        Assert.Equal(a.DeviceId, row["ended_by"]);
        Assert.InRange((int)row["duration_seconds"]!, 1, 3);
        Assert.True((DateTime)row["ended_at"]! > (DateTime)row["started_at"]!);
    }

    [Theory]
    [InlineData(StateMode.Redis)]
    [InlineData(StateMode.InProcess)]
    public async Task A_peer_that_drops_is_announced_at_once(StateMode mode)
    {
        await using var host = await HubHost.StartAsync(mode);
        var (a, b, session) = await PairAsync(host);
        a.Abort();
        Assert.Equal(session, (await b.WaitAsync("peer-disconnected", TimeSpan.FromSeconds(5))).Str("sessionId"));
        await Sql.EventuallyAsync(async () => await Sql.ScalarAsync<string>(host.Api.DatabaseUrl, "SELECT end_reason FROM chat_sessions WHERE id = @id", ("id", Guid.Parse(session))) == "partner_disconnected", "session ended by disconnection");
    }
}
