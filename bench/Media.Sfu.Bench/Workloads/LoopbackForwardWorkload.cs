using Media.Sfu.Dtls;
using Media.Sfu.Hosting;
using Media.Sfu.Load.Clients;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// The whole packet path of a running SFU node over real loopback sockets: a connected 1:1 call (two synthetic
/// WebRTC clients from bench/Media.Sfu.Load that did ICE and DTLS with the node), client A sends a burst of
/// 1,200-byte SRTP video packets, the node's UDP worker receives them (recvmmsg), unprotects, routes, rewrites,
/// protects and sends them (sendmmsg), and client B receives and decrypts each. One operation is one packet of the
/// burst. The node runs without its housekeeping timer, so every managed allocation the process makes while the
/// burst flows is on the packet path (or the clients').
/// </summary>
public sealed class LoopbackForwardWorkload : IDisposable
{
    public const int Burst = 32;
    private readonly DtlsCertificate _certificate;
    private readonly DtlsContext _dtls;
    private readonly WebRtcPeer _a, _b;
    private readonly PeerWorker _clients;

    public LoopbackForwardWorkload(int batchSize = Net.UdpMediaSocket.DefaultBatchSize)
    {
        var options = new SfuOptions
        {
            UdpPort = 0, EnableTcp = false, UdpWorkers = 1, UdpBatchSize = batchSize, MaxCpuPercent = 0, TickMilliseconds = 1000,
        };
        Node = new SfuNode(Options.Create(options), NullLoggerFactory.Instance, new TimerlessTimeProvider());
        Node.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _certificate = DtlsCertificate.Generate("bench-client");
        _dtls = new DtlsContext(_certificate);
        var window = new MeasurementWindow();
        window.Open(0);
        var profile = new MediaProfile();
        _a = new WebRtcPeer(1, profile, window, _dtls, new Random(1));
        _b = new WebRtcPeer(2, profile, window, _dtls, new Random(2));
        Node.OpenRoom("bench", ["a", "b"]);
        _a.ApplyAnswer(Node.CreateSession("a", _a.CreateOffer(), SfuSessionMode.Call, "bench").AnswerSdp);
        _b.ApplyAnswer(Node.CreateSession("b", _b.CreateOffer(), SfuSessionMode.Call, "bench").AnswerSdp);
        _clients = new PeerWorker(0);
        _clients.Add(_a);
        _clients.Add(_b);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(_a.IsReady && _b.IsReady))
        {
            if (DateTime.UtcNow > deadline || _a.Failure is not null || _b.Failure is not null)
                Fail.Throw($"clients did not connect: {_a.Failure ?? "pending"} / {_b.Failure ?? "pending"}");
            _clients.Step(5);
        }
        for (var i = 0; i < 20; i++) ForwardBurst(); // the consumer is wired and JIT tiers settle
    }

    public SfuNode Node { get; }
    public long Delivered => _b.ReceivedVideo;

    /// <summary>Sends <see cref="Burst"/> packets A → SFU → B and returns when B has decrypted all of them.</summary>
    public long ForwardBurst()
    {
        var target = _b.ReceivedVideo + Burst;
        for (var i = 0; i < Burst; i++) _a.SendOne(video: true);
        var deadline = Environment.TickCount64 + 2000;
        while (_b.ReceivedVideo < target)
        {
            _clients.Step(5);
            if (Environment.TickCount64 > deadline) Fail.Throw($"B received {_b.ReceivedVideo} of {target} (bad {_b.BadPackets})");
        }
        return _b.ReceivedVideo;
    }

    public void Dispose()
    {
        _clients.Dispose();
        _a.Dispose();
        _b.Dispose();
        Node.Dispose();
        _dtls.Dispose();
        _certificate.Dispose();
    }

    /// <summary>System time, but timers never fire: the node's housekeeping (and its allocations) stays out of the measurement.</summary>
    private sealed class TimerlessTimeProvider : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new IdleTimer();

        private sealed class IdleTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
