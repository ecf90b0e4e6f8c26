using Media.Sfu.Routing;

namespace Media.Sfu.Hosting;

/// <summary>
/// What one SFU node carries now, for placement: the control plane puts new calls on the node with the most
/// headroom and moves on when a node answers 503 SFU_AT_CAPACITY.
/// </summary>
/// <param name="Streams">RTP streams received plus sent (producers + consumers); a 1:1 audio+video call is 8.</param>
/// <param name="PacketsInPerSecond">RTP packets received per second over the last sampling second.</param>
/// <param name="PacketsOutPerSecond">RTP packets sent (forwarded) per second over the last sampling second.</param>
/// <param name="CpuPercent">Process CPU as a percentage of all cores, averaged over the last 5 s.</param>
/// <param name="AtCapacity">True when a new room would be refused now; <paramref name="CapacityReason"/> says why.</param>
/// <param name="PacketPathAllocatedBytes">Managed bytes allocated by the UDP workers since start (0 when the packet path does not allocate).</param>
public sealed record SfuLoad(
    int Workers, int Rooms, int Transports, int Streams,
    double PacketsInPerSecond, double PacketsOutPerSecond, double CpuPercent,
    bool AtCapacity, string? CapacityReason, long PacketPathAllocatedBytes);

/// <summary>
/// Samples the process CPU and the packet counters about once a second (from the node's housekeeping) and
/// decides admission. CPU is averaged over the last <see cref="CpuWindow"/> samples so a short burst (a JIT,
/// a GC) does not turn callers away.
/// </summary>
internal sealed class SfuLoadMonitor(SfuOptions options, TimeProvider clock, int processors)
{
    public const int CpuWindow = 5;
    private readonly object _gate = new();
    private readonly double[] _cpuPercent = new double[CpuWindow];
    private int _cpuSamples, _cpuNext;
    private bool _hasPrevious;
    private TimeSpan _lastCpu;
    private long _lastTimestamp, _lastIn, _lastOut;
    private double _inPerSecond, _outPerSecond;

    /// <summary>The process's CPU time so far; replaceable so tests can drive the monitor.</summary>
    public Func<TimeSpan> ProcessCpuTime { get; set; } = () => Environment.CpuUsage.TotalTime;

    public void Sample(long packetsIn, long packetsOut)
    {
        var cpu = ProcessCpuTime();
        var now = clock.GetTimestamp();
        lock (_gate)
        {
            if (_hasPrevious)
            {
                var wall = clock.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
                if (wall > 0)
                {
                    _cpuPercent[_cpuNext] = Math.Clamp((cpu - _lastCpu).TotalSeconds / wall / processors * 100, 0, 100);
                    _cpuNext = (_cpuNext + 1) % CpuWindow;
                    _cpuSamples = Math.Min(_cpuSamples + 1, CpuWindow);
                    _inPerSecond = (packetsIn - _lastIn) / wall;
                    _outPerSecond = (packetsOut - _lastOut) / wall;
                }
            }
            _hasPrevious = true;
            _lastCpu = cpu;
            _lastTimestamp = now;
            _lastIn = packetsIn;
            _lastOut = packetsOut;
        }
    }

    public double CpuPercent
    {
        get
        {
            lock (_gate)
            {
                if (_cpuSamples == 0) return 0;
                double sum = 0;
                for (var i = 0; i < _cpuSamples; i++) sum += _cpuPercent[i];
                return sum / _cpuSamples;
            }
        }
    }

    public (double In, double Out) PacketsPerSecond { get { lock (_gate) return (_inPerSecond, _outPerSecond); } }

    /// <summary>
    /// Why a new session would be refused now, or null. <paramref name="joiningOpenRoom"/>: a participant of a room the
    /// node already accepted is held only to the hard limits (transports, streams), not to CPU, so an accepted call completes.
    /// </summary>
    public string? RefusalReason(int transports, int streams, bool joiningOpenRoom)
    {
        if (transports >= options.MaxTransports) return $"this SFU node is at its transport limit ({options.MaxTransports})";
        if (options.MaxStreams > 0 && streams >= options.MaxStreams) return $"this SFU node is at its stream limit ({options.MaxStreams})";
        if (!joiningOpenRoom && options.MaxCpuPercent > 0 && CpuPercent >= options.MaxCpuPercent)
            return $"this SFU node is at its CPU limit ({CpuPercent:0}% ≥ {options.MaxCpuPercent}%)";
        return null;
    }

    /// <summary>Producers plus consumers over the given routers (each counted once). Signalling path: allocates.</summary>
    public static int CountStreams(IEnumerable<Router> routers)
    {
        var streams = 0;
        foreach (var r in routers.Distinct()) streams += r.Producers.Count + r.Consumers.Count;
        return streams;
    }
}
