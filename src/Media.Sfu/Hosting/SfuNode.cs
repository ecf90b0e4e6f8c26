using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Media.Sfu.Dtls;
using Media.Sfu.Ice;
using Media.Sfu.Native;
using Media.Sfu.Net;
using Media.Sfu.Quality;
using Media.Sfu.Routing;
using Media.Sfu.Sdp;
using Media.Sfu.Transports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SdpIceCandidate = Media.Sfu.Sdp.IceCandidate;

namespace Media.Sfu.Hosting;

/// <summary>Why a session could not be created; the HTTP layer maps each to a status code.</summary>
public sealed class SfuException(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Code { get; } = code;
}

/// <summary>
/// One SFU node: the shared media sockets (UDP and ICE-TCP), the DTLS context with its certificate, the
/// transport table, the WHIP sessions and a housekeeping tick. Hosted in the control plane or alone.
/// </summary>
public sealed partial class SfuNode : IHostedService, IDisposable
{
    private readonly SfuOptions _options;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, SfuSession> _sessions = new();
    private readonly ConcurrentDictionary<string, SfuSession> _echoByUser = new();
    private readonly ConcurrentDictionary<string, CallRoom> _rooms = new();
    private readonly ConcurrentDictionary<string, PendingOffer> _pendingOffers = new();
    private DtlsCertificate? _certificate;
    private DtlsContext? _dtls;
    private UdpMediaSocket[] _udp = [];
    private readonly SfuLoadMonitor _load;
    private TcpMediaListener? _tcp;
    private ITimer? _tick, _nackTick;
    private int _ticking, _nacking;
    private long _lastReportTicks;

    public SfuNode(IOptions<SfuOptions> options, ILoggerFactory logs, TimeProvider? clock = null)
    {
        _options = options.Value;
        _logs = logs;
        _log = logs.CreateLogger("Media.Sfu");
        _clock = clock ?? TimeProvider.System;
        _load = new SfuLoadMonitor(_options, _clock, Environment.ProcessorCount);
    }

    public TransportTable Transports { get; } = new();
    public SfuOptions Options => _options;
    public IPEndPoint? UdpEndPoint => _udp.Length > 0 ? _udp[0].LocalEndPoint : null;
    /// <summary>One UDP socket per worker; a room's transports use the one its candidates name.</summary>
    public IReadOnlyList<UdpMediaSocket> UdpWorkers => _udp;
    internal SfuLoadMonitor LoadMonitor => _load;
    public IPEndPoint? TcpEndPoint => _tcp?.LocalEndPoint;
    public ICollection<SfuSession> Sessions => _sessions.Values;
    public ICollection<CallRoom> Rooms => _rooms.Values;
    public bool IsRunning => _dtls is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _certificate = DtlsCertificate.Generate();
        _dtls = new DtlsContext(_certificate, _options.ParsedSrtpProfiles());
        var listen = _options.ListenIp;
        if (_options.EnableUdp)
        {
            // One socket and thread per worker on consecutive ports (UdpPort 0: any free port each).
            _udp = new UdpMediaSocket[_options.EffectiveUdpWorkers];
            for (var i = 0; i < _udp.Length; i++)
            {
                var port = _options.UdpPort == 0 ? 0 : _options.UdpPort + i;
                _udp[i] = new UdpMediaSocket(new IPEndPoint(listen, port), Transports, (ushort)(1 + i), _logs.CreateLogger("Media.Sfu.Udp"),
                    _options.UdpSocketBufferBytes, _options.UdpBatchSize);
                _udp[i].Start();
            }
        }
        if (_options.EnableTcp)
        {
            _tcp = new TcpMediaListener(new IPEndPoint(listen, _options.TcpPort), Transports, TcpSocketId, _logs.CreateLogger("Media.Sfu.Tcp"));
            _tcp.Start();
        }
        _tick = _clock.CreateTimer(_ => Tick(), null, TimeSpan.FromMilliseconds(_options.TickMilliseconds), TimeSpan.FromMilliseconds(_options.TickMilliseconds));
        var nackEvery = TimeSpan.FromMilliseconds(_options.UpstreamNackMilliseconds);
        _nackTick = _clock.CreateTimer(_ => SendUpstreamNacks(), null, nackEvery, nackEvery);
        _log.LogInformation("SFU node started: UDP {Udp} ({Workers} workers, batch {Batch}), TCP {Tcp}, candidates announce {Announced}, SRTP {Profiles}",
            UdpEndPoint, _udp.Length, _udp.Length > 0 ? _udp[0].BatchSize : 0, _tcp?.LocalEndPoint, _options.CandidateIp, string.Join(",", _dtls.SrtpProfiles));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    // Local socket numbers in IceTuple: UDP worker i is 1 + i.
    private const ushort TcpSocketId = 0x8000;

