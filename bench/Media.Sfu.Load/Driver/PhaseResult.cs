namespace Media.Sfu.Load.Driver;

/// <summary>What one measured phase (the SFU or the coturn reference at one N) produced.</summary>
public sealed record PhaseResult
{
    public required string Server { get; init; }              // "sfu", "coturn" or "sfu-wrtc"
    public required int Calls { get; init; }
    public required int Peers { get; init; }
    public required int ReadyPeers { get; init; }
    public required double WindowSeconds { get; init; }
    /// <summary>Media packets the clients sent (and received) whose send time fell in the window.</summary>
    public required long Sent { get; init; }
    public required long Received { get; init; }
    /// <summary>Datagrams the kernel dropped at the clients' own sockets (generator's fault, not the server's).</summary>
    public required long ClientDrops { get; init; }
    /// <summary>Datagrams the kernel dropped at the server's sockets (full receive queue: the server's fault).</summary>
    public required long ServerDrops { get; init; }
    public required double ServerCpuSeconds { get; init; }
    /// <summary>Packets the server moved in the window: RTP packets forwarded (SFU) or relay operations (coturn: 2 per delivered packet).</summary>
    public required long ServerPackets { get; init; }
    public required double P50Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double MaxMs { get; init; }
    public required long ServerRssBytes { get; init; }
    public required double GeneratorCpuSeconds { get; init; }
    public long Gen0 { get; init; }
    public long Gen1 { get; init; }
    public long Gen2 { get; init; }
    public long ProcessAllocatedBytes { get; init; }
    public long WorkerAllocatedBytes { get; init; }
    public double MeanReceiveBatch { get; init; }
    public long BadPackets { get; init; }
    public long LateSkips { get; init; }
    /// <summary>Time the server's JIT spent compiling during the window (tiered re-compilation; 0 for coturn).</summary>
    public double JitMilliseconds { get; init; }
    /// <summary>The machine's 1-minute load average around the window: other work competing for the cores.</summary>
    public double LoadAverage { get; init; }
    public string? Note { get; init; }

    public double PacketsPerSecond => WindowSeconds > 0 ? ServerPackets / WindowSeconds : 0;
    public double DeliveredPerSecond => WindowSeconds > 0 ? Received / WindowSeconds : 0;
    public double MicrosecondsPerPacket => ServerPackets > 0 ? ServerCpuSeconds * 1e6 / ServerPackets : double.NaN;
    public double MicrosecondsPerDelivered => Received > 0 ? ServerCpuSeconds * 1e6 / Received : double.NaN;
    public double ServerCores => WindowSeconds > 0 ? ServerCpuSeconds / WindowSeconds : 0;
    public double GeneratorCores => WindowSeconds > 0 ? GeneratorCpuSeconds / WindowSeconds : 0;
    /// <summary>Loss the server added: sent − received − what the clients' own sockets dropped, as a percentage of sent.</summary>
    public double AddedLossPercent => Sent > 0 ? Math.Max(0, Sent - Received - ClientDrops) * 100.0 / Sent : double.NaN;
    public double AllocatedBytesPerPacket => ServerPackets > 0 ? (double)WorkerAllocatedBytes / ServerPackets : double.NaN;
}
