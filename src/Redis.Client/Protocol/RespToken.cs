using System.Buffers;

namespace Redis.Client;

/// <summary>
/// One RESP element header as it sits in the receive buffer. Bulk string, simple string and
/// error contents are slices of that buffer (no copy), valid until the buffer is released.
/// </summary>
public readonly struct RespToken
{
    private readonly long _value;

    internal RespToken(RespType type, long value, ReadOnlySequence<byte> payload)
    {
        Type = type;
        _value = value;
        Payload = payload;
    }

    public RespType Type { get; }

    /// <summary>The number of an integer reply.</summary>
    public long Integer => Type == RespType.Integer ? _value : throw new InvalidOperationException($"{Type} token has no integer.");

    /// <summary>Byte length of a bulk string or element count of an array; -1 when null.</summary>
    public long Length => Type is RespType.BulkString or RespType.Array ? _value : Payload.Length;

    /// <summary>True for the RESP2 null bulk string ($-1) and null array (*-1).</summary>
    public bool IsNull => Type is RespType.BulkString or RespType.Array && _value < 0;

    /// <summary>Contents of a simple string, error or bulk string (empty otherwise).</summary>
    public ReadOnlySequence<byte> Payload { get; }
}
