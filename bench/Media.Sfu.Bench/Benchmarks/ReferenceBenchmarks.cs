using BenchmarkDotNet.Attributes;
using Media.Sfu.Bench.Workloads;

namespace Media.Sfu.Bench.Benchmarks;

/// <summary>Yardsticks for ratios: a 1,200-byte memcpy, .NET AES-128-GCM over 1,200 bytes, one-shot HMAC-SHA1 of 80 bytes.</summary>
[MemoryDiagnoser]
public class ReferenceBenchmarks
{
    private readonly ReferenceWorkload _workload = new();

    [Benchmark(Description = "ref: memcpy 1200 B")]
    public int Memcpy() => _workload.Copy();

    [Benchmark(Description = "ref: .NET AesGcm encrypt 1200 B")]
    public int AesGcmEncrypt() => _workload.EncryptAesGcm();

    [Benchmark(Description = "ref: .NET HMACSHA1.HashData 80 B")]
    public int HmacSha1() => _workload.HmacSha1();

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();
}
