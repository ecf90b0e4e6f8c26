using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Testing.Services.Network;

/// <summary>
/// A lossy UDP hop on loopback, standing in for a bad network between one client and a media server: the client
/// sends to <see cref="Port"/>, the shim forwards to the target from one upstream socket per client address and
/// relays the replies back. Each direction drops a configurable share of datagrams (seeded, so runs repeat);
/// <see cref="Blackhole"/> drops everything, like a client whose network died.
/// </summary>
public sealed class UdpLossShim : IAsyncDisposable
{
    private readonly Socket _front;
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<IPEndPoint, Socket> _upstreams = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random;
    private readonly List<Task> _loops = new();
    private long _toTarget, _toTargetDropped, _toClient, _toClientDropped;

    private UdpLossShim(IPEndPoint target, int seed)
    {
        _target = target;
        _random = new Random(seed);
        _front = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_front.LocalEndPoint!).Port;
    }

    public static UdpLossShim Start(IPEndPoint target, int seed = 5)
    {
        var shim = new UdpLossShim(target, seed);
        shim._loops.Add(Task.Run(shim.FrontLoopAsync));
        return shim;
    }

    public int Port { get; }
    /// <summary>Share of client → target datagrams dropped (0–1).</summary>
    public double LossToTarget { get; set; }
    /// <summary>Share of target → client datagrams dropped (0–1).</summary>
    public double LossToClient { get; set; }
    public bool Blackhole { get; set; }
    /// <summary>
    /// When set, client → target RTP is dropped deterministically: every Nth packet of each SSRC (20 = exactly 5 % of
    /// every stream), so a measured loss can be checked tightly. RTP is recognised by RFC 7983's first byte (128–191)
    /// and a payload type outside RTCP's range; its SSRC is in clear under SRTP.
    /// </summary>
    public int? DropEveryNthRtpToTarget { get; set; }
    private readonly ConcurrentDictionary<uint, int> _rtpCounts = new();
    public long ForwardedToTarget => Interlocked.Read(ref _toTarget);
    public long DroppedToTarget => Interlocked.Read(ref _toTargetDropped);
    public long ForwardedToClient => Interlocked.Read(ref _toClient);
    public long DroppedToClient => Interlocked.Read(ref _toClientDropped);

    private bool Drop(double share)
    {
        if (Blackhole) return true;
        if (share <= 0) return false;
        lock (_random) return _random.NextDouble() < share;
    }

    private bool DropNthRtp(ReadOnlySpan<byte> datagram)
    {
        if (DropEveryNthRtpToTarget is not { } n || datagram.Length < 12 || datagram[0] is < 128 or > 191) return false;
        var pt = datagram[1] & 0x7F;
        if (pt is >= 64 and <= 95) return false; // RTCP (RFC 5761 §4)
        var ssrc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]);
        var count = _rtpCounts.AddOrUpdate(ssrc, 1, (_, c) => c + 1);
        return count % n == 0;
    }

    private async Task FrontLoopAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try { r = await _front.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; } // ICMP port unreachable from a client that went away
            var client = (IPEndPoint)r.RemoteEndPoint;
            if (Drop(LossToTarget) || DropNthRtp(buffer.AsSpan(0, r.ReceivedBytes))) { Interlocked.Increment(ref _toTargetDropped); continue; }
            var upstream = _upstreams.GetOrAdd(client, c =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                lock (_loops) _loops.Add(Task.Run(() => BackLoopAsync(s, c)));
                return s;
            });
            try { await upstream.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, _target, _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { }
            Interlocked.Increment(ref _toTarget);
        }
    }

    private async Task BackLoopAsync(Socket upstream, IPEndPoint client)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try { r = await upstream.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            if (Drop(LossToClient)) { Interlocked.Increment(ref _toClientDropped); continue; }
            try { await _front.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, client, _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { }
            Interlocked.Increment(ref _toClient);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _front.Dispose();
        foreach (var s in _upstreams.Values) s.Dispose();
        Task[] loops;
        lock (_loops) loops = _loops.ToArray();
        try { await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(2)); } catch (Exception) { }
    }
}
