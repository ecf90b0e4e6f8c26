using Media.Sfu.Dtls;
using Media.Sfu.Srtp;
using Media.Sfu.Tests.Native;
using Media.Sfu.Tests.Srtp;

namespace Media.Sfu.Tests.Dtls;

[Collection(NativeCollection.Name)]
public sealed class DtlsHandshakeTests
{
    public static TheoryData<SrtpProfile> Profiles => new() { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void HandshakeWithForcedProfileExportsCrosswiseKeysThatWorkForSrtp(SrtpProfile profile)
    {
        using var peers = new DtlsPeers([profile], [profile]);
        peers.Handshake();

        Assert.Equal(DtlsState.Connected, peers.Server.State);
        Assert.Equal(DtlsState.Connected, peers.Client.State);
        Assert.Equal([DtlsState.Connecting, DtlsState.Connected], peers.ServerStates);
        Assert.Equal([DtlsState.Connecting, DtlsState.Connected], peers.ClientStates);

        var server = peers.Server.KeyingMaterial!;
        var client = peers.Client.KeyingMaterial!;
        Assert.Equal(profile, server.Profile);
        Assert.Equal(profile, client.Profile);
        Assert.Equal(profile.MasterKeyAndSaltLength(), server.LocalKeyAndSalt.Length);
        Assert.Equal(profile.MasterSaltLength(), server.LocalMasterSalt.Length);
        Assert.Equal(server.LocalKeyAndSalt.ToArray(), client.RemoteKeyAndSalt.ToArray());
        Assert.Equal(server.RemoteKeyAndSalt.ToArray(), client.LocalKeyAndSalt.ToArray());
        Assert.NotEqual(server.LocalKeyAndSalt.ToArray(), server.RemoteKeyAndSalt.ToArray());

        AssertSrtpFlowsBothWays(server, client);
    }

    [Fact]
    public void DefaultProfilesPreferGcm()
    {
        using var peers = new DtlsPeers();
        peers.Handshake();
        Assert.Equal(SrtpProfile.AeadAes128Gcm, peers.Server.KeyingMaterial!.Profile);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, peers.Client.KeyingMaterial!.Profile);
    }

    [Fact]
    public void ServerFallsBackToAesCmWhenTheClientOffersOnlyThat()
    {
        using var peers = new DtlsPeers(clientProfiles: [SrtpProfile.AesCm128HmacSha1_80]);
        peers.Handshake();
        Assert.Equal(SrtpProfile.AesCm128HmacSha1_80, peers.Server.KeyingMaterial!.Profile);
        AssertSrtpFlowsBothWays(peers.Server.KeyingMaterial!, peers.Client.KeyingMaterial!);
    }

