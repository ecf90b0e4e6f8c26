using Media.Sfu.Rtcp;

namespace Media.Sfu.Tests.Rtcp;

public class TransportCcFeedbackTests
{
    private static List<TransportCcPacketStatus> Statuses(TransportCcFeedback feedback)
    {
        var list = new List<TransportCcPacketStatus>();
        foreach (var status in feedback.Packets)
        {
            list.Add(status);
        }

        return list;
    }

    // Hand-built from draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, using the draft's own chunk examples:
    //   header   AF CD 0009    V=2 P=1 FMT=15 PT=205, 40 bytes
    //   sender 0x01020304, media 0x05060708
    //   base seq 1000, status count 238, reference time 258 (×64 ms), feedback count 7
    //   chunk 9F1C  §3.1.4 example 1: 1-bit vector 0 1 1 1 1 1 0 0 0 1 1 1 0 0 (seq 1000..1013)
    //   chunk 00DD  §3.1.3 example 1: run of 221 "not received" (seq 1014..1234)
    //   chunk D800  2-bit vector: small, large, not received (+ 4 unused symbols) (seq 1235..1237)
    //   deltas 04 08 00 FF 01 02 03 04 | 0A | FFD8 (−40), then padding 00 00 03
    private const string HandBuilt =
        "AFCD0009" + "01020304" + "05060708" + "03E8" + "00EE" + "000102" + "07" +
        "9F1C" + "00DD" + "D800" +
        "040800FF01020304" + "0A" + "FFD8" + "000003";

    [Fact]
    public void Reads_a_hand_built_feedback_packet()
    {
        var bytes = Convert.FromHexString(HandBuilt);
        Assert.Equal(RtcpCompoundError.None, RtcpCompoundReader.Validate(bytes));
        Assert.True(TransportCcFeedback.TryParse(bytes, out var feedback));

        Assert.Equal(0x01020304u, feedback.SenderSsrc);
        Assert.Equal(0x05060708u, feedback.MediaSsrc);
        Assert.Equal(1000, feedback.BaseSequenceNumber);
        Assert.Equal(238, feedback.PacketStatusCount);
        Assert.Equal(258, feedback.ReferenceTime);
        Assert.Equal(258 * 64_000L, feedback.ReferenceTimeUs);
        Assert.Equal(7, feedback.FeedbackPacketCount);
        Assert.Equal(10, feedback.ReceivedCount);

        var statuses = Statuses(feedback);
        Assert.Equal(238, statuses.Count);
        Assert.Equal(Enumerable.Range(1000, 238).Select(s => (ushort)s), statuses.Select(s => s.SequenceNumber));

        // Arrival = reference + running sum of deltas (250 µs ticks), starting at 16,512,000 µs.
        var received = statuses.Where(s => s.Received).Select(s => (s.SequenceNumber, s.DeltaTicks, s.ArrivalTimeUs)).ToList();
        Assert.Equal(
            new (ushort, int, long)[]
            {
                (1001, 4, 16_513_000), (1002, 8, 16_515_000), (1003, 0, 16_515_000), (1004, 255, 16_578_750),
                (1005, 1, 16_579_000), (1009, 2, 16_579_500), (1010, 3, 16_580_250), (1011, 4, 16_581_250),
                (1235, 10, 16_583_750), (1236, -40, 16_573_750),
            },
            received);
        Assert.Equal(TransportCcSymbol.LargeDelta, statuses.Single(s => s.SequenceNumber == 1236).Symbol);
        Assert.Equal(-10_000, statuses.Single(s => s.SequenceNumber == 1236).DeltaUs);
        Assert.False(statuses.Single(s => s.SequenceNumber == 1237).Received);
        Assert.Equal(221, statuses.Count(s => s.SequenceNumber is >= 1014 and <= 1234 && !s.Received));
    }

