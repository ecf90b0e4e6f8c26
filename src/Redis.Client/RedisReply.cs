using System.Globalization;
using System.Text;

namespace Redis.Client;

/// <summary>RESP2 reply kinds.</summary>
public enum RedisReplyKind
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
}

/// <summary>
/// One reply from the server, owned (copied out of the receive buffer). Null bulk strings and
/// null arrays keep their kind and report <see cref="IsNull"/>.
/// Accessors throw <see cref="InvalidCastException"/> when the reply has another shape.
/// </summary>
public sealed class RedisReply
{
    private static readonly RedisReply[] SmallIntegers = CreateSmallIntegers();

    private readonly object? _payload; // string (simple, error), byte[] (bulk), RedisReply[] (array)
    private readonly long _integer;

    private RedisReply(RedisReplyKind kind, object? payload, long integer)
    {
        Kind = kind;
        _payload = payload;
        _integer = integer;
    }

    public static RedisReply Ok { get; } = new(RedisReplyKind.SimpleString, "OK", 0);
    public static RedisReply NullBulkString { get; } = new(RedisReplyKind.BulkString, null, 0);
    public static RedisReply NullArray { get; } = new(RedisReplyKind.Array, null, 0);
    public static RedisReply EmptyArray { get; } = new(RedisReplyKind.Array, System.Array.Empty<RedisReply>(), 0);

    public RedisReplyKind Kind { get; }

    public bool IsNull => _payload is null && Kind is RedisReplyKind.BulkString or RedisReplyKind.Array;

    public bool IsError => Kind == RedisReplyKind.Error;

    /// <summary>The error text (for example "WRONGTYPE Operation against a key…"), or null.</summary>
    public string? ErrorMessage => IsError ? (string)_payload! : null;

    /// <summary>Number of elements of an array reply (0 for a null array).</summary>
    public int Count => Kind == RedisReplyKind.Array ? ((RedisReply[]?)_payload)?.Length ?? 0 : throw Mismatch("an array");

    public RedisReply this[int index] => AsArray()?[index] ?? throw new InvalidCastException("The reply is a null array.");

    public static RedisReply SimpleString(string value) =>
        value == "OK" ? Ok : new(RedisReplyKind.SimpleString, value ?? throw new ArgumentNullException(nameof(value)), 0);

    public static RedisReply Error(string message) =>
        new(RedisReplyKind.Error, message ?? throw new ArgumentNullException(nameof(message)), 0);

    public static RedisReply Integer(long value) =>
        value >= -1 && value < SmallIntegers.Length - 1 ? SmallIntegers[value + 1] : new(RedisReplyKind.Integer, null, value);

    public static RedisReply BulkString(byte[]? value) =>
        value is null ? NullBulkString : new(RedisReplyKind.BulkString, value, 0);

    public static RedisReply BulkString(string? value) =>
        value is null ? NullBulkString : new(RedisReplyKind.BulkString, Encoding.UTF8.GetBytes(value), 0);

    public static RedisReply Array(params RedisReply[]? elements) =>
        elements is null ? NullArray : elements.Length == 0 ? EmptyArray : new(RedisReplyKind.Array, elements, 0);

    /// <summary>Text of a simple string, bulk string (UTF-8), integer or error; null for null replies.</summary>
    public string? AsString() => Kind switch
    {
        RedisReplyKind.SimpleString or RedisReplyKind.Error => (string)_payload!,
        RedisReplyKind.BulkString => _payload is byte[] b ? Encoding.UTF8.GetString(b) : null,
        RedisReplyKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => IsNull ? null : throw Mismatch("a string"),
    };

    /// <summary>Bytes of a bulk string (the array itself, do not modify), or of simple string text.</summary>
    public byte[]? AsBytes() => Kind switch
    {
        RedisReplyKind.BulkString => (byte[]?)_payload,
        RedisReplyKind.SimpleString => Encoding.UTF8.GetBytes((string)_payload!),
        RedisReplyKind.Integer => Encoding.ASCII.GetBytes(_integer.ToString(CultureInfo.InvariantCulture)),
        _ => IsNull ? null : throw Mismatch("bytes"),
    };

    /// <summary>An integer reply, or a string holding a decimal integer.</summary>
    public long AsInt64() => AsNullableInt64() ?? throw new InvalidCastException("The reply is null, expected an integer.");

    public long? AsNullableInt64()
    {
        if (Kind == RedisReplyKind.Integer)
        {
            return _integer;
        }

        if (IsNull)
        {
            return null;
        }

        if (Kind is RedisReplyKind.BulkString or RedisReplyKind.SimpleString &&
            long.TryParse(AsString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
        {
            return v;
        }

        throw Mismatch("an integer");
    }

    /// <summary>A float as Redis writes it ("1.5", "inf", "-inf"), or an integer reply.</summary>
    public double AsDouble() => AsNullableDouble() ?? throw new InvalidCastException("The reply is null, expected a number.");

    public double? AsNullableDouble()
    {
        if (Kind == RedisReplyKind.Integer)
        {
            return _integer;
        }

        if (IsNull)
        {
            return null;
        }

        if (Kind is RedisReplyKind.BulkString or RedisReplyKind.SimpleString && TryParseDouble(AsString()!, out double d))
        {
            return d;
        }

        throw Mismatch("a number");
    }

    /// <summary>Integer 1/0, or "OK" (true); null replies are false.</summary>
    public bool AsBoolean() => Kind switch
    {
        RedisReplyKind.Integer => _integer != 0,
        RedisReplyKind.SimpleString => (string)_payload! == "OK",
        RedisReplyKind.BulkString when _payload is null => false,
        RedisReplyKind.Array when _payload is null => false,
        _ => AsInt64() != 0,
    };

    /// <summary>The elements of an array reply; null for a null array.</summary>
    public RedisReply[]? AsArray() => Kind == RedisReplyKind.Array ? (RedisReply[]?)_payload : throw Mismatch("an array");

    /// <summary>Each element of an array reply as text (null elements stay null).</summary>
    public string?[] AsStringArray()
    {
        var items = AsArray();
        if (items is null)
        {
            return System.Array.Empty<string?>();
        }

        var result = new string?[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            result[i] = items[i].AsString();
        }

        return result;
    }

    public override string ToString() => Kind switch
    {
        RedisReplyKind.SimpleString => "+" + (string)_payload!,
        RedisReplyKind.Error => "-" + (string)_payload!,
        RedisReplyKind.Integer => ":" + _integer.ToString(CultureInfo.InvariantCulture),
        RedisReplyKind.BulkString => _payload is byte[] b ? "\"" + Encoding.UTF8.GetString(b) + "\"" : "(nil)",
        _ => _payload is RedisReply[] a ? "[" + string.Join(", ", a.Select(x => x.ToString())) + "]" : "(nil array)",
    };

    internal static bool TryParseDouble(string text, out double value)
    {
        switch (text.ToLowerInvariant())
        {
            case "inf":
            case "+inf":
                value = double.PositiveInfinity;
                return true;
            case "-inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private InvalidCastException Mismatch(string expected) =>
        new($"Expected {expected} reply but got {Kind}{(IsNull ? " (null)" : "")}: {Truncate(ToString())}");

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";

    private static RedisReply[] CreateSmallIntegers()
    {
        var cache = new RedisReply[258];
        for (int i = 0; i < cache.Length; i++)
        {
            cache[i] = new RedisReply(RedisReplyKind.Integer, null, i - 1);
        }

        return cache;
    }
}
