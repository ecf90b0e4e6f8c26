using Media.Sfu.Rtcp;

namespace Media.Sfu.Tests.Rtcp;

public class RtcpAllocationTests
{
    [Fact]
    public void Reading_and_writing_feedback_does_not_allocate()
    {
        var compound = new byte[1500];
        var lost = new ushort[] { 10, 11, 15, 40, 41, 99 };
        var arrivals = new TransportCcArrival[100];
        for (int i = 0; i < arrivals.Length; i++)
        {
            arrivals[i] = new TransportCcArrival((ushort)(i + (i % 7 == 0 ? 1 : 0) + i), i * 1_500L);
        }

        var blocks = new ReportBlock[] { new(1, 2, 3, 4, 5, 6, 7) };

        long checksum = Run(compound, lost, arrivals, blocks, 100); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += Run(compound, lost, arrivals, blocks, 2000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, checksum);
    }

    private static long Run(byte[] buffer, ushort[] lost, TransportCcArrival[] arrivals, ReportBlock[] blocks, int iterations)
    {
        long checksum = 0;
        for (int i = 0; i < iterations; i++)
        {
            var span = buffer.AsSpan();
            int position = 0;
            RtcpReceiverReport.TryWrite(span, 1, blocks, out int written);
            position += written;
            RtcpSourceDescription.TryWriteCname(span[position..], 1, "sfu@example".AsSpan(), out written);
            position += written;
            GenericNack.TryWrite(span[position..], 1, 2, lost, out written);
            position += written;
            new PictureLossIndication(1, 2).TryWrite(span[position..], out written);
            position += written;
            TransportCcFeedbackWriter.TryWrite(span[position..], 1, 2, (byte)i, arrivals, out written, out _);
            position += written;

            var reader = new RtcpCompoundReader(span[..position], allowPaddingOnAnyPacket: true);
            while (reader.TryReadNext(out var header, out var packet))
            {
                checksum += header.PacketType;
                if (RtcpReceiverReport.TryParse(packet, out var rr))
                {
                    checksum += rr.GetReportBlock(0).Jitter;
                }
                else if (RtcpSourceDescription.TryParse(packet, out var sdes))
                {
                    foreach (var chunk in sdes.Chunks)
                    {
                        foreach (var item in chunk.Items)
                        {
                            checksum += item.Value.Length;
                        }
                    }
                }
                else if (GenericNack.TryParse(packet, out var nack))
                {
                    foreach (ushort seq in nack.LostSequenceNumbers)
                    {
                        checksum += seq;
                    }
                }
                else if (TransportCcFeedback.TryParse(packet, out var tcc))
                {
                    foreach (var status in tcc.Packets)
                    {
                        checksum += status.ArrivalTimeUs;
                    }
                }
            }
        }

        return checksum;
    }
}
