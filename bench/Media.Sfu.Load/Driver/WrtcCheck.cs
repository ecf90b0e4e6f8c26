using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Media.Sfu.Dtls;
using Media.Sfu.Load.Clients;

namespace Media.Sfu.Load.Driver;

/// <summary>The SFU's cost per forwarded packet with real libwebrtc peers, next to the synthetic clients' at the same calls and rates.</summary>
public sealed record WrtcComparison(int Calls, PhaseResult Real, PhaseResult Synthetic, MediaProfile MatchedProfile, long FramesDecoded)
{
    public double Factor => Real.MicrosecondsPerPacket / Synthetic.MicrosecondsPerPacket;
}

/// <summary>
/// Validates the generator: K calls of real libwebrtc peers (bench/wrtc/peers.mjs, npm @roamhq/wrtc) through a fresh
/// SFU host, then K synthetic calls at the rates and sizes the real peers sent. Both the host and node run in a
/// network namespace made for the check with only loopback up, so libwebrtc gathers 127.0.0.1 and nothing else.
/// </summary>
public static class WrtcCheck
{
    public static async Task<WrtcComparison?> RunAsync(LoadOptions o, string repoRoot, DtlsContext dtls)
    {
        var scriptDir = Path.Combine(repoRoot, "bench", "wrtc");
        if (!Directory.Exists(Path.Combine(scriptDir, "node_modules", "@roamhq", "wrtc")))
        {
            Console.WriteLine("  wrtc check skipped: run 'npm ci' in bench/wrtc (./bench.sh sfu does)");
            return null;
        }
        var netns = $"omegle-wrtc-{Environment.ProcessId}";
        if (!await RunAsync("ip", "netns", "add", netns))
        {
            Console.WriteLine("  wrtc check skipped: cannot create a network namespace (needs root and iproute2)");
            return null;
        }
        try
        {
            await RunAsync("ip", "-n", netns, "link", "set", "lo", "up");
            var (real, profile, frames) = await RunRealAsync(o, scriptDir, netns);
            if (real is null) return null;
            Console.WriteLine("  " + Report.ResultTable.OneLine(real));
            var synthetic = await LoadDriver.RunSfuPhaseAsync(o, o.WrtcCalls, profile, dtls, server: "sfu-synthetic");
            Console.WriteLine("  " + Report.ResultTable.OneLine(synthetic));
            return new WrtcComparison(o.WrtcCalls, real, synthetic, profile, frames);
        }
        finally
        {
            await RunAsync("ip", "netns", "del", netns);
        }
    }

    private static async Task<(PhaseResult?, MediaProfile, long)> RunRealAsync(LoadOptions o, string scriptDir, string netns)
    {
        await using var host = await SfuHostProcess.StartAsync(o.HostArgs(), netns);
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = scriptDir };
        foreach (var a in new[] { "netns", "exec", netns, "node", "peers.mjs", "--host", host.Address.ToString().TrimEnd('/'),
                     "--calls", o.WrtcCalls.ToString(CultureInfo.InvariantCulture), "--seconds", (o.WarmupSeconds + o.Seconds + 40).ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        using var node = Process.Start(psi)!;
        var errors = node.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90 + o.WarmupSeconds + o.Seconds));
            string? line;
            while ((line = await node.StandardOutput.ReadLineAsync(timeout.Token)) is not null && line != "WRTC_MEDIA") { }
            if (line is null) { Console.WriteLine("  wrtc check failed: " + (await errors).Trim()); return (null, new MediaProfile(), 0); }
            await Task.Delay(TimeSpan.FromSeconds(o.WarmupSeconds), timeout.Token);
            var f0 = await host.StatsAsync();
            for (var i = 0; i < 20; i++) // until tiered JIT has settled, as for the synthetic phases
            {
                await Task.Delay(1000, timeout.Token);
                var next = await host.StatsAsync();
                var quiet = next.JitMethods - f0.JitMethods <= 2;
                f0 = next;
                if (quiet) break;
            }
            var load0 = ProcStat.LoadAverage();
            var cpu0 = ProcStat.CpuSeconds(host.Pid);
            f0 = await host.StatsAsync();
            var t0 = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(o.Seconds), timeout.Token);
            var cpu1 = ProcStat.CpuSeconds(host.Pid);
            var elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            var f1 = await host.StatsAsync();
            var load1 = ProcStat.LoadAverage();
            await node.StandardInput.WriteLineAsync("STOP");
            await node.StandardInput.FlushAsync();
            while ((line = await node.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("WRTC_RESULT ", StringComparison.Ordinal)) { }
            if (line is null) { Console.WriteLine("  wrtc check failed: " + (await errors).Trim()); return (null, new MediaProfile(), 0); }
            using var json = JsonDocument.Parse(line["WRTC_RESULT ".Length..]);
            var r = json.RootElement;
            double Get(string kind, string name) => r.GetProperty(kind).GetProperty(name).GetDouble();
            var videoPps = (int)Math.Round(Get("video", "pps"));
            var profile = new MediaProfile((int)Math.Round(Get("audio", "pps")), (int)Math.Round(Get("audio", "bytes")),
                videoPps, (int)Math.Round(Get("video", "bytes")), Math.Max(1, (int)Math.Round(videoPps / 30.0)));
            // getStats counts from media start to STOP; scale to the measurement window for per-packet figures.
            var scale = elapsed / r.GetProperty("seconds").GetDouble();
            var sent = (long)(r.GetProperty("sent").GetInt64() * scale);
            var received = (long)(r.GetProperty("received").GetInt64() * scale);
            var result = new PhaseResult
            {
                Server = "sfu-wrtc", Calls = o.WrtcCalls, Peers = r.GetProperty("peers").GetInt32(), ReadyPeers = r.GetProperty("peers").GetInt32(),
                WindowSeconds = elapsed, Sent = sent, Received = received, ClientDrops = 0,
                ServerDrops = 0, ServerCpuSeconds = cpu1 - cpu0, ServerPackets = f1.RtpPacketsOut - f0.RtpPacketsOut,
                P50Ms = double.NaN, P99Ms = double.NaN, MaxMs = double.NaN, ServerRssBytes = ProcStat.RssBytes(host.Pid), GeneratorCpuSeconds = double.NaN,
                Gen0 = f1.Gen0 - f0.Gen0, Gen1 = f1.Gen1 - f0.Gen1, Gen2 = f1.Gen2 - f0.Gen2,
                ProcessAllocatedBytes = f1.AllocatedBytes - f0.AllocatedBytes, WorkerAllocatedBytes = f1.WorkerAllocatedBytes - f0.WorkerAllocatedBytes,
                JitMilliseconds = f1.JitMilliseconds - f0.JitMilliseconds, LoadAverage = (load0 + load1) / 2,
                MeanReceiveBatch = f1.UdpReceiveBatches > f0.UdpReceiveBatches ? (double)(f1.UdpPacketsReceived - f0.UdpPacketsReceived) / (f1.UdpReceiveBatches - f0.UdpReceiveBatches) : 0,
                Note = $"libwebrtc peers: {profile}; {r.GetProperty("framesDecoded").GetInt64()} video frames decoded, getStats lost {r.GetProperty("lost").GetInt64()}",
            };
            return (result, profile, r.GetProperty("framesDecoded").GetInt64());
        }
        finally
        {
            if (!node.HasExited) node.Kill(entireProcessTree: true);
        }
    }

    private static async Task<bool> RunAsync(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            await p.WaitForExitAsync();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }
}
