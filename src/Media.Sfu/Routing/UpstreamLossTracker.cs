namespace Media.Sfu.Routing;

/// <summary>How the SFU asks publishers to resend video packets lost on their uplink (RFC 4585 §6.2.1 generic NACK).</summary>
/// <param name="Enabled">Off: no tracking, no NACKs to publishers.</param>
/// <param name="Capacity">Missing packets tracked per stream; when full, the oldest is dropped and a keyframe requested.</param>
/// <param name="MaxGap">A forward jump of more than this many packets is a restart, not loss: reset and request a keyframe.</param>
/// <param name="ReorderAllowance">How long a gap may wait for a reordered packet before its first NACK.</param>
/// <param name="MinRetryInterval">Floor of the resend interval, which is otherwise the publisher's RTT.</param>
/// <param name="DefaultRoundTrip">Resend interval while the publisher's RTT is unknown.</param>
/// <param name="MaxRequests">NACKs per missing packet before giving up on it.</param>
/// <param name="MaxAge">A missing packet older than this is given up on: a receiver's jitter buffer has moved on.</param>
public sealed record UpstreamNackSettings(
    bool Enabled = true,
    int Capacity = 1000,
    int MaxGap = 1000,
    TimeSpan? ReorderAllowance = null,
    TimeSpan? MinRetryInterval = null,
    TimeSpan? DefaultRoundTrip = null,
    int MaxRequests = 10,
    TimeSpan? MaxAge = null)
{
    public static readonly UpstreamNackSettings Default = new();

    internal long ReorderAllowanceUs => Microseconds(ReorderAllowance, 10_000);
    internal long MinRetryIntervalUs => Microseconds(MinRetryInterval, 20_000);
    internal long DefaultRoundTripUs => Microseconds(DefaultRoundTrip, 100_000);
    internal long MaxAgeUs => Microseconds(MaxAge, 1_000_000);

    private static long Microseconds(TimeSpan? value, long fallback) => value is { } v ? (long)(v.Ticks / 10) : fallback;
}

/// <summary>What one packet changed in an <see cref="UpstreamLossTracker"/>.</summary>
/// <param name="Missing">Sequence numbers the packet revealed as missing (a forward gap).</param>
/// <param name="Recovered">The packet was missing until now (reordered or retransmitted).</param>
/// <param name="Failed">Missing packets dropped without recovery (table full, or a restart).</param>
/// <param name="KeyframeNeeded">Loss the NACKs cannot repair: ask the publisher for a keyframe.</param>
public readonly record struct UpstreamLossOutcome(int Missing, bool Recovered, int Failed, bool KeyframeNeeded);

/// <summary>
/// The packets of one incoming video stream that never arrived, for NACKs to its publisher (the SFU's side of
/// RFC 4585 §6.2.1, as mediasoup's NackGenerator). Each original packet advances the extended highest sequence
/// number; the numbers a forward gap skips enter a fixed table ordered by sequence; a missing packet that arrives
/// late or as a retransmission leaves it. <see cref="CollectDue"/>, called periodically, picks the numbers to
/// request now: first after <see cref="UpstreamNackSettings.ReorderAllowance"/>, then once per retry interval
/// (the RTT), until <see cref="UpstreamNackSettings.MaxRequests"/> or <see cref="UpstreamNackSettings.MaxAge"/>.
/// Fixed memory, no allocation per packet. Not thread-safe: the owner serialises calls.
/// </summary>
public sealed class UpstreamLossTracker
{
    private readonly UpstreamNackSettings _settings;
    private readonly int _capacity;
    // A ring of entries in ascending extended sequence order; recovered entries stay as tombstones (_live false)
    // until they reach the head or the ring is compacted, so lookups stay a binary search.
    private readonly long[] _sequence;
    private readonly long[] _detectedUs;
    private readonly long[] _lastRequestUs;
    private readonly int[] _requests;
    private readonly bool[] _live;
    private int _head, _size, _count;
    private bool _started;
    private long _highest;            // extended: cycles << 16 | sequence, starting at one cycle so going back stays positive
    private bool _hasRestartCandidate;
    private ushort _restartCandidate;

