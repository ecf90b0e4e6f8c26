using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace Media.Sfu.Bench;

/// <summary>
/// Job settings sized for a shared 2-core machine. Full: one launch per benchmark, 3 warmup and
/// 10 measured iterations of ~200 ms each (under two minutes for the suite). Quick: 1 warmup and
/// 3 iterations of ~20 ms — a smoke run for CI whose times are only indicative; it runs without
/// tiered compilation, else iterations that short would measure tier-0 code. Both run each
/// benchmark in its own process: in process, allocations by other threads of the host would be
/// counted in MemoryDiagnoser's process-wide figure.
/// </summary>
public static class SfuMicroConfig
{
    public static IConfig Create(bool quick)
    {
        Job job = quick
            ? Job.Default
                .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_TieredCompilation", "0"))
                .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
                .WithIterationTime(TimeInterval.FromMilliseconds(20)).WithId("quick")
            : Job.Default
                .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10)
                .WithIterationTime(TimeInterval.FromMilliseconds(200)).WithId("sfu-micro");

        return ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
            .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Nanosecond))
            .WithOptions(ConfigOptions.JoinSummary);
    }
}