    /// <summary>The a=candidate values for this node's first UDP worker: UDP first (higher priority), then ICE-TCP passive.</summary>
    public IReadOnlyList<string> CandidateAttributes() => CandidateAttributes(0);

    /// <summary>The a=candidate values naming UDP worker <paramref name="worker"/>'s port, then ICE-TCP passive.</summary>
    public IReadOnlyList<string> CandidateAttributes(int worker)
    {
        var list = new List<string>(2);
        var ip = _options.CandidateIp;
        if (_udp.Length > 0) list.Add(Ice.IceCandidate.CreateHost(ip, _udp[Math.Clamp(worker, 0, _udp.Length - 1)].LocalEndPoint.Port, IceProtocol.Udp).ToSdpAttribute());
        if (_tcp is not null) list.Add(Ice.IceCandidate.CreateHost(ip, _tcp.LocalEndPoint.Port, IceProtocol.Tcp).ToSdpAttribute());
        return list;
    }

    /// <summary>
    /// Opens (or returns) a call room that only the named users may join. Idempotent (an existing room keeps its
    /// policy). <paramref name="policy"/> caps the call's bitrates (see <see cref="CallMediaPolicy"/>).
    /// </summary>
    public CallRoom OpenRoom(string roomId, IReadOnlyCollection<string> participants, CallMediaPolicy? policy = null)
    {
        if (string.IsNullOrWhiteSpace(roomId) || roomId.Length > 128) throw new SfuException(400, "VALIDATION_FAILED", "a room id is 1–128 characters");
        if (policy?.Validate().FirstOrDefault() is { } invalid) throw new SfuException(400, "VALIDATION_FAILED", invalid);
        if (_rooms.TryGetValue(roomId, out var existing)) return existing;
        if (_load.RefusalReason(Transports.Count, CountStreams(), joiningOpenRoom: false) is { } full)
            throw new SfuException(503, "SFU_AT_CAPACITY", full);
        return _rooms.GetOrAdd(roomId, id =>
        {
            _log.LogInformation("Room {RoomId} opened for {Participants} participants", id, participants.Count);
            return new CallRoom(id, NewRouter(id, echo: false, policy), participants, _clock.GetUtcNow()) { Worker = PickWorker() };
        });
    }

    public bool TryGetRoom(string roomId, out CallRoom room) => _rooms.TryGetValue(roomId, out room!);

    /// <summary>Ends a call room: every participant's transport closes.</summary>
    public bool CloseRoom(string roomId)
    {
        if (!_rooms.TryRemove(roomId, out var room)) return false;
        foreach (var s in _sessions.Values) if (s.Room == room) CloseSession(s.Id);
        room.Router.Close();
        _log.LogInformation("Room {RoomId} closed", roomId);
        return true;
    }

