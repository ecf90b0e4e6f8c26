using Media.Sfu.Routing;
using Media.Sfu.Transports;

namespace Media.Sfu.Hosting;

public enum SfuSessionMode : byte { Echo, Publish, Call, Watch }

/// <summary>A WHIP session (RFC 9725 §4.2): one transport in a router, owned by one user.</summary>
public sealed class SfuSession
{
    internal SfuSession(string id, string ownerUserId, SfuSessionMode mode, Router router, WebRtcTransport transport, DateTimeOffset expiresAt)
    {
        Id = id;
        OwnerUserId = ownerUserId;
        Mode = mode;
        Router = router;
        Transport = transport;
        ExpiresAt = expiresAt;
        ETag = NewETag();
    }

    public string Id { get; }
    public string OwnerUserId { get; }
    public SfuSessionMode Mode { get; }
    public Router Router { get; }
    public WebRtcTransport Transport { get; }
    public DateTimeOffset ExpiresAt { get; }
    /// <summary>Changes on every ICE restart (RFC 9725 §4.3.1).</summary>
    public string ETag { get; internal set; }
    /// <summary>The client's current ice-ufrag; a PATCH with another one is an ICE restart.</summary>
    public string RemoteIceUfrag { get; internal set; } = "";
    /// <summary>The call room this session joined; null for echo and plain publish sessions.</summary>
    public CallRoom? Room { get; internal init; }
    /// <summary>The UDP worker whose port the answer's candidate named (ICE restarts keep it).</summary>
    public int Worker { get; internal init; }

    /// <summary>ICE restart: new local credentials for the same transport (DTLS and SRTP continue).</summary>
    public Ice.IceCredentials RestartIce(string remoteUfrag, string remotePwd)
    {
        var local = Transport.RestartIce();
        RemoteIceUfrag = remoteUfrag;
        ETag = NewETag();
        return local;
    }

    internal static string NewETag() => "\"" + Guid.NewGuid().ToString("N")[..16] + "\"";
}

/// <summary>A call on this node: its router and who may join it (the matched users).</summary>
public sealed class CallRoom(string id, Router router, IReadOnlyCollection<string> participants, DateTimeOffset openedAt)
{
    public string Id { get; } = id;
    public Router Router { get; } = router;
    public IReadOnlyCollection<string> Participants { get; } = participants;
    public DateTimeOffset OpenedAt { get; } = openedAt;
    /// <summary>The call's bitrate caps and over-cap policy (null = none).</summary>
    public Quality.CallMediaPolicy? Policy => Router.Policy;
    /// <summary>The UDP worker every participant's transport uses, so the call is served by one thread.</summary>
    public int Worker { get; internal init; }
}
