using Media.Sfu.Dtls;
using Media.Sfu.Ice;
using Media.Sfu.Net;
using Media.Sfu.Srtp;
using Media.Sfu.Stun;
using Microsoft.Extensions.Logging;

namespace Media.Sfu.Transports;

public enum TransportState : byte { New, Connecting, Connected, Disconnected, Closed }

public enum TransportCloseReason : byte { None, Requested, ConsentLost, DtlsFailed, DtlsClosed, Idle, NodeStopping }

/// <summary>Receives what a transport decrypted; implemented by the routing layer. Called on the receive thread.</summary>
public interface ITransportMediaSink
{
    void OnRtp(WebRtcTransport transport, Span<byte> rtp);
    void OnRtcp(WebRtcTransport transport, Span<byte> rtcp);
}

/// <summary>
/// One peer's WebRTC transport: an ICE-lite session selecting the path, DTLS (the SFU as server by default)
/// deriving SRTP keys, and SRTP in both directions. All state changes happen under this transport's own
/// lock; nothing is shared with other transports.
/// </summary>
public sealed class WebRtcTransport : IDtlsDatagramSink, IDisposable
{
    private const int SendBufferSize = 1500 + SrtpSession.TrailerRoom + 64;
    private readonly object _gate = new();
    private readonly TransportTable _table;
    private readonly IceLiteSession _ice;
    private readonly DtlsSession _dtls;
    private readonly ILogger _log;
    private readonly byte[] _stunResponse = new byte[IceLiteResponder.MaxResponseLength];
    private readonly byte[] _sendBuffer = new byte[SendBufferSize];
    private SrtpSession? _srtpIn, _srtpOut;
    private IMediaEndpoint? _path;          // where media goes: the selected tuple's socket or connection
    private IceTuple _pathTuple;
    private IMediaEndpoint? _dtlsReplyVia;   // before selection, DTLS answers go where DTLS came from
    private IceTuple _dtlsReplyTuple;
    private long _lastPacketTicks;

    public WebRtcTransport(string id, TransportTable table, DtlsContext dtls, DtlsRole role, IceCredentials credentials,
        ILogger log, TimeProvider? clock = null, TimeSpan? consentTimeout = null, TimeSpan? consentCloseGrace = null)
    {
        Id = id;
        _table = table;
        _log = log;
        Clock = clock ?? TimeProvider.System;
        _ice = new IceLiteSession(credentials, Clock, consentTimeout, consentCloseGrace);
        _dtls = new DtlsSession(dtls, role, this);
        _dtls.StateChanged += OnDtlsStateChanged;
        CreatedAt = Clock.GetUtcNow();
        _lastPacketTicks = Clock.GetTimestamp();
    }

    public string Id { get; }
    public TimeProvider Clock { get; }
    public DateTimeOffset CreatedAt { get; }
    public TransportState State { get; private set; } = TransportState.New;
    public TransportCloseReason CloseReason { get; private set; }
    public IceCredentials LocalIce => _ice.PendingCredentials ?? _ice.LocalCredentials;
    public DtlsRole DtlsRole => _dtls.Role;
    public SrtpProfile? SrtpProfile => _dtls.KeyingMaterial?.Profile;
    public IceProtocol? SelectedProtocol => _path?.Protocol;
    public ITransportMediaSink? MediaSink { get; set; }
    public TransportCounters Counters { get; } = new();

    /// <summary>Raised outside the lock when the transport connects (DTLS done) and when it closes.</summary>
    public event Action<WebRtcTransport>? Connected;
    public event Action<WebRtcTransport>? Closed;

    /// <summary>Applies the remote description's DTLS fingerprint; DTLS may already be under way.</summary>
    public void SetRemoteFingerprint(DtlsFingerprint fingerprint)
    {
        lock (_gate) _dtls.SetRemoteFingerprint(fingerprint);
    }

    /// <summary>ICE restart (RFC 8445 §9): new local credentials; the transport, its DTLS and SRTP stay.</summary>
    public IceCredentials RestartIce()
    {
        var next = IceCredentials.Generate();
        lock (_gate)
        {
            _ice.Restart(next);
            _table.AddUfrag(next.Ufrag, this);
        }
        return next;
    }