    /// <summary>
    /// Answers a WHIP offer: negotiates, creates the transport and joins it to its router — its own echo router,
    /// a fresh one for a plain publish, or the named call room. Returns the session and the answer SDP.
    /// </summary>
    public (SfuSession Session, string AnswerSdp) CreateSession(string ownerUserId, string offerSdp, SfuSessionMode mode, string? roomId = null)
    {
        if (_dtls is null) throw new SfuException(503, "SFU_NOT_RUNNING", "the SFU node is not running");
        if (_load.RefusalReason(Transports.Count, CountStreams(), joiningOpenRoom: mode == SfuSessionMode.Call) is { } full)
            throw new SfuException(503, "SFU_AT_CAPACITY", full);
        CallRoom? room = null;
        Router? watched = null;
        var worker = -1;
        if (mode == SfuSessionMode.Watch)
        {
            // WHEP: a viewer joins the router of a published session (roomId names that session).
            if (roomId is null || !_sessions.TryGetValue(roomId, out var published) || published.Mode != SfuSessionMode.Publish)
                throw new SfuException(404, "SESSION_NOT_FOUND", "No published session with that id on this SFU node");
            watched = published.Router;
            worker = published.Worker;
        }
        if (mode == SfuSessionMode.Call)
        {
            room = RequireParticipant(ownerUserId, roomId ?? "");
            worker = room.Worker;
        }
        if (worker < 0) worker = PickWorker();
        if (!SessionDescription.TryParse(offerSdp, out var offer, out var parseError))
            throw new SfuException(400, "SDP_INVALID", "the offer is not valid SDP: " + parseError);

        var ice = IceCredentials.Generate();
        var outgoing = new Dictionary<string, OutgoingStream>();
        var cname = "sfu-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        if (mode != SfuSessionMode.Publish)
            foreach (var m in offer!.Media)
                if (m.Mid is { } mid && m.Media is "audio" or "video")
                    outgoing[mid] = new OutgoingStream(RandomSsrc(), m.Media == "video" ? RandomSsrc() : null, cname,
                        mode == SfuSessionMode.Echo ? "echo" : "peer", $"{m.Media}-{mid}");

        var result = SdpAnswerer.Answer(offer!, new AnswerOptions
        {
            Transport = LocalTransport(ice, worker),
            OutgoingStreams = outgoing,
            AudioBitrateCapKbps = room?.Policy?.AudioCapKbps,
            VideoBitrateCapKbps = room?.Policy?.VideoCapKbps,
            Directions = mode == SfuSessionMode.Publish ? offer!.Media.Where(m => m.Mid is not null).ToDictionary(m => m.Mid!, _ => MediaDirection.RecvOnly) : new Dictionary<string, MediaDirection>(),
        });
        if (!result.IsSuccess) throw new SfuException(400, "SDP_" + result.Error.ToString().ToUpperInvariant(), result.ErrorMessage ?? "the offer cannot be answered");
        var negotiated = result.Session!;

        return (Admit(ownerUserId, mode, room, watched, ice, negotiated, Guid.NewGuid().ToString("N"), worker), result.AnswerSdp!);
    }

    /// <summary>
    /// The SFU as JSEP offerer (RFC 8829 §5.2) for a call participant who waits for an offer (a seed client that is
    /// not the call's initiator): one BUNDLE transport with an audio and, for video calls, a video m-line, both
    /// sendrecv. The transport exists once <see cref="AcceptAnswer"/> applies the answer; an unanswered offer lapses.
    /// </summary>
    public (string OfferId, string OfferSdp) CreateOffer(string ownerUserId, string roomId, bool video)
    {
        if (_dtls is null) throw new SfuException(503, "SFU_NOT_RUNNING", "the SFU node is not running");
        if (_load.RefusalReason(Transports.Count, CountStreams(), joiningOpenRoom: true) is { } full)
            throw new SfuException(503, "SFU_AT_CAPACITY", full);
        var room = RequireParticipant(ownerUserId, roomId);
        var ice = IceCredentials.Generate();
        var cname = "sfu-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        var sections = new List<OfferedMediaSection>
        {
            new("0", MediaKind.Audio) { Stream = new OutgoingStream(RandomSsrc(), null, cname, "peer", "audio-0") },
        };
        if (video) sections.Add(new("1", MediaKind.Video) { Stream = new OutgoingStream(RandomSsrc(), RandomSsrc(), cname, "peer", "video-1") });
        var offerOptions = new OfferOptions
        {
            Transport = LocalTransport(ice, room.Worker), Media = sections,
            AudioBitrateCapKbps = room.Policy?.AudioCapKbps, VideoBitrateCapKbps = room.Policy?.VideoCapKbps,
        };
        if (!SdpOfferer.TryCreateOffer(offerOptions, out var offer, out var error))
            throw new SfuException(500, "SDP_OFFER_FAILED", error);
        var id = Guid.NewGuid().ToString("N");
        _pendingOffers[id] = new PendingOffer(ownerUserId, room, ice, offer, _clock.GetUtcNow() + TimeSpan.FromSeconds(_options.OfferTimeoutSeconds));
        return (id, offer.ToString());
    }

