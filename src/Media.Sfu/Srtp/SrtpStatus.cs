namespace Media.Sfu.Srtp;

/// <summary>
/// Result of a protect/unprotect call. Non-negative values are libsrtp's <c>srtp_err_status_t</c>;
/// negative values are checks done before calling libsrtp.
/// </summary>
public enum SrtpStatus
{
    /// <summary>The buffer lacks <see cref="SrtpSession.TrailerRoom"/> bytes after the packet (protect only).</summary>
    BufferTooSmall = -2,

    /// <summary>Protect called on an inbound session or unprotect on an outbound one.</summary>
    WrongDirection = -1,

    Ok = 0,
    Fail = 1,
    BadParam = 2,
    AllocFail = 3,
    InitFail = 5,
    AuthFail = 7,
    CipherFail = 8,

    /// <summary>The packet index was already seen inside the replay window (a duplicate).</summary>
    ReplayFail = 9,

    /// <summary>The packet index is older than the replay window.</summary>
    ReplayOld = 10,

    AlgoFail = 11,
    NoSuchOp = 12,

    /// <summary>No crypto context for the SSRC, or the session was disposed.</summary>
    NoContext = 13,

    CantCheck = 14,
    KeyExpired = 15,
    ParseError = 21,
    BadMki = 25,
    PacketIndexOld = 26,
    PacketIndexAdvanced = 27,
}
