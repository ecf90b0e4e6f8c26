using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Media.Sfu.Stun;

/// <summary>
/// Reads an IP address and port out of .NET's address types without allocating. IPv4-mapped
/// IPv6 addresses (what a dual-stack socket reports for IPv4 peers) come out as plain IPv4,
/// because XOR-MAPPED-ADDRESS must carry the address the peer itself knows (RFC 5389 §15.2).
/// </summary>
internal static class TransportAddress
{
    // Native sockaddr layout as .NET stores it in SocketAddress.Buffer: the port is big-endian at
    // offset 2; the IPv4 address at 4; the IPv6 address at 8 and the scope id (host order) at 24.
    private const int PortOffset = 2;
    private const int IPv4Offset = 4;
    private const int IPv6Offset = 8;
    private const int IPv6ScopeOffset = 24;
    private const int IPv6SockaddrLength = 28;
    private const int IPv4SockaddrLength = 8;

    /// <summary>Writes 4 or 16 address bytes into <paramref name="address"/> (at least 16 long).</summary>
    public static bool TryRead(SocketAddress socketAddress, Span<byte> address, out int addressLength, out ushort port, out uint scopeId)
    {
        ReadOnlySpan<byte> raw = socketAddress.Buffer.Span[..socketAddress.Size];
        addressLength = 0;
        port = 0;
        scopeId = 0;
        if (address.Length < 16)
            return false;
        switch (socketAddress.Family)
        {
            case AddressFamily.InterNetwork when raw.Length >= IPv4SockaddrLength:
                port = BinaryPrimitives.ReadUInt16BigEndian(raw[PortOffset..]);
                raw.Slice(IPv4Offset, 4).CopyTo(address);
                addressLength = 4;
                return true;
            case AddressFamily.InterNetworkV6 when raw.Length >= IPv6SockaddrLength:
                port = BinaryPrimitives.ReadUInt16BigEndian(raw[PortOffset..]);
                addressLength = Normalize(raw.Slice(IPv6Offset, 16), address);
                if (addressLength == 16)
                    scopeId = BitConverter.ToUInt32(raw.Slice(IPv6ScopeOffset, 4));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes 4 or 16 address bytes into <paramref name="address"/> (at least 16 long).</summary>
    public static bool TryRead(IPEndPoint endPoint, Span<byte> address, out int addressLength, out ushort port, out uint scopeId)
    {
        addressLength = 0;
        port = (ushort)endPoint.Port;
        scopeId = 0;
        if (address.Length < 16)
            return false;
        IPAddress ip = endPoint.Address;
        switch (ip.AddressFamily)
        {
            case AddressFamily.InterNetwork:
                return ip.TryWriteBytes(address, out addressLength);
            case AddressFamily.InterNetworkV6:
                Span<byte> v6 = stackalloc byte[16];
                if (!ip.TryWriteBytes(v6, out _))
                    return false;
                addressLength = Normalize(v6, address);
                if (addressLength == 16)
                    scopeId = (uint)ip.ScopeId;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Copies an IPv6 address, unwrapping ::ffff:a.b.c.d to its 4 IPv4 bytes.</summary>
    private static int Normalize(ReadOnlySpan<byte> v6, Span<byte> destination)
    {
        if (IsIPv4Mapped(v6))
        {
            v6.Slice(12, 4).CopyTo(destination);
            return 4;
        }
        v6.CopyTo(destination);
        return 16;
    }

    private static bool IsIPv4Mapped(ReadOnlySpan<byte> v6) =>
        BinaryPrimitives.ReadUInt64LittleEndian(v6) == 0
        && BinaryPrimitives.ReadUInt16LittleEndian(v6[8..]) == 0
        && v6[10] == 0xFF && v6[11] == 0xFF;
}
