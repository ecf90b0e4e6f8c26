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

/// <summary>
/// The whole path over loopback sockets (see <see cref="LoopbackForwardWorkload"/>): per packet, client A's protect
/// and send, the SFU worker's recvmmsg → unprotect → route → rewrite → protect → sendmmsg, client B's receive and
/// unprotect. Batch 0 is the portable one-datagram loop, 1 is recvmmsg without batching, 32 the default.
/// </summary>
[MemoryDiagnoser]
public class LoopbackForwardBenchmarks
{
    private LoopbackForwardWorkload _workload = null!;

    [Params(0, 1, 32)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup() => _workload = new LoopbackForwardWorkload(BatchSize);

    [Benchmark(OperationsPerInvoke = LoopbackForwardWorkload.Burst, Description = "Loopback A->SFU->B, per packet")]
    public long LoopbackForward() => _workload.ForwardBurst();

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();
}
