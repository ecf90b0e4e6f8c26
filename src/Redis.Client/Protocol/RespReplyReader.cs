using System.Buffers;
using System.Text;

namespace Redis.Client;

/// <summary>
/// Reads whole replies. A first pass walks the tokens without allocating to learn whether the
/// reply is complete and well-formed (nesting bounded by <see cref="RespLimits.MaxDepth"/>);
/// only then is the reply copied out of the buffer. Never throws on malformed input.
/// </summary>
public static class RespReplyReader
{
    /// <summary>
    /// Tries to read one reply from the start of <paramref name="buffer"/>. On
    /// <see cref="RespParseStatus.Complete"/> the buffer is advanced past the reply; otherwise
    /// it is left as it was and <paramref name="error"/> explains a protocol error.
    /// </summary>
    public static RespParseStatus TryRead(ref ReadOnlySequence<byte> buffer, out RedisReply? reply, out string? error, RespLimits? limits = null)
    {
        limits ??= RespLimits.Default;
        reply = null;

        var scanner = new RespReader(buffer, limits);
        var status = Scan(ref scanner, limits.MaxDepth, out error);
        if (status != RespParseStatus.Complete)
        {
            return status;
        }

        var builder = new RespReader(buffer, limits);
        reply = Build(ref builder);
        if (reply is null)
        {
            // Unreachable: the scan accepted these bytes. Report rather than throw.
            error = "Internal parser inconsistency.";
            return RespParseStatus.ProtocolError;
        }

        buffer = buffer.Slice(builder.Position);
        return RespParseStatus.Complete;
    }

    /// <summary>Walks one reply; iterative, with a stack of remaining element counts.</summary>
    private static RespParseStatus Scan(ref RespReader reader, int maxDepth, out string? error)
    {
        error = null;
        Span<long> remaining = stackalloc long[maxDepth];
        int depth = 0;
        while (true)
        {
            var status = reader.TryReadToken(out var token);
            if (status != RespParseStatus.Complete)
            {
                error = reader.Error;
                return status;
            }

            if (token.Type == RespType.Array && token.Length > 0)
            {
                if (depth == maxDepth)
                {
                    error = $"Arrays nested deeper than {maxDepth} levels.";
                    return RespParseStatus.ProtocolError;
                }

                remaining[depth++] = token.Length;
                continue;
            }

            // A finished element: close every array it completes.
            while (depth > 0 && --remaining[depth - 1] == 0)
            {
                depth--;
            }

            if (depth == 0)
            {
                return RespParseStatus.Complete;
            }
        }
    }

    /// <summary>Materialises a reply already validated by <see cref="Scan"/>; recursion is bounded by MaxDepth.</summary>
    private static RedisReply? Build(ref RespReader reader)
    {
        if (reader.TryReadToken(out var token) != RespParseStatus.Complete)
        {
            return null;
        }

        switch (token.Type)
        {
            case RespType.SimpleString:
                return RedisReply.SimpleString(Decode(token.Payload));
            case RespType.Error:
                return RedisReply.Error(Decode(token.Payload));
            case RespType.Integer:
                return RedisReply.Integer(token.Integer);
            case RespType.BulkString:
                return token.IsNull ? RedisReply.NullBulkString : RedisReply.BulkString(token.Payload.ToArray());
            default:
                if (token.IsNull)
                {
                    return RedisReply.NullArray;
                }

                var items = new RedisReply[token.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    var item = Build(ref reader);
                    if (item is null)
                    {
                        return null;
                    }

                    items[i] = item;
                }

                return RedisReply.Array(items);
        }
    }

    private static string Decode(ReadOnlySequence<byte> bytes) =>
        bytes.IsSingleSegment ? Encoding.UTF8.GetString(bytes.FirstSpan) : Encoding.UTF8.GetString(bytes.ToArray());
}
