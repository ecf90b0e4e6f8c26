using Media.Sfu.Dtls;
using Media.Sfu.Hosting;
using Media.Sfu.Load.Clients;
using Media.Sfu.Native;
using Media.Sfu.Sdp;
using Media.Sfu.Tests.Native;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Tests.Hosting;

/// <summary>
/// The node reports its load and refuses new rooms and sessions above its limits with 503 SFU_AT_CAPACITY — the
/// answer the control plane turns into placement on another node — while participants of an admitted room still join.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class SfuCapacityTests : IDisposable
{
    private readonly DtlsCertificate _clientCertificate = DtlsCertificate.Generate("capacity-test");
    private readonly DtlsContext _clientDtls;
    private readonly List<IDisposable> _disposables = [];

    public SfuCapacityTests() => _clientDtls = new DtlsContext(_clientCertificate);

    private SfuNode StartNode(SfuOptions options, TimeProvider? clock = null)
    {
        options.UdpPort = 0;
        options.TcpPort = 0;
        options.EnableTcp = false;
        var node = new SfuNode(Options.Create(options), NullLoggerFactory.Instance, clock);
        node.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _disposables.Add(node);
        return node;
    }

    /// <summary>A browser-like offer with audio and video (one producer and one consumer slot each).</summary>
    private string Offer(int id)
    {
        var peer = new WebRtcPeer(id, new MediaProfile(), new MeasurementWindow(), _clientDtls, new Random(id));
        _disposables.Add(peer);
        return peer.CreateOffer();
    }

    private static SfuException Refused(Action action)
    {
        var e = Assert.Throws<SfuException>(action);
        Assert.Equal(503, e.StatusCode);
        Assert.Equal("SFU_AT_CAPACITY", e.Code);
        return e;
    }

    [Fact]
    public void StreamLimit_RefusesNewRoomsAndSessions_AndLoadShowsWhy()
    {
        var node = StartNode(new SfuOptions { MaxStreams = 8, MaxCpuPercent = 0, UdpWorkers = 1 });
        node.OpenRoom("r1", ["a", "b"]);
        node.CreateSession("a", Offer(1), SfuSessionMode.Call, "r1");
        Assert.Equal(2, node.Load().Streams); // a's audio and video producers; no receiver yet
        node.CreateSession("b", Offer(2), SfuSessionMode.Call, "r1");

        var load = node.Load();
        Assert.Equal(8, load.Streams);         // 4 producers + 4 consumers: one 1:1 audio+video call
        Assert.Equal(1, load.Rooms);
        Assert.Equal(2, load.Transports);
        Assert.True(load.AtCapacity);
        Assert.Contains("stream limit", load.CapacityReason);

        var e = Refused(() => node.OpenRoom("r2", ["c", "d"]));
        Assert.Contains("stream limit (8)", e.Message);
        Refused(() => node.CreateSession("c", Offer(3), SfuSessionMode.Echo));
        Assert.False(node.TryGetRoom("r2", out _));
        Assert.Same(node.Rooms.Single(), node.OpenRoom("r1", ["a", "b"])); // an open room is returned as before

        // Room r1 ends: capacity returns.
        Assert.True(node.CloseRoom("r1"));
        Assert.Equal(0, node.Load().Streams);
        Assert.False(node.Load().AtCapacity);
        node.OpenRoom("r2", ["c", "d"]);
    }

    [Fact]
    public void CpuLimit_RefusesNewRooms_ButAdmittedRoomsStillFill()
    {
        var clock = new ManualClock();
        var node = StartNode(new SfuOptions { MaxCpuPercent = 80, UdpWorkers = 1, TickMilliseconds = 1000 }, clock);
        var cpu = TimeSpan.Zero;
        node.LoadMonitor.ProcessCpuTime = () => cpu;
        node.SampleLoad();
        node.OpenRoom("admitted", ["a", "b"]);

        // One second at 95 % of every core.
        clock.Advance(TimeSpan.FromSeconds(1));
        cpu += TimeSpan.FromSeconds(0.95 * Environment.ProcessorCount);
        node.SampleLoad();
        Assert.Equal(95, node.Load().CpuPercent, 3);
        Assert.True(node.Load().AtCapacity);

        var e = Refused(() => node.OpenRoom("new", ["c", "d"]));
        Assert.Contains("CPU limit", e.Message);
        Refused(() => node.CreateSession("e", Offer(5), SfuSessionMode.Echo));
        // The room was admitted before the node got busy: its participants still join.
        node.CreateSession("a", Offer(1), SfuSessionMode.Call, "admitted");
        node.CreateSession("b", Offer(2), SfuSessionMode.Call, "admitted");

        // The average is over the last 5 samples: it takes quiet seconds to come back under the limit.
        for (var i = 0; i < SfuLoadMonitor.CpuWindow; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            cpu += TimeSpan.FromSeconds(0.10 * Environment.ProcessorCount);
            node.SampleLoad();
        }
        Assert.Equal(10, node.Load().CpuPercent, 3);
        Assert.False(node.Load().AtCapacity);
        node.OpenRoom("new", ["c", "d"]);
    }

    [Fact]
    public void TransportLimit_StillApplies()
    {
        var node = StartNode(new SfuOptions { MaxTransports = 1, MaxCpuPercent = 0, UdpWorkers = 1 });
        node.CreateSession("a", Offer(1), SfuSessionMode.Echo);
        var e = Refused(() => node.CreateSession("b", Offer(2), SfuSessionMode.Echo));
        Assert.Contains("transport limit", e.Message);
    }

    [Fact]
    public void RoomsAreSpreadOverWorkers_AndBothParticipantsGetTheirRoomsPort()
    {
        var node = StartNode(new SfuOptions { UdpWorkers = 2, MaxCpuPercent = 0 });
        Assert.Equal(2, node.UdpWorkers.Count);
        var ports = new List<int>();
        for (var r = 0; r < 4; r++)
        {
            var room = node.OpenRoom($"r{r}", [$"a{r}", $"b{r}"]);
            var portA = CandidatePort(node.CreateSession($"a{r}", Offer(10 * r + 1), SfuSessionMode.Call, $"r{r}").AnswerSdp);
            var portB = CandidatePort(node.CreateSession($"b{r}", Offer(10 * r + 2), SfuSessionMode.Call, $"r{r}").AnswerSdp);
            Assert.Equal(portA, portB);
            Assert.Equal(node.UdpWorkers[room.Worker].LocalEndPoint.Port, portA);
            ports.Add(portA);
        }
        // Least-loaded placement alternates between the two workers.
        Assert.Equal(2, ports.Distinct().Count());
        Assert.Equal(2, ports.Count(p => p == ports[0]));
        Assert.All(node.Sessions, s => Assert.Equal(s.Room!.Worker, s.Worker));
    }

    [Fact]
    public void OptionsValidation_NamesBadCapacitySettings()
    {
        var errors = new SfuOptions { MaxStreams = -1, MaxCpuPercent = 101, UdpWorkers = -1, UdpBatchSize = 5000, UdpPort = 65535, UdpSocketBufferBytes = 1 }.Validate().ToList();
        Assert.Contains(errors, e => e.Contains("max streams"));
        Assert.Contains(errors, e => e.Contains("max CPU percent"));
        Assert.Contains(errors, e => e.Contains("UDP workers"));
        Assert.Contains(errors, e => e.Contains("UDP batch size"));
        Assert.Contains(errors, e => e.Contains("UDP socket buffer"));
        Assert.Empty(new SfuOptions().Validate());
    }

    /// <summary>Time that moves only when told, and timers that never fire: the node's housekeeping cannot sample in between.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new IdleTimer();

        private sealed class IdleTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private static int CandidatePort(string answer)
    {
        Assert.True(SessionDescription.TryParse(answer, out var sdp, out var error), error);
        return sdp.Media[0].Candidates.Single(c => c.IsUdp).Port;
    }

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_disposables)) d.Dispose();
        _clientDtls.Dispose();
        _clientCertificate.Dispose();
        Assert.Equal(0, LiveNativeContexts.Total);
    }
}
