using Media.Sfu.Bench.Workloads;
using Media.Sfu.Native;
using Media.Sfu.Tests.Native;

namespace Media.Sfu.Tests.Bench;

/// <summary>
/// The whole forwarding path of a running node — recvmmsg, demux, SRTP unprotect, routing, header rewrite, protect,
/// sendmmsg — with real DTLS-connected clients over loopback: every packet arrives decrypted at the other client and
/// the node's UDP worker allocates nothing on the managed heap while forwarding.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class LoopbackForwardTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public void ForwardedPackets_ArriveDecrypted_AndTheWorkerAllocatesNothing(int batchSize)
    {
        using (var workload = new LoopbackForwardWorkload(batchSize))
        {
            var worker = workload.Node.UdpWorkers.Single();
            // Steady state: a second of traffic first, so tier-up of the packet path (a one-off 40 B) is behind us.
            for (var warm = System.Diagnostics.Stopwatch.StartNew(); warm.Elapsed < TimeSpan.FromSeconds(1);) workload.ForwardBurst();
            // Steady state: tiered JIT may still recompile the packet path once (a one-off 40 B) on a busy machine, so up to
            // five windows of 100 bursts are measured and one must be allocation-free; every window must deliver everything.
            long workerAllocated = -1, clientAllocated = -1;
            for (var window = 0; window < 5 && (workerAllocated != 0 || clientAllocated != 0); window++)
            {
                Thread.Sleep(50); // the worker counts a packet just after sending it: let the last one settle
                var forwardedBefore = workload.Node.Stats().RtpPacketsOut;
                var workerBefore = worker.WorkerAllocatedBytes;
                var clientBefore = GC.GetAllocatedBytesForCurrentThread();
                var deliveredBefore = workload.Delivered;
                for (var i = 0; i < 100; i++) workload.ForwardBurst();
                clientAllocated = GC.GetAllocatedBytesForCurrentThread() - clientBefore;
                Thread.Sleep(50);
                Assert.Equal(100 * LoopbackForwardWorkload.Burst, workload.Delivered - deliveredBefore);
                Assert.Equal(100 * LoopbackForwardWorkload.Burst, workload.Node.Stats().RtpPacketsOut - forwardedBefore);
                workerAllocated = worker.WorkerAllocatedBytes - workerBefore;
            }
            Assert.Equal(0, workerAllocated);
            Assert.Equal(0, clientAllocated); // the load clients are as frugal as the node they measure
            Assert.True(worker.ReceiveBatches > 0);
            Assert.Equal(0, worker.PacketsDropped);
        }
        Assert.Equal(0, LiveNativeContexts.Total);
    }
}
