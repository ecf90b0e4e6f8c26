using System.Runtime.InteropServices;
using Media.Sfu.Native;

namespace Media.Sfu.Dtls;

/// <summary>
/// One DTLS-SRTP association (RFC 5764) for one WebRTC transport, driven entirely by the caller:
/// feed received datagrams to <see cref="HandleDatagram"/>, call <see cref="HandleTimeout"/> when
/// <see cref="NextTimeout"/> elapses, and receive outgoing datagrams through an
/// <see cref="IDtlsDatagramSink"/>. OpenSSL runs over two memory BIOs; its output is split on record
/// boundaries into datagrams no larger than the MTU.
/// <para>
/// On handshake completion the peer certificate is checked against the fingerprint from the remote
/// SDP (which may be supplied later, because DTLS can arrive before the answer/offer is applied),
/// then the negotiated SRTP profile and keys are exported into <see cref="KeyingMaterial"/> and the
/// state becomes <see cref="DtlsState.Connected"/>.
/// </para>
/// All members are thread-safe (serialized by an internal lock). <see cref="StateChanged"/> is raised
/// after the lock is released, on the thread whose call caused the change.
/// </summary>
public sealed unsafe class DtlsSession : IDisposable
{
    private static ReadOnlySpan<byte> ExporterLabel => "EXTRACTOR-dtls_srtp"u8;

    private readonly Lock _lock = new();
    private readonly SslHandle _ssl;
    private readonly nint _readBio;
    private readonly nint _writeBio;
    private readonly IDtlsDatagramSink _sink;
    private readonly int _mtu;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TimeProvider _time;

    private byte[] _outgoing = new byte[4096];
    private byte[]? _incomingApplicationData;
    private bool _flushing;
    private bool _disposed;
    private bool _handshakeComplete;
    private long _handshakeStartedAt;
    private DtlsFingerprint? _expectedFingerprint;

    // State changes waiting to be raised outside the lock; transitions are monotonic, so at most 4.
    private readonly DtlsState[] _pendingStates = new DtlsState[4];
    private int _pendingStateCount;

