using ControlPlane.Api.Calls.Sessions;
using ControlPlane.Api.Tests.Support;

namespace ControlPlane.Api.Tests.Calls.Sessions;

public sealed class SessionRetentionTests
{
    [Fact]
    public async Task Sessions_and_report_evidence_older_than_90_days_are_removed()
    {
        await using var host = await HubHost.StartAsync(StateMode.InProcess, ownDatabase: true);
        var url = host.Api.DatabaseUrl;
        var now = DateTimeOffset.UtcNow;
        Guid oldSession = Guid.NewGuid(), recentSession = Guid.NewGuid(), oldReport = Guid.NewGuid(), recentReport = Guid.NewGuid();
        foreach (var (id, age) in new[] { (oldSession, 91), (recentSession, 89) })
            await Sql.ExecuteAsync(url, """
                INSERT INTO chat_sessions (id, chat_type, participant_a, participant_b, started_at, ended_at, end_reason, duration_seconds)
                VALUES (@id, 'text', @a, @b, @t, @t, 'user_left', 0)
                """, ("id", id), ("a", Guid.NewGuid()), ("b", Guid.NewGuid()), ("t", now.AddDays(-age)));
        foreach (var (id, age) in new[] { (oldReport, 91), (recentReport, 89) })
            await Sql.ExecuteAsync(url, """
                INSERT INTO reports (id, reporter_id, reported_id, source, reason, evidence, status, created_at)
                VALUES (@id, @a, @b, 'api', 'spam', '{"messages":[{"content":"x"}]}', 'pending', @t)
                """, ("id", id), ("a", Guid.NewGuid()), ("b", Guid.NewGuid()), ("t", now.AddDays(-age)));

        var (sessions, evidence) = await host.Service<SessionRetention>().RunOnceAsync();
        Assert.Equal(1, sessions);
        Assert.Equal(1, evidence);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(url, "SELECT count(*) FROM chat_sessions WHERE id = @id", ("id", oldSession)));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(url, "SELECT count(*) FROM chat_sessions WHERE id = @id", ("id", recentSession)));
        Assert.Null(await Sql.ScalarAsync<string>(url, "SELECT evidence::text FROM reports WHERE id = @id", ("id", oldReport)));
        Assert.NotNull(await Sql.ScalarAsync<DateTime?>(url, "SELECT evidence_erased_at FROM reports WHERE id = @id", ("id", oldReport)));
        Assert.NotNull(await Sql.ScalarAsync<string>(url, "SELECT evidence::text FROM reports WHERE id = @id", ("id", recentReport)));
        Assert.Equal("spam", await Sql.ScalarAsync<string>(url, "SELECT reason FROM reports WHERE id = @id", ("id", oldReport)));
        Assert.Equal((0, 0), await host.Service<SessionRetention>().RunOnceAsync());
    }

    [Fact]
    public async Task A_session_record_has_participants_type_times_reason_and_no_messages()
    {
        await using var host = await HubHost.StartAsync();
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        await a.InvokeAsync("join_text_queue");
        await b.InvokeAsync("join_text_queue");
        var room = (await a.WaitAsync("text_match_found")).Id("roomId");
        await Sql.EventuallyAsync(async () => await Sql.ScalarAsync<long>(host.Api.DatabaseUrl, "SELECT count(*) FROM chat_sessions WHERE id = @id", ("id", room)) == 1, "session start recorded");
        Assert.Null(await Sql.ScalarAsync<DateTime?>(host.Api.DatabaseUrl, "SELECT ended_at FROM chat_sessions WHERE id = @id", ("id", room)));
        await a.InvokeAsync("send_text_message", new { content = "secret words" });
        await b.InvokeAsync("leave_text_room");
        await Sql.EventuallyAsync(async () => await Sql.ScalarAsync<string>(host.Api.DatabaseUrl, "SELECT end_reason FROM chat_sessions WHERE id = @id", ("id", room)) == "user_left", "session end recorded");
        var row = Assert.Single(await Sql.RowsAsync(host.Api.DatabaseUrl, "SELECT * FROM chat_sessions WHERE id = @id", ("id", room)));
        Assert.Equal("text", row["chat_type"]);
        Assert.Equal(b.DeviceId, row["ended_by"]);
        Assert.Equal(0, row["duration_seconds"]);
        Assert.DoesNotContain(row.Values, v => v is string s && s.Contains("secret"));
    }
}
