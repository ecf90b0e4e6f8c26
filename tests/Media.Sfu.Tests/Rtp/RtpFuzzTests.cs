using Media.Sfu.Rtp;

namespace Media.Sfu.Tests.Rtp;

public class RtpFuzzTests
{
    private const int Iterations = 20_000;

    [Fact]
    public void Arbitrary_bytes_never_throw_or_escape_the_buffer()
    {
        var random = new Random(20240501);
        var buffer = new byte[300];
        for (int i = 0; i < Iterations; i++)
        {
            int length = random.Next(0, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (length > 0 && random.Next(4) != 0)
            {
                buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F)); // mostly version 2 to get past the first check
            }

            Exercise(buffer.AsSpan(0, length), random);
        }
    }

    [Fact]
    public void Mutated_valid_packets_never_throw_or_escape_the_buffer()
    {
        var random = new Random(777);
        var valid = new byte[400];
        var work = new byte[400];
        for (int i = 0; i < Iterations; i++)
        {
            int length = BuildRandomValidPacket(valid, random);
            Assert.True(RtpPacket.TryParse(valid.AsSpan(0, length), out _));

            valid.AsSpan(0, length).CopyTo(work);
            int mutatedLength = Mutate(work, length, random);
            Exercise(work.AsSpan(0, mutatedLength), random);
        }
    }

    private static int BuildRandomValidPacket(Span<byte> buffer, Random random)
    {
        var writer = new RtpPacketWriter(buffer, (byte)random.Next(128), (ushort)random.Next(65536), (uint)random.Next(),
            (uint)random.Next(), random.Next(2) == 0);
        int csrcs = random.Next(4);
        for (int c = 0; c < csrcs; c++)
        {
            Assert.True(writer.TryAddCsrc((uint)random.Next()));
        }

        int extensions = random.Next(5);
        Span<byte> value = stackalloc byte[16];
        for (int e = 0; e < extensions; e++)
        {
            int valueLength = random.Next(1, 17);
            random.NextBytes(value[..valueLength]);
            Assert.True(writer.TryAddExtension(random.Next(1, 15), value[..valueLength]));
        }

        Assert.True(writer.TryReservePayload(random.Next(0, 200), out var payload));
        random.NextBytes(payload);
        Assert.True(writer.TryComplete(random.Next(3) == 0 ? random.Next(1, 40) : 0, out int length));
        return length;
    }

    private static int Mutate(byte[] packet, int length, Random random)
    {
        int mutations = random.Next(1, 5);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.Next(4))
            {
                case 0 when length > 0:
                    packet[random.Next(length)] = (byte)random.Next(256);
                    break;
                case 1 when length > 0:
                    packet[random.Next(Math.Min(length, 24))] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    length = random.Next(0, length + 1); // truncate
                    break;
                default:
                    if (length > 0)
                    {
                        packet[length - 1] = (byte)random.Next(256); // padding count
                    }

                    break;
            }
        }

        return length;
    }

    private static void Exercise(Span<byte> bytes, Random random)
    {
        if (RtpPacket.TryParse(bytes, out var packet))
        {
            Assert.Equal(bytes.Length, packet.Length);
            Assert.InRange(packet.HeaderLength, RtpPacket.FixedHeaderLength, bytes.Length);
            Assert.Equal(bytes.Length, packet.HeaderLength + packet.Payload.Length + packet.PaddingLength);
            Assert.True(packet.Payload.Length >= 0);
            Assert.Equal(4 * packet.CsrcCount, packet.Csrcs.Length);
            _ = packet.GetCsrc(random.Next(-1, 17));
            _ = (packet.Marker, packet.PayloadType, packet.SequenceNumber, packet.Timestamp, packet.Ssrc, packet.ExtensionProfile);

            var extensionData = packet.ExtensionData;
            Assert.True(extensionData.Length <= packet.HeaderLength);
            int total = 0;
            foreach (var extension in packet.Extensions)
            {
                Assert.InRange(extension.Id, 1, 255);
                Assert.True(extension.Value.Length <= extensionData.Length);
                total += extension.Value.Length + 1;
            }

            Assert.True(total <= extensionData.Length);
            int id = random.Next(0, 256);
            if (packet.TryGetExtension(id, out var value))
            {
                Assert.True(value.Length <= extensionData.Length);
                value.CopyTo(value); // writable without escaping the packet
            }

            Span<byte> map = stackalloc byte[16];
            for (int k = 0; k < map.Length; k++)
            {
                map[k] = (byte)random.Next(0, 16);
            }

            _ = packet.TryChangeExtensionId(random.Next(0, 16), random.Next(0, 300));
            _ = packet.TryRemapExtensionIds(map);
            _ = packet.TryRemoveExtension(random.Next(0, 16));
            Assert.True(RtpPacket.TryParse(bytes, out _)); // in-place rewrites keep the packet valid
        }

        Span<byte> destination = stackalloc byte[bytes.Length + 2];
        if (RtxPayloadFormat.TryWrap(bytes, destination, 1, 97, 2, out int wrapped))
        {
            Assert.InRange(wrapped, RtpPacket.FixedHeaderLength + 2, destination.Length);
            Assert.True(RtxPayloadFormat.TryUnwrap(destination[..wrapped], destination, 3, 96, out int unwrapped));
            Assert.InRange(unwrapped, RtpPacket.FixedHeaderLength, wrapped - 2);
        }

        if (RtxPayloadFormat.TryUnwrap(bytes, destination, 3, 96, out int restored))
        {
            Assert.InRange(restored, RtpPacket.FixedHeaderLength, bytes.Length - 2);
        }
    }

    [Fact]
    public void Receive_statistics_stay_in_range_for_random_sequences()
    {
        var random = new Random(99);
        for (int run = 0; run < 50; run++)
        {
            var stats = new RtpReceiveStatistics((uint)run, 90000);
            ushort seq = (ushort)random.Next(65536);
            long time = 0;
            for (int i = 0; i < 2000; i++)
            {
                seq = random.Next(10) switch
                {
                    0 => (ushort)random.Next(65536),
                    1 => (ushort)(seq - random.Next(0, 120)),
                    2 => (ushort)(seq + random.Next(0, 4000)),
                    _ => (ushort)(seq + 1),
                };
                time += random.Next(0, 40_000);
                stats.OnPacket(seq, (uint)random.Next(), time, random.Next(0, 1500));
                if (random.Next(50) == 0 && stats.TryTakeSnapshot(time, out var snapshot))
                {
                    Assert.InRange(snapshot.CumulativeLost, -0x800000, 0x7FFFFF);
                    Assert.True(snapshot.JitterMilliseconds >= 0);
                }
            }

            Assert.Equal(2000, stats.TotalPackets);
            Assert.True(stats.ReceivedPackets + stats.DuplicatePackets <= stats.TotalPackets);
        }
    }
}
