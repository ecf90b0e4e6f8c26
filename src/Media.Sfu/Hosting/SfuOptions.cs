using System.Net;
using Media.Sfu.Srtp;

namespace Media.Sfu.Hosting;

/// <summary>Configuration of one SFU node (section "Sfu"; SFU_* environment variables).</summary>
public sealed class SfuOptions
{
    /// <summary>Address the media sockets bind to. 0.0.0.0 for every interface.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";
    /// <summary>Address put in ICE candidates: the public IP of a VM behind 1:1 NAT; defaults to ListenAddress.</summary>
    public string? AnnouncedAddress { get; set; }
    public int UdpPort { get; set; } = 40000;
    public int TcpPort { get; set; } = 40001;
    public bool EnableUdp { get; set; } = true;
    public bool EnableTcp { get; set; } = true;
    /// <summary>SRTP profiles offered in DTLS, in preference order: "AeadAes128Gcm", "AesCm128HmacSha1_80".</summary>
    public List<string> SrtpProfiles { get; set; } = new() { nameof(SrtpProfile.AeadAes128Gcm), nameof(SrtpProfile.AesCm128HmacSha1_80) };
    /// <summary>RFC 7675: no valid ICE check for this long → disconnected; ConsentCloseSeconds later → closed.</summary>
    public int ConsentTimeoutSeconds { get; set; } = 30;
    /// <summary>RFC 7675 §5.1: media stops when consent lapses; the transport (and its call) closes this much later unless consent returns.</summary>
    public int ConsentCloseSeconds { get; set; } = 10;
    /// <summary>A transport with no packet at all for this long is closed (it never connected, or its peer vanished).</summary>
    public int IdleTimeoutSeconds { get; set; } = 60;
    public int MaxTransports { get; set; } = 2000;
    /// <summary>RTP streams (received plus sent) before new sessions get 503 SFU_AT_CAPACITY; 0 = no limit. A 1:1 audio+video call is 8.</summary>
    public int MaxStreams { get; set; }
    /// <summary>
    /// Process CPU (percent of all cores, averaged over the last 5 s) at or above which new rooms and sessions outside an
    /// open room are refused with 503 SFU_AT_CAPACITY; participants of rooms already open still join. 0 = no CPU limit
    /// (the default: a process that also hosts the API, or is still compiling after start, must not turn calls away by
    /// surprise; docs/capacity.md suggests 80 for a node of its own).
    /// </summary>
    public int MaxCpuPercent { get; set; }
    /// <summary>UDP receive workers, each with its own socket on UdpPort + i and its own thread; 0 = one per core.</summary>
    public int UdpWorkers { get; set; }
    /// <summary>Datagrams per recvmmsg/sendmmsg on Linux; 0 = the portable one-datagram receive loop.</summary>
    public int UdpBatchSize { get; set; } = Net.UdpMediaSocket.DefaultBatchSize;
    /// <summary>SO_RCVBUF and SO_SNDBUF of each UDP socket (the kernel caps them at net.core.rmem_max / wmem_max).</summary>
    public int UdpSocketBufferBytes { get; set; } = 4 * 1024 * 1024;
    /// <summary>Echo sessions ("test your camera and microphone") end after this long.</summary>
    public int EchoMaxSeconds { get; set; } = 120;
    /// <summary>An offer the SFU made (to a call participant waiting for one) lapses unanswered after this long.</summary>
    public int OfferTimeoutSeconds { get; set; } = 60;
    /// <summary>Housekeeping period: DTLS retransmissions, consent, idle sweeps, transport-cc feedback.</summary>
    public int TickMilliseconds { get; set; } = 100;
    /// <summary>
    /// How often publishers are sent NACKs for the video packets they lost on the way to the SFU: a loss is asked for
    /// within this long of the gap (the housekeeping tick would wait up to <see cref="TickMilliseconds"/>).
    /// </summary>
    public int UpstreamNackMilliseconds { get; set; } = 20;
    /// <summary>REMB to video publishers: measured bitrate × headroom, within floor and ceiling (kbps), below the call's video cap.</summary>
    public bool SendRemb { get; set; } = true;
    public int RembFloorKbps { get; set; } = 300;
    public int RembCeilingKbps { get; set; } = 2500;
    public double RembHeadroom { get; set; } = 1.5;
    /// <summary>Transport-wide congestion control feedback every tick where the browser negotiated it.</summary>
    public bool SendTransportCc { get; set; } = true;

    public Quality.BandwidthFeedbackSettings FeedbackSettings() => new(RembFloorKbps, RembCeilingKbps, RembHeadroom, SendRemb, SendTransportCc);

    /// <summary>The number of UDP workers in effect.</summary>
    public int EffectiveUdpWorkers => UdpWorkers > 0 ? UdpWorkers : Environment.ProcessorCount;