    public UpstreamLossTracker(UpstreamNackSettings? settings = null)
    {
        _settings = settings ?? UpstreamNackSettings.Default;
        // Sequence numbers in one NACK must ascend modulo 2^16, so the table spans well under half the space.
        _capacity = Math.Clamp(_settings.Capacity, 1, MaxCapacity);
        _sequence = new long[_capacity];
        _detectedUs = new long[_capacity];
        _lastRequestUs = new long[_capacity];
        _requests = new int[_capacity];
        _live = new bool[_capacity];
    }

    public const int MaxCapacity = 16384;

    public UpstreamNackSettings Settings => _settings;

    /// <summary>Missing packets being tracked.</summary>
    public int Count => _count;

    public int Capacity => _capacity;

    /// <summary>The highest sequence number seen, extended with its wrap count (the first packet is in cycle 1).</summary>
    public long ExtendedHighestSequence => _highest;

    /// <summary>Whether <paramref name="sequence"/> is currently tracked as missing.</summary>
    public bool IsMissing(ushort sequence)
    {
        if (!_started) return false;
        var i = Find(Extend(sequence));
        return i >= 0 && _live[Slot(i)];
    }

    /// <summary>
    /// Takes a packet of the stream. <paramref name="retransmission"/>: it came on the RTX stream (RFC 4588), so it
    /// can only fill a gap, never move the stream on. <paramref name="trackGaps"/> false: its codec did not
    /// negotiate NACK, so numbers it skips are not tracked.
    /// </summary>
    public UpstreamLossOutcome OnPacket(ushort sequence, long nowUs, bool retransmission = false, bool trackGaps = true)
    {
        if (!_started)
        {
            if (retransmission) return default;
            _started = true;
            _highest = 1L << 16 | sequence;
            return default;
        }
        var delta = (short)(sequence - (ushort)_highest);
        if (delta == 0) return default; // a duplicate of the newest
        if (delta < 0)
        {
            var recovered = Remove(_highest + delta);
            if (recovered || retransmission || -delta <= _settings.MaxGap) return new UpstreamLossOutcome(0, recovered, 0, false);
            // Far behind everything we track: a stray, or the publisher restarted lower. Two in a row say restart (as RFC 3550 A.1).
            if (_hasRestartCandidate && sequence == (ushort)(_restartCandidate + 1))
            {
                _hasRestartCandidate = false;
                return Restart(sequence);
            }
            _hasRestartCandidate = true;
            _restartCandidate = sequence;
            return default;
        }
        if (retransmission) return default; // nothing sends ahead on RTX: ignore rather than invent a gap
        _hasRestartCandidate = false;
        var gap = delta - 1;
        if (gap > _settings.MaxGap) return Restart(sequence);
        var failed = 0;
        var keyframe = false;
        var missing = 0;
        if (trackGaps)
        {
            for (var ext = _highest + 1; ext < _highest + delta; ext++)
            {
                if (Append(ext, nowUs)) { failed++; keyframe = true; }
                missing++;
            }
        }
        _highest += delta;
        return new UpstreamLossOutcome(missing, false, failed, keyframe);
    }

    /// <summary>
    /// Writes into <paramref name="due"/> the sequence numbers to NACK now, ascending modulo 2^16, and marks them
    /// requested. Stops before a NACK would need more than <paramref name="maxItems"/> PID/BLP entries or
    /// <paramref name="due"/> is full; the rest stay due. Entries past their last request or their age are
    /// dropped and counted in <paramref name="failed"/>. <paramref name="retryIntervalUs"/>: see <see cref="RetryInterval"/>.
    /// </summary>
    public int CollectDue(long nowUs, long retryIntervalUs, Span<ushort> due, int maxItems, out int failed)
    {
        failed = 0;
        var n = 0;
        var items = 0;
        ushort pid = 0;
        var full = due.IsEmpty || maxItems <= 0;
        var reorder = _settings.ReorderAllowanceUs;
        var maxAge = _settings.MaxAgeUs;
        for (var i = 0; i < _size; i++)
        {
            var s = Slot(i);
            if (!_live[s]) continue;
            var sinceRequest = nowUs - _lastRequestUs[s];
            if (nowUs - _detectedUs[s] >= maxAge || (_requests[s] >= _settings.MaxRequests && sinceRequest >= retryIntervalUs))
            {
                _live[s] = false;
                _count--;
                failed++;
                continue;
            }
            if (full || _requests[s] >= _settings.MaxRequests) continue;
            var isDue = _requests[s] == 0 ? nowUs - _detectedUs[s] >= reorder : sinceRequest >= retryIntervalUs;
            if (!isDue) continue;
            var seq = (ushort)_sequence[s];
            // A new PID/BLP pair unless within the 16 after the current PID (RFC 4585 §6.2.1).
            var newItem = n == 0 || (ushort)(seq - pid) > 16;
            if (newItem && items == maxItems) { full = true; continue; }
            if (newItem) { items++; pid = seq; }
            due[n++] = seq;
            _requests[s]++;
            _lastRequestUs[s] = nowUs;
            if (n == due.Length) full = true;
        }
        TrimHead();
        return n;
    }