    internal void HandleStun(in StunMessage request, in IceTuple remote, IMediaEndpoint via)
    {
        IceSessionEvents events;
        string? retired = null;
        lock (_gate)
        {
            if (State == TransportState.Closed) return;
            var result = _ice.Process(request, remote, _stunResponse);
            if (result.HasResponse) via.SendTo(_stunResponse.AsSpan(0, result.ResponseLength), remote);
            if (!result.IsSuccess) { Counters.StunRejected++; return; }
            Counters.StunRequests++;
            events = result.Events;
            if ((events & IceSessionEvents.TupleValidated) != 0)
            {
                _table.BindTuple(remote, this);
                via.MarkBound();
            }
            if ((events & IceSessionEvents.TupleSelected) != 0 || _path is null)
            {
                if (_ice.HasSelectedTuple && _ice.SelectedTuple.Equals(remote)) { _path = via; _pathTuple = remote; }
            }
            // When the offer said setup:passive we are the DTLS client: the handshake starts once ICE has a path.
            if (_dtls.Role == DtlsRole.Client && _dtls.State == DtlsState.New && _path is not null) _dtls.Start();
            if ((events & IceSessionEvents.CredentialsRotated) != 0) retired = _ice.RetiredCredentials?.Ufrag;
            if (State == TransportState.New) State = TransportState.Connecting;
            else if (State == TransportState.Disconnected && _srtpIn is not null) State = TransportState.Connected;
            Touch();
        }
        if (retired is not null) _table.RemoveUfrag(retired);
        if ((events & IceSessionEvents.TupleSelected) != 0)
            _log.LogDebug("Transport {TransportId} selected {Protocol} path {Remote}", Id, remote.Protocol, remote.ToEndPoint());
    }

    internal void HandleDtls(ReadOnlySpan<byte> datagram, in IceTuple remote, IMediaEndpoint via)
    {
        lock (_gate)
        {
            if (State == TransportState.Closed) return;
            _dtlsReplyVia = via;
            _dtlsReplyTuple = remote;
            Touch();
            _dtls.HandleDatagram(datagram);
        }
        RaisePendingEvents();
    }

    internal void HandleRtp(Span<byte> packet)
    {
        int length;
        lock (_gate)
        {
            if (_srtpIn is null) { Counters.RtpDropped++; return; }
            var status = _srtpIn.UnprotectRtp(packet, packet.Length, out length);
            if (status != SrtpStatus.Ok) { Counters.SrtpErrors++; return; }
            Counters.RtpPacketsIn++;
            Counters.RtpBytesIn += length;
            Touch();
        }
        MediaSink?.OnRtp(this, packet[..length]);
    }

    internal void HandleRtcp(Span<byte> packet)
    {
        int length;
        lock (_gate)
        {
            if (_srtpIn is null) { Counters.RtcpDropped++; return; }
            var status = _srtpIn.UnprotectRtcp(packet, packet.Length, out length);
            if (status != SrtpStatus.Ok) { Counters.SrtpErrors++; return; }
            Counters.RtcpPacketsIn++;
            Touch();
        }
        MediaSink?.OnRtcp(this, packet[..length]);
    }

    /// <summary>
    /// Forwards a packet of another stream: copies it once into this transport's send buffer, rewrites the
    /// header there for the consumer (SSRC, sequence, timestamp, payload type, extension ids and values),
    /// optionally wraps it as RTX (RFC 4588), protects and sends.
    /// </summary>
    public bool ForwardRtp(ReadOnlySpan<byte> rtp, in RtpRewrite rewrite, in RtxWrap rtx = default)
    {
        lock (_gate)
        {
            if (_srtpOut is null || _path is null || State is TransportState.Closed or TransportState.Disconnected) return false;
            if (rtp.Length + 2 > _sendBuffer.Length - SrtpSession.TrailerRoom) return false;
            rtp.CopyTo(_sendBuffer);
            var length = rtp.Length;
            if (!Rtp.RtpPacket.TryParse(_sendBuffer.AsSpan(0, length), out var packet)) return false;
            packet.Ssrc = rewrite.Ssrc;
            packet.SequenceNumber = rewrite.SequenceNumber;
            packet.Timestamp = rewrite.Timestamp;
            packet.PayloadType = rewrite.PayloadType;
            if (packet.HasExtension) RewriteExtensions(packet, rewrite);
            if (rtx.Ssrc != 0)
            {
                // In place: the RTX payload starts with the original sequence number (RFC 4588 §4).
                if (!Rtp.RtxPayloadFormat.TryWrap(_sendBuffer.AsSpan(0, length), _sendBuffer, rtx.Ssrc, rtx.PayloadType, rtx.SequenceNumber, out length))
                    return false;
                Counters.RtxPacketsOut++;
            }
            if (_srtpOut.ProtectRtp(_sendBuffer, length, out var protectedLength) != SrtpStatus.Ok) { Counters.SrtpErrors++; return false; }
            _path.SendTo(_sendBuffer.AsSpan(0, protectedLength), _pathTuple);
            Counters.RtpPacketsOut++;
            Counters.RtpBytesOut += length;
            return true;
        }
    }

