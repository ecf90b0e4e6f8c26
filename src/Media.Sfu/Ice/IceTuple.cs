using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Media.Sfu.Stun;

namespace Media.Sfu.Ice;

/// <summary>Transport protocol of a candidate or tuple (RFC 8445 §5.1.1, RFC 6544).</summary>
public enum IceProtocol : byte
{
    Udp = 0,
    Tcp = 1,
}

/// <summary>
/// The 5-tuple of a path as the SFU sees it: protocol, which local socket received it, and the
/// remote IP address and port. A plain value (32 bytes, no references) with value equality, so it
/// can be copied out of a reused <see cref="SocketAddress"/>, stored, compared and used as a
/// dictionary key without allocating. IPv4-mapped IPv6 addresses are stored as IPv4, so a
/// dual-stack socket and an IPv4 socket give equal tuples for the same peer.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct IceTuple : IEquatable<IceTuple>
{
    // The 16 address bytes in network order, read as two native ulongs; IPv4 uses the first 4.
    private readonly ulong _address0;
    private readonly ulong _address1;
    private readonly uint _scopeId;
    private readonly ushort _port;
    private readonly ushort _localSocket;
    private readonly byte _addressLength;
    private readonly IceProtocol _protocol;

    private IceTuple(IceProtocol protocol, ushort localSocket, ReadOnlySpan<byte> address, ushort port, uint scopeId)
    {
        Span<byte> padded = stackalloc byte[16];
        padded.Clear();
        address.CopyTo(padded);
        _address0 = MemoryMarshal.Read<ulong>(padded);
        _address1 = MemoryMarshal.Read<ulong>(padded[8..]);
        _addressLength = (byte)address.Length;
        _port = port;
        _scopeId = scopeId;
        _localSocket = localSocket;
        _protocol = protocol;
    }

    public IceProtocol Protocol => _protocol;
    /// <summary>Caller-chosen number of the local socket or listener the traffic arrived on (0 if there is one).</summary>
    public ushort LocalSocket => _localSocket;
    public ushort Port => _port;
    public AddressFamily AddressFamily => _addressLength == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
    /// <summary>4 for IPv4, 16 for IPv6, 0 for <c>default(IceTuple)</c>.</summary>
    public int AddressLength => _addressLength;
    public bool IsDefault => _addressLength == 0;

    /// <summary>From the remote address a Socket.ReceiveFrom(…, SocketAddress) filled in; does not allocate.</summary>
    public static bool TryCreate(IceProtocol protocol, SocketAddress remote, out IceTuple tuple, ushort localSocket = 0)
    {
        Span<byte> address = stackalloc byte[16];
        if (!TransportAddress.TryRead(remote, address, out int length, out ushort port, out uint scopeId))
        {
            tuple = default;
            return false;
        }
        tuple = new IceTuple(protocol, localSocket, address[..length], port, scopeId);
        return true;
    }

    public static bool TryCreate(IceProtocol protocol, IPEndPoint remote, out IceTuple tuple, ushort localSocket = 0)
    {
        Span<byte> address = stackalloc byte[16];
        if (!TransportAddress.TryRead(remote, address, out int length, out ushort port, out uint scopeId))
        {
            tuple = default;
            return false;
        }
        tuple = new IceTuple(protocol, localSocket, address[..length], port, scopeId);
        return true;
    }

    /// <summary>From raw address bytes (4 or 16, network order).</summary>
    public static bool TryCreate(IceProtocol protocol, ReadOnlySpan<byte> address, ushort port, out IceTuple tuple, ushort localSocket = 0, uint scopeId = 0)
    {
        if (address.Length != 4 && address.Length != 16)
        {
            tuple = default;
            return false;
        }
        tuple = new IceTuple(protocol, localSocket, address, port, address.Length == 16 ? scopeId : 0);
        return true;
    }

    /// <summary>Throwing convenience for tests and signalling code.</summary>
    public static IceTuple From(IceProtocol protocol, IPEndPoint remote, ushort localSocket = 0) =>
        TryCreate(protocol, remote, out IceTuple tuple, localSocket)
            ? tuple
            : throw new ArgumentException("Only IPv4 and IPv6 endpoints are supported.", nameof(remote));

    /// <summary>Writes the remote address (4 or 16 bytes) and returns how many bytes were written.</summary>
    public int WriteAddress(Span<byte> destination)
    {
        Span<byte> padded = stackalloc byte[16];
        MemoryMarshal.Write(padded, in _address0);
        MemoryMarshal.Write(padded[8..], in _address1);
        padded[.._addressLength].CopyTo(destination);
        return _addressLength;
    }

    /// <summary>Allocates; for logging and the cold path.</summary>
    public IPEndPoint ToEndPoint()
    {
        Span<byte> address = stackalloc byte[16];
        int length = WriteAddress(address);
        var ip = length == 16 ? new IPAddress(address, _scopeId) : new IPAddress(address[..length]);
        return new IPEndPoint(ip, _port);
    }

    public bool Equals(IceTuple other) =>
        _address0 == other._address0 && _address1 == other._address1 && _port == other._port
        && _addressLength == other._addressLength && _protocol == other._protocol
        && _localSocket == other._localSocket && _scopeId == other._scopeId;

    public override bool Equals(object? obj) => obj is IceTuple other && Equals(other);

    public override int GetHashCode() =>
        HashCode.Combine(_address0, _address1, _port, _localSocket, _scopeId, _addressLength, _protocol);

    public static bool operator ==(IceTuple left, IceTuple right) => left.Equals(right);
    public static bool operator !=(IceTuple left, IceTuple right) => !left.Equals(right);

    public override string ToString() =>
        IsDefault ? "(none)" : $"{(_protocol == IceProtocol.Udp ? "udp" : "tcp")}/{_localSocket} {ToEndPoint()}";
}
