using System.Buffers.Binary;
using Media.Sfu.Ice;

namespace Media.Sfu.Tests.Ice;

public class Rfc4571FramerTests
{
    private static byte[] Frame(byte[] payload)
    {
        var framed = new byte[2 + payload.Length];
        Assert.True(Rfc4571Framer.TryWriteFrame(payload, framed, out int written));
        Assert.Equal(framed.Length, written);
        return framed;
    }

    /// <summary>Feeds <paramref name="stream"/> in the given chunk sizes, using Append, and collects the frames.</summary>
    private static List<byte[]> FeedWithAppend(Rfc4571Framer framer, byte[] stream, IEnumerable<int> chunks)
    {
        var frames = new List<byte[]>();
        int offset = 0;
        foreach (int chunk in chunks)
        {
            ReadOnlySpan<byte> data = stream.AsSpan(offset, chunk);
            offset += chunk;
            while (!data.IsEmpty)
            {
                int taken = framer.Append(data);
                data = data[taken..];
                while (framer.TryReadFrame(out ReadOnlySpan<byte> frame) == FrameReadStatus.Frame)
                    frames.Add(frame.ToArray());
                Assert.False(framer.IsFaulted);
                Assert.True(taken > 0 || data.IsEmpty);
            }
        }
        Assert.Equal(stream.Length, offset);
        return frames;
    }

    /// <summary>Same, but the way a receive loop reads straight into the framer's buffer.</summary>
    private static List<byte[]> FeedInPlace(Rfc4571Framer framer, byte[] stream, Random random)
    {
        var frames = new List<byte[]>();
        int offset = 0;
        while (offset < stream.Length)
        {
            Span<byte> free = framer.GetWriteSpan();
            Assert.False(free.IsEmpty);
            int count = Math.Min(Math.Min(free.Length, stream.Length - offset), random.Next(1, 3000));
            stream.AsSpan(offset, count).CopyTo(free);
            framer.Advance(count);
            offset += count;
            while (framer.TryReadFrame(out ReadOnlySpan<byte> frame) == FrameReadStatus.Frame)
                frames.Add(frame.ToArray());
        }
        return frames;
    }

