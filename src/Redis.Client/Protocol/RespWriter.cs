using System.Buffers;

namespace Redis.Client;

/// <summary>Encodes commands the way clients must send them: an array of bulk strings.</summary>
public static class RespWriter
{
    /// <summary>Writes one command (<paramref name="parts"/>[0] is its name); returns bytes written.</summary>
    public static long WriteCommand(IBufferWriter<byte> output, ReadOnlySpan<RedisArgument> parts)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (parts.IsEmpty)
        {
            throw new ArgumentException("A command needs at least its name.", nameof(parts));
        }

        long written = WriteLength(output, (byte)'*', parts.Length);
        foreach (var part in parts)
        {
            written += part.WriteBulk(output);
        }

        return written;
    }

    internal static int WriteLength(IBufferWriter<byte> output, byte prefix, int length)
    {
        var span = output.GetSpan(16);
        span[0] = prefix;
        length.TryFormat(span[1..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        span[1 + digits] = (byte)'\r';
        span[2 + digits] = (byte)'\n';
        output.Advance(3 + digits);
        return 3 + digits;
    }

    internal static void WriteCrlf(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        output.Advance(2);
    }
}
