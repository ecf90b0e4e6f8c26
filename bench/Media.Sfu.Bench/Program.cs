using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Media.Sfu.Bench;

// Usage: Media.Sfu.Bench [--quick] [--summary-file PATH] [BenchmarkDotNet options, e.g. --filter *Srtp*]
// Without --filter every benchmark runs. The compact summary is printed last (and written to PATH).
bool quick = false;
string? summaryFile = null;
var forwarded = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick")
        quick = true;
    else if (args[i] == "--summary-file" && i + 1 < args.Length)
        summaryFile = args[++i];
    else
        forwarded.Add(args[i]);
}
if (!forwarded.Any(a => a is "--filter" or "-f" or "--list" or "--help" or "-h" or "--info"))
    forwarded.AddRange(["--filter", "*"]);

Summary[] summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
    .Run([.. forwarded], SfuMicroConfig.Create(quick))
    .ToArray();
if (summaries.Length == 0 || summaries.All(s => s.Reports.Length == 0))
    return forwarded.Any(a => a is "--list" or "--help" or "-h" or "--info") ? 0 : 1;

string table = SfuMicroSummary.Render(summaries, quick);
if (summaryFile is not null)
    File.WriteAllText(summaryFile, table);
Console.WriteLine();
Console.Write(table);
bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
