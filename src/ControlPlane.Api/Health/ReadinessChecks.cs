using System.Diagnostics;
using ControlPlane.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Redis.Client;
using Turn.Auth;

namespace ControlPlane.Api.Health;

public enum DependencyState { Connected, Failed, NotConfigured }

public sealed record DependencyStatus(string Name, DependencyState State, long ResponseTimeMs, string? Error = null, bool Critical = true)
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
    /// <summary>Whether the node is not ready without it. A non-critical dependency that fails degrades one feature (a warning).</summary>
    bool Critical => true;
    Task<DependencyStatus> CheckAsync(CancellationToken ct);
}

internal abstract class TimedCheck : IReadinessCheck
{
    public abstract string Name { get; }
    public virtual bool Critical => true;
    protected abstract bool Configured { get; }
    protected abstract Task ProbeAsync(CancellationToken ct);

    public async Task<DependencyStatus> CheckAsync(CancellationToken ct)
    {
        if (!Configured) return new(Name, DependencyState.NotConfigured, 0);
        var sw = Stopwatch.StartNew();
        try
        {
            await ProbeAsync(ct);
            return new(Name, DependencyState.Connected, sw.ElapsedMilliseconds, null, Critical);
        }
        catch (Exception e)
        {
            // A probe that runs out of time is a failed dependency too (an aborted request reads no answer anyway).
            return new(Name, DependencyState.Failed, sw.ElapsedMilliseconds, e.GetType().Name, Critical);
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

internal sealed class RedisCheck(IOptions<Data.RedisOptions> options, IServiceProvider services) : TimedCheck
{
    public override string Name => "redis";
    protected override bool Configured => options.Value.IsConfigured;

    // The same client the features use (registered whenever REDIS_URL is set), so "connected" means they can reach it.
    protected override Task ProbeAsync(CancellationToken ct) => services.GetRequiredService<IRedisClient>().PingAsync(ct);
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

/// <summary>Calls need an SFU node: the one in this process, or a registered node that heartbeats (CALL_MEDIA_MODE=sfu).</summary>
/// <remarks>Not critical: signaling, chat and payments work without it, and SFU node processes may register after the control plane starts.</remarks>
internal sealed class SfuCheck(IOptions<Calls.Media.CallMediaOptions> options, Calls.Media.IMediaPlacement placement) : TimedCheck
{
    public override string Name => "sfu";
    public override bool Critical => false;
    protected override bool Configured => options.Value.UsesSfu;
    protected override async Task ProbeAsync(CancellationToken ct)
    {
        if (await placement.PlaceAsync(Array.Empty<string>(), ct) is null) throw new InvalidOperationException("no SFU node can take calls");
    }
}