    [Fact]
    public void Rejects_truncated_deltas_missing_chunks_reserved_symbols_and_zero_count()
    {
        const string hex = HandBuilt;
        var bytes = Convert.FromHexString(hex);

        // Status count 239: the 2-bit vector now covers a 4th symbol (not received) — still valid.
        var more = (byte[])bytes.Clone();
        more[15] = 0xEF;
        Assert.True(TransportCcFeedback.TryParse(more, out _));

        // Status count 245: the three chunks cover only 242, so the first delta bytes are read as a fourth chunk
        // and the 11 deltas no longer fit.
        var tooMany = (byte[])bytes.Clone();
        tooMany[15] = 0xF5;
        Assert.False(TransportCcFeedback.TryParse(tooMany, out _));

        // Reserved symbol 11 in the 2-bit vector within the status count.
        var reserved = (byte[])bytes.Clone();
        reserved[24] = 0xFC; // D800 -> FC00: first symbol is 11
        Assert.False(TransportCcFeedback.TryParse(reserved, out _));

        var zero = (byte[])bytes.Clone();
        zero[14] = 0;
        zero[15] = 0;
        Assert.False(TransportCcFeedback.TryParse(zero, out _));

        // Drop padding and the last delta byte: the deltas no longer fit.
        var shortDeltas = Convert.FromHexString("8FCD0008" + hex.Substring(8, 44) + "040800FF01020304" + "0AFF");
        Assert.False(TransportCcFeedback.TryParse(shortDeltas, out _));
    }

    [Fact]
    public void Writer_output_is_byte_exact_for_a_hand_computed_case()
    {
        // Arrivals: seq 10 @ 65.000 ms, 11 @ 66.000 ms, (12 missing), 13 @ 70.250 ms, 14 @ 60.000 ms.
        // Reference time floor(65000 / 64000) = 1 → 256 ticks. Ticks: 260, 264, 281, 240.
        // Deltas: 4, 4, 17 (small), −41 (large). Symbols 1 1 0 1 2 → one 2-bit vector:
        // 11 | 01 01 00 01 10 00 00 = 0xD460. Content 20 + 2 + 5 = 27 → 1 padding byte (count 1).
        var arrivals = new[]
        {
            new TransportCcArrival(10, 65_000), new TransportCcArrival(11, 66_000),
            new TransportCcArrival(13, 70_250), new TransportCcArrival(14, 60_000),
        };
        var expected = Convert.FromHexString(
            "AFCD0006" + "0000000A" + "0000000B" + "000A" + "0005" + "000001" + "2A" + "D460" + "040411FFD7" + "01");
        var buffer = new byte[64];
        Assert.True(TransportCcFeedbackWriter.TryWrite(buffer, 10, 11, 42, arrivals, out int written, out int consumed));
        Assert.Equal(4, consumed);
        Assert.Equal(expected, buffer[..written]);
    }

    [Fact]
    public void Writer_uses_a_run_length_chunk_for_equal_symbols()
    {
        // 20 packets 1 ms apart starting at t=0: first delta 0, then 4 ticks each, all small: run of 20 × symbol 1.
        var arrivals = Enumerable.Range(0, 20).Select(i => new TransportCcArrival((ushort)i, i * 1000L)).ToArray();
        var buffer = new byte[128];
        Assert.True(TransportCcFeedbackWriter.TryWrite(buffer, 1, 2, 0, arrivals, out int written, out int consumed));
        Assert.Equal(20, consumed);
        Assert.Equal("2014", Convert.ToHexString(buffer, 20, 2));
        Assert.Equal(Align4(20 + 2 + 20), written);
    }

    [Fact]
    public void Writer_uses_a_one_bit_vector_for_mixed_small_and_missing()
    {
        // Every other sequence number received: symbols 1 0 1 0 1 0 1 0 1 0 1 0 1 (13) → 1-bit vector 0xAAAA.
        var arrivals = Enumerable.Range(0, 7).Select(i => new TransportCcArrival((ushort)(2 * i), i * 2000L)).ToArray();
        var buffer = new byte[128];
        Assert.True(TransportCcFeedbackWriter.TryWrite(buffer, 1, 2, 0, arrivals, out int written, out _));
        Assert.Equal("AAAA", Convert.ToHexString(buffer, 20, 2));
        Assert.True(TransportCcFeedback.TryParse(buffer.AsSpan(0, written), out var feedback));
        Assert.Equal(13, feedback.PacketStatusCount);
        Assert.Equal(7, feedback.ReceivedCount);
    }

