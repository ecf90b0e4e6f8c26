using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Media.Sfu.Stun;

namespace Media.Sfu.Load.Clients;

/// <summary>
/// A TURN client (RFC 8656) for the coturn reference: Allocate with long-term credentials from coturn's REST-API
/// secret (username "expiry:user", password base64(HMAC-SHA1(secret, username)); 401 gives REALM and NONCE,
/// MESSAGE-INTEGRITY is keyed with MD5(username:realm:password), RFC 8489 §9.2), then CreatePermission and
/// ChannelBind towards its partner's relayed address, then media as ChannelData (RFC 8656 §12.4) of the same
/// sizes and rates as the SFU clients send. Two partners' allocations relay to each other, so every packet
/// crosses coturn twice (client → relay A → relay B → client): two relay operations per delivered packet.
/// </summary>
public sealed class TurnPeer : LoadPeer
{
    private const ushort Allocate = 0x003, CreatePermission = 0x008, ChannelBind = 0x009;
    private const ushort AttrChannelNumber = 0x000C, AttrLifetime = 0x000D, AttrXorPeerAddress = 0x0012,
        AttrRealm = 0x0014, AttrNonce = 0x0015, AttrXorRelayedAddress = 0x0016, AttrRequestedTransport = 0x0019;
    public const ushort Channel = 0x4000;
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    private enum Step : byte { AllocateUnauthenticated, Allocate, WaitPartner, Permission, Bind, Ready }

    private readonly string _username, _password;
    private readonly IPEndPoint _server;
    private readonly byte[] _request = new byte[512];
    private readonly byte[] _transactionId = new byte[12];
    private readonly byte[] _sendBuffer = new byte[2048];
    private int _requestLength, _attempts;
    private long _nextSend;
    private byte[] _realm = [], _nonce = [], _key = [];
    private volatile IPEndPoint? _relayed;
    private Step _step;

