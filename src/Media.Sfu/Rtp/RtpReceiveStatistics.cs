namespace Media.Sfu.Rtp;

/// <summary>What <see cref="RtpReceiveStatistics.OnPacket"/> concluded about a packet's sequence number.</summary>
public enum RtpSequenceStatus : byte
{
    /// <summary>The source is not yet valid (RFC 3550 A.1 probation); not counted.</summary>
    Probation,
    /// <summary>In order, possibly after a gap below MAX_DROPOUT; counted.</summary>
    InOrder,
    /// <summary>Late (within MAX_MISORDER behind the highest); counted.</summary>
    Reordered,
    /// <summary>Already received; not counted as received, excluded from jitter.</summary>
    Duplicate,
    /// <summary>A jump of MAX_DROPOUT or more; not counted unless the next packet follows it.</summary>
    Dropout,
    /// <summary>Two sequential packets after a dropout: the sender restarted, statistics were re-based (A.1); counted.</summary>
    Restarted,
}

/// <summary>
/// Values for one RTCP reception report block (RFC 3550 §6.4.1) plus the interval they describe.
/// </summary>
public readonly record struct RtpReceptionSnapshot(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequenceNumber,
    uint Jitter,
    double JitterMilliseconds,
    long ExpectedInInterval,
    long ReceivedInInterval,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport);

/// <summary>
/// Reception statistics for one incoming SSRC: RFC 3550 A.1 sequence validation (probation, cycles, resync),
/// A.3 loss per interval, A.8 interarrival jitter, counters, and the LSR/DLSR bookkeeping for report blocks.
/// One instance per stream; <see cref="OnPacket"/> does not allocate. Not thread-safe.
/// Feed only original media packets: RTX, retransmissions and padding-only probes distort loss and jitter.
/// </summary>
public sealed class RtpReceiveStatistics
{
    public const int MaxDropout = 3000;
    public const int MaxMisorder = 100;
    public const int MinSequential = 2;
    private const int SequenceModulo = 1 << 16;
    private const int MaxCumulativeLost = 0x7FFFFF;
    private const int MinCumulativeLost = -0x800000;

    // RFC 3550 A.1 source state.
    private bool _started;
    private ushort _maxSeq;
    private long _cycles;
    private long _baseSeq;
    private int _badSeq;
    private int _probation;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;

    // Bit k set = extended sequence (highest - k) was received; catches duplicates within MAX_MISORDER.
    private UInt128 _recent;

    // RFC 3550 A.8 jitter state.
    private bool _haveTransit;
    private long _lastArrivalUs;
    private uint _lastRtpTimestamp;
    private double _jitter;

    private bool _haveSenderReport;
    private uint _lastSenderReport;
    private long _lastSenderReportArrivalUs;

    public RtpReceiveStatistics(uint ssrc, int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        Ssrc = ssrc;
        ClockRate = clockRate;
    }

    public uint Ssrc { get; }

    /// <summary>RTP clock rate of the stream in Hz (e.g. 90000 video, 48000 Opus).</summary>
    public int ClockRate { get; }

    /// <summary>True once probation ended (MIN_SEQUENTIAL sequential packets seen).</summary>
    public bool IsValid => _started && _probation == 0;

    /// <summary>Every packet passed to <see cref="OnPacket"/>, whatever its status.</summary>
    public long TotalPackets { get; private set; }

    /// <summary>Bytes of every packet passed to <see cref="OnPacket"/>.</summary>
    public long TotalBytes { get; private set; }

    public long DuplicatePackets { get; private set; }

    /// <summary>Packets counted as received by A.1 since the last (re)synchronisation.</summary>
    public long ReceivedPackets => _received;

    public ushort BaseSequenceNumber => (ushort)_baseSeq;

    public ushort HighestSequenceNumber => _maxSeq;

    /// <summary>Number of 2^16 sequence cycles (A.1 keeps this shifted; here it is the plain count).</summary>
    public long Cycles => _cycles / SequenceModulo;

    /// <summary>Cycles × 65536 + highest sequence number, as reported in RR blocks (modulo 2^32).</summary>
    public uint ExtendedHighestSequenceNumber => (uint)(_cycles + _maxSeq);

    /// <summary>A.3: extended highest − base + 1 (0 before the source is valid).</summary>
    public long ExpectedPackets => IsValid ? _cycles + _maxSeq - _baseSeq + 1 : 0;

    /// <summary>A.3 cumulative number lost, clamped to the 24-bit signed range of a report block.</summary>
    public int CumulativeLost => ClampLost(ExpectedPackets - _received);

    /// <summary>Interarrival jitter in RTP timestamp units, as reported in RR blocks (A.8).</summary>
    public uint Jitter => (uint)_jitter;

    public double JitterMilliseconds => _jitter * 1000.0 / ClockRate;

