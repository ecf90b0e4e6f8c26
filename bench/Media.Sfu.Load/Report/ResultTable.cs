using System.Globalization;
using System.Text;
using Media.Sfu.Load.Driver;

namespace Media.Sfu.Load.Report;

/// <summary>The printed table, the numbers file and the one machine-readable summary line.</summary>
public static class ResultTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string OneLine(PhaseResult r) => string.Create(Inv,
        $"{r.Server,-13} N={r.Calls,-4} ready {r.ReadyPeers}/{r.Peers}  {r.PacketsPerSecond,8:0} pkt/s  {r.MicrosecondsPerPacket,6:0.00} µs/pkt  " +
        $"CPU {r.ServerCores * 100,5:0.0}%  loss {r.AddedLossPercent,6:0.000}%  p50 {r.P50Ms,6:0.00} ms  p99 {r.P99Ms,6:0.00} ms  load gen {r.GeneratorCores * 100:0}%");

    public static (string Table, string Numbers, string SummaryLine) Render(LoadOptions o, IReadOnlyList<PhaseResult> results, WrtcComparison? wrtc)
    {
        var t = new StringBuilder();
        t.AppendLine(Inv, $"SFU vs coturn, {o.Profile} per client, 1:1 calls, {o.Seconds} s windows, {Environment.ProcessorCount} cores shared with the load generator, nice {ProcStat.Nice()}");
        t.AppendLine(Inv, $"{"server",-13} {"calls",5} {"ready",9} {"pkt/s",8} {"cores",6} {"µs/pkt",7} {"µs/dlv",7} {"loss%",7} {"p50ms",6} {"p99ms",6} {"maxms",6} {"RSS MB",7} {"gc0/1/2",8} {"B/pkt",6} {"batch",5} {"gen%",5} {"drops s/c",10} {"load",5}");
        foreach (var r in results) t.AppendLine(Row(r));
        var sfuRows = results.Where(r => r.Server == "sfu").ToList();
        var turnRows = results.Where(r => r.Server == "coturn").ToList();
        t.AppendLine("  pkt/s: SFU = RTP packets forwarded; coturn = relay operations (each delivered packet crosses coturn twice: relay A → relay B).");
        t.AppendLine("  µs/pkt = server CPU (user+sys, /proc) per such packet = ms of CPU per 1,000 packets; µs/dlv = per packet delivered client to client.");
        t.AppendLine("  gen% = the load generator's own CPU (% of one core); load = the machine's 1-min load average during the window (other work on the same cores).");
        t.AppendLine("  loss% = sent − received − drops at the clients' own sockets; drops s/c = kernel drops at server / client sockets; B/pkt = managed bytes allocated by the SFU's UDP workers per forwarded packet.");
        foreach (var s in sfuRows)
            if (turnRows.FirstOrDefault(x => x.Calls == s.Calls) is { } c)
                t.AppendLine(Inv, $"  N={s.Calls}: SFU/coturn CPU per packet = {s.MicrosecondsPerPacket / c.MicrosecondsPerPacket:0.00} (per relay operation), {s.MicrosecondsPerDelivered / c.MicrosecondsPerDelivered:0.00} (per delivered packet)");
        if (wrtc is not null)
        {
            t.AppendLine(Inv, $"generator check with real libwebrtc peers ({wrtc.Calls} calls, {wrtc.Real.Peers} peers): {wrtc.Real.Note}");
            t.AppendLine(Row(wrtc.Real));
            t.AppendLine(Row(wrtc.Synthetic));
            t.AppendLine(Inv, $"  SFU µs per forwarded packet: real peers {wrtc.Real.MicrosecondsPerPacket:0.00}, synthetic clients at the same rates {wrtc.Synthetic.MicrosecondsPerPacket:0.00}; factor {wrtc.Factor:0.00} (agreement when within 0.5–2)");
        }

        var n = new StringBuilder();
        n.AppendLine("server\tcalls\tready_peers\tpeers\twindow_s\tsent\treceived\tclient_drops\tserver_drops\tserver_cpu_s\tserver_packets\tpps\tus_per_pkt\tus_per_delivered\tadded_loss_pct\tp50_ms\tp99_ms\tmax_ms\trss_bytes\tgen0\tgen1\tgen2\tprocess_alloc_bytes\tworker_alloc_bytes\talloc_bytes_per_pkt\tmean_rx_batch\tgenerator_cpu_s\tbad_packets\tlate_skips\tjit_ms\tload_avg\tnote");
        foreach (var r in results.Concat(wrtc is null ? [] : new[] { wrtc.Real, wrtc.Synthetic }))
            n.AppendLine(string.Join('\t', new object?[] { r.Server, r.Calls, r.ReadyPeers, r.Peers, F(r.WindowSeconds), r.Sent, r.Received, r.ClientDrops, r.ServerDrops,
                F(r.ServerCpuSeconds), r.ServerPackets, F(r.PacketsPerSecond), F(r.MicrosecondsPerPacket), F(r.MicrosecondsPerDelivered), F(r.AddedLossPercent),
                F(r.P50Ms), F(r.P99Ms), F(r.MaxMs), r.ServerRssBytes, r.Gen0, r.Gen1, r.Gen2, r.ProcessAllocatedBytes, r.WorkerAllocatedBytes, F(r.AllocatedBytesPerPacket),
                F(r.MeanReceiveBatch), F(r.GeneratorCpuSeconds), r.BadPackets, r.LateSkips, F(r.JitMilliseconds), F(r.LoadAverage), r.Note }.Select(v => Convert.ToString(v, Inv))));

        var last = sfuRows.LastOrDefault();
        var turn = last is null ? null : turnRows.FirstOrDefault(x => x.Calls == last.Calls);
        var summary = last is null ? "calls=0" : string.Create(Inv,
            $"calls={last.Calls} pps={last.PacketsPerSecond:0} sfu_us_per_pkt={last.MicrosecondsPerPacket:0.00} coturn_us_per_pkt={(turn is null ? "n/a" : turn.MicrosecondsPerPacket.ToString("0.00", Inv))} " +
            $"ratio={(turn is null ? "n/a" : (last.MicrosecondsPerPacket / turn.MicrosecondsPerPacket).ToString("0.00", Inv))} added_loss_pct={last.AddedLossPercent:0.000} " +
            $"p99_ms={last.P99Ms:0.00} alloc_bytes_per_pkt={last.AllocatedBytesPerPacket:0.###}");
        return (t.ToString(), n.ToString(), summary);
    }

    private static string Row(PhaseResult r) => string.Create(Inv,
        $"{r.Server,-13} {r.Calls,5} {r.ReadyPeers + "/" + r.Peers,9} {r.PacketsPerSecond,8:0} {r.ServerCores,6:0.00} {r.MicrosecondsPerPacket,7:0.00} {r.MicrosecondsPerDelivered,7:0.00} " +
        $"{r.AddedLossPercent,7:0.000} {r.P50Ms,6:0.00} {r.P99Ms,6:0.00} {r.MaxMs,6:0.0} {r.ServerRssBytes / 1048576.0,7:0.0} {r.Gen0 + "/" + r.Gen1 + "/" + r.Gen2,8} " +
        $"{(r.Server.StartsWith("sfu", StringComparison.Ordinal) ? r.AllocatedBytesPerPacket.ToString("0.##", Inv) : "-"),6} {(r.MeanReceiveBatch > 0 ? r.MeanReceiveBatch.ToString("0.0", Inv) : "-"),5} " +
        $"{(double.IsNaN(r.GeneratorCores) ? "-" : (r.GeneratorCores * 100).ToString("0", Inv)),5} {r.ServerDrops + "/" + r.ClientDrops,10} {r.LoadAverage,5:0.0}");

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.####", Inv);
}