    /// <summary>Applies the participant's answer to an offer from <see cref="CreateOffer"/> and joins the call.</summary>
    public SfuSession AcceptAnswer(string offerId, string ownerUserId, string answerSdp)
    {
        if (_dtls is null) throw new SfuException(503, "SFU_NOT_RUNNING", "the SFU node is not running");
        if (!_pendingOffers.TryGetValue(offerId, out var pending) || pending.Owner != ownerUserId)
            throw new SfuException(404, "OFFER_NOT_FOUND", "No pending SFU offer with that id for this user");
        var result = SdpOfferer.ApplyAnswer(pending.Offer, answerSdp);
        if (!result.IsSuccess) throw new SfuException(400, "SDP_" + result.Error.ToString().ToUpperInvariant(), result.ErrorMessage ?? "the answer cannot be applied");
        if (!_pendingOffers.TryRemove(new KeyValuePair<string, PendingOffer>(offerId, pending)))
            throw new SfuException(409, "OFFER_ALREADY_ANSWERED", "This offer was answered already");
        if (!_rooms.TryGetValue(pending.Room.Id, out var room) || room != pending.Room)
            throw new SfuException(404, "ROOM_NOT_FOUND", "The call ended before the answer arrived");
        return Admit(ownerUserId, SfuSessionMode.Call, room, null, pending.Ice, result.Session!, offerId, room.Worker);
    }

    private sealed record PendingOffer(string Owner, CallRoom Room, IceCredentials Ice, SessionDescription Offer, DateTimeOffset ExpiresAt);

    private CallRoom RequireParticipant(string ownerUserId, string roomId)
    {
        if (!_rooms.TryGetValue(roomId, out var room)) throw new SfuException(404, "ROOM_NOT_FOUND", "No such room on this SFU node");
        if (!room.Participants.Contains(ownerUserId)) throw new SfuException(403, "NOT_A_PARTICIPANT", "You are not a participant of this room");
        return room;
    }

    private LocalTransportParameters LocalTransport(IceCredentials ice, int worker) => new()
    {
        IceUfrag = ice.Ufrag, IcePwd = ice.Password, IceLite = true,
        Fingerprint = new SdpFingerprint(_dtls!.LocalFingerprint.Algorithm, _dtls.LocalFingerprint.Value),
        Candidates = CandidateAttributes(worker), EndOfCandidates = true,
    };

    /// <summary>Creates the transport for a negotiated session and joins it to its router.</summary>
    private SfuSession Admit(string ownerUserId, SfuSessionMode mode, CallRoom? room, Router? watched, IceCredentials ice, NegotiatedSession negotiated,
        string id, int worker)
    {
        var role = negotiated.LocalDtlsRole == Sdp.DtlsRole.Client ? Dtls.DtlsRole.Client : Dtls.DtlsRole.Server;
        if (!DtlsFingerprint.TryParse($"{negotiated.RemoteFingerprint.Algorithm} {negotiated.RemoteFingerprint.Value}", out var remoteFingerprint))
            throw new SfuException(400, "SDP_FINGERPRINT", "the remote DTLS fingerprint is not usable");
        var transport = new WebRtcTransport(id, Transports, _dtls!, role, ice, _logs.CreateLogger("Media.Sfu.Transport"), _clock,
            TimeSpan.FromSeconds(_options.ConsentTimeoutSeconds), TimeSpan.FromSeconds(_options.ConsentCloseSeconds));
        transport.SetRemoteFingerprint(remoteFingerprint);

        var router = room?.Router ?? watched ?? NewRouter(id, echo: mode == SfuSessionMode.Echo, policy: null);
        var ttl = mode == SfuSessionMode.Echo ? TimeSpan.FromSeconds(_options.EchoMaxSeconds) : TimeSpan.FromHours(12);
        var session = new SfuSession(id, ownerUserId, mode, router, transport, _clock.GetUtcNow() + ttl)
        {
            RemoteIceUfrag = negotiated.RemoteIceUfrag, Room = room, Worker = worker,
        };
        Transports.Add(transport);
        router.Join(transport, negotiated);
        transport.Closed += t => OnTransportClosed(session, t);
        _sessions[id] = session;
        if (room is not null)
        {
            // A participant who reconnects replaces their previous transport in the room.
            foreach (var old in _sessions.Values)
                if (old != session && old.Room == room && old.OwnerUserId == ownerUserId) CloseSession(old.Id);
        }
        if (mode == SfuSessionMode.Echo && _echoByUser.TryGetValue(ownerUserId, out var previous) && previous != session)
            CloseSession(previous.Id); // one echo test per user: a new one (a reloaded page) replaces the old
        if (mode == SfuSessionMode.Echo) _echoByUser[ownerUserId] = session;
        _log.LogInformation("Session {SessionId} ({Mode}) created for {UserId}{Room} with {Media} media sections",
            id, mode, ownerUserId, room is null ? "" : " in room " + room.Id, negotiated.Media.Count);
        return session;
    }