    [Fact]
    public void NoCommonSrtpProfileFailsBothSides()
    {
        using var peers = new DtlsPeers([SrtpProfile.AeadAes128Gcm], [SrtpProfile.AesCm128HmacSha1_80]);
        peers.Handshake();
        Assert.Equal(DtlsState.Failed, peers.Server.State);
        Assert.Null(peers.Server.KeyingMaterial);
        Assert.Contains("SRTP", peers.Server.FailureReason);
        Assert.NotEqual(DtlsState.Connected, peers.Client.State);
        Assert.Null(peers.Client.KeyingMaterial);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void LostAndReorderedDatagramsAreRecoveredByRetransmission(SrtpProfile profile)
    {
        var options = new DtlsSessionOptions { Mtu = 300, InitialRetransmitTimeout = TimeSpan.FromMilliseconds(40) };

        int lossless;
        using (var reference = new DtlsPeers([profile], [profile], options))
        {
            reference.Handshake();
            Assert.Equal(DtlsState.Connected, reference.Server.State);
            lossless = reference.ToClient.AllSent.Count + reference.ToServer.AllSent.Count;
        }

        using var peers = new DtlsPeers([profile], [profile], options);
        // Lose the first ClientHello, a datagram in the middle of the server's flight, and the first
        // datagram of the client's second flight; deliver every batch in reverse order.
        peers.Handshake(
            deliver: (direction, index) => !(direction == Direction.ClientToServer && index is 0 or 2)
                                          && !(direction == Direction.ServerToClient && index == 1),
            reorder: batch => batch.Reverse());

        Assert.Equal(DtlsState.Connected, peers.Server.State);
        Assert.Equal(DtlsState.Connected, peers.Client.State);
        Assert.True(peers.TimeoutsHandled > 0);
        Assert.True(peers.ToServer.AllSent.Count(IsClientHello) >= 2, "the lost ClientHello must have been retransmitted");
        Assert.True(peers.ToClient.AllSent.Count + peers.ToServer.AllSent.Count > lossless,
            "retransmissions must have sent more datagrams than a lossless handshake");
        Assert.Equal(peers.Server.KeyingMaterial!.LocalKeyAndSalt.ToArray(), peers.Client.KeyingMaterial!.RemoteKeyAndSalt.ToArray());
        AssertSrtpFlowsBothWays(peers.Server.KeyingMaterial!, peers.Client.KeyingMaterial!);
    }

    [Fact]
    public void LosingTheServersFinalFlightIsRepairedByTheClientsRetransmission()
    {
        var options = new DtlsSessionOptions { InitialRetransmitTimeout = TimeSpan.FromMilliseconds(40) };
        using var peers = new DtlsPeers(options: options);
        var serverFlights = 0;
        // Server flight 1 (ServerHello..Done) is one datagram; drop the second: ChangeCipherSpec + Finished.
        peers.Handshake(deliver: (direction, _) => direction == Direction.ClientToServer || serverFlights++ != 1);

        Assert.Equal(DtlsState.Connected, peers.Server.State);
        Assert.Equal(DtlsState.Connected, peers.Client.State);
        Assert.True(peers.TimeoutsHandled > 0);
        // The dropped datagram really was the final flight, and the server sent it again.
        var finalFlights = peers.ToClient.AllSent
            .Where(d => DtlsRecord.TryParse(d, out var r) && r.ContentType == (byte)DtlsContentType.ChangeCipherSpec)
            .ToList();
        Assert.Same(peers.ToClient.AllSent[1], finalFlights[0]);
        Assert.True(finalFlights.Count >= 2);
    }

    [Fact]
    public void DatagramsAreRecordAlignedAndFitTheMtu()
    {
        foreach (var mtu in new[] { 256, 300, 576, 1200 })
        {
            using var peers = new DtlsPeers(options: new DtlsSessionOptions { Mtu = mtu });
            peers.Handshake();
            Assert.Equal(DtlsState.Connected, peers.Server.State);
            var all = peers.ToClient.AllSent.Concat(peers.ToServer.AllSent).ToList();
            Assert.All(all, datagram =>
            {
                Assert.InRange(datagram.Length, DtlsRecord.HeaderLength, mtu);
                Assert.True(DtlsRecord.IsWellFormedDatagram(datagram));
            });
            if (mtu <= 300)
            {
                // The server's first flight (certificate ~400 bytes) cannot fit one small datagram.
                Assert.True(peers.ToClient.AllSent.Count >= 3);
            }
        }
    }

    [Fact]
    public void FingerprintMismatchFailsAndThePeerIsToldToClose()
    {
        using var stranger = DtlsCertificate.Generate("stranger");
        using var peers = new DtlsPeers(exchangeFingerprints: false);
        peers.Server.SetRemoteFingerprint(stranger.Fingerprint);
        peers.Client.SetRemoteFingerprint(peers.ServerCertificate.Fingerprint);
        peers.Handshake();
        peers.Pump(() => peers.Client.State == DtlsState.Closed, limitMilliseconds: 2000);

        Assert.Equal(DtlsState.Failed, peers.Server.State);
        Assert.Contains("fingerprint", peers.Server.FailureReason);
        Assert.Null(peers.Server.KeyingMaterial);
        Assert.Equal(DtlsState.Closed, peers.Client.State);
    }

    [Fact]
    public void ClientRejectsAServerWithTheWrongFingerprint()
    {
        using var stranger = DtlsCertificate.Generate("stranger");
        using var peers = new DtlsPeers(exchangeFingerprints: false);
        peers.Server.SetRemoteFingerprint(peers.ClientCertificate.Fingerprint);
        peers.Client.SetRemoteFingerprint(stranger.GetFingerprint("sha-1"));
        peers.Handshake();
        peers.Pump(() => peers.Server.State == DtlsState.Closed, limitMilliseconds: 2000);

        Assert.Equal(DtlsState.Failed, peers.Client.State);
        Assert.Equal(DtlsState.Closed, peers.Server.State);
    }

    [Fact]
    public void FingerprintSetAfterTheHandshakeIsVerifiedThen()
    {
        using var peers = new DtlsPeers(exchangeFingerprints: false);
        peers.Client.SetRemoteFingerprint(peers.ServerCertificate.GetFingerprint("sha-512"));
        peers.Client.Start();
        peers.Pump(() => peers.Client.State == DtlsState.Connected && peers.Server.RemoteCertificate is not null);

        // The server finished the handshake but cannot trust it yet.
        Assert.Equal(DtlsState.Connecting, peers.Server.State);
        Assert.Null(peers.Server.KeyingMaterial);
        Assert.NotNull(peers.Server.NextTimeout); // the handshake deadline still runs

        // Application data that arrives before verification is not delivered.
        Assert.True(peers.Client.SendApplicationData("early"u8));
        foreach (var datagram in peers.ToServer.Take())
        {
            peers.Server.HandleDatagram(datagram);
        }
        Assert.Empty(peers.ServerInbox.Received);

        peers.Server.SetRemoteFingerprint(peers.ClientCertificate.Fingerprint);
        Assert.Equal(DtlsState.Connected, peers.Server.State);
        Assert.Equal(peers.Server.KeyingMaterial!.RemoteKeyAndSalt.ToArray(), peers.Client.KeyingMaterial!.LocalKeyAndSalt.ToArray());
        Assert.Equal([DtlsState.Connecting, DtlsState.Connected], peers.ServerStates);
    }

    [Fact]
    public void WrongFingerprintSetAfterTheHandshakeFails()
    {
        using var stranger = DtlsCertificate.Generate("stranger");
        using var peers = new DtlsPeers(exchangeFingerprints: false);
        peers.Client.SetRemoteFingerprint(peers.ServerCertificate.Fingerprint);
        peers.Client.Start();
        peers.Pump(() => peers.Client.State == DtlsState.Connected && peers.Server.RemoteCertificate is not null);

        peers.Server.SetRemoteFingerprint(stranger.Fingerprint);
        Assert.Equal(DtlsState.Failed, peers.Server.State);
        peers.Pump(() => peers.Client.State == DtlsState.Closed, limitMilliseconds: 2000);
        Assert.Equal(DtlsState.Closed, peers.Client.State);
    }

    [Fact]
    public void CloseNotifyClosesThePeer()
    {
        using var peers = new DtlsPeers();
        peers.Handshake();
        peers.Client.Close();
        Assert.Equal(DtlsState.Closed, peers.Client.State);
        peers.Pump(() => peers.Server.State == DtlsState.Closed, limitMilliseconds: 2000);

        Assert.Equal(DtlsState.Closed, peers.Server.State);
        Assert.Equal("close_notify received", peers.Server.FailureReason);
        Assert.Equal([DtlsState.Connecting, DtlsState.Connected, DtlsState.Closed], peers.ServerStates);
        Assert.False(peers.Server.SendApplicationData("late"u8));
        Assert.Null(peers.Server.NextTimeout);
    }

    [Fact]
    public void ServerCloseNotifyClosesTheClient()
    {
        using var peers = new DtlsPeers();
        peers.Handshake();
        peers.Server.Close();
        peers.Pump(() => peers.Client.State == DtlsState.Closed, limitMilliseconds: 2000);
        Assert.Equal(DtlsState.Closed, peers.Client.State);
    }

    [Fact]
    public void ApplicationDataFlowsBothWaysAfterConnect()
    {
        using var peers = new DtlsPeers();
        Assert.False(peers.Client.SendApplicationData("too early"u8));
        peers.Handshake();

        Assert.True(peers.Client.SendApplicationData("hello sctp"u8));
        Assert.True(peers.Server.SendApplicationData("hello back"u8));
        peers.Pump(() => peers.ServerInbox.Received.Count == 1 && peers.ClientInbox.Received.Count == 1, limitMilliseconds: 2000);

        Assert.Equal("hello sctp"u8.ToArray(), Assert.Single(peers.ServerInbox.Received));
        Assert.Equal("hello back"u8.ToArray(), Assert.Single(peers.ClientInbox.Received));
        Assert.Equal(DtlsState.Connected, peers.Server.State);
    }

    [Fact]
    public void GarbageDatagramsDoNotDisturbTheHandshake()
    {
        using var peers = new DtlsPeers();
        var random = new Random(99);
        peers.Client.Start();
        for (var round = 0; round < 20 && !peers.BothSettled; round++)
        {
            foreach (var session in new[] { peers.Server, peers.Client })
            {
                var junk = new byte[random.Next(0, 200)];
                random.NextBytes(junk);
                session.HandleDatagram(junk);
                if (junk.Length >= DtlsRecord.HeaderLength)
                {
                    // Looks like a DTLS 1.2 handshake record, with a random body.
                    junk[0] = 22;
                    junk[1] = 0xFE;
                    junk[2] = 0xFD;
                    junk[11] = 0;
                    junk[12] = (byte)(junk.Length - DtlsRecord.HeaderLength);
                    session.HandleDatagram(junk);
                }
            }
            peers.Pump(() => true);
            peers.Pump(() => peers.BothSettled, limitMilliseconds: 50);
        }
        peers.Pump(() => peers.BothSettled);

        Assert.Equal(DtlsState.Connected, peers.Server.State);
        Assert.Equal(DtlsState.Connected, peers.Client.State);
    }

    [Fact]
    public void HandshakeFailsAfterItsDeadline()
    {
        var time = new ManualTimeProvider();
        using var certificate = DtlsCertificate.Generate();
        using var context = new DtlsContext(certificate);
        var outbox = new DatagramOutbox();
        using var client = new DtlsSession(context, DtlsRole.Client, outbox, new DtlsSessionOptions
        {
            TimeProvider = time,
            HandshakeTimeout = TimeSpan.FromSeconds(30),
        });
        var states = new List<DtlsState>();
        client.StateChanged += (_, state) => states.Add(state);

        Assert.Equal(DtlsState.New, client.State);
        Assert.Null(client.NextTimeout);
        client.Start();
        var clientHello = Assert.Single(outbox.Take());
        Assert.True(DtlsRecord.TryParse(clientHello, out var record) && record.IsClientHello);
        Assert.InRange(client.NextTimeout!.Value, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromSeconds(29.5));
        client.HandleTimeout();
        Assert.Equal(DtlsState.Connecting, client.State);
        Assert.True(client.NextTimeout <= TimeSpan.FromSeconds(0.5));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, client.NextTimeout);
        client.HandleTimeout();
        Assert.Equal(DtlsState.Failed, client.State);
        Assert.Contains("not completed", client.FailureReason);
        Assert.Equal([DtlsState.Connecting, DtlsState.Failed], states);
        Assert.Null(client.NextTimeout);
    }

