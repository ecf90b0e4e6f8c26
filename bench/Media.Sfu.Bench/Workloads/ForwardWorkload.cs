using Media.Sfu.Rtp;
using Media.Sfu.Srtp;
using Media.Sfu.Transports;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// The forwarding step of <see cref="WebRtcTransport.ForwardRtp"/> without the socket: under the
/// transport's (uncontended) lock, copy the producer's decrypted packet into the send buffer,
/// rewrite its header for the consumer, and SRTP-protect it. The same steps through the same
/// public APIs, re-implemented here because the transport cannot be built without sockets and DTLS.
/// </summary>
public sealed class ForwardWorkload : IDisposable
{
    public const uint ConsumerSsrc = 0x0BAD_CAFE;
    public const byte ConsumerPayloadType = 102;

    // As in WebRtcTransport: an MTU-sized packet plus libsrtp's trailer room.
    private const int SendBufferSize = 1500 + SrtpSession.TrailerRoom + 64;

    private readonly object _gate = new();
    private readonly SrtpSession _outbound;
    private readonly byte[] _extensionIdMap = BenchPackets.ConsumerExtensionIdMap();
    private ushort _sequenceNumber = 1000;
    private uint _timestamp = 3_000_000;

    public ForwardWorkload(SrtpProfile profile, int seed = 1)
    {
        Profile = profile;
        Key = BenchPackets.MasterKeyAndSalt(profile, seed);
        _outbound = new SrtpSession(profile, SrtpDirection.Outbound, Key);
        Source = BenchPackets.Rtp(7, 90_000, seed);
    }

    public SrtpProfile Profile { get; }
    /// <summary>The consumer's outbound master key||salt (so a check can decrypt what was sent).</summary>
    public byte[] Key { get; }
    /// <summary>The producer's packet as it came out of unprotect; never modified.</summary>
    public byte[] Source { get; }
    /// <summary>Holds the last SRTP packet "sent".</summary>
    public byte[] SendBuffer { get; } = new byte[SendBufferSize];
    public RtpRewrite LastRewrite { get; private set; }

    /// <summary>Forwards <see cref="Source"/> with the next consumer sequence number; returns the SRTP length.</summary>
    public int Forward()
    {
        var rewrite = new RtpRewrite(ConsumerSsrc, _sequenceNumber++, _timestamp += 3000, ConsumerPayloadType, _extensionIdMap);
        LastRewrite = rewrite;
        return Forward(Source, rewrite);
    }

    private int Forward(ReadOnlySpan<byte> rtp, in RtpRewrite rewrite)
    {
        lock (_gate)
        {
            if (rtp.Length > SendBuffer.Length - SrtpSession.TrailerRoom)
                Fail.Throw("packet too long");
            rtp.CopyTo(SendBuffer);
            if (!RtpPacket.TryParse(SendBuffer.AsSpan(0, rtp.Length), out RtpPacket packet))
                Fail.Throw("RtpPacket.TryParse");
            packet.Ssrc = rewrite.Ssrc;
            packet.SequenceNumber = rewrite.SequenceNumber;
            packet.Timestamp = rewrite.Timestamp;
            packet.PayloadType = rewrite.PayloadType;
            if (rewrite.ExtensionIdMap is { } map && packet.HasExtension && !packet.TryRemapExtensionIds(map))
                Fail.Throw("TryRemapExtensionIds");
            SrtpStatus status = _outbound.ProtectRtp(SendBuffer, rtp.Length, out int length);
            if (status != SrtpStatus.Ok)
                Fail.Throw("ProtectRtp", status);
            return length;
        }
    }

    public void Dispose() => _outbound.Dispose();
}
