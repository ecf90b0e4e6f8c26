using BenchmarkDotNet.Attributes;
using Media.Sfu.Bench.Workloads;
using Media.Sfu.Ice;

namespace Media.Sfu.Bench.Benchmarks;

/// <summary>ICE connectivity checks: parsing alone, the success path and the 401 path.</summary>
[MemoryDiagnoser]
public class StunBenchmarks
{
    private StunWorkload _workload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = new StunWorkload();
        Verify();
    }

    [Benchmark(Description = "STUN parse")]
    public int StunParse() => _workload.Parse();

    [Benchmark(Description = "STUN Binding -> success")]
    public int StunBindingSuccess() => _workload.ProcessBindingRequest();

    [Benchmark(Description = "STUN Binding -> 401")]
    public int StunBindingUnauthorized() => _workload.ProcessUnauthorizedRequest();

    // Proves after the run that neither path degraded (e.g. consent closing turns everything into a cheap drop).
    [GlobalCleanup]
    public void Verify()
    {
        _workload.ProcessBindingRequest();
        if (_workload.LastOutcome != IceCheckOutcome.Success)
            Fail.Throw($"the valid request gave {_workload.LastOutcome}");
        _workload.ProcessUnauthorizedRequest();
        if (_workload.LastOutcome != IceCheckOutcome.Unauthorized)
            Fail.Throw($"the wrongly signed request gave {_workload.LastOutcome}");
    }
}
