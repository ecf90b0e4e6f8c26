using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text;
using Media.Sfu.Dtls;
using Media.Sfu.Ice;
using Media.Sfu.Rtp;
using Media.Sfu.Sdp;
using Media.Sfu.Srtp;
using Media.Sfu.Stun;

namespace Media.Sfu.Load.Clients;

/// <summary>
/// A lightweight WebRTC client that does what a browser does on the wire and nothing more: it offers Opus and
/// VP8 with a=ssrc lines, runs ICE as the controlling agent against the SFU's ICE-lite candidate (Binding
/// requests with USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT; RFC 8445
/// §7.2), completes DTLS as the client (RFC 5763: the answer says setup:passive) through the SFU's own
/// OpenSSL binding, derives SRTP keys and sends RTP with the header extensions browsers send (audio level,
/// abs-send-time, transport-wide sequence, mid). It does not encode media: payloads carry a timing stamp.
/// </summary>
public sealed unsafe class WebRtcPeer : LoadPeer, IDtlsDatagramSink
{
    public const int HeaderLength = 28;  // 12 fixed + 4 extension header + 12 extension bytes
    private const byte OpusPt = 111, Vp8Pt = 96;
    private static readonly MediaCapabilities Capabilities = new()
    {
        Codecs = [CodecCapability.Opus(), CodecCapability.Vp8()],
        HeaderExtensions = MediaCapabilities.Default.HeaderExtensions,
    };
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    private readonly DtlsContext _dtlsContext;
    private readonly IceCredentials _local = IceCredentials.Generate();
    private readonly uint _audioSsrc, _videoSsrc;
    private readonly byte[] _sendBuffer = new byte[2048 + SrtpSession.TrailerRoom];
    private readonly byte[] _stunBuffer = new byte[512];
    private readonly ulong _tieBreaker;
    private byte[] _username = [], _remotePassword = [];
    private DtlsFingerprint? _remoteFingerprint;
    private DtlsSession? _dtls;
    private SrtpSession? _srtpOut, _srtpIn;
    private int _tagLength;
    private bool _iceDone;
    private int _iceAttempts;
    private long _nextIce, _nextConsent, _dtlsDeadline;
    private ushort _audioSeq, _videoSeq, _transportSeq;
    private uint _audioTs, _videoTs;

    public WebRtcPeer(int id, MediaProfile profile, MeasurementWindow window, DtlsContext dtlsContext, Random random)
        : base(id, profile, window)
    {
        _dtlsContext = dtlsContext;
        _audioSsrc = (uint)random.Next(1, int.MaxValue);
        _videoSsrc = (uint)random.Next(1, int.MaxValue);
        _tieBreaker = (ulong)random.NextInt64();
        _audioSeq = (ushort)random.Next();
        _videoSeq = (ushort)random.Next();
    }

    public override bool IsReady => _srtpOut is not null;
    public IPEndPoint? SfuEndPoint { get; private set; }
    public SrtpProfile? SrtpProfile => _srtpOut?.Profile;

    /// <summary>The offer a browser would send: BUNDLE, rtcp-mux, actpass, one audio and (optionally) one video m-line.</summary>
    public string CreateOffer()
    {
        var media = new List<OfferedMediaSection>
        {
            new("0", MediaKind.Audio) { Stream = new OutgoingStream(_audioSsrc, null, $"load-{Id}", $"s{Id}", $"a{Id}") },
        };
        if (Profile.HasVideo)
            media.Add(new OfferedMediaSection("1", MediaKind.Video) { Stream = new OutgoingStream(_videoSsrc, _videoSsrc ^ 0x5A5A5A5A, $"load-{Id}", $"s{Id}", $"v{Id}") });
        var options = new OfferOptions
        {
            Transport = new LocalTransportParameters
            {
                IceUfrag = _local.Ufrag, IcePwd = _local.Password, IceLite = false,
                Fingerprint = new SdpFingerprint(_dtlsContext.LocalFingerprint.Algorithm, _dtlsContext.LocalFingerprint.Value),
                EndOfCandidates = false,
            },
            Capabilities = Capabilities,
            Media = media,
        };
        if (!SdpOfferer.TryCreateOffer(options, out var offer, out var error)) throw new InvalidOperationException("offer: " + error);
        return offer.ToString();
    }

    /// <summary>Takes the SFU's ICE credentials, DTLS fingerprint and UDP candidate from its answer and connects the socket there.</summary>
    public void ApplyAnswer(string answerSdp)
    {
        if (!SessionDescription.TryParse(answerSdp, out var answer, out var error)) throw new InvalidOperationException("answer: " + error);
        var m = answer.Media[0];
        var ufrag = m.IceUfrag ?? answer.IceUfrag ?? throw new InvalidOperationException("answer without ice-ufrag");
        var pwd = m.IcePwd ?? answer.IcePwd ?? throw new InvalidOperationException("answer without ice-pwd");
        var fp = m.Fingerprints.FirstOrDefault() ?? answer.Fingerprints.FirstOrDefault() ?? throw new InvalidOperationException("answer without fingerprint");
        var candidate = m.Candidates.FirstOrDefault(c => c.IsUdp) ?? throw new InvalidOperationException("answer without a UDP candidate");
        _username = Encoding.ASCII.GetBytes($"{ufrag}:{_local.Ufrag}");
        _remotePassword = Encoding.ASCII.GetBytes(pwd);
        _remoteFingerprint = DtlsFingerprint.Create(fp.Algorithm, fp.Value);
        SfuEndPoint = new IPEndPoint(IPAddress.Parse(candidate.Address), candidate.Port);
        Socket.Connect(SfuEndPoint);
    }

