using System.Collections.Concurrent;
using Media.Sfu.Ice;
using Media.Sfu.Net;
using Media.Sfu.Stun;

namespace Media.Sfu.Transports;

/// <summary>
/// Finds the transport a packet belongs to: STUN by the ufrag in USERNAME (RFC 8445 §7.2.2), everything
/// else by the 5-tuple a valid STUN request bound before. Packets from unknown tuples are dropped, so a
/// stranger cannot inject DTLS or media into a session (webrtc-stack notes: bind only after a valid request).
/// </summary>
public sealed class TransportTable : IMediaPacketHandler
{
    private readonly IceUfragTable<WebRtcTransport> _byUfrag = new();
    private readonly ConcurrentDictionary<IceTuple, WebRtcTransport> _byTuple = new();
    private readonly ConcurrentDictionary<string, WebRtcTransport> _byId = new();
    private long _unknownSource, _unclassified, _unknownUfrag;
    // What housekeeping iterates ten times a second: replaced (never mutated) on add and remove, so reading it neither
    // allocates nor takes the dictionary's locks (ConcurrentDictionary.Values does both).
    private readonly object _membership = new();
    private volatile WebRtcTransport[] _all = [];

    public int Count => _byId.Count;
    public long UnknownSourcePackets => Interlocked.Read(ref _unknownSource);
    public long UnclassifiedPackets => Interlocked.Read(ref _unclassified);
    public long UnknownUfragRequests => Interlocked.Read(ref _unknownUfrag);
    /// <summary>A snapshot of the live transports; do not modify.</summary>
    public IReadOnlyList<WebRtcTransport> All => _all;

    public void Add(WebRtcTransport transport)
    {
        if (!_byId.TryAdd(transport.Id, transport)) throw new InvalidOperationException($"transport {transport.Id} exists");
        lock (_membership) _all = [.. _all, transport];
        foreach (var u in transport.Ufrags()) AddUfrag(u, transport);
    }

    public bool TryGet(string id, out WebRtcTransport transport) => _byId.TryGetValue(id, out transport!);

    internal void AddUfrag(string ufrag, WebRtcTransport t)
    {
        if (!_byUfrag.TryAdd(ufrag, t)) throw new InvalidOperationException("ICE ufrag collision");
    }

    internal void RemoveUfrag(string ufrag) => _byUfrag.TryRemove(ufrag, out _);

    internal void BindTuple(in IceTuple tuple, WebRtcTransport t) => _byTuple[tuple] = t; // latest validation wins

    internal void Remove(WebRtcTransport t)
    {
        if (_byId.TryRemove(new KeyValuePair<string, WebRtcTransport>(t.Id, t)))
            lock (_membership) _all = Array.FindAll(_all, x => x != t);
        foreach (var u in t.Ufrags()) _byUfrag.TryRemove(u, out _);
        Span<IceTuple> tuples = stackalloc IceTuple[IceLiteSession.DefaultMaxTuples];
        var n = t.CopyTuples(tuples);
        for (var i = 0; i < n; i++) _byTuple.TryRemove(new KeyValuePair<IceTuple, WebRtcTransport>(tuples[i], t));
    }

    public void HandlePacket(Span<byte> packet, in IceTuple remote, IMediaEndpoint via)
    {
        switch (PacketClassifier.Classify(packet))
        {
            case MediaPacketKind.Stun:
                if (!StunMessage.TryParse(packet, out var msg) || !IceLiteResponder.TryGetLocalUfrag(msg, out var ufrag)) break;
                if (_byUfrag.TryGetValue(ufrag, out var byUfrag)) byUfrag.HandleStun(msg, remote, via);
                else Interlocked.Increment(ref _unknownUfrag);
                return;
            case MediaPacketKind.Dtls:
                if (_byTuple.TryGetValue(remote, out var d)) d.HandleDtls(packet, remote, via);
                else Interlocked.Increment(ref _unknownSource);
                return;
            case MediaPacketKind.Rtp:
                if (_byTuple.TryGetValue(remote, out var r)) r.HandleRtp(packet);
                else Interlocked.Increment(ref _unknownSource);
                return;
            case MediaPacketKind.Rtcp:
                if (_byTuple.TryGetValue(remote, out var c)) c.HandleRtcp(packet);
                else Interlocked.Increment(ref _unknownSource);
                return;
        }
        Interlocked.Increment(ref _unclassified);
    }
}
