namespace Redis.Client;

/// <summary>Base of every failure this client reports.</summary>
public class RedisException : Exception
{
    public RedisException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The server answered with an error reply ("-ERR …", "-WRONGTYPE …").</summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException(string serverMessage) : base(serverMessage)
    {
        int space = serverMessage.IndexOf(' ');
        ErrorCode = space > 0 ? serverMessage[..space] : serverMessage;
    }

    /// <summary>First word of the error, by Redis convention its class: ERR, WRONGTYPE, NOSCRIPT, NOAUTH, WRONGPASS…</summary>
    public string ErrorCode { get; }
}

/// <summary>Could not connect, or the connection was lost before the reply arrived.</summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>No reply within the command timeout (which includes waiting for a reconnection).</summary>
public sealed class RedisTimeoutException : RedisException
{
    public RedisTimeoutException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The server sent bytes that are not valid RESP2; the connection is dropped.</summary>
public sealed class RedisProtocolException : RedisException
{
    public RedisProtocolException(string message) : base(message) { }
}
