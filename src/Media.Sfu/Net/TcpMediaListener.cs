using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Media.Sfu.Ice;
using Microsoft.Extensions.Logging;

namespace Media.Sfu.Net;

/// <summary>
/// ICE-TCP passive candidates (RFC 6544): accepts connections on one port for every transport of the
/// node and splits each stream into RFC 4571 frames. A connection that no transport has bound within
/// <see cref="UnboundTimeout"/> (no valid STUN request naming a transport) is closed.
/// </summary>
public sealed class TcpMediaListener : IDisposable
{
    public static readonly TimeSpan UnboundTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _listener;
    private readonly IMediaPacketHandler _handler;
    private readonly ILogger _log;
    private readonly ushort _localSocketId;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpMediaConnection, byte> _connections = new();
    private readonly int _maxConnections;
    private Task? _accept;

    public TcpMediaListener(IPEndPoint bind, IMediaPacketHandler handler, ushort localSocketId, ILogger log, int maxConnections = 10_000)
    {
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6) _listener.DualMode = true;
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(bind);
        _listener.Listen(512);
        _handler = handler;
        _log = log;
        _localSocketId = localSocketId;
        _maxConnections = maxConnections;
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }
    public int ConnectionCount => _connections.Count;

    public void Start() => _accept ??= AcceptLoopAsync();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException e) { _log.LogWarning("ICE-TCP accept failed: {Error}", e.SocketErrorCode); continue; }
            if (_connections.Count >= _maxConnections) { client.Dispose(); continue; }
            client.NoDelay = true;
            var connection = new TcpMediaConnection(client, _localSocketId, this);
            _connections[connection] = 0;
            _ = connection.RunAsync(_handler, _stop.Token);
        }
    }

    /// <summary>Closes connections that never became a transport's path.</summary>
    public void CloseIdle(DateTime utcNow)
    {
        foreach (var c in _connections.Keys)
            if (!c.IsBound && utcNow - c.AcceptedAt > UnboundTimeout) c.Dispose();
    }

    internal void Forget(TcpMediaConnection c) => _connections.TryRemove(c, out _);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var c in _connections.Keys) c.Dispose();
        _stop.Dispose();
    }
}

/// <summary>One ICE-TCP connection: a single remote tuple; sends are framed and serialised.</summary>
public sealed class TcpMediaConnection : IMediaEndpoint, IDisposable
{
    private readonly Socket _socket;
    private readonly TcpMediaListener _owner;
    private readonly object _sendGate = new();
    private readonly byte[] _sendBuffer = new byte[Rfc4571Framer.HeaderLength + ushort.MaxValue];
    private readonly IceTuple _tuple;
    private readonly bool _hasTuple;
    private int _disposed;

    internal TcpMediaConnection(Socket socket, ushort localSocketId, TcpMediaListener owner)
    {
        _socket = socket;
        _owner = owner;
        AcceptedAt = DateTime.UtcNow;
        _hasTuple = IceTuple.TryCreate(IceProtocol.Tcp, (IPEndPoint)socket.RemoteEndPoint!, out _tuple, localSocketId);
    }

    public IceProtocol Protocol => IceProtocol.Tcp;
    public DateTime AcceptedAt { get; }
    public bool IsBound { get; private set; }
    public void MarkBound() => IsBound = true;

    internal async Task RunAsync(IMediaPacketHandler handler, CancellationToken ct)
    {
        var framer = new Rfc4571Framer();
        var receive = new byte[16 * 1024];
        try
        {
            while (!ct.IsCancellationRequested && _hasTuple)
            {
                var n = await _socket.ReceiveAsync(receive.AsMemory(), SocketFlags.None, ct);
                if (n == 0) break;
                if (!DeliverFrames(framer, receive.AsSpan(0, n), handler)) return;
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
        finally { Dispose(); }
    }

    private bool DeliverFrames(Rfc4571Framer framer, ReadOnlySpan<byte> received, IMediaPacketHandler handler)
    {
        while (received.Length > 0)
        {
            var taken = framer.Append(received);
            received = received[taken..];
            while (true)
            {
                var status = framer.TryReadFrame(out var frame);
                if (status == FrameReadStatus.Faulted) return false;
                if (status != FrameReadStatus.Frame) break;
                // The frame's bytes are consumed from the framer's own buffer, so handing them on as writable
                // (SRTP unprotects in place) cannot disturb the framing.
                handler.HandlePacket(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(frame), frame.Length), _tuple, this);
            }
            if (taken == 0) return false; // framer full without a frame: cannot happen with a 65537-byte buffer
        }
        return true;
    }

    public void SendTo(ReadOnlySpan<byte> packet, in IceTuple remote)
    {
        if (packet.Length > ushort.MaxValue || Volatile.Read(ref _disposed) != 0) return;
        lock (_sendGate)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_sendBuffer, (ushort)packet.Length);
            packet.CopyTo(_sendBuffer.AsSpan(Rfc4571Framer.HeaderLength));
            try { _socket.Send(_sendBuffer.AsSpan(0, Rfc4571Framer.HeaderLength + packet.Length), SocketFlags.None); }
            catch (SocketException) { Dispose(); }
            catch (ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _owner.Forget(this);
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
    }
}
