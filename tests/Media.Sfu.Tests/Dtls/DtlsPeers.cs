using System.Diagnostics;
using Media.Sfu.Dtls;
using Media.Sfu.Srtp;

namespace Media.Sfu.Tests.Dtls;

/// <summary>Collects what a session sends, one byte[] per datagram.</summary>
internal sealed class DatagramOutbox : IDtlsDatagramSink
{
    private readonly List<byte[]> _queued = [];

    public List<byte[]> AllSent { get; } = [];

    public void Send(ReadOnlySpan<byte> datagram)
    {
        var copy = datagram.ToArray();
        _queued.Add(copy);
        AllSent.Add(copy);
    }

    public List<byte[]> Take()
    {
        var taken = _queued.ToList();
        _queued.Clear();
        return taken;
    }
}

internal sealed class ApplicationDataInbox : IDtlsApplicationDataReceiver
{
    public List<byte[]> Received { get; } = [];

    public void OnApplicationData(ReadOnlySpan<byte> data) => Received.Add(data.ToArray());
}

/// <summary>Which way a datagram travels in <see cref="DtlsPeers.Pump"/>.</summary>
internal enum Direction
{
    ClientToServer,
    ServerToClient,
}

/// <summary>
/// A DTLS client and server wired together in memory. <see cref="Pump"/> moves datagrams between
/// them (optionally dropping or reordering) and drives retransmission timers with real time.
/// </summary>
internal sealed class DtlsPeers : IDisposable
{
    public DtlsPeers(
        IReadOnlyList<SrtpProfile>? serverProfiles = null,
        IReadOnlyList<SrtpProfile>? clientProfiles = null,
        DtlsSessionOptions? options = null,
        bool exchangeFingerprints = true)
    {
        ServerCertificate = DtlsCertificate.Generate("server");
        ClientCertificate = DtlsCertificate.Generate("client");
        ServerContext = new DtlsContext(ServerCertificate, serverProfiles);
        ClientContext = new DtlsContext(ClientCertificate, clientProfiles);
        Server = new DtlsSession(ServerContext, DtlsRole.Server, ToClient, options);
        Client = new DtlsSession(ClientContext, DtlsRole.Client, ToServer, options);
        Server.ApplicationDataReceiver = ServerInbox;
        Client.ApplicationDataReceiver = ClientInbox;
        Server.StateChanged += (_, state) => ServerStates.Add(state);
        Client.StateChanged += (_, state) => ClientStates.Add(state);
        if (exchangeFingerprints)
        {
            Server.SetRemoteFingerprint(ClientCertificate.Fingerprint);
            Client.SetRemoteFingerprint(ServerCertificate.Fingerprint);
        }
    }

    public DtlsCertificate ServerCertificate { get; }
    public DtlsCertificate ClientCertificate { get; }
    public DtlsContext ServerContext { get; }
    public DtlsContext ClientContext { get; }
    public DtlsSession Server { get; }
    public DtlsSession Client { get; }

    /// <summary>Datagrams the server sent.</summary>
    public DatagramOutbox ToClient { get; } = new();

    /// <summary>Datagrams the client sent.</summary>
    public DatagramOutbox ToServer { get; } = new();

    public ApplicationDataInbox ServerInbox { get; } = new();
    public ApplicationDataInbox ClientInbox { get; } = new();
    public List<DtlsState> ServerStates { get; } = [];
    public List<DtlsState> ClientStates { get; } = [];
    public int TimeoutsHandled { get; private set; }

    public bool BothSettled =>
        Settled(Server.State) && Settled(Client.State);

    /// <summary>Starts the client and pumps until both sides leave Connecting.</summary>
    public void Handshake(Func<Direction, int, bool>? deliver = null, Action<List<byte[]>>? reorder = null)
    {
        Client.Start();
        Pump(() => BothSettled, deliver, reorder);
    }

    /// <summary>
    /// Delivers queued datagrams until <paramref name="until"/> holds. When nothing is in flight it
    /// sleeps until the earliest retransmission timer and calls HandleTimeout on both sessions.
    /// <paramref name="deliver"/> sees (direction, per-direction index) and returns false to drop.
    /// </summary>
    public void Pump(Func<bool> until, Func<Direction, int, bool>? deliver = null, Action<List<byte[]>>? reorder = null, int limitMilliseconds = 15000)
    {
        var clock = Stopwatch.StartNew();
        var sentToServer = 0;
        var sentToClient = 0;
        while (!until() && clock.ElapsedMilliseconds < limitMilliseconds)
        {
            var progressed = false;
            var toServer = ToServer.Take();
            reorder?.Invoke(toServer);
            foreach (var datagram in toServer)
            {
                progressed = true;
                if (deliver?.Invoke(Direction.ClientToServer, sentToServer++) ?? true)
                {
                    Server.HandleDatagram(datagram);
                }
            }
            var toClient = ToClient.Take();
            reorder?.Invoke(toClient);
            foreach (var datagram in toClient)
            {
                progressed = true;
                if (deliver?.Invoke(Direction.ServerToClient, sentToClient++) ?? true)
                {
                    Client.HandleDatagram(datagram);
                }
            }
            if (progressed)
            {
                continue;
            }

            var wait = Earliest(Server.NextTimeout, Client.NextTimeout);
            if (wait is null)
            {
                return; // nothing in flight and no timer: nothing more will happen
            }
            var milliseconds = Math.Clamp(wait.Value.TotalMilliseconds, 1, 50);
            Thread.Sleep(TimeSpan.FromMilliseconds(milliseconds));
            Server.HandleTimeout();
            Client.HandleTimeout();
            TimeoutsHandled++;
        }
    }

    public void Dispose()
    {
        Server.Dispose();
        Client.Dispose();
        ServerContext.Dispose();
        ClientContext.Dispose();
        ServerCertificate.Dispose();
        ClientCertificate.Dispose();
    }

    private static bool Settled(DtlsState state) => state is DtlsState.Connected or DtlsState.Failed or DtlsState.Closed;

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) =>
        a is null ? b : b is null ? a : (a < b ? a : b);
}
