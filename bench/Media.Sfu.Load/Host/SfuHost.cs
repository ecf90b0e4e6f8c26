using System.Net;
using System.Text;
using Media.Sfu.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Load.Host;

/// <summary>
/// The SFU under test, alone in its own process so /proc/&lt;pid&gt; measures only it: an <see cref="SfuNode"/> on
/// loopback plus a tiny HTTP API for the load driver and the wrtc script (rooms, sessions, figures). The API is
/// only used before and after a measurement window, never during it.
/// </summary>
public static class SfuHost
{
    public const string ReadyLine = "SFU_HOST_READY";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new SfuOptions
        {
            ListenAddress = "127.0.0.1", UdpPort = 0, TcpPort = 0, EnableTcp = false,
            UdpWorkers = Int(args, "--workers", 0),
            UdpBatchSize = Int(args, "--batch", Net.UdpMediaSocket.DefaultBatchSize),
            MaxStreams = Int(args, "--max-streams", 0),
            MaxCpuPercent = Int(args, "--max-cpu", 0),
            MaxTransports = 100_000,
            // The bench sets its own time limits; consent and idle timers stay as in production.
        };
        var errors = options.Validate().ToList();
        if (errors.Count > 0) { Console.Error.WriteLine(string.Join("; ", errors)); return 2; }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        var unixSocket = Str(args, "--unix");
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            // In a network namespace of its own (the wrtc check) the driver reaches the API through a Unix socket.
            if (unixSocket is not null) k.ListenUnixSocket(unixSocket);
        });
        builder.Services.AddSingleton(sp => new SfuNode(Options.Create(options), sp.GetRequiredService<ILoggerFactory>()));
        var app = builder.Build();
        var node = app.Services.GetRequiredService<SfuNode>();
        await node.StartAsync(CancellationToken.None);

        app.MapPost("/rooms/{roomId}", (string roomId, string users) => Try(() =>
        {
            node.OpenRoom(roomId, users.Split(',', StringSplitOptions.RemoveEmptyEntries));
            return Results.Ok();
        }));
        app.MapPost("/rooms/{roomId}/sessions", async (string roomId, string user, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var offer = await reader.ReadToEndAsync();
            return Try(() =>
            {
                var (session, answer) = node.CreateSession(user, offer, SfuSessionMode.Call, roomId);
                return Results.Text(answer, "application/sdp", Encoding.UTF8, 201);
            });
        });
        app.MapDelete("/rooms/{roomId}", (string roomId) => node.CloseRoom(roomId) ? Results.NoContent() : Results.NotFound());
        app.MapGet("/stats", () =>
        {
            var stats = node.Stats();
            var load = node.Load();
            var workers = node.UdpWorkers;
            return Results.Json(new HostFigures(
                Environment.ProcessId, Environment.CpuUsage.TotalTime.TotalSeconds, Environment.WorkingSet,
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(precise: false),
                load.PacketPathAllocatedBytes, stats.RtpPacketsIn, stats.RtpPacketsOut, stats.Transports,
                workers.Sum(w => w.PacketsReceived), workers.Sum(w => w.ReceiveBatches), workers.Sum(w => w.PacketsSentBatched),
                workers.Sum(w => w.SendErrors), workers.Select(w => w.LocalEndPoint.Port).ToArray(), workers.Count > 0 ? workers[0].BatchSize : 0,
                System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds, load));
        });
        var stopping = new TaskCompletionSource();
        app.MapPost("/quit", () => { stopping.TrySetResult(); return Results.Ok(); });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("http://127.", StringComparison.Ordinal));
        Console.WriteLine($"{ReadyLine} {address} pid={Environment.ProcessId} udp={string.Join(",", node.UdpWorkers.Select(w => w.LocalEndPoint.Port))}");
        Console.Out.Flush();
        // Stops on /quit or when the driver closes stdin (it died).
        var stdinClosed = Task.Run(() => { while (Console.In.ReadLine() is not null) { } });
        await Task.WhenAny(stopping.Task, stdinClosed);
        await Task.Delay(100);
        await app.StopAsync();
        node.Dispose();
        return 0;
    }

    private static IResult Try(Func<IResult> action)
    {
        try { return action(); }
        catch (SfuException e) { return Results.Json(new { code = e.Code, message = e.Message }, statusCode: e.StatusCode); }
    }

    private static string? Str(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}

/// <summary>What the host reports about itself (GET /stats).</summary>
public sealed record HostFigures(int Pid, double CpuSeconds, long WorkingSetBytes, int Gen0, int Gen1, int Gen2, long AllocatedBytes,
    long WorkerAllocatedBytes, long RtpPacketsIn, long RtpPacketsOut, int Transports, long UdpPacketsReceived, long UdpReceiveBatches,
    long UdpPacketsSentBatched, long UdpSendErrors, int[] UdpPorts, int BatchSize, long JitMethods, double JitMilliseconds, SfuLoad Load);
