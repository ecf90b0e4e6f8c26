using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Media.Sfu.Ice;
using Microsoft.Extensions.Logging;

namespace Media.Sfu.Net;

/// <summary>
/// One UDP socket and the worker thread that serves it. On Linux the worker receives with recvmmsg(2)
/// in batches, hands each datagram to the packet handler on its own thread, and sends what the handler
/// produced for this socket with one sendmmsg(2) at the end of the batch. A node runs one such worker
/// per core on consecutive ports and pins each room to one of them (the answer's candidate names the
/// port), so a call's packets are received, forwarded and sent by one thread and no lock on the packet
/// path is contended by two workers. Elsewhere (or with a batch size of 0) a portable loop with one
/// reused buffer and SocketAddress serves the socket. Neither allocates per packet.
/// </summary>
public sealed class UdpMediaSocket : IMediaEndpoint, IDisposable
{
    public const int ReceiveBufferSize = 65536;
    public const int DefaultBatchSize = 32;
    /// <summary>Largest datagram a batched worker accepts; media and DTLS flights stay under ~1,500 bytes.</summary>
    public const int BatchSlotSize = 4096;
    private readonly Socket _socket;
    private readonly IMediaPacketHandler _handler;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ushort _localSocketId;
    private readonly int _batchSize;
    private Task? _loop;
    private Thread? _worker;
    private volatile bool _stopping;
    private DatagramBatch? _sendBatch;   // the worker's own; only touched on the worker thread
    [ThreadStatic] private static SocketAddress? _sendV4, _sendV6;
    [ThreadStatic] private static UdpMediaSocket? _servedByThisThread;