    [Fact]
    public void Writer_round_trips_random_series_across_several_packets()
    {
        var random = new Random(1701);
        for (int run = 0; run < 200; run++)
        {
            var arrivals = new List<TransportCcArrival>();
            ushort seq = (ushort)random.Next(65536);
            long time = random.NextInt64(0, 1L << 36);
            int count = random.Next(1, 600);
            for (int i = 0; i < count; i++)
            {
                seq += (ushort)(random.Next(10) == 0 ? random.Next(2, 300) : 1);
                time += random.Next(20) switch
                {
                    0 => random.Next(-30_000, 0), // reordered arrival: negative delta
                    1 => random.Next(70_000, 9_000_000), // long pause: large delta, sometimes beyond 16 bits
                    _ => random.Next(0, 5_000),
                };
                arrivals.Add(new TransportCcArrival(seq, time));
            }

            var buffer = new byte[random.Next(24, 1200)];
            var remaining = arrivals.ToArray().AsSpan();
            var decoded = new List<(ushort, long)>();
            byte feedbackCount = 0;
            while (!remaining.IsEmpty)
            {
                Assert.True(TransportCcFeedbackWriter.TryWrite(buffer, 1, 2, feedbackCount, remaining, out int written, out int consumed));
                Assert.InRange(consumed, 1, remaining.Length);
                Assert.InRange(written, 24, buffer.Length);
                Assert.Equal(0, written % 4);
                Assert.Equal(RtcpCompoundError.None, RtcpCompoundReader.Validate(buffer.AsSpan(0, written)));
                Assert.True(TransportCcFeedback.TryParse(buffer.AsSpan(0, written), out var feedback));
                Assert.Equal(feedbackCount, feedback.FeedbackPacketCount);
                Assert.Equal(remaining[0].SequenceNumber, feedback.BaseSequenceNumber);
                Assert.Equal(consumed, feedback.ReceivedCount);

                // The 24-bit reference time wraps; compare arrivals relative to this packet's reference.
                long referenceUs = FloorDivide(remaining[0].ArrivalTimeUs, 64_000) * 64_000;
                foreach (var status in feedback.Packets)
                {
                    if (status.Received)
                    {
                        decoded.Add((status.SequenceNumber, status.ArrivalTimeUs - feedback.ReferenceTimeUs + referenceUs));
                    }
                }

                remaining = remaining[consumed..];
                feedbackCount++;
            }

            Assert.Equal(arrivals.Select(a => (a.SequenceNumber, FloorDivide(a.ArrivalTimeUs, 250) * 250)), decoded);
        }
    }

    [Fact]
    public void Writer_refuses_tiny_buffers_and_empty_input()
    {
        var one = new[] { new TransportCcArrival(1, 0) };
        Assert.False(TransportCcFeedbackWriter.TryWrite(new byte[23], 1, 2, 0, one, out _, out _));
        Assert.True(TransportCcFeedbackWriter.TryWrite(new byte[24], 1, 2, 0, one, out int written, out _));
        Assert.Equal(24, written);
        Assert.False(TransportCcFeedbackWriter.TryWrite(new byte[64], 1, 2, 0, ReadOnlySpan<TransportCcArrival>.Empty, out _, out _));
    }

    [Fact]
    public void Writer_stops_at_repeats_and_backward_steps()
    {
        var arrivals = new[] { new TransportCcArrival(5, 0), new TransportCcArrival(6, 100), new TransportCcArrival(6, 200), new TransportCcArrival(7, 300) };
        var buffer = new byte[64];
        Assert.True(TransportCcFeedbackWriter.TryWrite(buffer, 1, 2, 0, arrivals, out _, out int consumed));
        Assert.Equal(2, consumed);

        var backwards = new[] { new TransportCcArrival(5, 0), new TransportCcArrival(4, 100) };
        Assert.True(TransportCcFeedbackWriter.TryWrite(buffer, 1, 2, 0, backwards, out _, out consumed));
        Assert.Equal(1, consumed);
    }

    [Fact]
    public void Long_gap_of_missing_packets_is_encoded_as_runs()
    {
        var arrivals = new[] { new TransportCcArrival(0, 0), new TransportCcArrival(20_000, 1000) };
        var buffer = new byte[64];
        Assert.True(TransportCcFeedbackWriter.TryWrite(buffer, 1, 2, 0, arrivals, out int written, out int consumed));
        Assert.Equal(2, consumed);
        Assert.True(TransportCcFeedback.TryParse(buffer.AsSpan(0, written), out var feedback));
        Assert.Equal(20_001, feedback.PacketStatusCount);
        var statuses = Statuses(feedback);
        Assert.Equal(2, statuses.Count(s => s.Received));
        Assert.Equal(1000, statuses[^1].ArrivalTimeUs);
        Assert.Equal(19_999, statuses.Count(s => !s.Received));
    }

    private static int Align4(int value) => (value + 3) & ~3;

    private static long FloorDivide(long value, long divisor)
    {
        long q = value / divisor;
        return value % divisor < 0 ? q - 1 : q;
    }
}
