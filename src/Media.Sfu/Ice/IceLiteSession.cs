using Media.Sfu.Stun;

namespace Media.Sfu.Ice;

/// <summary>
/// The ICE-lite state of one transport: its local credentials (and those of a pending ICE
/// restart), the remote tuples that proved knowledge of the password, the tuple the browser
/// nominated, and consent freshness.
/// </summary>
/// <remarks>
/// A tuple is bound only by an authenticated Binding request (RFC 8445 §7.3); media from other
/// tuples is not ours to accept. USE-CANDIDATE selects the tuple it arrived on; a later
/// USE-CANDIDATE on another tuple (the browser moved to another path) moves the selection
/// (RFC 8445 §8.1.1 leaves nomination to the controlling agent). Not thread-safe: call from the
/// thread that owns the transport. <see cref="Process"/> does not allocate.
/// </remarks>
public sealed class IceLiteSession
{
    /// <summary>Default bound on remembered tuples: a browser pairs each of its candidates with each of ours.</summary>
    public const int DefaultMaxTuples = 16;

    private readonly TimeProvider _time;
    private readonly IceTuple[] _tuples;
    private readonly long[] _lastSeen;
    private int _tupleCount;
    private IceTuple _selected;

    public IceLiteSession(IceCredentials localCredentials, TimeProvider? timeProvider = null,
        TimeSpan? consentTimeout = null, TimeSpan? closeGrace = null, int maxTuples = DefaultMaxTuples)
    {
        ArgumentNullException.ThrowIfNull(localCredentials);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTuples, 1);
        LocalCredentials = localCredentials;
        _time = timeProvider ?? TimeProvider.System;
        _tuples = new IceTuple[maxTuples];
        _lastSeen = new long[maxTuples];
        Consent = new ConsentTimer(_time, consentTimeout, closeGrace);
    }

    /// <summary>The credentials in force (those in the last SDP answer the browser has used).</summary>
    public IceCredentials LocalCredentials { get; private set; }
    /// <summary>Credentials of an ICE restart not yet used by the browser, else null.</summary>
    public IceCredentials? PendingCredentials { get; private set; }
    /// <summary>The credentials the last completed restart replaced, so the owner can unregister their ufrag.</summary>
    public IceCredentials? RetiredCredentials { get; private set; }
    public ConsentTimer Consent { get; }

    public bool HasSelectedTuple => !_selected.IsDefault;
    /// <summary>The nominated tuple media goes to; <c>default</c> until USE-CANDIDATE arrives.</summary>
    public IceTuple SelectedTuple => _selected;
    public int ValidatedTupleCount => _tupleCount;

    /// <summary>Whether <paramref name="ufrag"/> is the current or pending local ufrag.</summary>
    public bool AcceptsUfrag(ReadOnlySpan<byte> ufrag) =>
        ufrag.SequenceEqual(LocalCredentials.UfragBytes)
        || (PendingCredentials != null && ufrag.SequenceEqual(PendingCredentials.UfragBytes));

    public bool IsValidated(in IceTuple tuple) => IndexOf(tuple) >= 0;

    /// <summary>Copies the validated tuples (for diagnostics); returns how many.</summary>
    public int CopyValidatedTuples(Span<IceTuple> destination)
    {
        int count = Math.Min(destination.Length, _tupleCount);
        _tuples.AsSpan(0, count).CopyTo(destination);
        return count;
    }

    /// <summary>
    /// Starts an ICE restart (RFC 8445 §9): <paramref name="next"/> goes in the new answer. Until a
    /// valid request uses it, both old and new credentials are accepted; the first one that does
    /// retires the old credentials, forgets all tuples but the selected one (media keeps flowing
    /// there until the browser nominates again) and reports <see cref="IceSessionEvents.CredentialsRotated"/>.
    /// A second Restart before that replaces the pending credentials.
    /// </summary>
    public void Restart(IceCredentials next)
    {
        ArgumentNullException.ThrowIfNull(next);
        PendingCredentials = next;
    }

    /// <summary>
    /// Processes one parsed STUN message from <paramref name="remote"/>, writing any response into
    /// <paramref name="response"/> (at least <see cref="IceLiteResponder.MaxResponseLength"/> bytes).
    /// Only <see cref="IceCheckOutcome.Success"/> binds the tuple, renews consent and may select.
    /// Everything is dropped once consent is Closed.
    /// </summary>
    public IceCheckResult Process(in StunMessage request, in IceTuple remote, Span<byte> response)
    {
        if (Consent.State == ConsentState.Closed)
            return new IceCheckResult { Outcome = IceCheckOutcome.Dropped };

        IceCredentials credentials = LocalCredentials;
        IceCredentials? pending = PendingCredentials;
        bool usesPending = pending != null
                           && IceLiteResponder.TryGetLocalUfrag(request, out ReadOnlySpan<byte> ufrag)
                           && ufrag.SequenceEqual(pending.UfragBytes);
        if (usesPending)
            credentials = pending!;

        IceCheckResult result = IceLiteResponder.Process(request, credentials, remote, response);
        if (result.Outcome != IceCheckOutcome.Success)
            return result;

        IceSessionEvents events = IceSessionEvents.None;
        long now = _time.GetTimestamp();
        if (usesPending)
        {
            RetiredCredentials = LocalCredentials;
            LocalCredentials = pending!;
            PendingCredentials = null;
            ForgetTuplesExceptSelected();
            events |= IceSessionEvents.CredentialsRotated;
        }
        if (Touch(remote, now))
            events |= IceSessionEvents.TupleValidated;
        if (result.UseCandidate && _selected != remote)
        {
            _selected = remote;
            events |= IceSessionEvents.TupleSelected;
        }
        Consent.Renew();
        return result with { Events = events };
    }

    private int IndexOf(in IceTuple tuple)
    {
        for (int i = 0; i < _tupleCount; i++)
        {
            if (_tuples[i] == tuple)
                return i;
        }
        return -1;
    }

    /// <summary>Marks the tuple seen now; returns true if it was not bound before.</summary>
    private bool Touch(in IceTuple tuple, long now)
    {
        int index = IndexOf(tuple);
        if (index >= 0)
        {
            _lastSeen[index] = now;
            return false;
        }
        if (_tupleCount < _tuples.Length)
        {
            index = _tupleCount++;
        }
        else
        {
            // Full: replace the least recently seen tuple that is not the selected one.
            index = -1;
            for (int i = 0; i < _tupleCount; i++)
            {
                if (_tuples[i] != _selected && (index < 0 || _lastSeen[i] < _lastSeen[index]))
                    index = i;
            }
            if (index < 0)
                index = 0; // maxTuples == 1 and it is the selected one: the newcomer replaces it
        }
        _tuples[index] = tuple;
        _lastSeen[index] = now;
        return true;
    }

    private void ForgetTuplesExceptSelected()
    {
        int kept = 0;
        for (int i = 0; i < _tupleCount; i++)
        {
            if (!_selected.IsDefault && _tuples[i] == _selected)
            {
                _tuples[kept] = _tuples[i];
                _lastSeen[kept] = _lastSeen[i];
                kept++;
            }
        }
        for (int i = kept; i < _tupleCount; i++)
            _tuples[i] = default;
        _tupleCount = kept;
    }
}
