using Media.Sfu.Rtp;

namespace Media.Sfu.Tests.Rtp;

public class RtpAllocationTests
{
    [Fact]
    public void Packet_path_does_not_allocate()
    {
        var packet = new byte[1200];
        var rtx = new byte[1300];
        var map = new byte[16];
        map[3] = 2;
        map[5] = 4;
        var stats = new RtpReceiveStatistics(1, 90000);

        long checksum = RunPacketPath(packet, rtx, map, stats, 0, 200); // warm up (JIT, tiering)
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += RunPacketPath(packet, rtx, map, stats, 200, 5000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, checksum);
    }

    private static long RunPacketPath(byte[] buffer, byte[] rtxBuffer, byte[] map, RtpReceiveStatistics stats, int from, int to)
    {
        long checksum = 0;
        Span<byte> absSendTime = stackalloc byte[3];
        Span<byte> transportSeq = stackalloc byte[2];
        for (int i = from; i < to; i++)
        {
            var writer = new RtpPacketWriter(buffer, 96, (ushort)i, (uint)(i * 3000), 0xABCD);
            writer.TryAddExtension(3, absSendTime);
            writer.TryAddExtension(5, transportSeq);
            writer.TryReservePayload(1000, out _);
            writer.TryComplete(0, out int length);

            if (!RtpPacket.TryParse(buffer.AsSpan(0, length), out var packet))
            {
                continue;
            }

            absSendTime[0] = (byte)i;
            packet.TryWriteExtension(3, absSendTime);
            if (packet.TryGetExtension(5, out var seq))
            {
                seq[1] = (byte)i;
            }

            packet.TryRemapExtensionIds(map);
            foreach (var extension in packet.Extensions)
            {
                checksum += extension.Id;
            }

            packet.SequenceNumber++;
            checksum += (long)stats.OnPacket(packet.SequenceNumber, packet.Timestamp, i * 33_000L, length);
            RtxPayloadFormat.TryWrap(buffer.AsSpan(0, length), rtxBuffer, 2, 97, (ushort)i, out int rtxLength);
            RtxPayloadFormat.TryUnwrap(rtxBuffer.AsSpan(0, rtxLength), rtxBuffer, 0xABCD, 96, out int restored);
            checksum += restored;
            if (stats.TryTakeSnapshot(i * 33_000L, out var snapshot))
            {
                checksum += snapshot.FractionLost + snapshot.ExtendedHighestSequenceNumber;
            }
        }

        return checksum;
    }
}
