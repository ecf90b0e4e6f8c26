using System.Net;
using System.Net.Sockets;
using Media.Sfu.Ice;
using Microsoft.Extensions.Logging;

namespace Media.Sfu.Net;

/// <summary>
/// One UDP socket shared by every transport of a node. The receive loop reuses one buffer and one
/// SocketAddress, so receiving allocates nothing; sending converts the tuple into a per-thread SocketAddress.
/// </summary>
public sealed class UdpMediaSocket : IMediaEndpoint, IDisposable
{
    public const int ReceiveBufferSize = 65536;
    private readonly Socket _socket;
    private readonly IMediaPacketHandler _handler;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ushort _localSocketId;
    private Task? _loop;
    [ThreadStatic] private static SocketAddress? _sendV4, _sendV6;

    public UdpMediaSocket(IPEndPoint bind, IMediaPacketHandler handler, ushort localSocketId, ILogger log, int osBufferBytes = 4 * 1024 * 1024)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6) _socket.DualMode = true;
        _socket.ReceiveBufferSize = osBufferBytes;
        _socket.SendBufferSize = osBufferBytes;
        _socket.Bind(bind);
        _handler = handler;
        _log = log;
        _localSocketId = localSocketId;
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }
    public IceProtocol Protocol => IceProtocol.Udp;
    public long PacketsReceived => Interlocked.Read(ref _received);
    public long PacketsDropped => Interlocked.Read(ref _dropped);
    private long _received, _dropped;

    public void Start() => _loop ??= Task.Factory.StartNew(ReceiveLoopAsync, CancellationToken.None,
        TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

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

    public void SendTo(ReadOnlySpan<byte> packet, in IceTuple remote)
    {
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
        _stop.Cancel();
        _socket.Dispose();
        try { _loop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