    /// <summary>SFU_* environment variables and the configuration keys they set, shared by every host of a node.</summary>
    public static readonly (string Env, string Key)[] EnvironmentNames =
    [
        ("SFU_LISTEN_ADDRESS", "Sfu:ListenAddress"),
        ("SFU_ANNOUNCED_ADDRESS", "Sfu:AnnouncedAddress"),
        ("SFU_UDP_PORT", "Sfu:UdpPort"),
        ("SFU_TCP_PORT", "Sfu:TcpPort"),
        ("SFU_ENABLE_UDP", "Sfu:EnableUdp"),
        ("SFU_ENABLE_TCP", "Sfu:EnableTcp"),
        ("SFU_SRTP_PROFILES", "Sfu:SrtpProfiles"),
        ("SFU_MAX_TRANSPORTS", "Sfu:MaxTransports"),
        ("SFU_MAX_STREAMS", "Sfu:MaxStreams"),
        ("SFU_MAX_CPU_PERCENT", "Sfu:MaxCpuPercent"),
        ("SFU_UDP_WORKERS", "Sfu:UdpWorkers"),
        ("SFU_UDP_BATCH_SIZE", "Sfu:UdpBatchSize"),
        ("SFU_UDP_SOCKET_BUFFER_BYTES", "Sfu:UdpSocketBufferBytes"),
        ("SFU_ECHO_MAX_SECONDS", "Sfu:EchoMaxSeconds"),
        ("SFU_CONSENT_TIMEOUT_SECONDS", "Sfu:ConsentTimeoutSeconds"),
        ("SFU_CONSENT_CLOSE_SECONDS", "Sfu:ConsentCloseSeconds"),
        ("SFU_UPSTREAM_NACK_MS", "Sfu:UpstreamNackMilliseconds"),
    ];

    public IPAddress ListenIp => IPAddress.Parse(ListenAddress);
    public IPAddress CandidateIp => IPAddress.Parse(string.IsNullOrWhiteSpace(AnnouncedAddress) ? AnnouncedFallback : AnnouncedAddress);
    private string AnnouncedFallback => ListenIp.Equals(IPAddress.Any) || ListenIp.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : ListenAddress;

    public IReadOnlyList<SrtpProfile> ParsedSrtpProfiles() => SrtpProfiles.Select(p => Enum.Parse<SrtpProfile>(p, ignoreCase: true)).ToList();

    public IEnumerable<string> Validate()
    {
        if (!IPAddress.TryParse(ListenAddress, out _)) yield return $"SFU listen address '{ListenAddress}' is not an IP address";
        if (!string.IsNullOrWhiteSpace(AnnouncedAddress) && !IPAddress.TryParse(AnnouncedAddress, out _))
            yield return $"SFU announced address '{AnnouncedAddress}' is not an IP address";
        if (!EnableUdp && !EnableTcp) yield return "at least one of UDP and TCP must be enabled";
        if (UdpPort is < 0 or > 65535 || TcpPort is < 0 or > 65535) yield return "SFU ports must be 0–65535 (0 = any free port)";
        if (SrtpProfiles.Count == 0) yield return "at least one SRTP profile is required";
        foreach (var p in SrtpProfiles)
            if (!Enum.TryParse<SrtpProfile>(p, ignoreCase: true, out _)) yield return $"unknown SRTP profile '{p}' (AeadAes128Gcm, AesCm128HmacSha1_80)";
        if (ConsentTimeoutSeconds is < 5 or > 300) yield return "consent timeout must be 5–300 s";
        if (ConsentCloseSeconds is < 0 or > 300) yield return "consent close grace must be 0–300 s";
        if (IdleTimeoutSeconds < ConsentTimeoutSeconds) yield return "idle timeout must not be shorter than the consent timeout";
        if (MaxTransports < 1) yield return "max transports must be positive";
        if (MaxStreams < 0) yield return "max streams must be 0 (no limit) or positive";
        if (MaxCpuPercent is < 0 or > 100) yield return "max CPU percent must be 0 (no limit) to 100";
        if (UdpWorkers is < 0 or > 256) yield return "UDP workers must be 0 (one per core) to 256";
        if (UdpPort > 0 && UdpPort + EffectiveUdpWorkers - 1 > 65535) yield return "UDP port + workers - 1 must not pass 65535";
        if (UdpBatchSize is < 0 or > 1024) yield return "UDP batch size must be 0–1024";
        if (UdpSocketBufferBytes is < 65536 or > 512 * 1024 * 1024) yield return "UDP socket buffer must be 64 KiB–512 MiB";
        if (EchoMaxSeconds is < 5 or > 3600) yield return "echo duration must be 5–3600 s";
        if (OfferTimeoutSeconds is < 5 or > 600) yield return "offer timeout must be 5–600 s";
        if (TickMilliseconds is < 10 or > 1000) yield return "tick must be 10–1000 ms";
        if (UpstreamNackMilliseconds is < 5 or > 1000) yield return "upstream NACK interval must be 5–1000 ms";
        foreach (var e in FeedbackSettings().Validate()) yield return e;
    }
}
