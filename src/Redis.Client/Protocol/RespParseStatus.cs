namespace Redis.Client;

/// <summary>Outcome of one attempt to read a RESP token or reply from buffered bytes.</summary>
public enum RespParseStatus
{
    /// <summary>A whole token or reply was read; the reader moved past it.</summary>
    Complete,

    /// <summary>The bytes so far are a valid prefix; read again when more arrive. Nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>The bytes can never become a valid reply; the connection must be dropped.</summary>
    ProtocolError,
}

/// <summary>RESP2 type prefixes (https://redis.io/docs/latest/develop/reference/protocol-spec/).</summary>
public enum RespType : byte
{
    SimpleString = (byte)'+',
    Error = (byte)'-',
    Integer = (byte)':',
    BulkString = (byte)'$',
    Array = (byte)'*',
}

/// <summary>
/// Bounds applied while parsing, so a broken or hostile peer cannot make the client
/// buffer without bound or recurse without bound.
/// </summary>
public sealed record RespLimits
{
    /// <summary>Redis' own proto-max-bulk-len default: 512 MB.</summary>
    public const long RedisMaxBulkLength = 512L * 1024 * 1024;

    public static RespLimits Default { get; } = new();

    /// <summary>Largest bulk string accepted.</summary>
    public long MaxBulkLength { get; init; } = RedisMaxBulkLength;

    /// <summary>Deepest nesting of arrays accepted (1 = a flat array). At most 1024.</summary>
    public int MaxDepth
    {
        get => _maxDepth;
        init => _maxDepth = value is >= 1 and <= 1024
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxDepth), value, "MaxDepth must be between 1 and 1024.");
    }

    /// <summary>Longest simple string or error line accepted, without its CRLF.</summary>
    public int MaxLineLength { get; init; } = 1024 * 1024;

    private readonly int _maxDepth = 64;
}