    protected override long PollSetup(long now)
    {
        if (Failure is not null || SfuEndPoint is null) return long.MaxValue;
        if (!_iceDone)
        {
            if (now >= _nextIce)
            {
                if (++_iceAttempts > 600) { Failure = "ICE: no Binding success in 30 s"; return long.MaxValue; }
                SendBinding(useCandidate: true);
                _nextIce = now + 50 * Ms;
            }
            return _nextIce;
        }
        if (_dtls is null)
        {
            _dtls = new DtlsSession(_dtlsContext, Media.Sfu.Dtls.DtlsRole.Client, this);
            _dtls.SetRemoteFingerprint(_remoteFingerprint!);
            _dtlsDeadline = now + 30_000 * Ms;
            _dtls.Start();
        }
        if (_srtpOut is null)
        {
            if (_dtls.State == DtlsState.Failed || now > _dtlsDeadline) { Failure = "DTLS: " + (_dtls.FailureReason ?? "timed out"); return long.MaxValue; }
            if (_dtls.NextTimeout is { } t)
            {
                if (t <= TimeSpan.Zero) _dtls.HandleTimeout();
                return now + Math.Max(Ms, Math.Min(50 * Ms, (long)(t.TotalSeconds * Stopwatch.Frequency)));
            }
            return now + 50 * Ms;
        }
        // RFC 7675 consent freshness: the SFU drops a path that sends no check for 30 s.
        if (now >= _nextConsent)
        {
            SendBinding(useCandidate: false);
            _nextConsent = now + 5_000 * Ms;
        }
        return _nextConsent;
    }

    private void SendBinding(bool useCandidate)
    {
        Span<byte> transactionId = stackalloc byte[12];
        StunWriter.NewTransactionId(transactionId);
        var w = new StunWriter(_stunBuffer);
        w.WriteHeader(StunMessageType.BindingRequest, transactionId);
        w.WriteUsername(_username);
        w.WriteIceControlling(_tieBreaker);
        if (useCandidate) w.WriteUseCandidate();
        w.WritePriority(2130706431);
        w.WriteMessageIntegrity(_remotePassword);
        w.WriteFingerprint();
        SendRaw(w.Written);
    }

    void IDtlsDatagramSink.Send(ReadOnlySpan<byte> datagram) => SendRaw(datagram);

    protected override void SendMedia(bool video, bool marker, int wireBytes)
    {
        var length = Math.Max(HeaderLength + StampLength, wireBytes - _tagLength);
        var b = _sendBuffer.AsSpan();
        b[0] = 0x90; // V=2, X=1
        b[1] = (byte)((marker ? 0x80 : 0) | (video ? Vp8Pt : OpusPt));
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], video ? _videoSeq++ : _audioSeq++);
        if (video) { BinaryPrimitives.WriteUInt32BigEndian(b[4..], _videoTs); if (marker) _videoTs += (uint)(90000 / Profile.VideoFramesPerSecond); }
        else { BinaryPrimitives.WriteUInt32BigEndian(b[4..], _audioTs); _audioTs += 960; }
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], video ? _videoSsrc : _audioSsrc);
        b[12] = 0xBE; b[13] = 0xDE; b[14] = 0; b[15] = 3; // RFC 8285 one-byte form, 3 words
        var e = b.Slice(16, 12);
        e.Clear();
        var o = 0;
        if (!video) { e[o++] = 0x10; e[o++] = 0x20; }                       // audio level (id 1)
        var abs = (uint)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency >> 18)) & 0xFFFFFF;
        e[o++] = 0x22; e[o++] = (byte)(abs >> 16); e[o++] = (byte)(abs >> 8); e[o++] = (byte)abs; // abs-send-time (id 2)
        var seq = _transportSeq++;
        e[o++] = 0x31; e[o++] = (byte)(seq >> 8); e[o++] = (byte)seq;      // transport-wide cc (id 3)
        e[o++] = 0x40; e[o] = video ? (byte)'1' : (byte)'0';                // mid (id 4)
        WriteStamp(b[HeaderLength..], video);
        if (_srtpOut!.ProtectRtp(_sendBuffer, length, out var protectedLength) != SrtpStatus.Ok) { SendErrors++; return; }
        SendRaw(b[..protectedLength]);
    }

    public override void OnDatagram(Span<byte> datagram, long arrivalNs, DelayHistogram delays)
    {
        if (datagram.Length < 4) { BadPackets++; return; }
        var first = datagram[0];
        if (first < 4)
        {
            if (!StunMessage.TryParse(datagram, out var m)) { BadPackets++; return; }
            if (m.MessageType == StunMessageType.BindingSuccessResponse && m.ValidateMessageIntegrity(_remotePassword)) _iceDone = true;
            else BadPackets++;
            return;
        }
        if (first is >= 20 and <= 63)
        {
            _dtls?.HandleDatagram(datagram);
            if (_srtpOut is null && _dtls is { State: DtlsState.Connected, KeyingMaterial: { } km })
            {
                _srtpIn = km.CreateInboundSession();
                _srtpOut = km.CreateOutboundSession();
                _tagLength = km.Profile.AuthTagLength();
            }
            return;
        }
        if (first is < 128 or > 191 || _srtpIn is null) { BadPackets++; return; }
        if (datagram[1] is >= 192 and <= 223) { ReceivedNotMedia++; return; } // SRTCP: SR, PLI from the SFU
        if (_srtpIn.UnprotectRtp(datagram, datagram.Length, out var plain) != SrtpStatus.Ok) { BadPackets++; return; }
        if (!RtpPacket.TryParse(datagram[..plain], out var rtp)) { BadPackets++; return; }
        ReadStamp(rtp.Payload, arrivalNs, delays);
    }

    public override void Dispose()
    {
        _dtls?.Dispose();
        _srtpIn?.Dispose();
        _srtpOut?.Dispose();
        base.Dispose();
    }
}
