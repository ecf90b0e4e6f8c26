using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Media.Sfu.Bench;

/// <summary>
/// Job settings sized for a shared 2-core machine. Full: one out-of-process launch, 3 warmup and
/// 10 measured iterations of ~200 ms each (a few minutes for the suite). Quick: in process,
/// 1 warmup and 3 iterations of ~20 ms — a smoke run for CI whose figures are only indicative.
/// </summary>
public static class SfuMicroConfig
{
    public static IConfig Create(bool quick)
    {
        Job job = quick
            ? Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
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
