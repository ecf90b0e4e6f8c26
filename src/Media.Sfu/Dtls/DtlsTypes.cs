namespace Media.Sfu.Dtls;

/// <summary>DTLS role; WebRTC derives it from a=setup (RFC 5763 §5): the SFU answers passive, so it is the server.</summary>
public enum DtlsRole
{
    Server,
    Client,
}

/// <summary>Lifecycle of a <see cref="DtlsSession"/> (mirrors RTCDtlsTransportState).</summary>
public enum DtlsState
{
    New,

    /// <summary>Handshaking, or handshake done and waiting for the remote fingerprint to verify.</summary>
    Connecting,

    /// <summary>Handshake done, fingerprint verified, SRTP keys exported.</summary>
    Connected,

    /// <summary>Handshake error, timeout, fingerprint mismatch or no SRTP profile; see <see cref="DtlsSession.FailureReason"/>.</summary>
    Failed,

    /// <summary>close_notify or an alert received, <see cref="DtlsSession.Close"/> called, or disposed.</summary>
    Closed,
}

/// <summary>
/// Where a <see cref="DtlsSession"/> sends its outgoing datagrams (the transport's selected ICE
/// tuple). Each call is one UDP datagram of whole DTLS records, at most the session MTU unless a
/// single record is larger. The span is only valid during the call. Must not feed datagrams back
/// into the same session synchronously from inside <see cref="Send"/>.
/// </summary>
public interface IDtlsDatagramSink
{
    void Send(ReadOnlySpan<byte> datagram);
}

/// <summary>Receives decrypted application data (SCTP for data channels) once the session is Connected.</summary>
public interface IDtlsApplicationDataReceiver
{
    void OnApplicationData(ReadOnlySpan<byte> data);
}

/// <summary>Per-session settings.</summary>
public sealed class DtlsSessionOptions
{
    /// <summary>Largest datagram the session emits (OpenSSL fragments handshake messages to fit). At least 256.</summary>
    public int Mtu { get; init; } = 1200;

    /// <summary>The handshake fails if not Connected this long after it started.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// First retransmission timeout, doubled on each expiry up to <see cref="MaxRetransmitTimeout"/>
    /// (RFC 6347 §4.2.4.1 recommends 1 s).
    /// </summary>
    public TimeSpan InitialRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap for the doubled retransmission timeout.</summary>
    public TimeSpan MaxRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Clock for the handshake deadline (OpenSSL's retransmission timer uses the system clock).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