    /// <summary>Header extension ids this transport's peer negotiated for what we send (RFC 8285; BUNDLE shares one map).</summary>
    public OutgoingExtensionIds OutgoingExtensions { get; set; }

    /// <summary>Transport-wide sequence numbers are per outgoing transport, not per stream (transport-cc draft §2).</summary>
    private ushort _transportSequence;

    private void RewriteExtensions(Rtp.RtpPacket packet, in RtpRewrite rewrite)
    {
        if (rewrite.ExtensionIdMap is { } map && !packet.TryRemapExtensionIds(map)) return;
        var ids = OutgoingExtensions;
        if (ids.Mid != 0 && rewrite.Mid is { } mid && !packet.TryWriteExtension(ids.Mid, mid))
            packet.TryRemoveExtension(ids.Mid); // a mid of another length cannot be written in place
        if (ids.AbsSendTime != 0)
        {
            Span<byte> v = stackalloc byte[Rtp.AbsSendTime.Length];
            Rtp.AbsSendTime.Write(v, Rtp.AbsSendTime.FromTimestamp(Clock.GetTimestamp(), Clock.TimestampFrequency));
            packet.TryWriteExtension(ids.AbsSendTime, v);
        }
        if (ids.TransportWideCc != 0)
        {
            var seq = _transportSequence++;
            Span<byte> v = stackalloc byte[2] { (byte)(seq >> 8), (byte)seq };
            packet.TryWriteExtension(ids.TransportWideCc, v);
        }
    }

    /// <summary>Protects and sends one RTCP compound packet on the selected path. Returns false when it could not be sent.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> rtcp)
    {
        lock (_gate)
        {
            if (_srtpOut is null || _path is null || State is TransportState.Closed or TransportState.Disconnected) return false;
            if (rtcp.Length > _sendBuffer.Length - SrtpSession.TrailerRoom) return false;
            rtcp.CopyTo(_sendBuffer);
            if (_srtpOut.ProtectRtcp(_sendBuffer, rtcp.Length, out var length) != SrtpStatus.Ok) { Counters.SrtpErrors++; return false; }
            _path.SendTo(_sendBuffer.AsSpan(0, length), _pathTuple);
            Counters.RtcpPacketsOut++;
            return true;
        }
    }

    /// <summary>DTLS output (handshake flights, alerts). Called by the DTLS session under our lock.</summary>
    void IDtlsDatagramSink.Send(ReadOnlySpan<byte> datagram)
    {
        if (_path is not null) _path.SendTo(datagram, _pathTuple);
        else _dtlsReplyVia?.SendTo(datagram, _dtlsReplyTuple);
    }

    private bool _connectedPending, _closedPending;

    private void OnDtlsStateChanged(DtlsSession session, DtlsState state)
    {
        // Raised by DtlsSession after it released its own lock; we may or may not hold ours.
        lock (_gate)
        {
            if (state == DtlsState.Connected && _srtpIn is null && session.KeyingMaterial is { } km)
            {
                _srtpIn = km.CreateInboundSession();
                _srtpOut = km.CreateOutboundSession();
                km.Clear();
                State = TransportState.Connected;
                _connectedPending = true;
                _log.LogInformation("Transport {TransportId} connected over {Protocol} with {SrtpProfile}", Id, _path?.Protocol ?? _dtlsReplyVia?.Protocol, km.Profile);
            }
            else if (state is DtlsState.Failed or DtlsState.Closed)
            {
                _log.LogInformation("Transport {TransportId} DTLS {State}: {Reason}", Id, state, session.FailureReason);
                CloseLocked(state == DtlsState.Failed ? TransportCloseReason.DtlsFailed : TransportCloseReason.DtlsClosed, sendCloseNotify: false);
            }
        }
    }

