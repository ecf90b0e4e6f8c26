namespace Media.Sfu.Ice;

/// <summary>What became of one incoming STUN message on an ICE-lite transport.</summary>
public enum IceCheckOutcome : byte
{
    /// <summary>Authenticated Binding request; a success response was written.</summary>
    Success,
    /// <summary>
    /// Binding indication (a keepalive, RFC 8445 §11): accepted without a response. It is not
    /// authenticated, so it neither binds a tuple nor renews consent (RFC 7675 §5.1).
    /// </summary>
    Indication,
    /// <summary>
    /// Silently discarded (RFC 5389 §7.3): not Binding, a response (a lite agent sends no requests),
    /// a request whose FINGERPRINT is missing or wrong, an indication with a wrong FINGERPRINT or
    /// unknown comprehension-required attributes (§7.3.2), or the session is closed.
    /// </summary>
    Dropped,
    /// <summary>400 written: USERNAME or MESSAGE-INTEGRITY missing, USERNAME malformed, or PRIORITY missing.</summary>
    BadRequest,
    /// <summary>401 written: USERNAME names another ufrag, or MESSAGE-INTEGRITY does not verify.</summary>
    Unauthorized,
    /// <summary>420 written with UNKNOWN-ATTRIBUTES (RFC 5389 §7.3.1).</summary>
    UnknownAttribute,
    /// <summary>487 written: the peer sent ICE-CONTROLLED, but a lite agent is always controlled (RFC 8445 §7.3.1.1).</summary>
    RoleConflict,
}

/// <summary>What an accepted request changed in an <see cref="IceLiteSession"/>.</summary>
[Flags]
public enum IceSessionEvents : byte
{
    None = 0,
    /// <summary>A tuple was bound to the session for the first time (or again after eviction or restart).</summary>
    TupleValidated = 1,
    /// <summary>USE-CANDIDATE selected a tuple other than the previously selected one (or the first one).</summary>
    TupleSelected = 2,
    /// <summary>
    /// The first valid request with the credentials given to <see cref="IceLiteSession.Restart"/>
    /// arrived; the old ones (<see cref="IceLiteSession.RetiredCredentials"/>) are no longer accepted.
    /// </summary>
    CredentialsRotated = 4,
}

/// <summary>
/// The result of processing one STUN message. <see cref="RemoteUfrag"/> points into the request's
/// buffer, so this lives only as long as that buffer does.
/// </summary>
public readonly ref struct IceCheckResult
{
    public IceCheckOutcome Outcome { get; init; }
    /// <summary>Bytes of the response written into the caller's buffer; 0 when nothing is to be sent.</summary>
    public int ResponseLength { get; init; }
    /// <summary>The request carried USE-CANDIDATE (only set on <see cref="IceCheckOutcome.Success"/>).</summary>
    public bool UseCandidate { get; init; }
    /// <summary>PRIORITY of the request: the peer's prflx priority for this path (set on success).</summary>
    public uint Priority { get; init; }
    /// <summary>The part of USERNAME after ':' — the peer's ufrag (set once USERNAME was well-formed).</summary>
    public ReadOnlySpan<byte> RemoteUfrag { get; init; }
    /// <summary>Set only by <see cref="IceLiteSession.Process"/>.</summary>
    public IceSessionEvents Events { get; init; }

    public bool HasResponse => ResponseLength > 0;
    public bool IsSuccess => Outcome == IceCheckOutcome.Success;

    /// <summary>The STUN error code of the response written, or 0.</summary>
    public int ErrorCode => Outcome switch
    {
        IceCheckOutcome.BadRequest => Stun.StunErrorCode.BadRequest,
        IceCheckOutcome.Unauthorized => Stun.StunErrorCode.Unauthorized,
        IceCheckOutcome.UnknownAttribute => Stun.StunErrorCode.UnknownAttribute,
        IceCheckOutcome.RoleConflict => Stun.StunErrorCode.RoleConflict,
        _ => 0,
    };
}
