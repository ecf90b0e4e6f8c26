using System.Buffers;
using System.Globalization;
using System.Text;

namespace Redis.Client;

/// <summary>
/// One command argument, sent as a bulk string: text (UTF-8), raw bytes, an integer or a float.
/// Converts implicitly from string, byte[], ReadOnlyMemory&lt;byte&gt;, int, long and double.
/// </summary>
public readonly struct RedisArgument
{
    private enum Shape : byte { Bytes, Text, Integer, Float }

    private readonly Shape _shape;
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _integer;
    private readonly double _float;

    public RedisArgument(string text)
    {
        _shape = Shape.Text;
        _text = text ?? throw new ArgumentNullException(nameof(text), "Redis arguments cannot be null.");
    }

    public RedisArgument(ReadOnlyMemory<byte> bytes)
    {
        _shape = Shape.Bytes;
        _bytes = bytes;
    }

    public RedisArgument(long integer)
    {
        _shape = Shape.Integer;
        _integer = integer;
    }

    public RedisArgument(double value)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException("Redis does not accept NaN.", nameof(value));
        }

        _shape = Shape.Float;
        _float = value;
    }

    public static implicit operator RedisArgument(string text) => new(text);
    public static implicit operator RedisArgument(byte[] bytes) =>
        new((ReadOnlyMemory<byte>)(bytes ?? throw new ArgumentNullException(nameof(bytes), "Redis arguments cannot be null.")));
    public static implicit operator RedisArgument(ReadOnlyMemory<byte> bytes) => new(bytes);
    public static implicit operator RedisArgument(long integer) => new(integer);
    public static implicit operator RedisArgument(int integer) => new((long)integer);
    public static implicit operator RedisArgument(double value) => new(value);

    /// <summary>Converts the argument types accepted by the generic ExecuteAsync.</summary>
    public static RedisArgument FromObject(object? value) => value switch
    {
        null => throw new ArgumentNullException(nameof(value), "Redis arguments cannot be null."),
        RedisArgument a => a,
        string s => new(s),
        byte[] b => new((ReadOnlyMemory<byte>)b),
        ReadOnlyMemory<byte> m => new(m),
        Memory<byte> m => new((ReadOnlyMemory<byte>)m),
        int i => new((long)i),
        long l => new(l),
        short s => new((long)s),
        uint u => new((long)u),
        byte b => new((long)b),
        ulong u when u <= long.MaxValue => new((long)u),
        double d => new(d),
        float f => new((double)f),
        bool b => new(b ? 1L : 0L),
        _ => throw new ArgumentException($"Unsupported Redis argument type {value.GetType()}; use string, byte[], integer or floating-point values.", nameof(value)),
    };

    /// <summary>Writes "$len\r\npayload\r\n"; returns bytes written.</summary>
    internal int WriteBulk(IBufferWriter<byte> output)
    {
        switch (_shape)
        {
            case Shape.Text:
            {
                int length = Encoding.UTF8.GetByteCount(_text!);
                int header = RespWriter.WriteLength(output, (byte)'$', length);
                if (length > 0)
                {
                    Encoding.UTF8.GetBytes(_text.AsSpan(), output);
                }

                RespWriter.WriteCrlf(output);
                return header + length + 2;
            }
            case Shape.Bytes:
            {
                int header = RespWriter.WriteLength(output, (byte)'$', _bytes.Length);
                output.Write(_bytes.Span);
                RespWriter.WriteCrlf(output);
                return header + _bytes.Length + 2;
            }
            default:
            {
                Span<byte> digits = stackalloc byte[32];
                int length = FormatNumber(digits);
                int header = RespWriter.WriteLength(output, (byte)'$', length);
                output.Write(digits[..length]);
                RespWriter.WriteCrlf(output);
                return header + length + 2;
            }
        }
    }

    private int FormatNumber(Span<byte> destination)
    {
        if (_shape == Shape.Integer)
        {
            _integer.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture);
            return written;
        }

        // Redis parses scores with strtod, which accepts "+inf"/"-inf" and exponents.
        if (double.IsPositiveInfinity(_float))
        {
            return Copy("+inf"u8, destination);
        }

        if (double.IsNegativeInfinity(_float))
        {
            return Copy("-inf"u8, destination);
        }

        _float.TryFormat(destination, out int n, "R", CultureInfo.InvariantCulture);
        return n;

        static int Copy(ReadOnlySpan<byte> s, Span<byte> d)
        {
            s.CopyTo(d);
            return s.Length;
        }
    }

    public override string ToString() => _shape switch
    {
        Shape.Text => _text!,
        Shape.Bytes => Encoding.UTF8.GetString(_bytes.Span),
        Shape.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => double.IsPositiveInfinity(_float) ? "+inf" : double.IsNegativeInfinity(_float) ? "-inf" : _float.ToString("R", CultureInfo.InvariantCulture),
    };
}
