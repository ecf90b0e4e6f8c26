using System.Security.Cryptography;

namespace Media.Sfu.Sdp;

/// <summary>Transport parameters of the remote side's bundled transport.</summary>
internal sealed record RemoteTransport(
    string Ufrag,
    string Pwd,
    bool Lite,
    IReadOnlyList<string> Options,
    IReadOnlyList<SdpFingerprint> Fingerprints,
    SdpFingerprint Fingerprint,
    SetupRole Setup,
    IReadOnlyList<IceCandidate> Candidates,
    bool EndOfCandidates);

/// <summary>Building blocks shared by <see cref="SdpAnswerer"/> and <see cref="SdpOfferer"/>.</summary>
internal static class SdpNegotiation
{
    /// <summary>Hashes the DTLS layer can check, strongest commonly deployed first (RFC 8122 §5).</summary>
    private static readonly string[] FingerprintPreference = ["sha-256", "sha-384", "sha-512", "sha-1"];

    private static readonly string[] SrtpProtocols =
        ["UDP/TLS/RTP/SAVPF", "TCP/DTLS/RTP/SAVPF", "UDP/TLS/RTP/SAVP", "TCP/DTLS/RTP/SAVP", "RTP/SAVPF"];

    /// <summary>DTLS-SRTP RTP profiles (RFC 5764; RFC 8829 also allows the legacy RTP/SAVPF).</summary>
    public static bool IsDtlsSrtpProtocol(string protocol)
    {
        foreach (string p in SrtpProtocols)
        {
            if (string.Equals(p, protocol, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    public static ulong NewSessionId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        // RFC 8829 §5.2.1 asks for a random session id; the top bit is cleared, as browsers do, so it fits a signed 64-bit.
        return BitConverter.ToUInt64(bytes) & 0x7FFF_FFFF_FFFF_FFFF;
    }

    public static SessionDescription NewSession(ulong? sessionId, ulong version) => new()
    {
        Origin = new SdpOrigin("-", SdpGrammar.Num(sessionId ?? NewSessionId()), SdpGrammar.Num(version), "IN", "IP4", "127.0.0.1"),
        SessionName = "-",
        Timings = [new SdpTiming(0, 0)],
    };

    /// <summary>Checks the SFU's own transport parameters; parses its candidates.</summary>
    public static string? ValidateLocal(LocalTransportParameters? t, int? audioCap, int? videoCap, out List<IceCandidate> candidates)
    {
        candidates = [];
        if (t is null) return "local transport parameters are missing";
        if (!SdpGrammar.IsValidIceUfrag(t.IceUfrag)) return "local ice-ufrag must be 4-256 ice-chars (A-Z a-z 0-9 + /)";
        if (!SdpGrammar.IsValidIcePwd(t.IcePwd)) return "local ice-pwd must be 22-256 ice-chars (A-Z a-z 0-9 + /)";
        if (t.Fingerprint is null || !SdpGrammar.IsToken(t.Fingerprint.Algorithm)
            || !SdpGrammar.IsValidFingerprintValue(t.Fingerprint.Algorithm, t.Fingerprint.Value))
        {
            return "local fingerprint must be a known hash name and a colon-separated hex digest of its length";
        }
        foreach (string option in t.IceOptions)
        {
            if (!SdpGrammar.IsToken(option)) return $"local ice-option '{option}' is not a token";
        }
        for (int i = 0; i < t.Candidates.Count; i++)
        {
            if (!IceCandidate.TryParse(t.Candidates[i], out var candidate, out string? error))
            {
                return $"local candidate {i} is malformed: {error}";
            }
            candidates.Add(candidate);
        }
        if (audioCap is <= 0) return "audio bitrate cap must be positive";
        if (videoCap is <= 0) return "video bitrate cap must be positive";
        return null;
    }

    public static bool IsValidMid(string? mid) => SdpGrammar.IsToken(mid) && mid!.Length <= 255;

    /// <summary>
    /// Reads the remote transport from the tagged m-section of its BUNDLE group, falling back to
    /// session level (RFC 8843: bundled m-sections share the tagged section's transport).
    /// </summary>
    public static NegotiationResult? ReadRemoteTransport(
        SessionDescription remote, MediaDescription tag, SetupRole defaultSetup, out RemoteTransport? transport)
    {
        transport = null;
        string? ufrag = tag.IceUfrag ?? remote.IceUfrag;
        string? pwd = tag.IcePwd ?? remote.IcePwd;
        if (ufrag is null || pwd is null)
        {
            return NegotiationResult.Fail(NegotiationError.MissingIceCredentials,
                $"no a=ice-ufrag/a=ice-pwd for the bundled transport (m-section '{tag.Mid}' or session level)");
        }
        if (!SdpGrammar.IsValidIceUfrag(ufrag) || !SdpGrammar.IsValidIcePwd(pwd))
        {
            return NegotiationResult.Fail(NegotiationError.MalformedIceCredentials,
                "remote ice-ufrag must be 4-256 and ice-pwd 22-256 ice-chars (RFC 8839 §5.4)");
        }

        var fingerprints = tag.Fingerprints.Count > 0 ? tag.Fingerprints : remote.Fingerprints;
        if (fingerprints.Count == 0)
        {
            return NegotiationResult.Fail(NegotiationError.MissingFingerprint,
                $"no a=fingerprint for the bundled transport (m-section '{tag.Mid}' or session level)");
        }
        SdpFingerprint? chosen = null;
        foreach (string algorithm in FingerprintPreference)
        {
            foreach (var fp in fingerprints)
            {
                if (chosen is null && string.Equals(fp.Algorithm, algorithm, StringComparison.OrdinalIgnoreCase)) chosen = fp;
            }
        }
        if (chosen is null)
        {
            return NegotiationResult.Fail(NegotiationError.MissingFingerprint,
                "no a=fingerprint uses a supported hash (sha-256, sha-384, sha-512, sha-1)");
        }
        if (!SdpGrammar.IsValidFingerprintValue(chosen.Algorithm, chosen.Value))
        {
            return NegotiationResult.Fail(NegotiationError.MalformedFingerprint,
                $"a=fingerprint {chosen.Algorithm} value is not a colon-separated hex digest of the right length");
        }

        var options = tag.IceOptions.Count > 0 ? tag.IceOptions : remote.IceOptions;
        transport = new RemoteTransport(
            ufrag, pwd, remote.IceLite, [.. options], [.. fingerprints], chosen,
            tag.Setup ?? remote.Setup ?? defaultSetup,
            [.. tag.Candidates], tag.EndOfCandidates || remote.EndOfCandidates);
        return null;
    }

    public static void AddTransport(MediaDescription m, LocalTransportParameters t, SetupRole setup, List<IceCandidate> candidates)
    {
        m.IceUfrag = t.IceUfrag;
        m.IcePwd = t.IcePwd;
        m.IceOptions = [.. t.IceOptions];
        m.Fingerprints = [t.Fingerprint];
        m.Setup = setup;
        m.Candidates = [.. candidates];
        m.EndOfCandidates = t.EndOfCandidates;
    }

    /// <summary>b=AS in kbps (RFC 8866 §5.8) and b=TIAS in bps (RFC 3890).</summary>
    public static void AddBitrateCap(MediaDescription m, int? capKbps)
    {
        if (capKbps is not int kbps) return;
        m.Bandwidths.Add(new SdpBandwidth("AS", kbps));
        m.Bandwidths.Add(new SdpBandwidth("TIAS", kbps * 1000L));
    }

    /// <summary>a=msid plus a=ssrc cname/msid lines, with a=ssrc-group:FID when RTX applies (RFC 5576, RFC 8830).</summary>
    public static void AddStream(MediaDescription m, OutgoingStream stream, bool withRtx)
    {
        string msid = $"{stream.StreamId} {stream.TrackId}";
        m.Msids.Add(new SdpMsid(stream.StreamId, stream.TrackId));
        if (withRtx && stream.RtxSsrc is uint rtx) m.SsrcGroups.Add(new SdpSsrcGroup("FID", [stream.Ssrc, rtx]));
        m.Ssrcs.Add(new SdpSsrcAttribute(stream.Ssrc, "cname", stream.Cname));
        m.Ssrcs.Add(new SdpSsrcAttribute(stream.Ssrc, "msid", msid));
        if (withRtx && stream.RtxSsrc is uint rtx2)
        {
            m.Ssrcs.Add(new SdpSsrcAttribute(rtx2, "cname", stream.Cname));
            m.Ssrcs.Add(new SdpSsrcAttribute(rtx2, "msid", msid));
        }
    }

    public static string? ValidateStream(OutgoingStream stream)
    {
        if (!SdpGrammar.IsNonSpaceText(stream.Cname)) return "cname must be non-empty without spaces";
        if (!SdpGrammar.IsNonSpaceText(stream.StreamId) || !SdpGrammar.IsNonSpaceText(stream.TrackId)) return "msid stream and track ids must be non-empty without spaces";
        if (stream.RtxSsrc == stream.Ssrc) return "RTX SSRC equals the primary SSRC";
        return null;
    }

    /// <summary>
    /// Builds the session summary from both descriptions. <paramref name="local"/> is what the SFU
    /// wrote, <paramref name="remote"/> the peer's; the answer decides which m-sections and
    /// payload types were accepted.
    /// </summary>
    public static NegotiatedSession Build(
        SessionDescription local,
        SessionDescription remote,
        bool localIsOfferer,
        RemoteTransport transport,
        SetupRole localSetup,
        IReadOnlyDictionary<int, string>? rejectReasons)
    {
        var offer = localIsOfferer ? local : remote;
        var answer = localIsOfferer ? remote : local;
        var media = new List<NegotiatedMedia>();
        var rejected = new List<RejectedMedia>();

        for (int i = 0; i < answer.Media.Count && i < offer.Media.Count; i++)
        {
            var a = answer.Media[i];
            var o = offer.Media[i];
            string? mid = a.Mid ?? o.Mid;
            if (a.IsRejected || o.IsRejected || mid is null || !SdpEnumText.TryParseKind(o.Media, out var kind))
            {
                string reason = rejectReasons is not null && rejectReasons.TryGetValue(i, out string? r)
                    ? r
                    : "rejected (port 0)";
                rejected.Add(new RejectedMedia(i, mid, o.Media, reason));
                continue;
            }
            var lm = local.Media[i];
            var rm = remote.Media[i];
            media.Add(BuildMedia(i, mid, kind, o, a, lm, rm, local, remote));
        }

        return new NegotiatedSession
        {
            RemoteIceUfrag = transport.Ufrag,
            RemoteIcePwd = transport.Pwd,
            RemoteIceLite = transport.Lite,
            RemoteIceOptions = transport.Options,
            RemoteFingerprint = transport.Fingerprint,
            RemoteFingerprints = transport.Fingerprints,
            RemoteSetup = transport.Setup,
            LocalSetup = localSetup,
            LocalDtlsRole = localSetup == SetupRole.Active ? DtlsRole.Client : DtlsRole.Server,
            BundleMids = answer.BundleGroup?.Mids ?? [],
            Media = media,
            Rejected = rejected,
            RemoteCandidates = transport.Candidates,
            RemoteEndOfCandidates = transport.EndOfCandidates,
            ExtmapAllowMixed = offer.ExtmapAllowMixed && answer.ExtmapAllowMixed,
        };
    }

    private static NegotiatedMedia BuildMedia(
        int index, string mid, MediaKind kind,
        MediaDescription o, MediaDescription a, MediaDescription lm, MediaDescription rm,
        SessionDescription local, SessionDescription remote)
    {
        var codecs = new List<NegotiatedCodec>();
        var rtx = new Dictionary<int, int>();
        var seenPts = new HashSet<int>();
        foreach (string fmt in a.Formats)
        {
            if (!SdpGrammar.TryParseInt(fmt, 0, 127, out int pt) || !seenPts.Add(pt)) continue;
            var map = a.FindRtpMap(pt) ?? o.FindRtpMap(pt);
            if (map is null) continue;
            if (CodecMatching.IsRtx(map))
            {
                var apt = (a.FindFmtp(pt) ?? o.FindFmtp(pt))?.ParseParameters();
                if (apt is not null && apt.TryGetInt("apt", out int primary)) rtx[pt] = primary;
                continue;
            }
            var localParams = FormatParameters.Parse(lm.FindFmtp(pt)?.Parameters);
            codecs.Add(new NegotiatedCodec
            {
                PayloadType = pt,
                Name = map.EncodingName,
                ClockRate = map.ClockRate,
                Channels = map.Channels ?? 1,
                Fmtp = localParams.ToString(),
                Parameters = localParams.ToDictionary(),
                RemoteParameters = FormatParameters.Parse(rm.FindFmtp(pt)?.Parameters).ToDictionary(),
                Feedback = a.FeedbackFor(pt),
            });
        }
        // Keep only RTX that repairs a negotiated codec, and link it from the codec.
        foreach (int rtxPt in rtx.Keys.ToList())
        {
            int codecIndex = codecs.FindIndex(c => c.PayloadType == rtx[rtxPt]);
            if (codecIndex < 0)
            {
                rtx.Remove(rtxPt);
                continue;
            }
            if (codecs[codecIndex].RtxPayloadType is null) codecs[codecIndex] = codecs[codecIndex] with { RtxPayloadType = rtxPt };
        }

        var extensions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var ext in a.Extmaps)
        {
            if (ext.Direction != MediaDirection.Inactive) extensions.TryAdd(ext.Uri, ext.Id);
        }

        var localDir = local.EffectiveDirection(lm);
        var remoteDir = remote.EffectiveDirection(rm);
        var direction = SdpEnumText.FromFlags(
            localDir.Sends() && remoteDir.Receives(),
            localDir.Receives() && remoteDir.Sends());

        var localStreams = new List<OutgoingStream>();
        foreach (var s in ReadStreams(lm))
        {
            localStreams.Add(new OutgoingStream(s.Ssrc, s.RtxSsrc, s.Cname ?? "", s.StreamId ?? "-", s.TrackId ?? ""));
        }

        return new NegotiatedMedia
        {
            Mid = mid,
            Kind = kind,
            Index = index,
            Direction = direction,
            Codecs = codecs,
            RtxPayloadTypes = rtx,
            HeaderExtensions = extensions,
            RemoteStreams = ReadStreams(rm),
            RemoteSsrcGroups = [.. rm.SsrcGroups],
            RemoteMsid = rm.Msids.Count > 0 ? rm.Msids[0] : null,
            RemoteRids = rm.AttributeValues("rid"),
            RemoteSimulcast = rm.AttributeValues("simulcast").FirstOrDefault(),
            LocalStreams = localStreams,
            BitrateCapKbps = ReadCap(lm),
            RtcpReducedSize = o.RtcpReducedSize && a.RtcpReducedSize,
        };
    }

    private static int? ReadCap(MediaDescription m)
    {
        foreach (var bw in m.Bandwidths)
        {
            if (string.Equals(bw.Type, "TIAS", StringComparison.OrdinalIgnoreCase)) return (int)Math.Min(bw.Value / 1000, int.MaxValue);
        }
        foreach (var bw in m.Bandwidths)
        {
            if (string.Equals(bw.Type, "AS", StringComparison.OrdinalIgnoreCase)) return (int)Math.Min(bw.Value, int.MaxValue);
        }
        return null;
    }

    /// <summary>
    /// Streams from a=ssrc lines: primaries in order of appearance, each with the RTX SSRC its
    /// ssrc-group:FID names (RFC 5576 §4.2, RFC 4588), cname and msid (the a=ssrc msid, else the m-section's).
    /// </summary>
    public static List<RemoteStream> ReadStreams(MediaDescription m)
    {
        var rtxOf = new Dictionary<uint, uint>();
        var repairs = new HashSet<uint>();
        foreach (var group in m.SsrcGroups)
        {
            if (string.Equals(group.Semantics, "FID", StringComparison.OrdinalIgnoreCase) && group.Ssrcs.Count >= 2
                && group.Ssrcs[0] != group.Ssrcs[1])
            {
                rtxOf.TryAdd(group.Ssrcs[0], group.Ssrcs[1]);
                repairs.Add(group.Ssrcs[1]);
            }
        }

        var order = new List<uint>();
        var seen = new HashSet<uint>();
        foreach (var line in m.Ssrcs)
        {
            if (seen.Add(line.Ssrc)) order.Add(line.Ssrc);
        }
        foreach (var group in m.SsrcGroups)
        {
            foreach (uint ssrc in group.Ssrcs)
            {
                if (seen.Add(ssrc)) order.Add(ssrc);
            }
        }

        var lines = new Dictionary<uint, List<SdpSsrcAttribute>>();
        foreach (var line in m.Ssrcs)
        {
            if (!lines.TryGetValue(line.Ssrc, out var list)) lines[line.Ssrc] = list = [];
            list.Add(line);
        }

        var streams = new List<RemoteStream>();
        var mediaMsid = m.Msids.Count > 0 ? m.Msids[0] : null;
        foreach (uint ssrc in order)
        {
            if (repairs.Contains(ssrc) && !rtxOf.ContainsKey(ssrc)) continue;
            string? cname = null, streamId = mediaMsid?.StreamId, trackId = mediaMsid?.TrackId;
            foreach (var line in lines.TryGetValue(ssrc, out var own) ? own : [])
            {
                if (line.Value is null) continue;
                if (line.Name == "cname") cname ??= line.Value;
                else if (line.Name == "msid")
                {
                    string[] parts = SdpGrammar.Tokens(line.Value);
                    if (parts.Length >= 1)
                    {
                        streamId = parts[0];
                        trackId = parts.Length >= 2 ? parts[1] : null;
                    }
                }
            }
            streams.Add(new RemoteStream(ssrc, rtxOf.TryGetValue(ssrc, out uint rtx) ? rtx : null, cname, streamId, trackId));
        }
        return streams;
    }
}