    private void RaisePendingEvents()
    {
        bool connected, closed;
        lock (_gate)
        {
            connected = _connectedPending; closed = _closedPending;
            _connectedPending = _closedPending = false;
        }
        if (connected) Connected?.Invoke(this);
        if (closed) Closed?.Invoke(this);
    }

    /// <summary>Housekeeping: DTLS retransmissions, consent freshness (RFC 7675), idle timeout.</summary>
    public void Tick(TimeSpan idleTimeout)
    {
        lock (_gate)
        {
            if (State == TransportState.Closed) return;
            if (_dtls.NextTimeout is { } t && t <= TimeSpan.Zero) _dtls.HandleTimeout();
            switch (_ice.Consent.State)
            {
                case ConsentState.Closed:
                    CloseLocked(TransportCloseReason.ConsentLost, sendCloseNotify: true);
                    break;
                case ConsentState.Disconnected when State == TransportState.Connected:
                    State = TransportState.Disconnected;
                    _log.LogInformation("Transport {TransportId} lost consent; disconnected", Id);
                    break;
            }
            if (State != TransportState.Closed && Clock.GetElapsedTime(_lastPacketTicks) > idleTimeout)
                CloseLocked(TransportCloseReason.Idle, sendCloseNotify: true);
        }
        RaisePendingEvents();
    }

    public void Close(TransportCloseReason reason = TransportCloseReason.Requested)
    {
        lock (_gate) CloseLocked(reason, sendCloseNotify: true);
        RaisePendingEvents();
    }

    private void CloseLocked(TransportCloseReason reason, bool sendCloseNotify)
    {
        if (State == TransportState.Closed) return;
        State = TransportState.Closed;
        CloseReason = reason;
        if (sendCloseNotify && _dtls.State == DtlsState.Connected) _dtls.Close(); // close_notify (RFC 6347 §4.2.7)
        _dtls.Dispose();
        _srtpIn?.Dispose(); _srtpOut?.Dispose();
        _srtpIn = _srtpOut = null;
        _table.Remove(this);
        _closedPending = true;
        _log.LogInformation("Transport {TransportId} closed: {Reason}", Id, reason);
    }

    private void Touch() => _lastPacketTicks = Clock.GetTimestamp();

    public void Dispose() => Close(TransportCloseReason.NodeStopping);

    internal IEnumerable<string> Ufrags()
    {
        yield return _ice.LocalCredentials.Ufrag;
        if (_ice.PendingCredentials is { } p) yield return p.Ufrag;
    }

    internal int CopyTuples(Span<IceTuple> destination) => _ice.CopyValidatedTuples(destination);
}

/// <summary>How a forwarded packet's header changes for one consumer.</summary>
/// <param name="ExtensionIdMap">Producer extension id → receiver extension id (index = old id, 0 = drop); null = same ids.</param>
/// <param name="Mid">The receiver's mid for this stream, written into the mid extension (RFC 8843 §15).</param>
public readonly record struct RtpRewrite(uint Ssrc, ushort SequenceNumber, uint Timestamp, byte PayloadType, byte[]? ExtensionIdMap, byte[]? Mid = null);

/// <summary>Send a forwarded packet as a retransmission on the RTX stream (RFC 4588); default = not RTX.</summary>
public readonly record struct RtxWrap(uint Ssrc, byte PayloadType, ushort SequenceNumber);

/// <summary>Extension ids the peer negotiated; 0 = not negotiated.</summary>
public readonly record struct OutgoingExtensionIds(byte Mid, byte AbsSendTime, byte TransportWideCc);

/// <summary>Per-transport counters; written under the transport's lock, read without it (monitoring).</summary>
public sealed class TransportCounters
{
    public long StunRequests, StunRejected, RtpPacketsIn, RtpBytesIn, RtpPacketsOut, RtpBytesOut,
        RtcpPacketsIn, RtcpPacketsOut, RtpDropped, RtcpDropped, SrtpErrors, RtxPacketsOut;
}