    [Fact]
    public void OneFrame_OneRead()
    {
        var framer = new Rfc4571Framer();
        Assert.Equal(7, framer.Append(Frame([1, 2, 3, 4, 5])));
        Assert.Equal(FrameReadStatus.Frame, framer.TryReadFrame(out ReadOnlySpan<byte> frame));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, frame.ToArray());
        Assert.Equal(FrameReadStatus.NeedMoreData, framer.TryReadFrame(out _));
        Assert.Equal(0, framer.BufferedLength);
    }

    [Fact]
    public void SeveralFramesInOneRead()
    {
        var framer = new Rfc4571Framer();
        byte[] stream = [.. Frame([1]), .. Frame([2, 2]), .. Frame([3, 3, 3])];
        List<byte[]> frames = FeedWithAppend(framer, stream, [stream.Length]);
        Assert.Equal(3, frames.Count);
        Assert.Equal(new byte[] { 3, 3, 3 }, frames[2]);
    }

    [Fact]
    public void ByteByByte_IncludingSplitLengthPrefix()
    {
        var framer = new Rfc4571Framer();
        byte[] stream = [.. Frame(new byte[300]), .. Frame([9, 8, 7])];
        List<byte[]> frames = FeedWithAppend(framer, stream, Enumerable.Repeat(1, stream.Length));
        Assert.Equal(2, frames.Count);
        Assert.Equal(300, frames[0].Length);
        Assert.Equal(new byte[] { 9, 8, 7 }, frames[1]);
    }

    [Fact]
    public void RandomSplitPoints_ReassembleEveryFrameExactly()
    {
        var random = new Random(4571);
        for (int round = 0; round < 300; round++)
        {
            var payloads = new List<byte[]>();
            var stream = new List<byte>();
            for (int i = random.Next(1, 30); i > 0; i--)
            {
                int length = random.Next(10) == 0 ? random.Next(1, 65536) : random.Next(1, 1500);
                var payload = new byte[length];
                random.NextBytes(payload);
                payloads.Add(payload);
                stream.AddRange(Frame(payload));
            }
            byte[] bytes = stream.ToArray();
            var chunks = new List<int>();
            for (int left = bytes.Length; left > 0;)
            {
                int chunk = Math.Min(left, random.Next(3) == 0 ? random.Next(1, 4) : random.Next(1, 5000));
                chunks.Add(chunk);
                left -= chunk;
            }
            Rfc4571Framer framer = random.Next(2) == 0 ? new Rfc4571Framer() : new Rfc4571Framer(bufferLength: 200_000);
            List<byte[]> frames = round % 2 == 0 ? FeedWithAppend(framer, bytes, chunks) : FeedInPlace(framer, bytes, random);
            Assert.Equal(payloads.Count, frames.Count);
            for (int i = 0; i < payloads.Count; i++)
                Assert.Equal(payloads[i], frames[i]);
            Assert.Equal(0, framer.BufferedLength);
        }
    }

    [Fact]
    public void MaximalFrame_FitsTheDefaultBuffer()
    {
        var framer = new Rfc4571Framer();
        var payload = new byte[65535];
        new Random(1).NextBytes(payload);
        byte[] stream = [.. Frame([1, 2]), .. Frame(payload)];
        // Leave the big frame's first half behind the small one so compaction has to happen.
        List<byte[]> frames = FeedWithAppend(framer, stream, [40000, stream.Length - 40000]);
        Assert.Equal(2, frames.Count);
        Assert.Equal(payload, frames[1]);
    }

    [Fact]
    public void ZeroLengthFrame_FaultsTheStream()
    {
        var framer = new Rfc4571Framer();
        framer.Append([0, 0, 1, 2]);
        Assert.Equal(FrameReadStatus.Faulted, framer.TryReadFrame(out _));
        Assert.True(framer.IsFaulted);
        Assert.True(framer.GetWriteSpan().IsEmpty);
        Assert.Equal(0, framer.Append([1, 2, 3]));
        Assert.Equal(FrameReadStatus.Faulted, framer.TryReadFrame(out _));
    }

    [Fact]
    public void FrameAboveConfiguredMaximum_FaultsBeforeItsBodyArrives()
    {
        var framer = new Rfc4571Framer(maxFrameLength: 1500);
        byte[] header = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(header, 1501);
        framer.Append([.. Frame([1]), .. header]);
        Assert.Equal(FrameReadStatus.Frame, framer.TryReadFrame(out _));
        Assert.Equal(FrameReadStatus.Faulted, framer.TryReadFrame(out _));

        framer.Reset();
        Assert.False(framer.IsFaulted);
        framer.Append(Frame(new byte[1500]));
        Assert.Equal(FrameReadStatus.Frame, framer.TryReadFrame(out ReadOnlySpan<byte> frame));
        Assert.Equal(1500, frame.Length);
    }

    [Fact]
    public void Append_TakesOnlyWhatFits()
    {
        var framer = new Rfc4571Framer(maxFrameLength: 10);
        Assert.Equal(12, framer.Append(new byte[20]));
        Assert.Equal(12, framer.BufferedLength);
    }

    [Fact]
    public void Advance_RejectsMoreThanTheFreeSpace()
    {
        var framer = new Rfc4571Framer(maxFrameLength: 10);
        int free = framer.GetWriteSpan().Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => framer.Advance(free + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => framer.Advance(-1));
    }

    [Fact]
    public void WriteHelpers()
    {
        var buffer = new byte[10];
        Assert.True(Rfc4571Framer.TryWriteHeader(buffer, 0x1234));
        Assert.Equal(new byte[] { 0x12, 0x34 }, buffer[..2]);
        Assert.False(Rfc4571Framer.TryWriteHeader(buffer, 0));
        Assert.False(Rfc4571Framer.TryWriteHeader(buffer, 65536));
        Assert.False(Rfc4571Framer.TryWriteHeader(buffer.AsSpan(0, 1), 5));
        Assert.False(Rfc4571Framer.TryWriteFrame(new byte[9], buffer, out _));
        Assert.True(Rfc4571Framer.TryWriteFrame(new byte[8], buffer, out int written));
        Assert.Equal(10, written);
    }

    [Fact]
    public void ArbitraryStreams_NeverThrowAndFramesStayInBounds()
    {
        var random = new Random(6544);
        for (int round = 0; round < 2000; round++)
        {
            var framer = new Rfc4571Framer(maxFrameLength: random.Next(1, 2000));
            var stream = new byte[random.Next(0, 5000)];
            random.NextBytes(stream);
            int offset = 0;
            while (offset < stream.Length && !framer.IsFaulted)
            {
                int chunk = Math.Min(stream.Length - offset, random.Next(1, 700));
                int taken = framer.Append(stream.AsSpan(offset, chunk));
                offset += taken;
                FrameReadStatus status;
                while ((status = framer.TryReadFrame(out ReadOnlySpan<byte> frame)) == FrameReadStatus.Frame)
                    Assert.InRange(frame.Length, 1, framer.MaxFrameLength);
                Assert.InRange(framer.BufferedLength, 0, framer.MaxFrameLength + 2);
                if (taken == 0)
                    Assert.Equal(FrameReadStatus.Faulted, status);
            }
        }
    }
}
