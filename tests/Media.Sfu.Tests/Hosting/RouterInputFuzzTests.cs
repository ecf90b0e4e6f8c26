using System.Buffers.Binary;
using Media.Sfu.Hosting;
using Media.Sfu.Quality;
using Media.Sfu.Rtcp;
using Media.Sfu.Tests.Native;
using Media.Sfu.Tests.Quality;
using static Media.Sfu.Tests.Hosting.SfuNodeHarness;

namespace Media.Sfu.Tests.Hosting;

/// <summary>
/// The router's new readers of network bytes — transport-wide sequence numbers in RTP, report blocks in SR/RR,
/// PLI/FIR/NACK counting — fed arbitrary and mutated valid packets: nothing throws, and the quality view and the
/// metrics stay well-formed.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class RouterInputFuzzTests
{
    [Fact]
    public void Arbitrary_and_mutated_packets_never_break_the_router()
    {
        using var h = new SfuNodeHarness();
        var room = h.Node.OpenRoom("fuzz", ["a", "b"], new CallMediaPolicy(24, 300, OverCapPolicy.DropOverBudget));
        var (a, answerA) = h.Node.CreateSession("a", OfferA, SfuSessionMode.Call, "fuzz");
        var (b, _) = h.Node.CreateSession("b", OfferB, SfuSessionMode.Call, "fuzz");
        var toA = new[] { AnnouncedSsrc(answerA, "0"), AnnouncedSsrc(answerA, "1") };
        var ssrcs = new[] { AudioSsrcA, VideoSsrcA, RtxSsrcA, toA[0], toA[1], 0u, 0xFFFFFFFF };
        var random = new Random(6_2026);
        var valid = ValidPackets(ssrcs, toA);

        for (var i = 0; i < 20_000; i++)
        {
            byte[] packet;
            switch (random.Next(3))
            {
                case 0:
                    packet = new byte[random.Next(0, 300)];
                    random.NextBytes(packet);
                    if (packet.Length > 1 && random.Next(2) == 0) packet[0] = (byte)(0x80 | (packet[0] & 0x3F)); // version 2
                    break;
                default:
                    packet = (byte[])valid[random.Next(valid.Length)].Clone();
                    var flips = random.Next(1, 6);
                    for (var f = 0; f < flips && packet.Length > 0; f++)
                    {
                        var at = random.Next(packet.Length);
                        packet[at] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)(packet[at] ^ (1 << random.Next(8)));
                    }
                    if (random.Next(4) == 0) packet = packet[..random.Next(packet.Length + 1)];
                    break;
            }
            var transport = random.Next(2) == 0 ? a.Transport : b.Transport;
            if (random.Next(2) == 0) room.Router.OnRtp(transport, packet);
            else room.Router.OnRtcp(transport, packet);
            h.Clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 30)));
            if (i % 1000 == 0)
            {
                room.Router.SendReports();
                room.Router.SendTransportFeedback();
            }
        }

        var quality = h.Node.Quality().Rooms.Single();
        foreach (var p in quality.Participants)
        {
            foreach (var s in p.Incoming)
            {
                Assert.InRange(s.FractionLost, 0, 1);
                Assert.InRange(s.RecentLossFraction, 0, 1);
                Assert.True(s.JitterMs >= 0 && double.IsFinite(s.JitterMs));
                Assert.True(s.BitrateBps >= 0);
            }
            foreach (var s in p.Outgoing)
            {
                Assert.InRange(s.ReceiverRecentLossFraction, 0, 1);
                Assert.True(s.RoundTripTimeMs is null or >= 0);
            }
            if (p.Score is { } score) Assert.InRange(score.Mos, 1, 4.5);
        }
        var metrics = PrometheusTextParser.Parse(h.Node.RenderMetrics());
        Assert.True(metrics.Value("sfu_stream_packets_total", ("direction", "in"), ("kind", "audio")) > 0);
    }

    private static byte[][] ValidPackets(uint[] ssrcs, uint[] toA)
    {
        var list = new List<byte[]>();
        for (ushort i = 0; i < 20; i++)
        {
            list.Add(MediaPacket(111, i, i * 960u, AudioSsrcA, 60 + i, i));
            list.Add(MediaPacket(96, i, i * 3000u, VideoSsrcA, 1000, (ushort)(65530 + i)));
        }
        var buffer = new byte[1200];
        int n;
        foreach (var ssrc in ssrcs)
        {
            if (RtcpReceiverReport.TryWrite(buffer, AudioSsrcA, [new ReportBlock(ssrc, 12, -5, 70000, 4000, 0x12345678, 0x10000)], out n)) list.Add(buffer[..n]);
            if (RtcpSenderReport.TryWrite(buffer, AudioSsrcA, new RtcpSenderInfo(0xE000000000000000, 1, 2, 3),
                    [new ReportBlock(ssrc, 255, 0x7FFFFF, 1, uint.MaxValue, 0, 0), new ReportBlock(toA[0], 0, 0, 5, 0, 1, 2)], out n)) list.Add(buffer[..n]);
            if (new PictureLossIndication(1, ssrc).TryWrite(buffer, out n)) list.Add(buffer[..n]);
            if (FullIntraRequest.TryWrite(buffer, 1, [new FirEntry(ssrc, 3)], out n)) list.Add(buffer[..n]);
            if (GenericNack.TryWrite(buffer, 1, ssrc, [1, 2, 40000], out n)) list.Add(buffer[..n]);
            if (ReceiverEstimatedMaxBitrate.TryWrite(buffer, 1, 1_000_000, [ssrc], out n)) list.Add(buffer[..n]);
        }
        // A compound: RR + PLI, as browsers send.
        var compound = new byte[200];
        RtcpReceiverReport.TryWrite(compound, AudioSsrcA, [new ReportBlock(toA[1], 1, 1, 1, 1, 1, 1)], out n);
        new PictureLossIndication(1, toA[1]).TryWrite(compound.AsSpan(n), out var m);
        list.Add(compound[..(n + m)]);
        // An RR whose count claims more blocks than it has.
        var lying = list[^1].ToArray();
        lying[0] = (byte)(0x80 | 31);
        BinaryPrimitives.WriteUInt16BigEndian(lying.AsSpan(2), 7);
        list.Add(lying);
        return list.ToArray();
    }
}
