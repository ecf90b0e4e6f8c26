using BenchmarkDotNet.Attributes;
using Media.Sfu.Bench.Workloads;
using Media.Sfu.Srtp;

namespace Media.Sfu.Bench.Benchmarks;

/// <summary>The header rewrite on its own (in place, no copy).</summary>
[MemoryDiagnoser]
public class RtpRewriteBenchmarks
{
    private readonly RtpRewriteWorkload _workload = new();

    [Benchmark(Description = "RTP header rewrite")]
    public int RtpRewrite() => _workload.Rewrite();
}

/// <summary>One packet forwarded to one consumer: copy, rewrite, protect (see <see cref="ForwardWorkload"/>).</summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private ForwardWorkload _workload = null!;

    [Params(SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup() => _workload = new ForwardWorkload(Profile);

    [Benchmark(Description = "Forward: copy+rewrite+protect")]
    public int Forward() => _workload.Forward();

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();
}
