using System.Diagnostics.CodeAnalysis;

namespace Media.Sfu.Sdp;

/// <summary>
/// The SFU in the JSEP offerer role (RFC 8829 §5.2), for renegotiation or SFU-initiated sessions:
/// writes an offer with a=setup:actpass over one BUNDLE transport, then applies the peer's answer.
/// </summary>
public static class SdpOfferer
{
    public static bool TryCreateOffer(
        OfferOptions options,
        [NotNullWhen(true)] out SessionDescription? offer,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        offer = null;
        error = SdpNegotiation.ValidateLocal(options.Transport, options.AudioBitrateCapKbps, options.VideoBitrateCapKbps, out var candidates);
        if (error is not null) return false;
        if (options.Media is null || options.Media.Count == 0)
        {
            error = "an offer needs at least one m-section";
            return false;
        }

        var description = SdpNegotiation.NewSession(options.SessionId, options.SessionVersion);
        description.IceLite = options.Transport.IceLite;
        description.ExtmapAllowMixed = options.ExtmapAllowMixed;
        var mids = new HashSet<string>(StringComparer.Ordinal);
        var bundle = new List<string>();
        var streamIds = new List<string>();

        foreach (var section in options.Media)
        {
            if (section is null || !SdpNegotiation.IsValidMid(section.Mid))
            {
                error = $"mid '{section?.Mid}' is not a token";
                return false;
            }
            if (!mids.Add(section.Mid))
            {
                error = $"mid '{section.Mid}' appears twice";
                return false;
            }
            var m = OfferSection(section, options, candidates, out error);
            if (m is null)
            {
                error ??= $"mid '{section.Mid}' cannot be offered";
                return false;
            }
            description.Media.Add(m);
            if (!section.Stopped) bundle.Add(section.Mid);
            if (section.Stream is not null && !section.Stopped && !streamIds.Contains(section.Stream.StreamId)) streamIds.Add(section.Stream.StreamId);
        }
        if (bundle.Count == 0)
        {
            error = "every m-section is stopped";
            return false;
        }
        description.Groups.Add(new SdpGroup("BUNDLE", bundle));
        description.MsidSemantic = new SdpMsidSemantic("WMS", streamIds);
        offer = description;
        return true;
    }