    /// <summary>
    /// A call participant's transport closed by itself (consent lost, DTLS closed or failed, idle): the call layer
    /// hears of it through <see cref="ParticipantLeft"/>. Closes we asked for (hang-up, replacement, shutdown) are not reported.
    /// </summary>
    private void OnTransportClosed(SfuSession session, WebRtcTransport transport)
    {
        var current = _sessions.TryGetValue(session.Id, out var s) && s == session;
        Forget(session);
        if (!current || session.Room is not { } room || !_rooms.ContainsKey(room.Id)) return;
        if (transport.CloseReason is TransportCloseReason.Requested or TransportCloseReason.NodeStopping) return;
        _log.LogInformation("Participant {UserId} of room {RoomId} lost its transport: {Reason}", session.OwnerUserId, room.Id, transport.CloseReason);
        try { ParticipantLeft?.Invoke(new ParticipantLeftEvent(room.Id, session.OwnerUserId, transport.CloseReason)); }
        catch (Exception e) { _log.LogWarning(e, "A ParticipantLeft handler failed"); }
    }

    /// <summary>Raised (on an SFU thread; handlers must not block) when a call participant's transport ends on its own.</summary>
    public event Action<ParticipantLeftEvent>? ParticipantLeft;

    public bool TryGetSession(string id, out SfuSession session) => _sessions.TryGetValue(id, out session!);

    public bool CloseSession(string id)
    {
        if (!_sessions.TryGetValue(id, out var session)) return false;
        if (session.Room is null && session.Mode != SfuSessionMode.Watch) session.Router.Close(); // an echo or publish router belongs to its session
        else session.Transport.Close();
        Forget(session);
        return true;
    }

