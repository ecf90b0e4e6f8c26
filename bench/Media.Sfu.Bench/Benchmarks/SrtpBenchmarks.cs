using BenchmarkDotNet.Attributes;
using Media.Sfu.Bench.Workloads;
using Media.Sfu.Srtp;

namespace Media.Sfu.Bench.Benchmarks;

/// <summary>SRTP protect alone and protect+unprotect of a 1,200-byte RTP packet (see <see cref="SrtpWorkload"/>).</summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private SrtpWorkload _workload = null!;

    [Params(SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup() => _workload = new SrtpWorkload(Profile);

    [Benchmark(Description = "SRTP protect")]
    public int SrtpProtect() => _workload.Protect();

    [Benchmark(Description = "SRTP protect+unprotect")]
    public int SrtpProtectUnprotect() => _workload.ProtectUnprotect();

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();
}

/// <summary>
/// SRTP unprotect alone, over a ring of distinct protected packets (see <see cref="SrtpUnprotectRing"/>):
/// each iteration runs exactly <see cref="RingCapacity"/> calls, and the ring is rewound outside the
/// measurement before each iteration.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(RingCapacity, 16)]
[IterationCount(20)]
public class SrtpUnprotectBenchmarks
{
    public const int RingCapacity = 4096;

    private SrtpUnprotectRing _ring = null!;

    [Params(SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup() => _ring = new SrtpUnprotectRing(Profile, RingCapacity);

    [IterationSetup]
    public void Rewind() => _ring.Rewind();

    [Benchmark(Description = "SRTP unprotect")]
    public int SrtpUnprotect() => _ring.Unprotect();

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_ring.UnplannedRewinds != 0)
            Console.WriteLine($"// Warning: the unprotect ring rewound {_ring.UnplannedRewinds} times inside measured iterations.");
        _ring.Dispose();
    }
}

/// <summary>
/// SRTP protect (1,200 bytes) while other SRTP sessions of the same profile exist, as on a loaded node (2 per
/// transport). With the NSS crypto backend Debian builds libsrtp2 against, per-packet work in the PKCS#11 softoken
/// (a handle lookup walking hash chains) can grow with the number of live sessions, i.e. with the calls on the node.
/// </summary>
[MemoryDiagnoser]
public class SrtpLiveSessionsBenchmarks
{
    private SrtpWorkload _workload = null!;
    private readonly List<SrtpSession> _others = [];

    [Params(SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [Params(0, 400, 2000)]
    public int OtherSessions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _workload = new SrtpWorkload(Profile);
        for (var i = 0; i < OtherSessions; i++)
            _others.Add(new SrtpSession(Profile, i % 2 == 0 ? SrtpDirection.Outbound : SrtpDirection.Inbound,
                BenchPackets.MasterKeyAndSalt(Profile, 100 + i)));
    }

    [Benchmark(Description = "SRTP protect among N other sessions")]
    public int SrtpProtectAmongSessions() => _workload.Protect();

    [GlobalCleanup]
    public void Cleanup()
    {
        _workload.Dispose();
        foreach (var s in _others) s.Dispose();
    }
}
