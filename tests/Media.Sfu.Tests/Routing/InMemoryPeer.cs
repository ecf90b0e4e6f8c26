using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Media.Sfu.Dtls;
using Media.Sfu.Hosting;
using Media.Sfu.Ice;
using Media.Sfu.Net;
using Media.Sfu.Sdp;
using Media.Sfu.Srtp;
using Media.Sfu.Stun;
using Media.Sfu.Tests.Hosting;

namespace Media.Sfu.Tests.Routing;

/// <summary>What a transport sends to one remote tuple, kept in memory instead of going to a socket.</summary>
internal sealed class CapturingEndpoint : IMediaEndpoint
{
    private readonly List<byte[]> _sent = [];

    public IceProtocol Protocol => IceProtocol.Udp;

    /// <summary>False: only count (the allocation tests), nothing is kept.</summary>
    public bool Keep { get; set; } = true;

    public long Count;

    public void SendTo(ReadOnlySpan<byte> packet, in IceTuple remote)
    {
        Count++;
        if (!Keep) return;
        lock (_sent) _sent.Add(packet.ToArray());
    }

    public List<byte[]> Take()
    {
        lock (_sent)
        {
            var taken = _sent.ToList();
            _sent.Clear();
            return taken;
        }
    }
}

/// <summary>
/// A call participant connected to a real node without sockets: it joins through the node's signalling, sends a
/// Binding request with USE-CANDIDATE, runs DTLS as the client, and then exchanges SRTP/SRTCP with its transport
/// through <see cref="TransportTable.HandlePacket"/> and a <see cref="CapturingEndpoint"/>.
/// </summary>
internal sealed class InMemoryPeer : IDtlsDatagramSink, IDisposable
{
    private readonly SfuNodeHarness _harness;
    private readonly DtlsCertificate _certificate;
    private readonly DtlsContext _context;
    private readonly List<byte[]> _toSfu = [];
    private readonly byte[] _buffer = new byte[1500 + SrtpSession.TrailerRoom];
    private readonly string _sfuUfrag, _sfuPassword, _peerUfrag;
    private readonly DtlsFingerprint _sfuFingerprint;
    private DtlsSession? _dtls;
    private SrtpSession? _srtpIn, _srtpOut;

    public InMemoryPeer(SfuNodeHarness harness, string user, string offer, string roomId, int port)
    {
        _harness = harness;
        _certificate = DtlsCertificate.Generate("peer-" + user);
        _context = new DtlsContext(_certificate);
        offer = Regex.Replace(offer, "a=fingerprint:sha-256 [0-9A-F:]+", "a=fingerprint:sha-256 " + _context.LocalFingerprint.Value);
        (Session, Answer) = harness.Node.CreateSession(user, offer, SfuSessionMode.Call, roomId);
        Assert.True(SessionDescription.TryParse(Answer, out var answer, out _));
        var m = answer!.Media[0];
        _sfuUfrag = m.IceUfrag ?? answer.IceUfrag!;
        _sfuPassword = m.IcePwd ?? answer.IcePwd!;
        var fp = m.Fingerprints.FirstOrDefault() ?? answer.Fingerprints.First();
        _sfuFingerprint = DtlsFingerprint.Create(fp.Algorithm, fp.Value);
        Assert.True(SessionDescription.TryParse(offer, out var parsedOffer, out _));
        _peerUfrag = parsedOffer!.Media[0].IceUfrag ?? parsedOffer.IceUfrag!;
        Tuple = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Loopback, port));
    }

    public SfuSession Session { get; }
    public Transports.WebRtcTransport Transport => Session.Transport;
    public string Answer { get; }
    public IceTuple Tuple { get; }
    public CapturingEndpoint Endpoint { get; } = new();

    public void Connect()
    {
        Span<byte> stun = stackalloc byte[512];
        Span<byte> transactionId = stackalloc byte[12];
        StunWriter.NewTransactionId(transactionId);
        var w = new StunWriter(stun);
        w.WriteHeader(StunMessageType.BindingRequest, transactionId);
        w.WriteUsername(Encoding.ASCII.GetBytes($"{_sfuUfrag}:{_peerUfrag}"));
        w.WriteIceControlling(0x0102030405060708);
        w.WriteUseCandidate();
        w.WritePriority(2130706431);
        w.WriteMessageIntegrity(Encoding.ASCII.GetBytes(_sfuPassword));
        w.WriteFingerprint();
        Deliver(w.Written.ToArray());

        _dtls = new DtlsSession(_context, Media.Sfu.Dtls.DtlsRole.Client, this);
        _dtls.SetRemoteFingerprint(_sfuFingerprint);
        _dtls.Start();
        for (var round = 0; round < 200 && !(_dtls.State == DtlsState.Connected && Session.Transport.State == Transports.TransportState.Connected); round++)
        {
            List<byte[]> outgoing;
            lock (_toSfu) { outgoing = _toSfu.ToList(); _toSfu.Clear(); }
            foreach (var d in outgoing) Deliver(d);
            foreach (var d in Endpoint.Take())
                if (d[0] is >= 20 and <= 63) _dtls.HandleDatagram(d);
        }
        Assert.Equal(DtlsState.Connected, _dtls.State);
        Assert.Equal(Transports.TransportState.Connected, Session.Transport.State);
        var km = _dtls.KeyingMaterial!;
        _srtpIn = km.CreateInboundSession();
        _srtpOut = km.CreateOutboundSession();
        Endpoint.Take(); // the Binding response and the last handshake flight
    }

    void IDtlsDatagramSink.Send(ReadOnlySpan<byte> datagram)
    {
        lock (_toSfu) _toSfu.Add(datagram.ToArray());
    }

    /// <summary>Hands a datagram to the node as its UDP socket would.</summary>
    private void Deliver(byte[] datagram) => _harness.Node.Transports.HandlePacket(datagram, Tuple, Endpoint);

    /// <summary>Protects and sends one RTP packet to the SFU.</summary>
    public void SendRtp(ReadOnlySpan<byte> rtp)
    {
        rtp.CopyTo(_buffer);
        Assert.Equal(SrtpStatus.Ok, _srtpOut!.ProtectRtp(_buffer, rtp.Length, out var length));
        Deliver(_buffer[..length]);
    }

    /// <summary>Everything the SFU sent since the last call, decrypted: (RTCP compounds, RTP packets).</summary>
    public (List<byte[]> Rtcp, List<byte[]> Rtp) Receive()
    {
        var rtcp = new List<byte[]>();
        var rtp = new List<byte[]>();
        foreach (var d in Endpoint.Take())
        {
            if (d[0] is < 128 or > 191) continue;
            int length;
            if (d[1] is >= 192 and <= 223)
            {
                Assert.Equal(SrtpStatus.Ok, _srtpIn!.UnprotectRtcp(d, d.Length, out length));
                rtcp.Add(d[..length]);
            }
            else
            {
                Assert.Equal(SrtpStatus.Ok, _srtpIn!.UnprotectRtp(d, d.Length, out length));
                rtp.Add(d[..length]);
            }
        }
        return (rtcp, rtp);
    }

    public void Dispose()
    {
        _dtls?.Dispose();
        _srtpIn?.Dispose();
        _srtpOut?.Dispose();
        _context.Dispose();
        _certificate.Dispose();
    }
}
