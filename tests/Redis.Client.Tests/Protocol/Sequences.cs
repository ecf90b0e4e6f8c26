using System.Buffers;
using System.Text;

namespace Redis.Client.Tests.Protocol;

/// <summary>Builds multi-segment sequences, as a socket delivers bytes in pieces.</summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> Of(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>Splits <paramref name="data"/> at the given offsets into separate segments.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().Append(data.Length).ToArray();
        if (bounds.Length == 1)
        {
            return new ReadOnlySequence<byte>(data);
        }

        Segment? first = null, last = null;
        int start = 0;
        foreach (int end in bounds)
        {
            var memory = data.AsMemory(start, end - start).ToArray();
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
            start = end;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
