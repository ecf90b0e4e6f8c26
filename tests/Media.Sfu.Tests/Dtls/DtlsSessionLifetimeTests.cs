using Media.Sfu.Dtls;
using Media.Sfu.Native;
using Media.Sfu.Tests.Native;

namespace Media.Sfu.Tests.Dtls;

[Collection(NativeCollection.Name)]
public sealed class DtlsSessionLifetimeTests
{
    [Fact]
    public void CreatingAndDisposing200SessionsLeavesNoLiveNativeContexts()
    {
        CollectStrayHandles();
        Assert.Equal(0, LiveNativeContexts.DtlsSessions);
        Assert.Equal(0, LiveNativeContexts.SrtpSessions);
        var baselineTotal = LiveNativeContexts.Total;

        using (var certificate = DtlsCertificate.Generate())
        using (var context = new DtlsContext(certificate))
        {
            var sink = new DatagramOutbox();
            var sessions = new List<DtlsSession>();
            for (var i = 0; i < 200; i++)
            {
                var session = new DtlsSession(context, i % 2 == 0 ? DtlsRole.Server : DtlsRole.Client, sink);
                if (session.Role == DtlsRole.Client)
                {
                    session.Start(); // holds a ClientHello and a running retransmission timer
                }
                sessions.Add(session);
            }
            Assert.Equal(200, LiveNativeContexts.DtlsSessions);
            Assert.Equal(100, sink.AllSent.Count);

            foreach (var session in sessions)
            {
                session.Dispose();
                Assert.Equal(DtlsState.Closed, session.State);
                session.HandleDatagram(sink.AllSent[0]); // ignored after dispose
                session.HandleTimeout();
            }
            Assert.Equal(0, LiveNativeContexts.DtlsSessions);
        }
        Assert.Equal(baselineTotal, LiveNativeContexts.Total);
    }

    [Fact]
    public void ConnectedPeersWithSrtpSessionsReleaseEverything()
    {
        CollectStrayHandles();
        var baselineTotal = LiveNativeContexts.Total;

        for (var i = 0; i < 5; i++)
        {
            using var peers = new DtlsPeers();
            peers.Handshake();
            Assert.Equal(DtlsState.Connected, peers.Server.State);
            Assert.Equal(2, LiveNativeContexts.DtlsSessions);
            var sessions = new[]
            {
                peers.Server.KeyingMaterial!.CreateInboundSession(),
                peers.Server.KeyingMaterial!.CreateOutboundSession(),
                peers.Client.KeyingMaterial!.CreateInboundSession(),
                peers.Client.KeyingMaterial!.CreateOutboundSession(),
            };
            Assert.Equal(4, LiveNativeContexts.SrtpSessions);
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }

        Assert.Equal(0, LiveNativeContexts.DtlsSessions);
        Assert.Equal(0, LiveNativeContexts.SrtpSessions);
        Assert.Equal(baselineTotal, LiveNativeContexts.Total);
    }

    [Fact]
    public void ForgottenSessionsAreReleasedByTheFinalizer()
    {
        CollectStrayHandles();
        var before = LiveNativeContexts.DtlsSessions;
        CreateAndForget();
        CollectStrayHandles();
        Assert.Equal(before, LiveNativeContexts.DtlsSessions);

        static void CreateAndForget()
        {
            using var certificate = DtlsCertificate.Generate();
            using var context = new DtlsContext(certificate);
            for (var i = 0; i < 10; i++)
            {
                _ = new DtlsSession(context, DtlsRole.Client, new DatagramOutbox());
            }
            Assert.Equal(10, LiveNativeContexts.DtlsSessions);
        }
    }

    [Fact]
    public void StateChangedHandlerMayDisposeTheSession()
    {
        using var peers = new DtlsPeers();
        peers.Server.StateChanged += (session, state) =>
        {
            if (state == DtlsState.Connected)
            {
                session.Dispose();
            }
        };
        peers.Handshake();
        peers.Pump(() => peers.BothSettled);
        Assert.Equal(DtlsState.Closed, peers.Server.State);
        Assert.NotNull(peers.Server.KeyingMaterial);
        Assert.Equal(DtlsState.Connected, peers.Client.State);
    }

    private static void CollectStrayHandles()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
