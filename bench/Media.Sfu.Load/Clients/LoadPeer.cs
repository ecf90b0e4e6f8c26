using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Media.Sfu.Load.Clients;

/// <summary>The measurement window shared by all clients of a phase: packets sent inside it are counted and timed.</summary>
public sealed class MeasurementWindow
{
    private long _startNs = long.MaxValue, _endNs = long.MaxValue;
    public long StartNs => Volatile.Read(ref _startNs);
    public long EndNs => Volatile.Read(ref _endNs);
    public void Open(long nowNs) => Volatile.Write(ref _startNs, nowNs);
    public void Close(long nowNs) => Volatile.Write(ref _endNs, nowNs);
    public bool Contains(long ns) => ns >= StartNs && ns < EndNs;
}

/// <summary>
/// One simulated participant: a UDP socket connected to its server (the SFU worker or coturn), a send
/// schedule for audio and video, and counters. Every media packet carries a stamp — magic, sender id, kind
/// and the CLOCK_REALTIME send time — that the receiving client reads after decryption, so delay and loss are
/// measured end to end on one clock. All calls on one peer come from the one load thread that owns it.
/// </summary>
public abstract unsafe class LoadPeer : IDisposable
{
    public const uint StampMagic = 0x4C4F4144; // "LOAD"
    public const int StampLength = 17;
    private static readonly long TicksPerSecond = Stopwatch.Frequency;
    private readonly long _audioInterval, _frameInterval;
    private long _nextAudio, _nextFrame;
    private volatile bool _mediaOn;

    protected LoadPeer(int id, MediaProfile profile, MeasurementWindow window)
    {
        Id = id;
        Profile = profile;
        Window = window;
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Socket.ReceiveBufferSize = 2 * 1024 * 1024; // the clients must not be where packets are lost
        Socket.SendBufferSize = 1024 * 1024;
        Socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Fd = (int)Socket.Handle;
        LibC.EnableTimestamps(Fd);
        _audioInterval = profile.AudioPacketsPerSecond > 0 ? TicksPerSecond / profile.AudioPacketsPerSecond : long.MaxValue;
        _frameInterval = profile.HasVideo ? (long)(TicksPerSecond / profile.VideoFramesPerSecond) : long.MaxValue;
    }

    public int Id { get; }
    public MediaProfile Profile { get; }
    public MeasurementWindow Window { get; }
    public Socket Socket { get; }
    public int Fd { get; }
    public int LocalPort => ((IPEndPoint)Socket.LocalEndPoint!).Port;
    /// <summary>Set when setup failed for good; the peer then sends nothing.</summary>
    public string? Failure { get; protected set; }
    /// <summary>True once media can flow (SRTP keys, or the TURN channel bound).</summary>
    public abstract bool IsReady { get; }

    // Window counters (written by the owning thread, read after it stopped).
    public long SentAudio, SentVideo, ReceivedAudio, ReceivedVideo, ReceivedOutsideWindow, ReceivedNotMedia, BadPackets, SendErrors, LateSkips;

    /// <summary>Starts sending with a random phase, so a thousand clients do not send in lockstep.</summary>
    public void StartMedia(Random random)
    {
        var now = Stopwatch.GetTimestamp();
        _nextAudio = now + (long)(random.NextDouble() * Math.Min(_audioInterval, TicksPerSecond));
        _nextFrame = now + (long)(random.NextDouble() * Math.Min(_frameInterval, TicksPerSecond));
        _mediaOn = true;
    }

    public void StopMedia() => _mediaOn = false;

    /// <summary>Sends whatever is due and returns when it next needs to be called (Stopwatch ticks).</summary>
    public long Poll(long now)
    {
        var next = PollSetup(now);
        if (!_mediaOn || !IsReady || Failure is not null) return next;
        // A load thread that fell behind by more than 100 ms skips ahead rather than bursting the backlog.
        var late = TicksPerSecond / 10;
        if (Profile.AudioPacketsPerSecond > 0 && now - _nextAudio > late) { LateSkips++; _nextAudio = now; }
        if (Profile.HasVideo && now - _nextFrame > late) { LateSkips++; _nextFrame = now; }
        if (Profile.AudioPacketsPerSecond > 0)
        {
            while (_nextAudio <= now)
            {
                SendMedia(video: false, marker: true, Profile.AudioBytes);
                _nextAudio += _audioInterval;
            }
            next = Math.Min(next, _nextAudio);
        }
        if (Profile.HasVideo)
        {
            while (_nextFrame <= now)
            {
                for (var k = 0; k < Profile.VideoPacketsPerFrame; k++)
                    SendMedia(video: true, marker: k == Profile.VideoPacketsPerFrame - 1, Profile.VideoBytes);
                _nextFrame += _frameInterval;
            }
            next = Math.Min(next, _nextFrame);
        }
        return next;
    }

    /// <summary>Sends one media packet now, outside the schedule (benchmarks and tests).</summary>
    public void SendOne(bool video)
    {
        if (!IsReady) throw new InvalidOperationException("not connected");
        SendMedia(video, marker: true, video ? Profile.VideoBytes : Profile.AudioBytes);
    }

    /// <summary>Setup timers (retransmissions, consent); returns the next time it wants to run.</summary>
    protected abstract long PollSetup(long now);

    /// <summary>Builds and sends one media packet of <paramref name="wireBytes"/> bytes on the wire.</summary>
    protected abstract void SendMedia(bool video, bool marker, int wireBytes);

    /// <param name="arrivalNs">The kernel's receive time (CLOCK_REALTIME).</param>
    public abstract void OnDatagram(Span<byte> datagram, long arrivalNs, DelayHistogram delays);

    /// <summary>Writes the stamp at the start of <paramref name="payload"/> and counts the packet if it falls in the window.</summary>
    protected void WriteStamp(Span<byte> payload, bool video)
    {
        var now = LibC.RealtimeNs();
        BinaryPrimitives.WriteUInt32BigEndian(payload, StampMagic);
        BinaryPrimitives.WriteInt32BigEndian(payload[4..], Id);
        payload[8] = video ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(payload[9..], now);
        if (Window.Contains(now))
        {
            if (video) SentVideo++;
            else SentAudio++;
        }
    }

    /// <summary>Reads a stamp written by the partner; counts and times the packet if it was sent in the window.</summary>
    protected void ReadStamp(ReadOnlySpan<byte> payload, long arrivalNs, DelayHistogram delays)
    {
        if (payload.Length < StampLength || BinaryPrimitives.ReadUInt32BigEndian(payload) != StampMagic) { BadPackets++; return; }
        var sentNs = BinaryPrimitives.ReadInt64BigEndian(payload[9..]);
        if (!Window.Contains(sentNs)) { ReceivedOutsideWindow++; return; }
        if (payload[8] == 1) ReceivedVideo++;
        else ReceivedAudio++;
        delays.Add(arrivalNs - sentNs);
    }

    protected void SendRaw(ReadOnlySpan<byte> datagram)
    {
        fixed (byte* p = datagram)
        {
            if (LibC.Send(Fd, p, (nuint)datagram.Length, 0) < 0) SendErrors++;
        }
    }

    public virtual void Dispose() => Socket.Dispose();
}
