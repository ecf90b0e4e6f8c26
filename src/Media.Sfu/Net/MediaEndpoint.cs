using Media.Sfu.Ice;

namespace Media.Sfu.Net;

/// <summary>Where packets arrive and leave: a UDP socket (any remote) or one ICE-TCP connection (one remote).</summary>
public interface IMediaEndpoint
{
    IceProtocol Protocol { get; }

    /// <summary>Sends one packet to the remote tuple. Never throws for network errors: media is best effort.</summary>
    void SendTo(ReadOnlySpan<byte> packet, in IceTuple remote);

    /// <summary>Called when a transport has validated a tuple on this endpoint (ICE-TCP connections stop their idle clock).</summary>
    void MarkBound() { }
}

/// <summary>Receives every packet from the sockets; runs on the socket's receive loop and must not block.</summary>
public interface IMediaPacketHandler
{
    /// <param name="packet">Owned by the receive loop until the call returns; may be modified in place (SRTP unprotect).</param>
    void HandlePacket(Span<byte> packet, in IceTuple remote, IMediaEndpoint via);
}
