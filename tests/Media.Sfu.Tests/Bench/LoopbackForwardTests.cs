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
            Thread.Sleep(50); // the worker counts a packet just after sending it: let the last one settle
            var forwardedBefore = workload.Node.Stats().RtpPacketsOut;
            var workerBefore = worker.WorkerAllocatedBytes;
            var clientBefore = GC.GetAllocatedBytesForCurrentThread();
            var deliveredBefore = workload.Delivered;
            for (var i = 0; i < 100; i++) workload.ForwardBurst();
            var clientAllocated = GC.GetAllocatedBytesForCurrentThread() - clientBefore;
            Thread.Sleep(50);

            Assert.Equal(100 * LoopbackForwardWorkload.Burst, workload.Delivered - deliveredBefore);
            Assert.Equal(100 * LoopbackForwardWorkload.Burst, workload.Node.Stats().RtpPacketsOut - forwardedBefore);
            Assert.Equal(0, worker.WorkerAllocatedBytes - workerBefore);
            Assert.Equal(0, clientAllocated); // the load clients are as frugal as the node they measure
            Assert.True(worker.ReceiveBatches > 0);
            Assert.Equal(0, worker.PacketsDropped);
        }
        Assert.Equal(0, LiveNativeContexts.Total);
    }
}