    /// <param name="batchSize">Datagrams per recvmmsg/sendmmsg (Linux); 0 selects the portable loop.</param>
    public UdpMediaSocket(IPEndPoint bind, IMediaPacketHandler handler, ushort localSocketId, ILogger log,
        int osBufferBytes = 4 * 1024 * 1024, int batchSize = DefaultBatchSize)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6) _socket.DualMode = true;
        // The kernel caps these at net.core.rmem_max / wmem_max (docs/capacity.md).
        _socket.ReceiveBufferSize = osBufferBytes;
        _socket.SendBufferSize = osBufferBytes;
        _socket.Bind(bind);
        _handler = handler;
        _log = log;
        _localSocketId = localSocketId;
        _batchSize = LinuxSockets.IsSupported ? Math.Clamp(batchSize, 0, 1024) : 0;
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }
    public IceProtocol Protocol => IceProtocol.Udp;
    /// <summary>Datagrams per system call in use (0 = the portable loop).</summary>
    public int BatchSize => _batchSize;
    public long PacketsReceived => Interlocked.Read(ref _received);
    public long PacketsDropped => Interlocked.Read(ref _dropped);
    /// <summary>Datagrams sent by the worker's batches (sends from other threads are not counted).</summary>
    public long PacketsSentBatched => Interlocked.Read(ref _sentBatched);
    /// <summary>recvmmsg calls that returned datagrams: PacketsReceived / ReceiveBatches is the mean batch.</summary>
    public long ReceiveBatches => Interlocked.Read(ref _receiveBatches);
    public long SendErrors => Interlocked.Read(ref _sendErrors);
    /// <summary>Bytes the worker thread has allocated on the managed heap since it started (0 on the packet path is the goal).</summary>
    public long WorkerAllocatedBytes => Interlocked.Read(ref _workerAllocated);
    private long _received, _dropped, _sentBatched, _receiveBatches, _sendErrors, _workerAllocated, _workerAllocatedAtStart;

    public void Start()
    {
        if (_batchSize > 0)
        {
            if (_worker is not null) return;
            _worker = new Thread(BatchedReceiveLoop) { IsBackground = true, Name = $"sfu-udp:{LocalEndPoint.Port}" };
            _worker.Start();
            return;
        }
        _loop ??= Task.Factory.StartNew(ReceiveLoopAsync, CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    private unsafe void BatchedReceiveLoop()
    {
        var handle = _socket.SafeHandle;
        var added = false;
        handle.DangerousAddRef(ref added); // the descriptor stays open until this loop has stopped using it
        var receive = new DatagramBatch(_batchSize, BatchSlotSize, _socket.AddressFamily);
        _sendBatch = new DatagramBatch(_batchSize, BatchSlotSize, _socket.AddressFamily);
        _servedByThisThread = this;
        _workerAllocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            _socket.ReceiveTimeout = 250; // SO_RCVTIMEO: a blocked recvmmsg returns so the stop flag is seen
            while (!_stopping)
            {
                receive.PrepareReceive();
                // MSG_WAITFORONE: block for the first datagram, then take whatever else is queued.
                var n = LinuxSockets.RecvMmsg(fd, receive.Headers, (uint)receive.Capacity, LinuxSockets.MsgWaitForOne, null);
                if (n <= 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (n == 0 || errno is LinuxSockets.EAgain or LinuxSockets.EIntr) continue;
                    if (_stopping) break;
                    _log.LogError("recvmmsg failed with errno {Errno}; retrying", errno);
                    Thread.Sleep(10);
                    continue;
                }
                Interlocked.Add(ref _received, n);
                Interlocked.Increment(ref _receiveBatches);
                for (var i = 0; i < n; i++)
                {
                    var datagram = receive.Received(i);
                    if (datagram.IsEmpty || !receive.TryGetSource(i, _localSocketId, out var tuple)) { Interlocked.Increment(ref _dropped); continue; }
                    try { _handler.HandlePacket(datagram, tuple, this); }
                    catch (Exception e)
                    {
                        // A bug in one packet's handling must not stop the socket for every other transport.
                        Interlocked.Increment(ref _dropped);
                        _log.LogError(e, "Packet handling failed for {Remote}", tuple.ToEndPoint());
                    }
                }
                FlushSends(fd);
                Volatile.Write(ref _workerAllocated, GC.GetAllocatedBytesForCurrentThread() - _workerAllocatedAtStart);
            }
        }
        catch (ObjectDisposedException) { }
        finally
        {
            _servedByThisThread = null;
            var send = _sendBatch;
            _sendBatch = null;
            send.Dispose();
            receive.Dispose();
            if (added) handle.DangerousRelease();
        }
    }

    private unsafe void FlushSends(int fd)
    {
        var batch = _sendBatch!;
        var count = batch.Count;
        var offset = 0;
        while (offset < count)
        {
            var sent = LinuxSockets.SendMmsg(fd, batch.Headers + offset, (uint)(count - offset), 0);
            if (sent > 0) { offset += sent; continue; }
            if (Marshal.GetLastPInvokeError() == LinuxSockets.EIntr) continue;
            // The datagram at offset was refused (unreachable, no buffer): media is best effort, skip it.
            Interlocked.Increment(ref _sendErrors);
            offset++;
        }
        Interlocked.Add(ref _sentBatched, count);
        batch.Clear();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = GC.AllocateArray<byte>(ReceiveBufferSize, pinned: true);
        var from = new SocketAddress(_socket.AddressFamily);
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            int n;
            try { n = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from, ct); }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            { continue; } // ICMP unreachable from an earlier send, or an oversized datagram: keep serving
            Interlocked.Increment(ref _received);
            if (!IceTuple.TryCreate(IceProtocol.Udp, from, out var tuple, _localSocketId)) { Interlocked.Increment(ref _dropped); continue; }
            try { _handler.HandlePacket(buffer.AsSpan(0, n), tuple, this); }
            catch (Exception e)
            {
                // A bug in one packet's handling must not stop the socket for every other transport.
                Interlocked.Increment(ref _dropped);
                _log.LogError(e, "Packet handling failed for {Remote}", tuple.ToEndPoint());
            }
        }
    }

    /// <summary>
    /// On this socket's worker thread the packet joins the batch sent when the received batch is done;
    /// from any other thread (housekeeping, RTCP reports, another worker) it is sent at once.
    /// </summary>
    public void SendTo(ReadOnlySpan<byte> packet, in IceTuple remote)
    {
        if (_servedByThisThread == this && _sendBatch is { } batch)
        {
            if (batch.TryAdd(packet, remote))
            {
                if (batch.Count == batch.Capacity) FlushSends((int)_socket.SafeHandle.DangerousGetHandle());
                return;
            }
        }
        var address = ScratchAddress(remote);
        try { _socket.SendTo(packet, SocketFlags.None, address); }
        catch (SocketException) { /* unreachable peers are ICE's business, not the sender's */ }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Writes the tuple into a reusable SocketAddress in the OS's sockaddr layout (sockaddr_in / sockaddr_in6).</summary>
    private SocketAddress ScratchAddress(in IceTuple remote)
    {
        var v6Socket = _socket.AddressFamily == AddressFamily.InterNetworkV6;
        if (!v6Socket)
        {
            var a = _sendV4 ??= new SocketAddress(AddressFamily.InterNetwork);
            var buf = a.Buffer.Span;
            buf[2] = (byte)(remote.Port >> 8); buf[3] = (byte)remote.Port;
            remote.WriteAddress(buf.Slice(4, 4));
            return a;
        }
        var s = _sendV6 ??= new SocketAddress(AddressFamily.InterNetworkV6);
        var b = s.Buffer.Span;
        b[2] = (byte)(remote.Port >> 8); b[3] = (byte)remote.Port;
        b.Slice(4, 4).Clear();                      // flow info
        Span<byte> addr = stackalloc byte[16];
        var len = remote.WriteAddress(addr);
        if (len == 4)
        {   // IPv4 peer on a dual-mode socket: ::ffff:a.b.c.d
            addr[..10].Clear(); addr[10] = 0xff; addr[11] = 0xff;
            Span<byte> v4 = stackalloc byte[4];
            remote.WriteAddress(v4);
            v4.CopyTo(addr[12..]);
        }
        addr.CopyTo(b.Slice(8, 16));
        b.Slice(24, 4).Clear();                     // scope id
        return s;
    }

    public void Dispose()
    {
        _stopping = true;
        _stop.Cancel();
        if (_worker is not null)
        {
            // Wakes a blocked recvmmsg on Linux; SO_RCVTIMEO bounds the wait otherwise.
            try { _socket.Shutdown(SocketShutdown.Receive); } catch (SocketException) { } catch (ObjectDisposedException) { }
            if (_worker != Thread.CurrentThread) _worker.Join(TimeSpan.FromSeconds(2));
        }
        _socket.Dispose();
        try { _loop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