    private static MediaDescription? OfferSection(
        OfferedMediaSection section, OfferOptions options, List<IceCandidate> candidates, out string? error)
    {
        var codecs = new List<(int Pt, string Name, int Clock, int Channels, string Fmtp, IReadOnlyList<SdpRtcpFeedback> Feedback, int? RtxPt)>();
        var extensions = new List<(string Uri, int Id)>();
        int? capKbps = section.Kind == MediaKind.Audio ? options.AudioBitrateCapKbps : options.VideoBitrateCapKbps;

        if (section.Previous is { } previous)
        {
            if (previous.Kind != section.Kind)
            {
                error = $"mid '{section.Mid}' was {previous.Kind.ToSdp()} before; an m-section cannot change kind";
                return null;
            }
            foreach (var c in previous.Codecs)
            {
                codecs.Add((c.PayloadType, c.Name, c.ClockRate, c.Channels, c.Fmtp, c.Feedback, c.RtxPayloadType));
            }
            foreach (var (uri, id) in previous.HeaderExtensions) extensions.Add((uri, id));
        }
        else
        {
            foreach (var cap in options.Capabilities.Codecs)
            {
                if (cap.Kind != section.Kind) continue;
                var fmtp = FormatParameters.Parse(cap.Parameters);
                if (CodecMatching.IsNamed(cap.Name, "opus") && capKbps is int kbps)
                {
                    fmtp.Set("maxaveragebitrate", SdpGrammar.Num(CodecMatching.OpusMaxAverageBitrate(kbps)));
                }
                codecs.Add((cap.PayloadType, cap.Name, cap.ClockRate, cap.Channels, fmtp.ToString(), cap.Feedback, cap.RtxPayloadType));
            }
            foreach (var hx in options.Capabilities.HeaderExtensions)
            {
                if (hx.AppliesTo(section.Kind)) extensions.Add((hx.Uri, hx.Id));
            }
        }
        if (codecs.Count == 0)
        {
            error = $"no {section.Kind.ToSdp()} codec to offer for mid '{section.Mid}'";
            return null;
        }

        var pts = new HashSet<int>();
        foreach (var c in codecs)
        {
            if (c.Pt is < 0 or > 127 || !pts.Add(c.Pt) || (c.RtxPt is int r && (r is < 0 or > 127 || !pts.Add(r))))
            {
                error = $"payload types for mid '{section.Mid}' are out of range or collide";
                return null;
            }
        }
        var ids = new HashSet<int>();
        foreach (var (_, id) in extensions)
        {
            if (id is < 1 or > 255 || !ids.Add(id))
            {
                error = $"header extension ids for mid '{section.Mid}' are out of range or collide";
                return null;
            }
        }

        var m = new MediaDescription
        {
            Media = section.Kind.ToSdp(),
            Protocol = "UDP/TLS/RTP/SAVPF",
            Connection = SdpConnection.Unspecified,
            Mid = section.Mid,
            Direction = section.Direction,
            RtcpMux = true,
            RtcpReducedSize = true,
        };
        foreach (var c in codecs)
        {
            m.Formats.Add(SdpGrammar.Num(c.Pt));
            if (c.RtxPt is int rtxFormat) m.Formats.Add(SdpGrammar.Num(rtxFormat));
        }

        if (section.Stopped)
        {
            // RFC 8829 §5.2.2: a stopped m-section keeps its line with port 0 and its mid, nothing else.
            m.Port = 0;
            m.Direction = MediaDirection.Inactive;
            m.RtcpMux = false;
            m.RtcpReducedSize = false;
            error = null;
            return m;
        }

        SdpNegotiation.AddBitrateCap(m, capKbps);
        SdpNegotiation.AddTransport(m, options.Transport, SetupRole.ActPass, candidates);
        foreach (var (uri, id) in extensions) m.Extmaps.Add(new SdpExtmap(id, null, uri, null));
        foreach (var c in codecs)
        {
            m.RtpMaps.Add(new SdpRtpMap(c.Pt, c.Name, c.Clock, section.Kind == MediaKind.Audio ? c.Channels : null));
            foreach (var fb in c.Feedback) m.RtcpFeedbacks.Add(fb with { PayloadType = c.Pt });
            if (c.Fmtp.Length > 0) m.Fmtps.Add(new SdpFmtp(c.Pt, c.Fmtp));
            if (c.RtxPt is int rtx)
            {
                m.RtpMaps.Add(new SdpRtpMap(rtx, "rtx", c.Clock, null));
                m.Fmtps.Add(new SdpFmtp(rtx, $"apt={c.Pt}"));
            }
        }

        if (section.Stream is { } stream)
        {
            if (!section.Direction.Sends())
            {
                error = $"mid '{section.Mid}' has a stream but direction {section.Direction.ToSdp()}";
                return null;
            }
            string? streamError = SdpNegotiation.ValidateStream(stream);
            if (streamError is not null)
            {
                error = $"stream for mid '{section.Mid}': {streamError}";
                return null;
            }
            SdpNegotiation.AddStream(m, stream, codecs.Any(c => c.RtxPt is not null));
        }
        error = null;
        return m;
    }

    /// <summary>Parses and applies the peer's answer to an offer this class wrote.</summary>
    public static NegotiationResult ApplyAnswer(SessionDescription localOffer, string? answerSdp)
    {
        var parsed = SessionDescription.Parse(answerSdp);
        if (!parsed.IsSuccess) return NegotiationResult.Fail(NegotiationError.MalformedSdp, $"answer is not valid SDP: {parsed.Error}");
        return ApplyAnswer(localOffer, parsed.Value);
    }

    /// <summary>Payload types compare as numbers ("096" is 96); other formats as text.</summary>
    private static string Canonical(string format) =>
        SdpGrammar.TryParseInt(format, 0, 127, out int pt) ? SdpGrammar.Num(pt) : format;