    /// <summary>How long to wait for a retransmission before asking again: the RTT, at least the configured floor.</summary>
    public long RetryInterval(long? roundTripUs) =>
        Math.Max(roundTripUs is long rtt && rtt > 0 ? rtt : _settings.DefaultRoundTripUs, _settings.MinRetryIntervalUs);

    /// <summary>Forgets every missing packet (counted in the return value) and the stream position.</summary>
    public int Reset()
    {
        var dropped = _count;
        Array.Clear(_live);
        _head = _size = _count = 0;
        _started = false;
        _hasRestartCandidate = false;
        return dropped;
    }

    private UpstreamLossOutcome Restart(ushort sequence)
    {
        var dropped = Reset();
        _started = true;
        _highest = 1L << 16 | sequence;
        return new UpstreamLossOutcome(0, false, dropped, true);
    }

    private int Slot(int index)
    {
        var s = _head + index;
        return s >= _capacity ? s - _capacity : s;
    }

    /// <summary>The extended number of a sequence number behind or at the highest (within half the space).</summary>
    private long Extend(ushort sequence) => _highest + (short)(sequence - (ushort)_highest);

    /// <summary>Appends a missing number (greater than any tracked). True when the oldest had to be dropped for room.</summary>
    private bool Append(long ext, long nowUs)
    {
        var dropped = false;
        if (_size == _capacity)
        {
            if (_count < _size) Compact();
            if (_size == _capacity)
            {
                // Full of live entries: the oldest is the least likely to still help anyone.
                _live[_head] = false;
                _count--;
                dropped = true;
                TrimHead();
            }
        }
        var s = Slot(_size);
        _sequence[s] = ext;
        _detectedUs[s] = nowUs;
        _lastRequestUs[s] = 0;
        _requests[s] = 0;
        _live[s] = true;
        _size++;
        _count++;
        return dropped;
    }

    private bool Remove(long ext)
    {
        var i = Find(ext);
        if (i < 0) return false;
        var s = Slot(i);
        if (!_live[s]) return false;
        _live[s] = false;
        _count--;
        TrimHead();
        return true;
    }

    /// <summary>Index (from the head) of <paramref name="ext"/>, or -1.</summary>
    private int Find(long ext)
    {
        int lo = 0, hi = _size - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var value = _sequence[Slot(mid)];
            if (value == ext) return mid;
            if (value < ext) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    private void TrimHead()
    {
        while (_size > 0 && !_live[_head])
        {
            _head = _head + 1 == _capacity ? 0 : _head + 1;
            _size--;
        }
        if (_size == 0) _head = 0;
    }

    /// <summary>Moves the live entries together (order kept), dropping tombstones.</summary>
    private void Compact()
    {
        var write = 0;
        for (var read = 0; read < _size; read++)
        {
            var from = Slot(read);
            if (!_live[from]) continue;
            if (write != read)
            {
                var to = Slot(write);
                _sequence[to] = _sequence[from];
                _detectedUs[to] = _detectedUs[from];
                _lastRequestUs[to] = _lastRequestUs[from];
                _requests[to] = _requests[from];
                _live[to] = true;
                _live[from] = false;
            }
            write++;
        }
        _size = write;
    }
}
