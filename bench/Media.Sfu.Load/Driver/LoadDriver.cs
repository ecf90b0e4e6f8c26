using System.Diagnostics;
using System.Globalization;
using Media.Sfu.Dtls;
using Media.Sfu.Load.Clients;
using Media.Sfu.Load.Report;

namespace Media.Sfu.Load.Driver;

/// <summary>Command-line settings of a load run.</summary>
public sealed record LoadOptions
{
    public int[] Calls { get; init; } = [10, 50, 100];
    public int Seconds { get; init; } = 10;
    public int WarmupSeconds { get; init; } = 3;
    public bool AudioOnly { get; init; }
    public int SfuWorkers { get; init; }
    public int BatchSize { get; init; } = Net.UdpMediaSocket.DefaultBatchSize;
    public int LoadThreads { get; init; } = 2;
    public bool Turn { get; init; } = true;
    public int WrtcCalls { get; init; } = 2;
    public string OutDirectory { get; init; } = "BenchmarkDotNet.Artifacts/sfu-load";
    public int Seed { get; init; } = 7;

    public MediaProfile Profile => AudioOnly ? new MediaProfile(VideoPacketsPerSecond: 0) : new MediaProfile();

    public IEnumerable<string> HostArgs() => ["--workers", SfuWorkers.ToString(CultureInfo.InvariantCulture), "--batch", BatchSize.ToString(CultureInfo.InvariantCulture)];

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--calls" => o with { Calls = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray() },
                "--seconds" => o with { Seconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup" => o with { WarmupSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--audio-only" => o with { AudioOnly = true },
                "--workers" => o with { SfuWorkers = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--batch" => o with { BatchSize = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--threads" => o with { LoadThreads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--no-turn" => o with { Turn = false },
                "--wrtc-calls" => o with { WrtcCalls = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--no-wrtc" => o with { WrtcCalls = 0 },
                "--out" => o with { OutDirectory = Next() },
                "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.Calls.Length == 0 || o.Calls.Any(c => c < 1 || c > 2000)) throw new ArgumentException("--calls: 1–2000 each");
        if (o.Seconds is < 1 or > 600 || o.WarmupSeconds is < 0 or > 60) throw new ArgumentException("--seconds 1–600, --warmup 0–60");
        if (o.LoadThreads is < 1 or > 16) throw new ArgumentException("--threads 1–16");
        if (o.WrtcCalls is < 0 or > 4) throw new ArgumentException("--wrtc-calls 0–4 (2–8 real peers)");
        return o;
    }
}

/// <summary>
/// Runs the sweep: per N, the SFU phase (a fresh SFU host process, N rooms, 2N WebRTC clients) and the coturn
/// phase (2N TURN allocations relaying to each other, same rates and sizes), one after the other so neither
/// steals the other's CPU; then the wrtc check; then prints the table and writes the chart and the numbers.
/// </summary>
public static class LoadDriver
{
    public static async Task<int> RunAsync(string[] args)
    {
        LoadOptions o;
        try { o = LoadOptions.Parse(args); }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine("sfu load: " + e.Message);
            Console.Error.WriteLine("usage: Media.Sfu.Load [--calls 10,50,100] [--seconds 10] [--warmup 3] [--audio-only] [--workers 0] [--batch 32] [--threads 2] [--no-turn] [--wrtc-calls 2|--no-wrtc] [--out DIR]");
            return 2;
        }
        Directory.CreateDirectory(o.OutDirectory);
        var repoRoot = FindRepoRoot();
        // bench.sh --nice N starts us at that nice level; with autogroups it must also apply to each process's session group.
        if (ProcStat.Nice() < 0 && !ProcStat.SetAutogroupNice(Environment.ProcessId, ProcStat.Nice()))
            Console.WriteLine("  note: could not raise this session's autogroup priority; nice applies within the session only");
        Console.WriteLine($"sfu load: calls {string.Join(",", o.Calls)}, {o.Seconds} s window after {o.WarmupSeconds} s warm-up, {o.Profile} per client, " +
                          $"SFU workers {(o.SfuWorkers == 0 ? Environment.ProcessorCount : o.SfuWorkers)}, batch {o.BatchSize}, {o.LoadThreads} load threads, " +
                          $"{Environment.ProcessorCount} cores, nice {ProcStat.Nice()}");

        using var certificate = DtlsCertificate.Generate("load-client");
        using var dtls = new DtlsContext(certificate);
        var results = new List<PhaseResult>();
        foreach (var calls in o.Calls)
        {
            var sfu = await RunSfuPhaseAsync(o, calls, o.Profile, dtls);
            results.Add(sfu);
            Console.WriteLine("  " + ResultTable.OneLine(sfu));
            if (!o.Turn) continue;
            // A fresh coturn per step, like the fresh SFU host: no allocation of the previous step lingers.
            await using var coturn = await CoturnProcess.StartAsync(repoRoot, 2 * calls);
            var turn = await RunTurnPhaseAsync(o, calls, coturn);
            results.Add(turn);
            Console.WriteLine("  " + ResultTable.OneLine(turn));
        }

        WrtcComparison? wrtc = null;
        if (o.WrtcCalls > 0) wrtc = await WrtcCheck.RunAsync(o, repoRoot, dtls);

        var report = ResultTable.Render(o, results, wrtc);
        var numbers = Path.Combine(o.OutDirectory, "sfu-load.txt");
        var chart = Path.Combine(o.OutDirectory, "sfu-load.png");
        File.WriteAllText(numbers, report.Numbers);
        LoadChart.Write(chart, results);
        Console.WriteLine();
        Console.Write(report.Table);
        Console.WriteLine($"numbers: {numbers}; chart: {chart} (blue SFU, orange coturn; top: µs CPU per packet, bottom: p99 delay ms; x: calls)");
        Console.WriteLine(report.SummaryLine);
        return 0;
    }

    internal static async Task<PhaseResult> RunSfuPhaseAsync(LoadOptions o, int calls, MediaProfile profile, DtlsContext dtls, string server = "sfu")
    {
        await using var host = await SfuHostProcess.StartAsync(o.HostArgs());
        var window = new MeasurementWindow();
        var peers = new WebRtcPeer[2 * calls];
        for (var i = 0; i < peers.Length; i++) peers[i] = new WebRtcPeer(i, profile, window, dtls, new Random(o.Seed * 1_000_003 + i));
        try
        {
            var setup = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, calls), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) =>
            {
                var room = $"call-{c}";
                await host.OpenRoomAsync(room, $"u{2 * c}", $"u{2 * c + 1}");
                for (var side = 0; side < 2; side++)
                {
                    var peer = peers[2 * c + side];
                    peer.ApplyAnswer(await host.CreateSessionAsync(room, $"u{2 * c + side}", peer.CreateOffer()));
                }
            });
            var signalled = setup.Elapsed;
            var ports = (await host.StatsAsync()).UdpPorts.ToHashSet();
            return await MeasureAsync(server, calls, peers, o, window,
                async () =>
                {
                    var cpu = ProcStat.CpuSeconds(host.Pid);
                    var f = await host.StatsAsync();
                    return new ServerSample(cpu, ProcStat.RssBytes(host.Pid), f.RtpPacketsOut, f.Gen0, f.Gen1, f.Gen2, f.AllocatedBytes,
                        f.WorkerAllocatedBytes, f.UdpPacketsReceived, f.UdpReceiveBatches, f.JitMethods, f.JitMilliseconds);
                },
                ports.Contains, relayHopsPerPacket: 0, note: $"signalling {signalled.TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var p in peers) p.Dispose();
        }
    }

