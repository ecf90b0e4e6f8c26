using Media.Sfu.Rtcp;

namespace Media.Sfu.Tests.Rtcp;

public class RtcpFuzzTests
{
    private const int Iterations = 20_000;

    [Fact]
    public void Arbitrary_bytes_never_throw_or_escape_the_buffer()
    {
        var random = new Random(3550);
        var buffer = new byte[512];
        for (int i = 0; i < Iterations; i++)
        {
            int length = random.Next(0, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (length >= 4 && random.Next(4) != 0)
            {
                // Mostly plausible headers: V=2, a known type, a length that may or may not fit.
                buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F));
                buffer[1] = (byte)(200 + random.Next(8));
                int words = random.Next(3) == 0 ? random.Next(65536) : random.Next(0, Math.Max(1, length / 4));
                buffer[2] = (byte)(words >> 8);
                buffer[3] = (byte)words;
            }

            Exercise(buffer.AsSpan(0, length));
        }
    }

    [Fact]
    public void Mutated_valid_compounds_never_throw_or_escape_the_buffer()
    {
        var random = new Random(4585);
        var compound = new byte[1500];
        for (int i = 0; i < Iterations; i++)
        {
            int length = BuildCompound(compound, random);
            Assert.Equal(RtcpCompoundError.None, RtcpCompoundReader.Validate(compound.AsSpan(0, length), allowPaddingOnAnyPacket: true));
            var intact = new RtcpCompoundReader(compound.AsSpan(0, length), allowPaddingOnAnyPacket: true);
            while (intact.TryReadNext(out _, out var packet))
            {
                Assert.Equal(1, ExercisePacket(packet)); // every written packet is accepted by exactly one view
            }

            int mutations = random.Next(1, 6);
            for (int m = 0; m < mutations && length > 0; m++)
            {
                switch (random.Next(5))
                {
                    case 0:
                        compound[random.Next(length)] = (byte)random.Next(256);
                        break;
                    case 1:
                        compound[random.Next(length)] ^= (byte)(1 << random.Next(8));
                        break;
                    case 2:
                        length = random.Next(0, length + 1);
                        break;
                    case 3:
                        // Hit length fields and counts, where parsers are most likely to go wrong.
                        int at = random.Next(length) & ~3;
                        compound[at + random.Next(Math.Min(4, length - at))] = (byte)random.Next(256);
                        break;
                    default:
                        compound[length - 1] = (byte)random.Next(256);
                        break;
                }
            }

            Exercise(compound.AsSpan(0, length));
        }
    }

    private static int BuildCompound(Span<byte> buffer, Random random)
    {
        int position = 0;
        int packets = random.Next(1, 6);
        Span<ReportBlock> blocks = stackalloc ReportBlock[4];
        Span<uint> ssrcs = stackalloc uint[4];
        Span<ushort> lost = stackalloc ushort[40];
        Span<FirEntry> entries = stackalloc FirEntry[3];
        Span<TransportCcArrival> arrivals = stackalloc TransportCcArrival[60];
        Span<byte> text = stackalloc byte[40];
        for (int p = 0; p < packets; p++)
        {
            var target = buffer[position..];
            if (target.Length < 300)
            {
                break;
            }

            int written;
            bool ok;
            int blockCount = random.Next(0, blocks.Length + 1);
            for (int b = 0; b < blockCount; b++)
            {
                blocks[b] = new ReportBlock((uint)random.Next(), (byte)random.Next(256), random.Next(-0x800000, 0x800000),
                    (uint)random.Next(), (uint)random.Next(), (uint)random.Next(), (uint)random.Next());
            }

            int ssrcCount = random.Next(0, ssrcs.Length + 1);
            for (int s = 0; s < ssrcCount; s++)
            {
                ssrcs[s] = (uint)random.Next();
            }

            int textLength = random.Next(0, text.Length);
            random.NextBytes(text[..textLength]);

            switch (random.Next(9))
            {
                case 0:
                    ok = RtcpSenderReport.TryWrite(target, 1, new RtcpSenderInfo((ulong)random.NextInt64(), 2, 3, 4), blocks[..blockCount], out written);
                    break;
                case 1:
                    ok = RtcpReceiverReport.TryWrite(target, 1, blocks[..blockCount], out written);
                    break;
                case 2:
                    ok = RtcpSourceDescription.TryWriteCname(target, 1, text[..textLength], out written);
                    break;
                case 3:
                    ok = RtcpGoodbye.TryWrite(target, ssrcs[..ssrcCount], text[..textLength], out written);
                    break;
                case 4:
                    int lostCount = random.Next(1, lost.Length);
                    ushort seq = (ushort)random.Next(65536);
                    for (int l = 0; l < lostCount; l++)
                    {
                        seq += (ushort)random.Next(1, 20);
                        lost[l] = seq;
                    }

                    ok = GenericNack.TryWrite(target, 1, 2, lost[..lostCount], out written);
                    break;
                case 5:
                    ok = new PictureLossIndication(1, 2).TryWrite(target, out written);
                    break;
                case 6:
                    int entryCount = random.Next(1, entries.Length + 1);
                    for (int e = 0; e < entryCount; e++)
                    {
                        entries[e] = new FirEntry((uint)random.Next(), (byte)random.Next(256));
                    }

                    ok = FullIntraRequest.TryWrite(target, 1, entries[..entryCount], out written);
                    break;
                case 7:
                    ok = ReceiverEstimatedMaxBitrate.TryWrite(target, 1, (ulong)random.NextInt64(), ssrcs[..ssrcCount], out written);
                    break;
                default:
                    int arrivalCount = random.Next(1, arrivals.Length);
                    ushort transportSeq = (ushort)random.Next(65536);
                    long time = random.NextInt64(0, 1L << 32);
                    for (int a = 0; a < arrivalCount; a++)
                    {
                        transportSeq += (ushort)random.Next(1, 4);
                        time += random.Next(-5_000, 80_000);
                        arrivals[a] = new TransportCcArrival(transportSeq, time);
                    }

                    ok = TransportCcFeedbackWriter.TryWrite(target, 1, 2, (byte)p, arrivals[..arrivalCount], out written, out _);
                    break;
            }

            Assert.True(ok);
            position += written;
        }

        return position;
    }

    private static void Exercise(ReadOnlySpan<byte> bytes)
    {
        ExerciseCompound(bytes, allowPadding: false);
        ExerciseCompound(bytes, allowPadding: true);

        // Views must also be safe when handed bytes that did not come through the reader.
        for (int offset = 0; offset < Math.Min(bytes.Length, 16); offset += 4)
        {
            _ = ExercisePacket(bytes[offset..]);
        }
    }

    private static void ExerciseCompound(ReadOnlySpan<byte> bytes, bool allowPadding)
    {
        var reader = new RtcpCompoundReader(bytes, allowPadding);
        int total = 0;
        while (reader.TryReadNext(out var header, out var packet))
        {
            Assert.Equal(header.PacketLength, packet.Length);
            Assert.InRange(header.PaddingLength, 0, header.PacketLength - RtcpHeader.Size);
            total += packet.Length;
            Assert.Equal(total, reader.Offset);
            Assert.True(total <= bytes.Length);
            _ = ExercisePacket(packet);
        }

        if (reader.Error == RtcpCompoundError.None)
        {
            Assert.Equal(bytes.Length, total);
        }
    }

    private static int ExercisePacket(ReadOnlySpan<byte> packet)
    {
        int accepted = 0;
        if (RtcpSenderReport.TryParse(packet, out var sr))
        {
            accepted++;
            _ = (sr.Ssrc, sr.SenderInfo);
            for (int i = 0; i <= sr.ReportCount; i++)
            {
                _ = sr.GetReportBlock(i);
            }

            Assert.True(sr.ProfileExtension.Length <= packet.Length);
        }

        if (RtcpReceiverReport.TryParse(packet, out var rr))
        {
            accepted++;
            for (int i = 0; i <= rr.ReportCount; i++)
            {
                _ = rr.GetReportBlock(i);
            }

            Assert.True(rr.ProfileExtension.Length <= packet.Length);
        }

        if (RtcpSourceDescription.TryParse(packet, out var sdes))
        {
            accepted++;
            int chunks = 0;
            foreach (var chunk in sdes.Chunks)
            {
                chunks++;
                foreach (var item in chunk.Items)
                {
                    Assert.True(item.Value.Length <= packet.Length);
                }
            }

            Assert.Equal(sdes.ChunkCount, chunks);
        }

        if (RtcpGoodbye.TryParse(packet, out var bye))
        {
            accepted++;
            for (int i = 0; i <= bye.SourceCount; i++)
            {
                _ = bye.GetSsrc(i);
            }

            Assert.True(bye.Reason.Length <= packet.Length);
        }

        if (GenericNack.TryParse(packet, out var nack))
        {
            accepted++;
            int lost = 0;
            foreach (ushort _ in nack.LostSequenceNumbers)
            {
                lost++;
            }

            Assert.InRange(lost, nack.ItemCount, nack.ItemCount * 17);
            _ = nack.GetItem(nack.ItemCount);
        }

        if (PictureLossIndication.TryParse(packet, out var pli))
        {
            accepted++;
            _ = pli.MediaSsrc;
        }

        if (FullIntraRequest.TryParse(packet, out var fir))
        {
            accepted++;
            for (int i = 0; i <= fir.EntryCount; i++)
            {
                _ = fir.GetEntry(i);
            }
        }

        if (ReceiverEstimatedMaxBitrate.TryParse(packet, out var remb))
        {
            accepted++;
            for (int i = 0; i <= remb.SsrcCount; i++)
            {
                _ = remb.GetSsrc(i);
            }
        }

        if (TransportCcFeedback.TryParse(packet, out var tcc))
        {
            accepted++;
            int statuses = 0;
            int received = 0;
            foreach (var status in tcc.Packets)
            {
                statuses++;
                if (status.Received)
                {
                    received++;
                }
            }

            // Validation up front means enumeration never stops early.
            Assert.Equal(tcc.PacketStatusCount, statuses);
            Assert.Equal(tcc.ReceivedCount, received);
        }

        return accepted;
    }
}