    public DtlsSession(DtlsContext context, DtlsRole role, IDtlsDatagramSink sink, DtlsSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        options ??= new DtlsSessionOptions();
        if (options.Mtu < 256)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Mtu, "DTLS MTU must be at least 256 bytes.");
        }
        if (options.InitialRetransmitTimeout <= TimeSpan.Zero || options.MaxRetransmitTimeout < options.InitialRetransmitTimeout
            || options.MaxRetransmitTimeout > TimeSpan.FromSeconds(3600))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Retransmission timeouts must satisfy 0 < initial <= max <= 1 h.");
        }

        Role = role;
        _sink = sink;
        _mtu = options.Mtu;
        _handshakeTimeout = options.HandshakeTimeout;
        _time = options.TimeProvider;

        LibCrypto.ERR_clear_error();
        var ssl = LibSsl.SSL_new(context.Handle);
        if (ssl == 0)
        {
            throw new System.Security.Cryptography.CryptographicException(LibCrypto.DrainErrors("SSL_new failed"));
        }
        _ssl = new SslHandle(ssl);

        var readBio = LibCrypto.BIO_new(LibCrypto.BIO_s_mem());
        var writeBio = LibCrypto.BIO_new(LibCrypto.BIO_s_mem());
        if (readBio == 0 || writeBio == 0)
        {
            if (readBio != 0) LibCrypto.BIO_free(readBio);
            if (writeBio != 0) LibCrypto.BIO_free(writeBio);
            _ssl.Dispose();
            throw new System.Security.Cryptography.CryptographicException(LibCrypto.DrainErrors("BIO_new failed"));
        }
        // An empty read BIO must report "retry", not EOF, so OpenSSL waits for the next datagram.
        LibCrypto.BIO_ctrl(readBio, LibCrypto.BIO_C_SET_BUF_MEM_EOF_RETURN, -1, 0);
        LibSsl.SSL_set_bio(_ssl, readBio, writeBio); // the SSL now owns both BIOs
        _readBio = readBio;
        _writeBio = writeBio;

        if (LibSsl.SSL_ctrl(_ssl, LibSsl.SSL_CTRL_SET_MTU, _mtu, 0) != _mtu)
        {
            _ssl.Dispose();
            throw new ArgumentOutOfRangeException(nameof(options), _mtu, LibCrypto.DrainErrors("SSL_set_mtu rejected the MTU"));
        }

        // The retransmission timer callback reads both timeouts from the app-data slot, so it
        // needs no GCHandle back to this object.
        var initialUs = (ulong)Math.Max(1, (long)options.InitialRetransmitTimeout.TotalMicroseconds);
        var maxUs = (ulong)(long)options.MaxRetransmitTimeout.TotalMicroseconds;
        LibSsl.SSL_set_ex_data(_ssl, LibSsl.AppDataIndex, (nint)(maxUs << 32 | initialUs));
        LibSsl.DTLS_set_timer_cb(_ssl, &NextRetransmitTimeout);

        if (role == DtlsRole.Server)
        {
            LibSsl.SSL_set_accept_state(_ssl);
        }
        else
        {
            LibSsl.SSL_set_connect_state(_ssl);
        }
    }

    /// <summary>Raised after each state change with the new state.</summary>
    public event Action<DtlsSession, DtlsState>? StateChanged;

    public DtlsRole Role { get; }

    public DtlsState State { get; private set; }

    /// <summary>Why the session is Failed or was closed by the peer; null otherwise.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>Negotiated SRTP profile and keys; set when the state becomes Connected.</summary>
    public SrtpKeyingMaterial? KeyingMaterial { get; private set; }

    /// <summary>The peer's certificate (DER) once the handshake has completed.</summary>
    public byte[]? RemoteCertificate { get; private set; }

    /// <summary>The fingerprint the peer's certificate must match, from the remote SDP.</summary>
    public DtlsFingerprint? ExpectedRemoteFingerprint
    {
        get { lock (_lock) return _expectedFingerprint; }
    }

    /// <summary>
    /// Receives application data (SCTP) after Connected; data is dropped while null or before the
    /// fingerprint is verified. Called on the thread in <see cref="HandleDatagram"/>, under the session lock.
    /// </summary>
    public IDtlsApplicationDataReceiver? ApplicationDataReceiver { get; set; }

    /// <summary>
    /// Time until <see cref="HandleTimeout"/> should be called: the earlier of OpenSSL's
    /// retransmission timer and (while handshaking) the handshake deadline. Null when nothing is pending.
    /// </summary>
    public TimeSpan? NextTimeout
    {
        get
        {
            lock (_lock)
            {
                if (_disposed || State is DtlsState.New or DtlsState.Failed or DtlsState.Closed)
                {
                    return null;
                }
                TimeSpan? next = null;
                LibSsl.TimeVal timeout;
                if (LibSsl.SSL_ctrl(_ssl, LibSsl.DTLS_CTRL_GET_TIMEOUT, 0, (nint)(&timeout)) == 1)
                {
                    next = TimeSpan.FromSeconds(timeout.Seconds) + TimeSpan.FromMicroseconds(timeout.Microseconds);
                }
                if (State == DtlsState.Connecting)
                {
                    var remaining = _handshakeTimeout - _time.GetElapsedTime(_handshakeStartedAt);
                    if (remaining < TimeSpan.Zero)
                    {
                        remaining = TimeSpan.Zero;
                    }
                    next = next is { } timer && timer < remaining ? timer : remaining;
                }
                return next;
            }
        }
    }

    /// <summary>
    /// Starts the handshake: a client sends its ClientHello; a server just starts the handshake
    /// deadline. Called implicitly by the first <see cref="HandleDatagram"/>.
    /// </summary>
    public void Start()
    {
        lock (_lock)
        {
            StartLocked();
        }
        RaiseStateChanges();
    }

    /// <summary>
    /// Sets the fingerprint from the remote SDP. If the handshake already finished it is verified now.
    /// Only the first fingerprint counts; later calls with a different one are ignored once verified.
    /// </summary>
    public void SetRemoteFingerprint(DtlsFingerprint expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        lock (_lock)
        {
            if (State == DtlsState.Connected || _disposed)
            {
                return;
            }
            _expectedFingerprint = expected;
            if (_handshakeComplete && State == DtlsState.Connecting)
            {
                CompleteConnection();
            }
        }
        RaiseStateChanges();
    }

    /// <summary>
    /// Processes one received UDP datagram (first byte 20–63, RFC 7983). Datagrams that are not
    /// well-formed DTLS records, or arrive after Failed/Closed, are dropped.
    /// </summary>
    public void HandleDatagram(ReadOnlySpan<byte> datagram)
    {
        lock (_lock)
        {
            HandleDatagramLocked(datagram);
        }
        RaiseStateChanges();
    }

    /// <summary>Retransmits the last flight if OpenSSL's timer expired; fails the handshake past its deadline.</summary>
    public void HandleTimeout()
    {
        lock (_lock)
        {
            if (_disposed || State is DtlsState.New or DtlsState.Failed or DtlsState.Closed)
            {
                return;
            }
            if (State == DtlsState.Connecting && _time.GetElapsedTime(_handshakeStartedAt) >= _handshakeTimeout)
            {
                Fail($"DTLS handshake not completed within {_handshakeTimeout.TotalSeconds:0.#} s.");
            }
            else
            {
                LibCrypto.ERR_clear_error();
                var result = LibSsl.SSL_ctrl(_ssl, LibSsl.DTLS_CTRL_HANDLE_TIMEOUT, 0, 0);
                Flush();
                if (result < 0 && !_handshakeComplete)
                {
                    Fail(LibCrypto.DrainErrors("DTLS retransmission failed"));
                }
                LibCrypto.ERR_clear_error();
            }
        }
        RaiseStateChanges();
    }

    /// <summary>Encrypts and sends application data (SCTP). False unless Connected.</summary>
    public bool SendApplicationData(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (_disposed || State != DtlsState.Connected || data.IsEmpty)
            {
                return false;
            }
            LibCrypto.ERR_clear_error();
            int written;
            fixed (byte* p = data)
            {
                written = LibSsl.SSL_write(_ssl, p, data.Length);
            }
            Flush();
            LibCrypto.ERR_clear_error();
            return written == data.Length;
        }
    }

    /// <summary>Sends close_notify (if the handshake finished) and moves to Closed.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_disposed || State is DtlsState.Failed or DtlsState.Closed)
            {
                return;
            }
            SendCloseNotify();
            SetState(DtlsState.Closed);
        }
        RaiseStateChanges();
    }

    /// <summary>Frees the OpenSSL session without sending anything; state becomes Closed.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (State is not (DtlsState.Failed or DtlsState.Closed))
            {
                SetState(DtlsState.Closed);
            }
            _ssl.Dispose();
        }
        RaiseStateChanges();
    }

    private void StartLocked()
    {
        if (_disposed || State != DtlsState.New)
        {
            return;
        }
        _handshakeStartedAt = _time.GetTimestamp();
        SetState(DtlsState.Connecting);
        if (Role == DtlsRole.Client)
        {
            DoHandshake();
        }
    }

    private void HandleDatagramLocked(ReadOnlySpan<byte> datagram)
    {
        if (_disposed || State is DtlsState.Failed or DtlsState.Closed)
        {
            return;
        }
        if (!DtlsRecord.IsWellFormedDatagram(datagram))
        {
            return;
        }
        if (State == DtlsState.New)
        {
            StartLocked();
        }

        int written;
        fixed (byte* p = datagram)
        {
            written = LibCrypto.BIO_write(_readBio, p, datagram.Length);
        }
        if (written != datagram.Length)
        {
            return;
        }

        if (!_handshakeComplete)
        {
            DoHandshake();
        }
        else
        {
            ReadRecords();
        }
    }

    private void DoHandshake()
    {
        LibCrypto.ERR_clear_error();
        var result = LibSsl.SSL_do_handshake(_ssl);
        var error = result == 1 ? LibSsl.SSL_ERROR_NONE : LibSsl.SSL_get_error(_ssl, result);
        Flush(); // send the next flight, or the alert OpenSSL queued on failure
        if (result == 1)
        {
            _handshakeComplete = true;
            LibCrypto.ERR_clear_error();
            RemoteCertificate = ReadPeerCertificate();
            CompleteConnection();
            // Records after Finished in the same datagram (e.g. SCTP or an alert) are buffered in the SSL.
            if (State is DtlsState.Connected or DtlsState.Connecting)
            {
                ReadRecords();
            }
            return;
        }
        if (error is LibSsl.SSL_ERROR_WANT_READ or LibSsl.SSL_ERROR_WANT_WRITE)
        {
            LibCrypto.ERR_clear_error();
            return;
        }
        Fail(LibCrypto.DrainErrors($"DTLS handshake failed (SSL_get_error {error})"));
    }

    /// <summary>Reads post-handshake records: application data, close_notify, alerts, retransmitted peer flights.</summary>
    private void ReadRecords()
    {
        _incomingApplicationData ??= new byte[16384];
        while (!_disposed && State is DtlsState.Connected or DtlsState.Connecting)
        {
            LibCrypto.ERR_clear_error();
            int read;
            fixed (byte* p = _incomingApplicationData)
            {
                read = LibSsl.SSL_read(_ssl, p, _incomingApplicationData.Length);
            }
            if (read > 0)
            {
                // Data before the fingerprint is verified is not trusted and dropped.
                if (State == DtlsState.Connected)
                {
                    ApplicationDataReceiver?.OnApplicationData(_incomingApplicationData.AsSpan(0, read));
                }
                continue;
            }
            var error = LibSsl.SSL_get_error(_ssl, read);
            Flush(); // SSL_read answers a retransmitted peer flight by resending our last flight
            if (error is LibSsl.SSL_ERROR_WANT_READ or LibSsl.SSL_ERROR_WANT_WRITE)
            {
                LibCrypto.ERR_clear_error();
                return;
            }
            if (error == LibSsl.SSL_ERROR_ZERO_RETURN)
            {
                LibCrypto.ERR_clear_error();
                FailureReason = "close_notify received";
                SetState(DtlsState.Closed);
                return;
            }
            var reason = LibCrypto.DrainErrors($"DTLS connection ended (SSL_get_error {error})");
            if (State == DtlsState.Connected)
            {
                FailureReason = reason;
                SetState(DtlsState.Closed);
            }
            else
            {
                Fail(reason);
            }
            return;
        }
    }

    /// <summary>After the handshake: verify the fingerprint (once known), then export SRTP keys (RFC 5764 §4.2).</summary>
    private void CompleteConnection()
    {
        if (!_handshakeComplete || State != DtlsState.Connecting || _expectedFingerprint is null)
        {
            return;
        }
        if (RemoteCertificate is null)
        {
            FailAndNotifyPeer("The peer sent no certificate.");
            return;
        }
        if (!_expectedFingerprint.Matches(RemoteCertificate))
        {
            FailAndNotifyPeer($"Peer certificate does not match the SDP fingerprint {_expectedFingerprint.Algorithm}.");
            return;
        }

        var selected = LibSsl.SSL_get_selected_srtp_profile(_ssl);
        if (selected == null)
        {
            FailAndNotifyPeer("No SRTP protection profile was negotiated (use_srtp).");
            return;
        }
        if (!DtlsContext.TryMapProfileId(selected->Id, out var profile))
        {
            FailAndNotifyPeer($"Unsupported SRTP profile id {selected->Id}.");
            return;
        }

        var length = 2 * (Srtp.SrtpProfileExtensions.MasterKeyLength(profile) + Srtp.SrtpProfileExtensions.MasterSaltLength(profile));
        Span<byte> exported = stackalloc byte[length];
        int ok;
        fixed (byte* output = exported)
        fixed (byte* label = ExporterLabel)
        {
            LibCrypto.ERR_clear_error();
            ok = LibSsl.SSL_export_keying_material(_ssl, output, (nuint)length, label, (nuint)ExporterLabel.Length, null, 0, 0);
        }
        if (ok != 1)
        {
            FailAndNotifyPeer(LibCrypto.DrainErrors("SSL_export_keying_material failed"));
            return;
        }
        KeyingMaterial = SrtpKeyingMaterial.FromExporterOutput(profile, exported, Role == DtlsRole.Client);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(exported);
        SetState(DtlsState.Connected);
    }

    private byte[]? ReadPeerCertificate()
    {
        var peer = LibSsl.SSL_get1_peer_certificate(_ssl);
        if (peer == 0)
        {
            return null;
        }
        using var handle = new X509Handle(peer);
        var length = LibCrypto.i2d_X509(peer, null);
        if (length <= 0)
        {
            LibCrypto.ERR_clear_error();
            return null;
        }
        var der = new byte[length];
        fixed (byte* start = der)
        {
            var cursor = start;
            if (LibCrypto.i2d_X509(peer, &cursor) != length)
            {
                LibCrypto.ERR_clear_error();
                return null;
            }
        }
        return der;
    }

    private void FailAndNotifyPeer(string reason)
    {
        SendCloseNotify();
        Fail(reason);
    }

    private void Fail(string reason)
    {
        if (State is DtlsState.Failed or DtlsState.Closed)
        {
            return;
        }
        FailureReason = reason;
        SetState(DtlsState.Failed);
    }

    private void SendCloseNotify()
    {
        if (!_handshakeComplete || _disposed)
        {
            return;
        }
        LibCrypto.ERR_clear_error();
        LibSsl.SSL_shutdown(_ssl);
        Flush();
        LibCrypto.ERR_clear_error();
    }

    /// <summary>
    /// Drains OpenSSL's write BIO and sends it as datagrams of whole records, packing consecutive
    /// records while they fit the MTU (RFC 6347 §4.1.1: records must not span datagrams).
    /// </summary>
    private void Flush()
    {
        if (_flushing)
        {
            return; // a sink re-entered us; the outer loop drains what the nested call wrote
        }
        _flushing = true;
        try
        {
            while (true)
            {
                var pending = (int)LibCrypto.BIO_ctrl(_writeBio, LibCrypto.BIO_CTRL_PENDING, 0, 0);
                if (pending <= 0)
                {
                    return;
                }
                if (_outgoing.Length < pending)
                {
                    _outgoing = new byte[Math.Max(pending, _outgoing.Length * 2)];
                }
                int read;
                fixed (byte* p = _outgoing)
                {
                    read = LibCrypto.BIO_read(_writeBio, p, pending);
                }
                if (read <= 0)
                {
                    return;
                }
                SendRecordAligned(_outgoing.AsSpan(0, read));
            }
        }
        finally
        {
            _flushing = false;
        }
    }

    private void SendRecordAligned(ReadOnlySpan<byte> records)
    {
        var datagramStart = 0;
        var offset = 0;
        while (offset < records.Length)
        {
            if (!DtlsRecord.TryParse(records[offset..], out var record))
            {
                // Not expected from OpenSSL; send the rest as it is rather than lose it.
                offset = records.Length;
                break;
            }
            var end = offset + record.TotalLength;
            if (end - datagramStart > _mtu && offset > datagramStart)
            {
                _sink.Send(records[datagramStart..offset]);
                datagramStart = offset;
            }
            offset = end;
        }
        if (offset > datagramStart)
        {
            _sink.Send(records[datagramStart..offset]);
        }
    }

    private void SetState(DtlsState state)
    {
        if (State == state)
        {
            return;
        }
        State = state;
        if (_pendingStateCount < _pendingStates.Length)
        {
            _pendingStates[_pendingStateCount++] = state;
        }
    }

    private void RaiseStateChanges()
    {
        while (true)
        {
            DtlsState state;
            lock (_lock)
            {
                if (_pendingStateCount == 0)
                {
                    return;
                }
                state = _pendingStates[0];
                _pendingStateCount--;
                Array.Copy(_pendingStates, 1, _pendingStates, 0, _pendingStateCount);
            }
            StateChanged?.Invoke(this, state);
        }
    }

    /// <summary>
    /// OpenSSL's DTLS timer callback: returns the next retransmission timeout in microseconds;
    /// <paramref name="currentUs"/> is 0 for the first one. Reads (max &lt;&lt; 32 | initial) from app data.
    /// Pure arithmetic, so nothing can throw into native code.
    /// </summary>
    [UnmanagedCallersOnly]
    private static uint NextRetransmitTimeout(nint ssl, uint currentUs)
    {
        var packed = (ulong)LibSsl.SSL_get_ex_data(ssl, LibSsl.AppDataIndex);
        var initialUs = (uint)(packed & 0xFFFF_FFFF);
        var maxUs = (uint)(packed >> 32);
        if (initialUs == 0)
        {
            initialUs = 1_000_000;
            maxUs = 60_000_000;
        }
        if (currentUs == 0)
        {
            return initialUs;
        }
        var doubled = (ulong)currentUs * 2;
        return doubled > maxUs ? maxUs : (uint)doubled;
    }
}
