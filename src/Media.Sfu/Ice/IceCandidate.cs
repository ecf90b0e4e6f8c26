using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Media.Sfu.Stun;

namespace Media.Sfu.Ice;

/// <summary>
/// A host candidate the SFU offers: UDP, or TCP passive (RFC 6544 §4.5) for clients whose UDP is
/// blocked. Immutable; made on the signalling path.
/// </summary>
public sealed class IceCandidate
{
    /// <summary>Type preference of host candidates (RFC 8445 §5.1.2.2).</summary>
    public const int HostTypePreference = 126;
    /// <summary>Local preference of UDP host candidates: the maximum, so UDP is always preferred.</summary>
    public const int UdpLocalPreference = 65535;
    /// <summary>
    /// Local preference of TCP passive host candidates: (2^13)*direction-pref + other-pref with
    /// direction-pref 4 for passive and other-pref 8191 (RFC 6544 §4.2) = 40959, below every UDP value
    /// this class produces, so a browser that has both paths tries UDP first.
    /// </summary>
    public const int TcpPassiveLocalPreference = (1 << 13) * 4 + 8191;
    /// <summary>Largest <c>preferenceOffset</c>: it comes out of the other-pref part only.</summary>
    public const int MaxPreferenceOffset = 8191;

    private IceCandidate(string foundation, int component, IceProtocol protocol, uint priority, IPAddress address, int port)
    {
        Foundation = foundation;
        Component = component;
        Protocol = protocol;
        Priority = priority;
        Address = address;
        Port = port;
    }

    public string Foundation { get; }
    /// <summary>1 = RTP; with rtcp-mux (always for WebRTC) there is no other.</summary>
    public int Component { get; }
    public IceProtocol Protocol { get; }
    public uint Priority { get; }
    public IPAddress Address { get; }
    /// <summary>For TCP passive: the port the SFU listens on.</summary>
    public int Port { get; }

    /// <summary>
    /// A host candidate. <paramref name="preferenceOffset"/> (0-8191) lowers the local preference so
    /// that several candidates of one protocol (e.g. IPv4 and IPv6) get distinct priorities, which
    /// RFC 8445 §5.1.2.1 requires.
    /// </summary>
    public static IceCandidate CreateHost(IPAddress address, int port, IceProtocol protocol, int component = 1, int preferenceOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException("Candidates need an IPv4 or IPv6 address.", nameof(address));
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(component, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(component, 256);
        ArgumentOutOfRangeException.ThrowIfNegative(preferenceOffset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preferenceOffset, MaxPreferenceOffset);
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();

        int localPreference = (protocol == IceProtocol.Udp ? UdpLocalPreference : TcpPassiveLocalPreference) - preferenceOffset;
        uint priority = ComputePriority(HostTypePreference, localPreference, component);
        return new IceCandidate(ComputeFoundation(address, protocol), component, protocol, priority, address, port);
    }

    /// <summary>priority = 2^24*type-pref + 2^8*local-pref + (256 - component) (RFC 8445 §5.1.2.1).</summary>
    public static uint ComputePriority(int typePreference, int localPreference, int component) =>
        ((uint)typePreference << 24) + ((uint)localPreference << 8) + (uint)(256 - component);

    /// <summary>
    /// The same for every candidate of one type, base address and protocol (RFC 8445 §5.1.1.3), and
    /// stable across restarts of the SFU: the decimal CRC-32 of "host", protocol and address bytes.
    /// </summary>
    private static string ComputeFoundation(IPAddress address, IceProtocol protocol)
    {
        Span<byte> input = stackalloc byte[4 + 1 + 16];
        "host"u8.CopyTo(input);
        input[4] = (byte)protocol;
        address.TryWriteBytes(input[5..], out int written);
        return Crc32.Compute(input[..(5 + written)]).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The candidate-attribute value without the leading "a=" (RFC 8839 §5.1), e.g.
    /// <c>candidate:123 1 udp 2130706431 192.0.2.1 40000 typ host</c>, with
    /// <c>tcptype passive</c> appended for TCP (RFC 6544 §4.5).
    /// </summary>
    public string ToSdpAttribute()
    {
        string transport = Protocol == IceProtocol.Udp ? "udp" : "tcp";
        // The zone index (fe80::1%eth0) is meaningless to the remote peer.
        string address = Address.AddressFamily == AddressFamily.InterNetworkV6 && Address.ScopeId != 0
            ? new IPAddress(Address.GetAddressBytes()).ToString()
            : Address.ToString();
        string value = string.Create(CultureInfo.InvariantCulture,
            $"candidate:{Foundation} {Component} {transport} {Priority} {address} {Port} typ host");
        return Protocol == IceProtocol.Tcp ? value + " tcptype passive" : value;
    }

    public override string ToString() => ToSdpAttribute();
}