    public TurnPeer(int id, MediaProfile profile, MeasurementWindow window, IPEndPoint server, string secret)
        : base(id, profile, window)
    {
        _server = server;
        _username = $"{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}:load{id}";
        _password = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(_username)));
        Socket.Connect(server);
    }

    public TurnPeer? Partner { get; set; }
    /// <summary>This allocation's relayed transport address, once allocated (read by the partner's thread).</summary>
    public IPEndPoint? Relayed => _relayed;
    public override bool IsReady => _step == Step.Ready;

    protected override long PollSetup(long now)
    {
        if (Failure is not null || _step == Step.Ready) return long.MaxValue;
        if (_step == Step.WaitPartner)
        {
            if (Partner?.Relayed is null) return now + 20 * Ms;
            _step = Step.Permission;
            BuildRequest();
            _nextSend = now;
            _attempts = 0;
        }
        if (_requestLength == 0) BuildRequest();
        if (now >= _nextSend)
        {
            if (++_attempts > 50) { Failure = $"TURN {_step}: no answer"; return long.MaxValue; }
            SendRaw(_request.AsSpan(0, _requestLength));
            _nextSend = now + 200 * Ms;
        }
        return _nextSend;
    }

    private void BuildRequest()
    {
        StunWriter.NewTransactionId(_transactionId);
        var method = _step switch { Step.Permission => CreatePermission, Step.Bind => ChannelBind, _ => Allocate };
        var w = new StunWriter(_request);
        w.WriteHeader(StunClass.Request, method, _transactionId);
        Span<byte> value = stackalloc byte[8];
        if (method == Allocate)
        {
            value.Clear(); value[0] = 17; // UDP (RFC 8656 §18.13)
            w.WriteAttribute(AttrRequestedTransport, value[..4]);
            BinaryPrimitives.WriteUInt32BigEndian(value, 600);
            w.WriteAttribute(AttrLifetime, value[..4]);
        }
        else
        {
            if (method == ChannelBind)
            {
                value.Clear();
                BinaryPrimitives.WriteUInt16BigEndian(value, Channel);
                w.WriteAttribute(AttrChannelNumber, value[..4]);
            }
            WriteXorAddress(value, Partner!.Relayed!);
            w.WriteAttribute(AttrXorPeerAddress, value);
        }
        if (_step != Step.AllocateUnauthenticated)
        {
            w.WriteUsername(Encoding.UTF8.GetBytes(_username));
            w.WriteAttribute(AttrRealm, _realm);
            w.WriteAttribute(AttrNonce, _nonce);
            w.WriteMessageIntegrity(_key);
        }
        w.WriteFingerprint();
        _requestLength = w.Length;
    }

    private static void WriteXorAddress(Span<byte> value, IPEndPoint endPoint)
    {
        // RFC 8489 §14.2: family 1 (IPv4), port XOR the cookie's high 16 bits, address XOR the cookie.
        value[0] = 0; value[1] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)(endPoint.Port ^ 0x2112));
        Span<byte> ip = stackalloc byte[4];
        endPoint.Address.TryWriteBytes(ip, out _);
        BinaryPrimitives.WriteUInt32BigEndian(value[4..], BinaryPrimitives.ReadUInt32BigEndian(ip) ^ StunConstants.MagicCookie);
    }

    private static IPEndPoint? ReadXorAddress(ReadOnlySpan<byte> value)
    {
        if (value.Length < 8 || value[1] != 1) return null;
        var port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ 0x2112;
        var ip = BinaryPrimitives.ReadUInt32BigEndian(value[4..]) ^ StunConstants.MagicCookie;
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, ip);
        return new IPEndPoint(new IPAddress(bytes), port);
    }

    protected override void SendMedia(bool video, bool marker, int wireBytes)
    {
        var b = _sendBuffer.AsSpan();
        var length = Math.Max(WebRtcPeer.HeaderLength + StampLength, wireBytes);
        BinaryPrimitives.WriteUInt16BigEndian(b, Channel);
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)length);
        b[4] = 0x80; b[5] = (byte)((marker ? 0x80 : 0) | (video ? 96 : 111)); // an RTP-looking payload
        WriteStamp(b[(4 + WebRtcPeer.HeaderLength)..], video);
        SendRaw(b[..(4 + length)]);
    }

    public override void OnDatagram(Span<byte> datagram, long arrivalNs, DelayHistogram delays)
    {
        if (datagram.Length >= 4 && datagram[0] is >= 0x40 and <= 0x7F)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
            if (length > datagram.Length - 4 || length < WebRtcPeer.HeaderLength) { BadPackets++; return; }
            ReadStamp(datagram.Slice(4 + WebRtcPeer.HeaderLength, length - WebRtcPeer.HeaderLength), arrivalNs, delays);
            return;
        }
        if (!StunMessage.TryParse(datagram, out var m) || !m.TransactionId.SequenceEqual(_transactionId)) { ReceivedNotMedia++; return; }
        // A retransmitted request can be answered twice: only the first answer counts.
        _transactionId.AsSpan().Clear();
        if (m.Class == StunClass.ErrorResponse)
        {
            m.TryGetErrorCode(out var code, out _);
            // 401 on the first Allocate, 438 Stale Nonce later: take realm and nonce and sign from now on.
            if ((code == 401 && _step == Step.AllocateUnauthenticated) || code == 438)
            {
                if (m.TryGetAttribute(AttrRealm, out var realm)) _realm = realm.ToArray();
                if (m.TryGetAttribute(AttrNonce, out var nonce)) _nonce = nonce.ToArray();
                _key = MD5.HashData(Encoding.UTF8.GetBytes($"{_username}:{Encoding.UTF8.GetString(_realm)}:{_password}"));
                if (_step == Step.AllocateUnauthenticated) _step = Step.Allocate;
                Resend();
                return;
            }
            Failure = $"TURN {_step}: error {code}";
            return;
        }
        if (m.Class != StunClass.SuccessResponse) return;
        switch (_step)
        {
            case Step.Allocate:
                if (!m.TryGetAttribute(AttrXorRelayedAddress, out var relayed) || ReadXorAddress(relayed) is not { } address)
                { Failure = "TURN Allocate: no XOR-RELAYED-ADDRESS"; return; }
                _relayed = address;
                _step = Step.WaitPartner;
                break;
            case Step.Permission:
                _step = Step.Bind;
                Resend();
                break;
            case Step.Bind:
                _step = Step.Ready;
                break;
        }
    }

    private void Resend()
    {
        BuildRequest();
        _attempts = 0;
        _nextSend = 0; // next poll sends it
    }
}
