namespace Redis.Client;

/// <summary>A command waiting to be written or answered. Completes off the reader loop.</summary>
internal sealed class PendingCommand : TaskCompletionSource<RedisReply>
{
    public PendingCommand(RedisArgument[] parts)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Parts = parts;
    }

    public RedisArgument[] Parts { get; }

    public string Name => Parts[0].ToString();

    /// <summary>Stopwatch timestamp of when it was written to a link.</summary>
    public long SentAt { get; set; }

    /// <summary>Timed out or cancelled: the writer skips it if it has not been sent yet.</summary>
    public bool IsAbandoned => Task.IsCompleted;
}
