using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace Media.Sfu.Bench;

/// <summary>
/// The compact table bench.sh prints last: benchmark, mean ns/op, allocated B/op, and each mean
/// as a multiple of two references measured in the same run (memcpy, .NET AesGcm), then the key ratios
/// (the HMAC-SHA1 reference explains the STUN figures) and whether anything allocated.
/// </summary>
public static class SfuMicroSummary
{
    private sealed record Row(string Method, string Name, string? Profile, double? MeanNs, long? AllocatedBytes);

    public static string Render(IEnumerable<Summary> summaries, bool quick)
    {
        var rows = new List<Row>();
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                var benchmark = report.BenchmarkCase;
                string method = benchmark.Descriptor.WorkloadMethod.Name;
                string? profile = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Profile")?.Value?.ToString();
                string? batch = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "BatchSize")?.Value?.ToString();
                profile ??= batch is null ? null : "batch " + batch;
                string? others = benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "OtherSessions")?.Value?.ToString();
                string name = benchmark.Descriptor.WorkloadMethodDisplayInfo.Trim('\'') + (profile is null ? "" : $" [{ShortProfile(profile)}]")
                              + (others is null ? "" : $" [{others} others]");
                if (others is not null) profile += "/" + others;
                rows.Add(new Row(method, name, profile, report.ResultStatistics?.Mean,
                    report.GcStats.GetBytesAllocatedPerOperation(benchmark)));
            }
        }

        rows = rows.OrderBy(r => Array.IndexOf(Order, r.Method) is var i and >= 0 ? i : Order.Length)
            .ThenBy(r => r.Profile?.StartsWith("AeadAes128Gcm", StringComparison.Ordinal) == true ? 1 : 0)
            .ThenBy(r => r.Profile?.Length ?? 0).ThenBy(r => r.Profile, StringComparer.Ordinal).ToList();
        double? memcpy = Mean(rows, "Memcpy", null);
        double? aesGcm = Mean(rows, "AesGcmEncrypt", null);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"sfu-micro summary ({(quick ? "QUICK run: indicative only" : "full run")}; ns and bytes per operation)");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"benchmark",-44} {"mean ns",10} {"alloc B",8} {"x memcpy",9} {"x AesGcm",9}");
        foreach (Row row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{row.Name,-44} {Format(row.MeanNs, "F1"),10} {row.AllocatedBytes?.ToString(CultureInfo.InvariantCulture) ?? "?",8} " +
                $"{Format(Ratio(row.MeanNs, memcpy), "F2"),9} {Format(Ratio(row.MeanNs, aesGcm), "F2"),9}");
        }

        text.AppendLine("ratios:");
        Line(text, "SRTP protect GCM / .NET AesGcm encrypt", Mean(rows, "SrtpProtect", "AeadAes128Gcm"), aesGcm);
        Line(text, "SRTP unprotect GCM / .NET AesGcm encrypt", Mean(rows, "SrtpUnprotect", "AeadAes128Gcm"), aesGcm);
        Line(text, "SRTP protect CM-HMAC / .NET AesGcm encrypt", Mean(rows, "SrtpProtect", "AesCm128HmacSha1_80"), aesGcm);
        Line(text, "SRTP protect CM-HMAC / SRTP protect GCM", Mean(rows, "SrtpProtect", "AesCm128HmacSha1_80"), Mean(rows, "SrtpProtect", "AeadAes128Gcm"));
        Line(text, "Forward GCM / SRTP protect GCM", Mean(rows, "Forward", "AeadAes128Gcm"), Mean(rows, "SrtpProtect", "AeadAes128Gcm"));
        Line(text, "Forward GCM / memcpy", Mean(rows, "Forward", "AeadAes128Gcm"), memcpy);
        Line(text, "SRTP protect GCM, 2000 / 0 other sessions", Mean(rows, "SrtpProtectAmongSessions", "AeadAes128Gcm/2000"), Mean(rows, "SrtpProtectAmongSessions", "AeadAes128Gcm/0"));
        Line(text, "SRTP protect CM-HMAC, 2000 / 0 other sessions", Mean(rows, "SrtpProtectAmongSessions", "AesCm128HmacSha1_80/2000"), Mean(rows, "SrtpProtectAmongSessions", "AesCm128HmacSha1_80/0"));
        Line(text, "Loopback A->SFU->B batch 32 / batch 0", Mean(rows, "LoopbackForward", "batch 32"), Mean(rows, "LoopbackForward", "batch 0"));
        Line(text, "Loopback A->SFU->B batch 32 / Forward GCM", Mean(rows, "LoopbackForward", "batch 32"), Mean(rows, "Forward", "AeadAes128Gcm"));
        Line(text, "STUN Binding success / .NET HMAC-SHA1 80 B", Mean(rows, "StunBindingSuccess", null), Mean(rows, "HmacSha1", null));
        Line(text, "STUN Binding 401 / .NET HMAC-SHA1 80 B", Mean(rows, "StunBindingUnauthorized", null), Mean(rows, "HmacSha1", null));

        var allocating = rows.Where(r => r.AllocatedBytes is > 0).Select(r => $"{r.Name} ({r.AllocatedBytes} B)").ToList();
        var unknown = rows.Count(r => r.AllocatedBytes is null || r.MeanNs is null);
        text.Append(allocating.Count == 0
            ? $"allocations: 0 B/op in all {rows.Count - unknown} measured benchmarks"
            : $"ALLOCATING: {string.Join(", ", allocating)}");
        if (unknown > 0)
            text.Append(CultureInfo.InvariantCulture, $"; {unknown} benchmark(s) FAILED or unmeasured");
        text.AppendLine();
        return text.ToString();
    }

    // Table order: the STUN path, RTP, SRTP, forwarding, then the references.
    private static readonly string[] Order =
    [
        "StunParse", "StunBindingSuccess", "StunBindingUnauthorized", "RtpRewrite",
        "SrtpProtect", "SrtpUnprotect", "SrtpProtectUnprotect", "Forward", "SrtpProtectAmongSessions", "LoopbackForward", "Memcpy", "AesGcmEncrypt", "HmacSha1",
    ];

    private static string ShortProfile(string profile) => profile switch
    {
        "AesCm128HmacSha1_80" => "AES-CM/HMAC",
        "AeadAes128Gcm" => "GCM",
        _ => profile,
    };

    private static double? Mean(List<Row> rows, string method, string? profile) =>
        rows.FirstOrDefault(r => r.Method == method && r.Profile == profile)?.MeanNs;

    private static double? Ratio(double? value, double? reference) =>
        value is { } v && reference is { } r && r > 0 ? v / r : null;

    private static string Format(double? value, string format) =>
        value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";

    private static void Line(StringBuilder text, string label, double? value, double? reference) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"  {label,-44} {Format(Ratio(value, reference), "F2"),8}");
}