    [Fact]
    public void ServerWaitsInNewUntilTheFirstDatagram()
    {
        using var peers = new DtlsPeers();
        Assert.Equal(DtlsState.New, peers.Server.State);
        Assert.Null(peers.Server.NextTimeout);
        peers.Server.HandleTimeout();
        Assert.Equal(DtlsState.New, peers.Server.State);
        Assert.Empty(peers.ToClient.AllSent);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        using var certificate = DtlsCertificate.Generate();
        using var context = new DtlsContext(certificate);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DtlsSession(context, DtlsRole.Server, new DatagramOutbox(), new DtlsSessionOptions { Mtu = 100 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DtlsSession(context, DtlsRole.Server, new DatagramOutbox(),
            new DtlsSessionOptions { InitialRetransmitTimeout = TimeSpan.FromSeconds(10), MaxRetransmitTimeout = TimeSpan.FromSeconds(1) }));
        Assert.Throws<ArgumentException>(() => new DtlsContext(certificate, []));
    }

    private static bool IsClientHello(byte[] datagram) => DtlsRecord.TryParse(datagram, out var record) && record.IsClientHello;

    internal static void AssertSrtpFlowsBothWays(SrtpKeyingMaterial server, SrtpKeyingMaterial client)
    {
        using var serverOut = server.CreateOutboundSession();
        using var serverIn = server.CreateInboundSession();
        using var clientOut = client.CreateOutboundSession();
        using var clientIn = client.CreateInboundSession();
        var random = new Random(11);
        var buffer = new byte[1200 + SrtpSession.TrailerRoom];

        foreach (var (sender, receiver) in new[] { (serverOut, clientIn), (clientOut, serverIn) })
        {
            for (ushort sequence = 1; sequence <= 5; sequence++)
            {
                var rtp = SrtpSessionTests.Rtp(0x1234, sequence, 160, random);
                rtp.CopyTo(buffer, 0);
                Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, rtp.Length, out var length));
                Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(buffer, length, out var plainLength));
                Assert.Equal(rtp, buffer[..plainLength]);

                var rtcp = SrtpSessionTests.Rtcp(0x5678, random);
                rtcp.CopyTo(buffer, 0);
                Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(buffer, rtcp.Length, out length));
                Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(buffer, length, out plainLength));
                Assert.Equal(rtcp, buffer[..plainLength]);
            }
        }

        // A packet protected for one direction does not unprotect in the other.
        var packet = SrtpSessionTests.Rtp(0x9999, 1, 50, random);
        packet.CopyTo(buffer, 0);
        Assert.Equal(SrtpStatus.Ok, serverOut.ProtectRtp(buffer, packet.Length, out var protectedLength));
        Assert.Equal(SrtpStatus.AuthFail, serverIn.UnprotectRtp(buffer, protectedLength, out _));
    }
}

internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = TimeSpan.TicksPerDay;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