    public static NegotiationResult ApplyAnswer(SessionDescription localOffer, SessionDescription answer)
    {
        ArgumentNullException.ThrowIfNull(localOffer);
        ArgumentNullException.ThrowIfNull(answer);

        // RFC 3264 §6: one answer m-line per offer m-line, same order and media.
        if (answer.Media.Count != localOffer.Media.Count)
        {
            return NegotiationResult.Fail(NegotiationError.AnswerMismatch,
                $"answer has {answer.Media.Count} m-sections, the offer {localOffer.Media.Count}");
        }
        for (int i = 0; i < answer.Media.Count; i++)
        {
            var a = answer.Media[i];
            var o = localOffer.Media[i];
            if (a.Media != o.Media || (a.Mid is not null && a.Mid != o.Mid))
            {
                return NegotiationResult.Fail(NegotiationError.AnswerMismatch,
                    $"answer m-section {i} ({a.Media}, mid '{a.Mid}') does not match the offer ({o.Media}, mid '{o.Mid}')");
            }
        }

        bool anyAccepted = false;
        for (int i = 0; i < answer.Media.Count; i++)
        {
            anyAccepted |= !answer.Media[i].IsRejected && !localOffer.Media[i].IsRejected;
        }
        if (!anyAccepted) return NegotiationResult.Fail(NegotiationError.NoUsableMedia, "the answer rejected every m-section");

        var bundle = answer.BundleGroup;
        if (bundle is null || bundle.Mids.Count == 0)
        {
            return NegotiationResult.Fail(NegotiationError.MissingBundle, "answer has no a=group:BUNDLE; the SFU requires BUNDLE (RFC 8843)");
        }
        var answerByMid = new Dictionary<string, MediaDescription>(StringComparer.Ordinal);
        foreach (var section in answer.Media)
        {
            if (section.Mid is not null) answerByMid.TryAdd(section.Mid, section);
        }
        var bundled = new HashSet<string>(bundle.Mids, StringComparer.Ordinal);
        foreach (string mid in bundle.Mids)
        {
            if (!answerByMid.TryGetValue(mid, out var m) || m.IsRejected)
            {
                return NegotiationResult.Fail(NegotiationError.InvalidBundle, $"answer BUNDLE group names mid '{mid}' which is absent or rejected");
            }
        }

        // RFC 4145 §4: an answer without a=setup means passive.
        var failure = SdpNegotiation.ReadRemoteTransport(answer, answerByMid[bundle.Mids[0]], SetupRole.Passive, out var transport);
        if (failure is not null) return failure;
        SetupRole localSetup;
        switch (transport!.Setup)
        {
            case SetupRole.Active: localSetup = SetupRole.Passive; break;
            case SetupRole.Passive: localSetup = SetupRole.Active; break;
            default:
                return NegotiationResult.Fail(NegotiationError.InvalidSetupRole,
                    $"answer has a=setup:{transport.Setup.ToSdp()}; an answer must be active or passive (RFC 5763 §5)");
        }

        var reasons = new Dictionary<int, string>();
        for (int i = 0; i < answer.Media.Count; i++)
        {
            var a = answer.Media[i];
            var o = localOffer.Media[i];
            if (a.IsRejected || o.IsRejected)
            {
                reasons[i] = o.IsRejected ? "stopped by the SFU" : "rejected by the answerer (port 0)";
                continue;
            }
            if (a.Mid is null || !bundled.Contains(a.Mid))
            {
                return NegotiationResult.Fail(NegotiationError.InvalidBundle, $"accepted m-section {i} is not in the answer's BUNDLE group");
            }
            if (!a.RtcpMux)
            {
                return NegotiationResult.Fail(NegotiationError.MissingRtcpMux, $"answer m-section {i} (mid '{a.Mid}') lacks a=rtcp-mux");
            }
            bool hasCodec = false;
            var offered = new HashSet<string>(StringComparer.Ordinal);
            foreach (string fmt in o.Formats) offered.Add(Canonical(fmt));
            foreach (string fmt in a.Formats)
            {
                if (!offered.Contains(Canonical(fmt)))
                {
                    return NegotiationResult.Fail(NegotiationError.AnswerMismatch,
                        $"answer m-section {i} uses payload type {fmt} the offer did not have");
                }
                if (SdpGrammar.TryParseInt(fmt, 0, 127, out int pt) && (a.FindRtpMap(pt) ?? o.FindRtpMap(pt)) is { } map && !CodecMatching.IsRtx(map))
                {
                    hasCodec = true;
                }
            }
            if (!hasCodec)
            {
                return NegotiationResult.Fail(NegotiationError.AnswerMismatch, $"answer m-section {i} accepts no media codec");
            }
        }

        var session = SdpNegotiation.Build(localOffer, answer, localIsOfferer: true, transport, localSetup, reasons);
        return NegotiationResult.Ok(answer, session);
    }
}