    /// <summary>
    /// Accounts one packet. <paramref name="arrivalTimeUs"/> is the local arrival time in microseconds on any
    /// monotonic clock; <paramref name="packetLength"/> the bytes to count.
    /// </summary>
    public RtpSequenceStatus OnPacket(ushort sequenceNumber, uint rtpTimestamp, long arrivalTimeUs, int packetLength)
    {
        TotalPackets++;
        TotalBytes += packetLength;

        if (!_started)
        {
            // A.1: "the source is declared valid only after MIN_SEQUENTIAL packets have been received in sequence".
            _started = true;
            InitSequence(sequenceNumber);
            _maxSeq = (ushort)(sequenceNumber - 1);
            _probation = MinSequential;
        }

        var status = UpdateSequence(sequenceNumber);
        switch (status)
        {
            case RtpSequenceStatus.InOrder:
            case RtpSequenceStatus.Reordered:
            case RtpSequenceStatus.Restarted:
                UpdateJitter(rtpTimestamp, arrivalTimeUs);
                break;
            case RtpSequenceStatus.Duplicate:
                DuplicatePackets++;
                break;
        }

        return status;
    }

    /// <summary>Records an SR from this source for the LSR/DLSR fields of the next report block.</summary>
    public void OnSenderReport(ulong ntpTimestamp, long arrivalTimeUs)
    {
        _haveSenderReport = true;
        _lastSenderReport = NtpTime.ToCompact(ntpTimestamp);
        _lastSenderReportArrivalUs = arrivalTimeUs;
    }

    /// <summary>
    /// Produces the report block values and starts a new interval (A.3: fraction lost is relative to the
    /// previous snapshot). Returns false while the source is in probation.
    /// </summary>
    public bool TryTakeSnapshot(long nowUs, out RtpReceptionSnapshot snapshot)
    {
        if (!IsValid)
        {
            snapshot = default;
            return false;
        }

        long expected = ExpectedPackets;
        long expectedInterval = expected - _expectedPrior;
        long receivedInterval = _received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = _received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0
            ? (byte)0
            : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);

        uint lsr = 0;
        uint dlsr = 0;
        if (_haveSenderReport)
        {
            lsr = _lastSenderReport;
            dlsr = NtpTime.CompactFromMicroseconds(nowUs - _lastSenderReportArrivalUs);
        }

        snapshot = new RtpReceptionSnapshot(Ssrc, fraction, CumulativeLost, ExtendedHighestSequenceNumber, Jitter,
            JitterMilliseconds, expectedInterval, receivedInterval, lsr, dlsr);
        return true;
    }

    private void InitSequence(ushort seq)
    {
        _baseSeq = seq;
        _maxSeq = seq;
        _badSeq = SequenceModulo + 1; // so seq == bad_seq is false
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
        _recent = UInt128.One;
    }

    // RFC 3550 A.1 update_seq, with duplicate detection added for packets at or behind the highest.
    private RtpSequenceStatus UpdateSequence(ushort seq)
    {
        ushort udelta = (ushort)(seq - _maxSeq);

        if (_probation > 0)
        {
            if (seq == (ushort)(_maxSeq + 1))
            {
                _probation--;
                _maxSeq = seq;
                if (_probation == 0)
                {
                    InitSequence(seq);
                    _received++;
                    return RtpSequenceStatus.InOrder;
                }
            }
            else
            {
                _probation = MinSequential - 1;
                _maxSeq = seq;
            }

            return RtpSequenceStatus.Probation;
        }

        if (udelta < MaxDropout)
        {
            if (udelta == 0)
            {
                return MarkLate(0);
            }

            if (seq < _maxSeq)
            {
                _cycles += SequenceModulo;
            }

            _maxSeq = seq;
            _recent = udelta >= 128 ? UInt128.One : (_recent << udelta) | UInt128.One;
            _received++;
            return RtpSequenceStatus.InOrder;
        }

        if (udelta <= SequenceModulo - MaxMisorder)
        {
            if (seq == _badSeq)
            {
                // Two sequential packets: assume the sender restarted and re-sync as if this were the first.
                InitSequence(seq);
                _haveTransit = false;
                _received++;
                return RtpSequenceStatus.Restarted;
            }

            _badSeq = (seq + 1) & (SequenceModulo - 1);
            return RtpSequenceStatus.Dropout;
        }

        return MarkLate(SequenceModulo - udelta);
    }

    private RtpSequenceStatus MarkLate(int behind)
    {
        var bit = UInt128.One << behind;
        if ((_recent & bit) != UInt128.Zero)
        {
            return RtpSequenceStatus.Duplicate;
        }

        _recent |= bit;
        _received++;
        return RtpSequenceStatus.Reordered;
    }

    // RFC 3550 A.8: D(i,j) = (Rj - Ri) - (Sj - Si) in timestamp units; J += (|D| - J) / 16.
    private void UpdateJitter(uint rtpTimestamp, long arrivalTimeUs)
    {
        if (_haveTransit)
        {
            double arrivalDelta = (arrivalTimeUs - _lastArrivalUs) * (double)ClockRate / 1_000_000.0;
            int timestampDelta = (int)(rtpTimestamp - _lastRtpTimestamp);
            double d = Math.Abs(arrivalDelta - timestampDelta);
            _jitter += (d - _jitter) / 16.0;
        }

        _haveTransit = true;
        _lastArrivalUs = arrivalTimeUs;
        _lastRtpTimestamp = rtpTimestamp;
    }

    private static int ClampLost(long lost) =>
        lost > MaxCumulativeLost ? MaxCumulativeLost : lost < MinCumulativeLost ? MinCumulativeLost : (int)lost;
}
