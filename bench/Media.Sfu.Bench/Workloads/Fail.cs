using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Media.Sfu.Srtp;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// Every workload checks its result and throws when a step failed, so a benchmark can never
/// report the cost of an early-out (a replay rejection, a dropped request) as the cost of the work.
/// The throw sits out of line to keep the measured bodies small.
/// </summary>
public static class Fail
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(string what) => throw new InvalidOperationException($"Benchmark step failed: {what}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(string what, SrtpStatus status) =>
        throw new InvalidOperationException($"Benchmark step failed: {what} returned {status}.");
}
