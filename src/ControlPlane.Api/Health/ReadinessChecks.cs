using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using ControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Turn.Auth;

namespace ControlPlane.Api.Health;

public enum DependencyState { Connected, Failed, NotConfigured }

public sealed record DependencyStatus(string Name, DependencyState State, long ResponseTimeMs, string? Error = null)
{
    public string Label => State switch
    {
        DependencyState.Connected => "connected",
        DependencyState.Failed => "failed",
        _ => "not_configured",
    };
}

/// <summary>One dependency the control plane needs to serve requests.</summary>
public interface IReadinessCheck
{
    string Name { get; }
    Task<DependencyStatus> CheckAsync(CancellationToken ct);
}

internal abstract class TimedCheck : IReadinessCheck
{
    public abstract string Name { get; }
    protected abstract bool Configured { get; }
    protected abstract Task ProbeAsync(CancellationToken ct);

    public async Task<DependencyStatus> CheckAsync(CancellationToken ct)
    {
        if (!Configured) return new(Name, DependencyState.NotConfigured, 0);
        var sw = Stopwatch.StartNew();
        try
        {
            await ProbeAsync(ct);
            return new(Name, DependencyState.Connected, sw.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new(Name, DependencyState.Failed, sw.ElapsedMilliseconds, e.GetType().Name);
        }
    }
}

internal sealed class DatabaseCheck(IServiceScopeFactory scopes) : TimedCheck
{
    public override string Name => "database";
    protected override bool Configured => true;
    protected override async Task ProbeAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlPlaneDb>();
        await db.Database.ExecuteSqlRawAsync("SELECT 1", ct);
    }
}

internal sealed class RedisCheck(IOptions<RedisOptions> options) : TimedCheck
{
    public override string Name => "redis";
    protected override bool Configured => options.Value.IsConfigured;
    protected override async Task ProbeAsync(CancellationToken ct)
    {
        // A bare RESP PING (with AUTH when the URL carries a password) on a fresh connection.
        var uri = new Uri(options.Value.Url!);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port > 0 ? uri.Port : 6379, ct);
        var stream = tcp.GetStream();
        var request = new StringBuilder();
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            var pass = Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : parts[0]);
            var user = parts.Length > 1 && parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
            request.Append(user is null ? Resp("AUTH", pass) : Resp("AUTH", user, pass));
        }
        request.Append(Resp("PING"));
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), ct);
        var buffer = new byte[256];
        var text = "";
        while (!text.Contains("+PONG") && !text.Contains('-'))
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) break;
            text += Encoding.UTF8.GetString(buffer, 0, n);
        }
        if (!text.Contains("+PONG")) throw new InvalidOperationException("redis did not answer PONG");
    }

    private static string Resp(params string[] args) =>
        $"*{args.Length}\r\n" + string.Concat(args.Select(a => $"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n"));
}

internal sealed class TurnCheck(IOptions<TurnOptions> options) : TimedCheck
{
    public override string Name => "turn";
    protected override bool Configured => options.Value.Urls.Count > 0;
    protected override async Task ProbeAsync(CancellationToken ct)
    {
        var ep = TurnServerProbe.EndPointOf(options.Value.Urls[0]) ?? throw new InvalidOperationException("unresolvable TURN URL");
        if (!await TurnServerProbe.IsAnsweringAsync(ep, TimeSpan.FromSeconds(2), ct))
            throw new TimeoutException("TURN server did not answer a STUN binding request");
    }
}
