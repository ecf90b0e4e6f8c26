using Media.Sfu.Rtp;
using Media.Sfu.Srtp;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// The packets and keys every workload uses: a 1,200-byte video-sized RTP packet with the three
/// one-byte header extensions a browser sends on every packet (RFC 8285 §4.2), and SRTP master
/// key||salt from a seeded generator so runs are reproducible.
/// </summary>
public static class BenchPackets
{
    public const int RtpLength = 1200;
    public const byte SourcePayloadType = 96;
    public const uint SourceSsrc = 0x1234_5678;

    // Extension ids as a browser might negotiate them with the SFU.
    public const int MidId = 1;
    public const int AbsSendTimeId = 2;
    public const int TransportCcId = 3;

    /// <summary>
    /// Old id → new id for a consumer that negotiated other ids (mid 1↔4, transport-cc 3↔5,
    /// abs-send-time unchanged). It is its own inverse, so applying it in place again and again
    /// does the same work every time and keeps every element.
    /// </summary>
    public static byte[] ConsumerExtensionIdMap()
    {
        var map = new byte[16];
        map[1] = 4;
        map[4] = 1;
        map[2] = 2;
        map[3] = 5;
        map[5] = 3;
        return map;
    }

    /// <summary>A plain RTP packet of exactly <see cref="RtpLength"/> bytes with random payload.</summary>
    public static byte[] Rtp(ushort sequenceNumber, uint timestamp, int seed)
    {
        var packet = new byte[RtpLength];
        var writer = new RtpPacketWriter(packet, SourcePayloadType, sequenceNumber, timestamp, SourceSsrc, marker: false);
        bool ok = writer.TryAddExtension(MidId, "0"u8)
                  && writer.TryAddExtension(AbsSendTimeId, [0x12, 0x34, 0x56])
                  && writer.TryAddExtension(TransportCcId, [0x00, 0x2A]);
        if (!ok || !writer.TryReservePayload(RtpLength - writer.Position - ExtensionPaddingLength(writer.Position), out Span<byte> payload))
            throw new InvalidOperationException("Could not build the benchmark RTP packet.");
        new Random(seed).NextBytes(payload);
        if (!writer.TryComplete(0, out int length) || length != RtpLength)
            throw new InvalidOperationException($"The benchmark RTP packet is {length} bytes, not {RtpLength}.");
        return packet;
    }

    /// <summary>Random master key||salt for <paramref name="profile"/>.</summary>
    public static byte[] MasterKeyAndSalt(SrtpProfile profile, int seed)
    {
        var key = new byte[profile.MasterKeyAndSaltLength()];
        new Random(seed).NextBytes(key);
        return key;
    }

    // The writer pads the extension block to 32 bits when the payload starts.
    private static int ExtensionPaddingLength(int position) => (4 - (position & 3)) & 3;
}
