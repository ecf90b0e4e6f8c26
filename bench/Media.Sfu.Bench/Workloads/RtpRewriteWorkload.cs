using Media.Sfu.Rtp;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// What the SFU changes in a forwarded packet's header for one consumer, in place: parse, set SSRC,
/// sequence number, timestamp and payload type, and renumber the header extensions.
/// </summary>
public sealed class RtpRewriteWorkload
{
    public const uint ConsumerSsrc = 0x0BAD_CAFE;
    public const byte ConsumerPayloadType = 102;

    private readonly byte[] _extensionIdMap = BenchPackets.ConsumerExtensionIdMap();
    private ushort _sequenceNumber = 1000;
    private uint _timestamp = 3_000_000;

    /// <summary>The packet rewritten in place (the id map is its own inverse, so every call does the same work).</summary>
    public byte[] Packet { get; } = BenchPackets.Rtp(7, 90_000, seed: 3);

    /// <summary>Rewrites the header; returns the header length.</summary>
    public int Rewrite()
    {
        if (!RtpPacket.TryParse(Packet, out RtpPacket packet))
            Fail.Throw("RtpPacket.TryParse");
        packet.Ssrc = ConsumerSsrc;
        packet.SequenceNumber = _sequenceNumber++;
        packet.Timestamp = _timestamp += 3000;
        packet.PayloadType = ConsumerPayloadType;
        if (!packet.TryRemapExtensionIds(_extensionIdMap))
            Fail.Throw("TryRemapExtensionIds");
        return packet.HeaderLength;
    }
}
