using System.Buffers;

namespace Redis.Client;

/// <summary>
/// Zero-copy RESP2 tokenizer over buffered bytes. Each call reads one element header (and the
/// payload of a bulk string) and leaves the reader untouched unless the whole token is present,
/// so the caller can retry with more bytes. Malformed input yields
/// <see cref="RespParseStatus.ProtocolError"/> with <see cref="Error"/> set; it never throws.
/// </summary>
public ref struct RespReader
{
    // ":-9223372036854775808" needs 20 characters after the prefix.
    private const int MaxNumberLength = 20;

    private SequenceReader<byte> _reader;
    private readonly RespLimits _limits;

    public RespReader(ReadOnlySequence<byte> buffer, RespLimits? limits = null)
    {
        _reader = new SequenceReader<byte>(buffer);
        _limits = limits ?? RespLimits.Default;
        Error = null;
    }

    /// <summary>Why the last call returned <see cref="RespParseStatus.ProtocolError"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>Position just after the last complete token.</summary>
    public readonly SequencePosition Position => _reader.Position;

    /// <summary>Bytes consumed by complete tokens so far.</summary>
    public readonly long Consumed => _reader.Consumed;

    public readonly long Remaining => _reader.Remaining;

    public RespParseStatus TryReadToken(out RespToken token)
    {
        token = default;
        // Work on a copy and commit only when the token is whole.
        var r = _reader;
        if (!r.TryRead(out byte prefix))
        {
            return RespParseStatus.NeedMoreData;
        }

        RespParseStatus status;
        switch (prefix)
        {
            case (byte)'+':
            case (byte)'-':
            {
                status = ReadLine(ref r, _limits.MaxLineLength, out var line);
                if (status != RespParseStatus.Complete)
                {
                    return status;
                }

                token = new RespToken((RespType)prefix, line.Length, line);
                break;
            }
            case (byte)':':
            {
                status = ReadNumber(ref r, out long value);
                if (status != RespParseStatus.Complete)
                {
                    return status;
                }

                token = new RespToken(RespType.Integer, value, default);
                break;
            }
            case (byte)'$':
            {
                status = ReadNumber(ref r, out long length);
                if (status != RespParseStatus.Complete)
                {
                    return status;
                }

                if (length == -1)
                {
                    token = new RespToken(RespType.BulkString, -1, default);
                    break;
                }

                if (length < -1)
                {
                    return Fail($"Invalid bulk string length {length}.");
                }

                if (length > _limits.MaxBulkLength)
                {
                    return Fail($"Bulk string of {length} bytes exceeds the limit of {_limits.MaxBulkLength} bytes.");
                }

                if (r.Remaining < length + 2)
                {
                    return RespParseStatus.NeedMoreData;
                }

                var payload = r.UnreadSequence.Slice(0, length);
                r.Advance(length);
                if (!r.IsNext("\r\n"u8, advancePast: true))
                {
                    return Fail("Bulk string is not followed by CRLF.");
                }

                token = new RespToken(RespType.BulkString, length, payload);
                break;
            }
            case (byte)'*':
            {
                status = ReadNumber(ref r, out long count);
                if (status != RespParseStatus.Complete)
                {
                    return status;
                }

                if (count < -1 || count > Array.MaxLength)
                {
                    return Fail($"Invalid array length {count}.");
                }

                token = new RespToken(RespType.Array, count, default);
                break;
            }
            default:
                // RESP3 types are refused too: this client never sends HELLO 3.
                return Fail($"Unexpected RESP type byte 0x{prefix:X2}.");
        }

        _reader = r;
        return RespParseStatus.Complete;
    }

    private RespParseStatus Fail(string error)
    {
        Error = error;
        return RespParseStatus.ProtocolError;
    }

    /// <summary>Reads up to CRLF; the line may contain neither CR nor LF.</summary>
    private RespParseStatus ReadLine(ref SequenceReader<byte> r, int maxLength, out ReadOnlySequence<byte> line)
    {
        line = default;
        var unread = r.UnreadSequence;
        // The CR must sit at an index <= maxLength.
        var window = unread.Slice(0, Math.Min(unread.Length, (long)maxLength + 1));
        var cr = window.PositionOf((byte)'\r');
        if (cr is null)
        {
            if (window.PositionOf((byte)'\n') is not null)
            {
                return Fail("Line contains LF without CR.");
            }

            return window.Length > maxLength
                ? Fail($"Line longer than {maxLength} bytes.")
                : RespParseStatus.NeedMoreData;
        }

        line = unread.Slice(0, cr.Value);
        if (line.PositionOf((byte)'\n') is not null)
        {
            return Fail("Line contains LF without CR.");
        }

        if (unread.Length < line.Length + 2)
        {
            return RespParseStatus.NeedMoreData;
        }

        r.Advance(line.Length + 1);
        if (!r.TryRead(out byte lf) || lf != (byte)'\n')
        {
            return Fail("CR not followed by LF.");
        }

        return RespParseStatus.Complete;
    }

    /// <summary>Strict signed decimal: optional '-', 1+ digits, no overflow, CRLF.</summary>
    private RespParseStatus ReadNumber(ref SequenceReader<byte> r, out long value)
    {
        value = 0;
        var status = ReadLine(ref r, MaxNumberLength, out var line);
        if (status != RespParseStatus.Complete)
        {
            return status;
        }

        Span<byte> digits = stackalloc byte[MaxNumberLength];
        int length = (int)line.Length;
        line.CopyTo(digits);
        digits = digits[..length];

        bool negative = length > 0 && digits[0] == (byte)'-';
        var body = negative ? digits[1..] : digits;
        if (body.IsEmpty)
        {
            return Fail("Empty number.");
        }

        // Accumulate as a negative number so long.MinValue parses too.
        long acc = 0;
        foreach (byte b in body)
        {
            int d = b - '0';
            if ((uint)d > 9)
            {
                return Fail("Number contains a non-digit.");
            }

            if (acc < (long.MinValue + d) / 10)
            {
                return Fail("Number out of range.");
            }

            acc = acc * 10 - d;
        }

        if (!negative)
        {
            if (acc == long.MinValue)
            {
                return Fail("Number out of range.");
            }

            acc = -acc;
        }

        value = acc;
        return RespParseStatus.Complete;
    }
}
