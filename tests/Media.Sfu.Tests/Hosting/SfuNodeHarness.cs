using Media.Sfu.Hosting;
using Media.Sfu.Rtp;
using Media.Sfu.Sdp;
using Media.Sfu.Tests.Sdp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Sfu.Tests.Hosting;

/// <summary>A clock the test moves; the node's housekeeping timer only runs when the test fires it.</summary>
internal sealed class TestClock : TimeProvider
{
    private readonly DateTimeOffset _start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly List<(TimerCallback Callback, object? State, TimeSpan Period)> _timers = new();
    private long _ticks = 3600 * TimeSpan.TicksPerSecond;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);
    public override DateTimeOffset GetUtcNow() => _start.AddTicks(Interlocked.Read(ref _ticks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_timers) _timers.Add((callback, state, period));
        return new ManualTimer();
    }

    /// <summary>Fires every timer, or only those of the given period.</summary>
    public void FireTimers(TimeSpan? period = null)
    {
        List<(TimerCallback Callback, object? State, TimeSpan Period)> timers;
        lock (_timers) timers = _timers.ToList();
        foreach (var (callback, state, every) in timers)
            if (period is null || every == period) callback(state);
    }

    private sealed class ManualTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A started SFU node on loopback (ports chosen by the OS) driven by a <see cref="TestClock"/>.</summary>
internal sealed class SfuNodeHarness : IDisposable
{
    public const uint AudioSsrcA = 1001234567, VideoSsrcA = 2712358465, RtxSsrcA = 3919101263;
    public const uint AudioSsrcB = 1101234567, VideoSsrcB = 2812358465, RtxSsrcB = 3819101263;
    public const byte TransportCcId = 3; // as in SdpFixtures.ChromeOffer

    public SfuNodeHarness(Action<SfuOptions>? configure = null)
    {
        var options = new SfuOptions { UdpPort = 0, TcpPort = 0, IdleTimeoutSeconds = 3600, ConsentTimeoutSeconds = 300 };
        configure?.Invoke(options);
        Node = new SfuNode(Options.Create(options), NullLoggerFactory.Instance, Clock);
        Node.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public TestClock Clock { get; } = new();
    public SfuNode Node { get; }

    /// <summary>Chrome's offer with participant B's own SSRCs.</summary>
    public static string OfferB => SdpFixtures.ChromeOffer
        .Replace(AudioSsrcA.ToString(), AudioSsrcB.ToString())
        .Replace(VideoSsrcA.ToString(), VideoSsrcB.ToString())
        .Replace(RtxSsrcA.ToString(), RtxSsrcB.ToString());

    public static string OfferA => SdpFixtures.ChromeOffer;

    /// <summary>The SSRC the SFU announced on the m-line <paramref name="mid"/> of its answer.</summary>
    public static uint AnnouncedSsrc(string answer, string mid)
    {
        Assert.True(SessionDescription.TryParse(answer, out var sdp, out _));
        return sdp!.Media.Single(m => m.Mid == mid).Ssrcs.First().Ssrc;
    }

    /// <summary>An RTP packet with a transport-wide sequence number and a payload of <paramref name="payload"/> bytes.</summary>
    public static byte[] MediaPacket(byte payloadType, ushort sequence, uint timestamp, uint ssrc, int payload, ushort transportSequence)
    {
        var buffer = new byte[1500];
        var writer = new RtpPacketWriter(buffer, payloadType, sequence, timestamp, ssrc);
        Assert.True(writer.TryAddExtension(TransportCcId, [(byte)(transportSequence >> 8), (byte)transportSequence]));
        Assert.True(writer.TryReservePayload(payload, out var body));
        body.Fill(0x5A);
        Assert.True(writer.TryComplete(0, out var length));
        return buffer[..length];
    }

    public void Dispose() => Node.Dispose();
}
