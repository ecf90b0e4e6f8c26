using Media.Sfu.Net;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Media.Sfu.Load.Clients;

/// <summary>
/// One load thread: owns a share of the peers, waits on all their sockets with one epoll set, drains ready
/// sockets with recvmmsg (kernel arrival timestamps attached) and sends what each peer's schedule says is
/// due. Sleeps in epoll_wait between events, so idle clients cost nothing.
/// </summary>
public sealed unsafe class PeerWorker : IDisposable
{
    private const int Batch = 32, SlotSize = 2048, ControlSize = 64, NameSize = 32, MaxEvents = 256;
    private readonly List<LoadPeer> _peers = [];
    private readonly int _epoll;
    private readonly Thread _thread;
    private volatile bool _stop;
    private bool _disposed;
    private readonly byte* _memory;
    private readonly LinuxSockets.MMsgHdr* _headers;
    private readonly LinuxSockets.IoVec* _iov;
    private readonly byte* _buffers, _controls, _names;
    private readonly LibC.EpollEvent* _events;

    public PeerWorker(int index)
    {
        Index = index;
        _epoll = LibC.EpollCreate1(0);
        if (_epoll < 0) throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        var total = (nuint)(Batch * (sizeof(LinuxSockets.MMsgHdr) + sizeof(LinuxSockets.IoVec) + SlotSize + ControlSize + NameSize) + MaxEvents * sizeof(LibC.EpollEvent));
        _memory = (byte*)NativeMemory.AllocZeroed(total);
        _headers = (LinuxSockets.MMsgHdr*)_memory;
        _iov = (LinuxSockets.IoVec*)(_headers + Batch);
        _buffers = (byte*)(_iov + Batch);
        _controls = _buffers + Batch * SlotSize;
        _names = _controls + Batch * ControlSize;
        _events = (LibC.EpollEvent*)(_names + Batch * NameSize);
        for (var i = 0; i < Batch; i++)
        {
            _iov[i].Base = _buffers + i * SlotSize;
            _iov[i].Length = SlotSize;
            _headers[i].Header.Iov = _iov + i;
            _headers[i].Header.IovLength = 1;
            _headers[i].Header.Name = _names + i * NameSize;
            _headers[i].Header.Control = _controls + i * ControlSize;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = $"load-{index}" };
    }

    public int Index { get; }
    public DelayHistogram Delays { get; } = new();
    public IReadOnlyList<LoadPeer> Peers => _peers;
    public long Wakeups { get; private set; }
    public string? Error { get; private set; }

    /// <summary>Adds a peer before <see cref="Start"/>; its socket joins this thread's epoll set.</summary>
    public void Add(LoadPeer peer)
    {
        var ev = new LibC.EpollEvent { Events = LibC.EpollIn, Data = (ulong)_peers.Count };
        if (LibC.EpollCtl(_epoll, LibC.EpollCtlAdd, peer.Fd, &ev) != 0)
            throw new InvalidOperationException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}");
        _peers.Add(peer);
    }

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stop = true;
        if (_thread.IsAlive) _thread.Join(TimeSpan.FromSeconds(5));
    }

    private void Run()
    {
        try
        {
            while (!_stop) Step(10); // wake at least every 10 ms to see the stop flag
        }
        catch (Exception e) { Error = e.ToString(); }
    }

    /// <summary>
    /// One round of the loop — send what is due, wait up to <paramref name="maxWaitMs"/> for sockets, drain them —
    /// for callers that drive the peers on their own thread (benchmarks, tests) instead of <see cref="Start"/>.
    /// Returns how many sockets were ready.
    /// </summary>
    public int Step(int maxWaitMs)
    {
        var now = Stopwatch.GetTimestamp();
        var next = now + maxWaitMs * Stopwatch.Frequency / 1000;
        foreach (var p in _peers)
        {
            var due = p.Poll(now);
            if (due < next) next = due;
        }
        var timeout = (int)Math.Ceiling((next - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency);
        var n = LibC.EpollWait(_epoll, _events, MaxEvents, Math.Clamp(timeout, 0, maxWaitMs));
        Wakeups++;
        for (var i = 0; i < n; i++) Drain(_peers[(int)_events[i].Data]);
        return Math.Max(n, 0);
    }

    private void Drain(LoadPeer peer)
    {
        while (true)
        {
            for (var i = 0; i < Batch; i++)
            {
                _headers[i].Header.NameLength = NameSize;
                _headers[i].Header.ControlLength = ControlSize;
                _headers[i].Header.Flags = 0;
            }
            var n = LinuxSockets.RecvMmsg(peer.Fd, _headers, Batch, LibC.MsgDontWait, null);
            if (n <= 0) return;
            for (var i = 0; i < n; i++)
            {
                if ((_headers[i].Header.Flags & LibC.MsgTrunc) != 0) { peer.BadPackets++; continue; }
                peer.OnDatagram(new Span<byte>(_iov[i].Base, (int)_headers[i].Length), ArrivalNs(i), Delays);
            }
            if (n < Batch) return;
        }
    }

    /// <summary>The SCM_TIMESTAMPNS control message of slot <paramref name="i"/> (struct timespec), else now.</summary>
    private long ArrivalNs(int i)
    {
        var control = _controls + i * ControlSize;
        var length = (long)_headers[i].Header.ControlLength;
        var offset = 0L;
        while (offset + 16 <= length)
        {
            var cmsgLength = *(long*)(control + offset);
            var level = *(int*)(control + offset + 8);
            var type = *(int*)(control + offset + 12);
            if (cmsgLength < 16) break;
            if (level == LibC.SolSocket && type == LibC.SoTimestampNs && cmsgLength >= 32)
                return *(long*)(control + offset + 16) * 1_000_000_000L + *(long*)(control + offset + 24);
            offset += (cmsgLength + 7) & ~7L;
        }
        return LibC.RealtimeNs();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_thread.IsAlive) Stop();
        LibC.Close(_epoll);
        NativeMemory.Free(_memory);
    }
}