    private void Forget(SfuSession session)
    {
        _sessions.TryRemove(new KeyValuePair<string, SfuSession>(session.Id, session));
        _echoByUser.TryRemove(new KeyValuePair<string, SfuSession>(session.OwnerUserId, session));
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1) return;
        try
        {
            var idle = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds);
            foreach (var t in Transports.All) t.Tick(idle);
            var routers = new HashSet<Router>();
            foreach (var s in _sessions.Values) routers.Add(s.Router);
            foreach (var r in routers) r.SendTransportFeedback();
            if (Environment.TickCount64 - _lastReportTicks >= 1000)
            {
                _lastReportTicks = Environment.TickCount64;
                SampleLoad();
                foreach (var r in routers) r.SendReports();
            }
            var now = _clock.GetUtcNow();
            foreach (var s in _sessions.Values)
                if (now >= s.ExpiresAt) { _log.LogInformation("Session {SessionId} reached its time limit", s.Id); CloseSession(s.Id); }
            foreach (var (id, offer) in _pendingOffers)
                if (now >= offer.ExpiresAt || !_rooms.ContainsKey(offer.Room.Id)) _pendingOffers.TryRemove(id, out _);
            _tcp?.CloseIdle(DateTime.UtcNow);
        }
        catch (Exception e) { _log.LogError(e, "SFU housekeeping failed"); }
        finally { Volatile.Write(ref _ticking, 0); }
    }

    /// <summary>
    /// The fast pass of upstream loss recovery: each router NACKs its publishers' missing video packets that are due
    /// (see <see cref="Routing.UpstreamLossTracker"/>); nothing is sent when nothing is missing.
    /// </summary>
    private void SendUpstreamNacks()
    {
        if (Interlocked.Exchange(ref _nacking, 1) == 1) return;
        try
        {
            foreach (var room in _rooms.Values) room.Router.SendUpstreamNacks();
            foreach (var s in _sessions.Values)
                if (s.Room is null) s.Router.SendUpstreamNacks(); // WHIP publishers outside call rooms
        }
        catch (Exception e) { _log.LogError(e, "Sending upstream NACKs failed"); }
        finally { Volatile.Write(ref _nacking, 0); }
    }

    public SfuStats Stats() => new(
        Transports.Count, _sessions.Count,
        Transports.All.Sum(t => t.Counters.RtpPacketsIn), Transports.All.Sum(t => t.Counters.RtpPacketsOut),
        LiveNativeContexts.DtlsSessions, LiveNativeContexts.SrtpSessions, LiveNativeContexts.Total,
        _udp.Sum(u => u.PacketsReceived), Transports.UnknownSourcePackets, Transports.UnclassifiedPackets, _tcp?.ConnectionCount ?? 0);

    /// <summary>This node's load for placement: streams, packets per second, CPU, and whether a new room would be refused.</summary>
    public SfuLoad Load()
    {
        var streams = CountStreams();
        var (pin, pout) = _load.PacketsPerSecond;
        var reason = _load.RefusalReason(Transports.Count, streams, joiningOpenRoom: false);
        return new SfuLoad(_udp.Length, _rooms.Count, Transports.Count, streams, pin, pout, _load.CpuPercent,
            reason is not null, reason, _udp.Sum(u => u.WorkerAllocatedBytes));
    }

    internal void SampleLoad()
    {
        long rtpIn = 0, rtpOut = 0;
        foreach (var t in Transports.All) { rtpIn += t.Counters.RtpPacketsIn; rtpOut += t.Counters.RtpPacketsOut; }
        _load.Sample(rtpIn, rtpOut);
    }

    private int CountStreams() => SfuLoadMonitor.CountStreams(_sessions.Values.Select(s => s.Router));

    /// <summary>The UDP worker with the fewest sessions, counting rooms not yet joined by their participants.</summary>
    private int PickWorker()
    {
        if (_udp.Length <= 1) return 0;
        var counts = new int[_udp.Length];
        var joined = new HashSet<CallRoom>();
        foreach (var s in _sessions.Values)
        {
            counts[Math.Clamp(s.Worker, 0, counts.Length - 1)]++;
            if (s.Room is { } r) joined.Add(r);
        }
        foreach (var r in _rooms.Values)
            if (!joined.Contains(r)) counts[Math.Clamp(r.Worker, 0, counts.Length - 1)] += r.Participants.Count;
        var best = 0;
        for (var i = 1; i < counts.Length; i++) if (counts[i] < counts[best]) best = i;
        return best;
    }

    private static uint RandomSsrc()
    {
        uint v;
        do v = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) | ((uint)RandomNumberGenerator.GetInt32(2) << 31); while (v == 0);
        return v;
    }

    public void Dispose()
    {
        _tick?.Dispose();
        _nackTick?.Dispose();
        _tick = null;
        foreach (var s in _sessions.Values) CloseSession(s.Id);
        foreach (var r in _rooms.Keys) CloseRoom(r);
        foreach (var t in Transports.All) t.Close(TransportCloseReason.NodeStopping);
        foreach (var u in _udp) u.Dispose();
        _udp = [];
        _tcp?.Dispose(); _tcp = null;
        _dtls?.Dispose(); _dtls = null;
        _certificate?.Dispose(); _certificate = null; // its X509 and key were counted as live native objects until now
    }
}

/// <summary>A call participant's transport ended without being asked to (see <see cref="SfuNode.ParticipantLeft"/>).</summary>
public sealed record ParticipantLeftEvent(string RoomId, string UserId, TransportCloseReason Reason);

/// <summary>Counts that make leaks visible: transports and native DTLS/SRTP contexts must return to zero.</summary>
public sealed record SfuStats(int Transports, int Sessions, long RtpPacketsIn, long RtpPacketsOut,
    long NativeDtlsSessions, long NativeSrtpSessions, long NativeContextsTotal,
    long UdpPacketsReceived, long UnknownSourcePackets, long UnclassifiedPackets, int TcpConnections);