    private static async Task<PhaseResult> RunTurnPhaseAsync(LoadOptions o, int calls, CoturnProcess coturn)
    {
        var window = new MeasurementWindow();
        var peers = new TurnPeer[2 * calls];
        for (var i = 0; i < peers.Length; i++) peers[i] = new TurnPeer(100_000 + i, o.Profile, window, coturn.EndPoint, coturn.Secret);
        for (var c = 0; c < calls; c++) { peers[2 * c].Partner = peers[2 * c + 1]; peers[2 * c + 1].Partner = peers[2 * c]; }
        try
        {
            return await MeasureAsync("coturn", calls, peers, o, window,
                () => Task.FromResult(new ServerSample(ProcStat.CpuSeconds(coturn.Pid), ProcStat.RssBytes(coturn.Pid), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                port => port == coturn.Port || (port >= coturn.MinRelayPort && port <= coturn.MaxRelayPort), relayHopsPerPacket: 2);
        }
        finally
        {
            foreach (var p in peers) p.Dispose();
        }
    }

    internal sealed record ServerSample(double CpuSeconds, long RssBytes, long PacketsOut, int Gen0, int Gen1, int Gen2,
        long AllocatedBytes, long WorkerAllocatedBytes, long UdpReceived, long UdpBatches, long JitMethods, double JitMilliseconds);

    /// <summary>
    /// Starts the load threads, waits for every client to connect, starts media with random phases, warms up,
    /// then measures one window: server CPU and counters before and after, client counters by send time.
    /// </summary>
    private static async Task<PhaseResult> MeasureAsync(string server, int calls, IReadOnlyList<LoadPeer> peers, LoadOptions o,
        MeasurementWindow window, Func<Task<ServerSample>> sample, Func<int, bool> isServerPort, int relayHopsPerPacket, string? note = null)
    {
        var workers = Enumerable.Range(0, o.LoadThreads).Select(i => new PeerWorker(i)).ToArray();
        try
        {
            for (var i = 0; i < peers.Count; i++) workers[i % workers.Length].Add(peers[i]);
            foreach (var w in workers) w.Start();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30 + peers.Count / 20);
            while (DateTime.UtcNow < deadline && peers.Any(p => !p.IsReady && p.Failure is null)) await Task.Delay(100);
            var ready = peers.Count(p => p.IsReady);
            if (ready < peers.Count)
                Console.WriteLine($"  {server} N={calls}: {peers.Count - ready} of {peers.Count} clients not connected: " +
                                  string.Join("; ", peers.Where(p => !p.IsReady).Select(p => p.Failure ?? "pending").Distinct().Take(3)));
            var random = new Random(o.Seed);
            foreach (var p in peers) p.StartMedia(random);
            await Task.Delay(TimeSpan.FromSeconds(o.WarmupSeconds));
            // A .NET server keeps re-compiling hot methods (tiered JIT, PGO) for a while after start: wait until that has
            // settled (at most 20 s more), so the window measures the steady state a long-running node is in.
            var settle = await sample();
            for (var i = 0; i < 20 && settle.JitMethods > 0; i++)
            {
                await Task.Delay(1000);
                var next = await sample();
                var quiet = next.JitMethods - settle.JitMethods <= 2;
                settle = next;
                if (quiet) break;
            }

            var load0 = ProcStat.LoadAverage();
            var drops0 = ProcStat.UdpDropsByPort();
            var s0 = await sample();
            var gen0 = Environment.CpuUsage.TotalTime;
            var t0 = Stopwatch.GetTimestamp();
            window.Open(LibC.RealtimeNs());
            await Task.Delay(TimeSpan.FromSeconds(o.Seconds));
            window.Close(LibC.RealtimeNs());
            var elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            var gen1 = Environment.CpuUsage.TotalTime;
            var s1 = await sample();
            await Task.Delay(500); // packets of the window still in flight
            foreach (var p in peers) p.StopMedia();
            var drops1 = ProcStat.UdpDropsByPort();
            var load1 = ProcStat.LoadAverage();
            foreach (var w in workers) w.Stop();
            if (workers.FirstOrDefault(w => w.Error is not null) is { } failed) throw new InvalidOperationException("load thread failed: " + failed.Error);

            var delays = new DelayHistogram();
            foreach (var w in workers) delays.Merge(w.Delays);
            var clientPorts = peers.Select(p => p.LocalPort).ToHashSet();
            long sent = peers.Sum(p => p.SentAudio + p.SentVideo), received = peers.Sum(p => p.ReceivedAudio + p.ReceivedVideo);
            return new PhaseResult
            {
                Server = server, Calls = calls, Peers = peers.Count, ReadyPeers = ready, WindowSeconds = elapsed,
                Sent = sent, Received = received,
                ClientDrops = ProcStat.SumDrops(drops0, drops1, clientPorts.Contains),
                ServerDrops = ProcStat.SumDrops(drops0, drops1, isServerPort),
                ServerCpuSeconds = s1.CpuSeconds - s0.CpuSeconds,
                ServerPackets = relayHopsPerPacket > 0 ? received * relayHopsPerPacket : s1.PacketsOut - s0.PacketsOut,
                P50Ms = delays.QuantileMs(0.50), P99Ms = delays.QuantileMs(0.99), MaxMs = delays.MaxNs / 1e6,
                ServerRssBytes = s1.RssBytes, GeneratorCpuSeconds = (gen1 - gen0).TotalSeconds,
                Gen0 = s1.Gen0 - s0.Gen0, Gen1 = s1.Gen1 - s0.Gen1, Gen2 = s1.Gen2 - s0.Gen2,
                ProcessAllocatedBytes = s1.AllocatedBytes - s0.AllocatedBytes,
                WorkerAllocatedBytes = s1.WorkerAllocatedBytes - s0.WorkerAllocatedBytes,
                MeanReceiveBatch = s1.UdpBatches > s0.UdpBatches ? (double)(s1.UdpReceived - s0.UdpReceived) / (s1.UdpBatches - s0.UdpBatches) : 0,
                BadPackets = peers.Sum(p => p.BadPackets), LateSkips = peers.Sum(p => p.LateSkips),
                JitMilliseconds = s1.JitMilliseconds - s0.JitMilliseconds,
                LoadAverage = (load0 + load1) / 2,
                Note = note,
            };
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }

    internal static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Omegle.Media.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}
