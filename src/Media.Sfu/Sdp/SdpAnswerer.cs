namespace Media.Sfu.Sdp;

/// <summary>
/// The SFU in the JSEP answerer role (RFC 8829 §5.3): answers a browser or WHIP client offer with
/// one BUNDLE transport, ICE-lite, DTLS-SRTP, and the codecs/extensions the SFU forwards.
/// </summary>
public static class SdpAnswerer
{
    /// <summary>Parses the offer text and answers it. Never throws for bad offers.</summary>
    public static NegotiationResult Answer(string? offerSdp, AnswerOptions options)
    {
        var parsed = SessionDescription.Parse(offerSdp);
        if (!parsed.IsSuccess) return NegotiationResult.Fail(NegotiationError.MalformedSdp, $"offer is not valid SDP: {parsed.Error}");
        return Answer(parsed.Value, options);
    }

    public static NegotiationResult Answer(SessionDescription offer, AnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(options);

        string? localError = SdpNegotiation.ValidateLocal(
            options.Transport, options.AudioBitrateCapKbps, options.VideoBitrateCapKbps, out var localCandidates);
        if (localError is null) localError = ValidateStreams(options);
        if (localError is not null) return NegotiationResult.Fail(NegotiationError.InvalidLocalParameters, localError);
        if (options.SetupWhenOfferActPass is not (SetupRole.Active or SetupRole.Passive))
        {
            return NegotiationResult.Fail(NegotiationError.InvalidLocalParameters, "SetupWhenOfferActPass must be Active or Passive");
        }

        if (offer.Media.Count > options.MaxMediaSections)
        {
            return NegotiationResult.Fail(NegotiationError.TooManyMediaSections,
                $"offer has {offer.Media.Count} m-sections; at most {options.MaxMediaSections} are accepted");
        }

        // RFC 8843: the SFU runs every m-section over one transport, so the offer must bundle.
        var bundle = offer.BundleGroup;
        if (bundle is null || bundle.Mids.Count == 0)
        {
            return NegotiationResult.Fail(NegotiationError.MissingBundle, "offer has no a=group:BUNDLE; the SFU requires BUNDLE (RFC 8843)");
        }
        var mids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in offer.Media)
        {
            if (m.Mid is not null && !mids.Add(m.Mid))
            {
                return NegotiationResult.Fail(NegotiationError.InvalidBundle, $"mid '{m.Mid}' is used by more than one m-section");
            }
        }
        var bundled = new HashSet<string>(StringComparer.Ordinal);
        foreach (string mid in bundle.Mids)
        {
            if (!mids.Contains(mid)) return NegotiationResult.Fail(NegotiationError.InvalidBundle, $"BUNDLE group names mid '{mid}' but no m-section has it");
            if (!bundled.Add(mid)) return NegotiationResult.Fail(NegotiationError.InvalidBundle, $"BUNDLE group names mid '{mid}' twice");
        }
        foreach (string mid in options.Directions.Keys)
        {
            if (!mids.Contains(mid)) return NegotiationResult.Fail(NegotiationError.InvalidLocalParameters, $"direction given for mid '{mid}' which the offer does not have");
        }
        foreach (string mid in options.OutgoingStreams.Keys)
        {
            if (!mids.Contains(mid)) return NegotiationResult.Fail(NegotiationError.InvalidLocalParameters, $"outgoing stream given for mid '{mid}' which the offer does not have");
        }

        // RFC 8843: the offerer-tagged m-section (first mid in the group) carries the transport parameters.
        var tag = offer.FindMedia(bundle.Mids[0])!;
        // RFC 4145 §4: an offer without a=setup means active.
        var failure = SdpNegotiation.ReadRemoteTransport(offer, tag, SetupRole.Active, out var transport);
        if (failure is not null) return failure;
        SetupRole localSetup;
        switch (transport!.Setup)
        {
            case SetupRole.ActPass: localSetup = options.SetupWhenOfferActPass; break;
            case SetupRole.Active: localSetup = SetupRole.Passive; break;
            case SetupRole.Passive: localSetup = SetupRole.Active; break;
            default:
                return NegotiationResult.Fail(NegotiationError.InvalidSetupRole, "offer has a=setup:holdconn; a DTLS connection is required (RFC 5763 §5)");
        }

        var answer = SdpNegotiation.NewSession(options.SessionId, options.SessionVersion);
        answer.IceLite = options.Transport.IceLite;
        answer.ExtmapAllowMixed = offer.ExtmapAllowMixed && options.AllowMixedExtmap;
        var reasons = new Dictionary<int, string>();

        for (int i = 0; i < offer.Media.Count; i++)
        {
            var o = offer.Media[i];
            string? reason = Screen(o, bundled, out var kind);
            if (reason is null && !o.RtcpMux)
            {
                return NegotiationResult.Fail(NegotiationError.MissingRtcpMux,
                    $"m-section {i} (mid '{o.Mid}') lacks a=rtcp-mux, which BUNDLE requires (RFC 5761, RFC 8843)");
            }
            MediaDescription? section = null;
            if (reason is null)
            {
                section = AnswerSection(offer, o, kind, options, localSetup, localCandidates, out reason);
            }
            if (section is null)
            {
                reasons[i] = reason!;
                answer.Media.Add(Rejected(o));
            }
            else
            {
                answer.Media.Add(section);
            }
        }

        var answerByMid = new Dictionary<string, MediaDescription>(StringComparer.Ordinal);
        foreach (var section in answer.Media)
        {
            if (section.Mid is not null) answerByMid[section.Mid] = section;
        }
        var accepted = new List<string>();
        foreach (string mid in bundle.Mids)
        {
            if (answerByMid[mid] is { IsRejected: false }) accepted.Add(mid);
        }
        if (accepted.Count == 0)
        {
            string why = string.Join("; ", reasons.Select(r => $"m-section {r.Key}: {r.Value}"));
            return NegotiationResult.Fail(NegotiationError.NoUsableMedia, $"no audio or video m-section could be accepted ({why})");
        }
        // RFC 8843: rejected mids leave the answer's group; the first remaining one is answerer-tagged.
        answer.Groups.Add(new SdpGroup("BUNDLE", accepted));

        foreach (var (mid, stream) in options.OutgoingStreams)
        {
            var section = answerByMid[mid];
            if (section.IsRejected)
            {
                return NegotiationResult.Fail(NegotiationError.InvalidLocalParameters,
                    $"outgoing stream given for mid '{mid}', but that m-section is rejected ({reasons[answer.Media.IndexOf(section)]})");
            }
            if (!answer.EffectiveDirection(section).Sends())
            {
                return NegotiationResult.Fail(NegotiationError.InvalidLocalParameters,
                    $"outgoing stream given for mid '{mid}', but the answer is {section.Direction?.ToSdp()} there");
            }
        }
        var streamIds = new List<string>();
        foreach (var section in answer.Media)
        {
            if (section.Mid is null || section.IsRejected || !options.OutgoingStreams.TryGetValue(section.Mid, out var stream)) continue;
            bool rtxNegotiated = section.RtpMaps.Any(CodecMatching.IsRtx);
            SdpNegotiation.AddStream(section, stream, rtxNegotiated);
            if (!streamIds.Contains(stream.StreamId)) streamIds.Add(stream.StreamId);
        }
        answer.MsidSemantic = new SdpMsidSemantic("WMS", streamIds);

        var session = SdpNegotiation.Build(answer, offer, localIsOfferer: false, transport, localSetup, reasons);
        return NegotiationResult.Ok(answer, session);
    }

    private static string? ValidateStreams(AnswerOptions options)
    {
        foreach (var (mid, stream) in options.OutgoingStreams)
        {
            if (stream is null) return $"outgoing stream for mid '{mid}' is null";
            string? error = SdpNegotiation.ValidateStream(stream);
            if (error is not null) return $"outgoing stream for mid '{mid}': {error}";
        }
        return null;
    }

    /// <summary>Reasons to reject an m-section before looking at codecs; null when it is a candidate.</summary>
    private static string? Screen(MediaDescription o, HashSet<string> bundled, out MediaKind kind)
    {
        kind = MediaKind.Audio;
        if (o.IsRejected) return "rejected by the offerer (port 0)";
        if (!SdpEnumText.TryParseKind(o.Media, out kind)) return $"media '{o.Media}' is not supported";
        if (o.Mid is null) return "no a=mid";
        if (!bundled.Contains(o.Mid)) return "not in the BUNDLE group";
        if (!SdpNegotiation.IsDtlsSrtpProtocol(o.Protocol)) return $"protocol '{o.Protocol}' is not DTLS-SRTP";
        return null;
    }

    /// <summary>RFC 8829 §5.3.1: a rejected m-section keeps kind, protocol, formats and mid, with port 0.</summary>
    private static MediaDescription Rejected(MediaDescription o) => new()
    {
        Media = o.Media,
        Port = 0,
        Protocol = o.Protocol,
        Formats = [.. o.Formats],
        Connection = SdpConnection.Unspecified,
        Mid = o.Mid,
    };

    private sealed record Offered(int Order, int PayloadType, SdpRtpMap Map, FormatParameters Parameters);

    private static MediaDescription? AnswerSection(
        SessionDescription offer, MediaDescription o, MediaKind kind, AnswerOptions options,
        SetupRole localSetup, List<IceCandidate> candidates, out string? reason)
    {
        var offered = new List<Offered>();
        var seen = new HashSet<int>();
        for (int i = 0; i < o.Formats.Count; i++)
        {
            if (!SdpGrammar.TryParseInt(o.Formats[i], 0, 127, out int pt) || !seen.Add(pt)) continue;
            var map = o.FindRtpMap(pt);
            if (map is null) continue;
            offered.Add(new Offered(i, pt, map, FormatParameters.Parse(o.FindFmtp(pt)?.Parameters)));
        }

        // Each capability takes the best matching offered payload type; the answer keeps offer order.
        var chosen = new List<(Offered Entry, CodecCapability Cap)>();
        var taken = new HashSet<int>();
        foreach (var cap in options.Capabilities.Codecs)
        {
            Offered? best = null;
            int bestRank = int.MaxValue;
            foreach (var entry in offered)
            {
                if (taken.Contains(entry.PayloadType) || CodecMatching.IsRtx(entry.Map)) continue;
                if (CodecMatching.Matches(cap, kind, entry.Map, entry.Parameters, out int rank) && rank < bestRank)
                {
                    best = entry;
                    bestRank = rank;
                }
            }
            if (best is not null)
            {
                taken.Add(best.PayloadType);
                chosen.Add((best, cap));
            }
        }
        if (chosen.Count == 0)
        {
            reason = "no codec in common with the SFU";
            return null;
        }

        var rtxFor = new Dictionary<int, Offered>();
        foreach (var (entry, cap) in chosen)
        {
            if (cap.RtxPayloadType is null) continue;
            foreach (var candidate in offered)
            {
                if (!CodecMatching.IsRtx(candidate.Map) || taken.Contains(candidate.PayloadType)) continue;
                if (candidate.Map.ClockRate == entry.Map.ClockRate
                    && candidate.Parameters.TryGetInt("apt", out int apt) && apt == entry.PayloadType)
                {
                    rtxFor[entry.PayloadType] = candidate;
                    taken.Add(candidate.PayloadType);
                    break;
                }
            }
        }

        var offerDir = offer.EffectiveDirection(o);
        var want = options.Directions.TryGetValue(o.Mid!, out var d) ? d : MediaDirection.SendRecv;
        var direction = SdpEnumText.FromFlags(want.Sends() && offerDir.Receives(), want.Receives() && offerDir.Sends());
        int? capKbps = kind == MediaKind.Audio ? options.AudioBitrateCapKbps : options.VideoBitrateCapKbps;

        var m = new MediaDescription
        {
            Media = o.Media,
            Port = 9,
            Protocol = o.Protocol,
            Connection = SdpConnection.Unspecified,
            Mid = o.Mid,
            Direction = direction,
            RtcpMux = true,
            RtcpReducedSize = o.RtcpReducedSize,
        };
        SdpNegotiation.AddBitrateCap(m, capKbps);
        SdpNegotiation.AddTransport(m, options.Transport, localSetup, candidates);

        // RFC 8285 offer/answer: the answer keeps the offered ids; a direction is mirrored.
        foreach (var ext in o.Extmaps)
        {
            bool supported = false;
            foreach (var hx in options.Capabilities.HeaderExtensions)
            {
                supported |= hx.AppliesTo(kind) && string.Equals(hx.Uri, ext.Uri, StringComparison.Ordinal);
            }
            if (supported) m.Extmaps.Add(new SdpExtmap(ext.Id, ext.Direction?.Reverse(), ext.Uri, null));
        }

        chosen.Sort((x, y) => x.Entry.Order.CompareTo(y.Entry.Order));
        var included = new HashSet<int>();
        foreach (var (entry, codecCap) in chosen)
        {
            included.Add(entry.PayloadType);
            m.RtpMaps.Add(entry.Map);
            foreach (var fb in o.FeedbackFor(entry.PayloadType))
            {
                if (codecCap.Feedback.Any(f => f.SameKind(fb))) m.RtcpFeedbacks.Add(fb);
            }
            var parameters = AnswerParameters(codecCap, entry.Parameters, kind == MediaKind.Audio ? capKbps : null);
            if (parameters.Count > 0) m.Fmtps.Add(new SdpFmtp(entry.PayloadType, parameters.ToString()));
            if (rtxFor.TryGetValue(entry.PayloadType, out var rtx))
            {
                included.Add(rtx.PayloadType);
                m.RtpMaps.Add(rtx.Map);
                m.Fmtps.Add(new SdpFmtp(rtx.PayloadType, $"apt={entry.PayloadType}"));
            }
        }
        foreach (var entry in offered)
        {
            if (included.Contains(entry.PayloadType)) m.Formats.Add(SdpGrammar.Num(entry.PayloadType));
        }

        reason = null;
        return m;
    }

    /// <summary>The fmtp the SFU writes: its own parameters, the offered H.264 level, and the Opus cap.</summary>
    private static FormatParameters AnswerParameters(CodecCapability cap, FormatParameters offered, int? audioCapKbps)
    {
        var p = FormatParameters.Parse(cap.Parameters);
        if (CodecMatching.IsNamed(cap.Name, "H264") && offered.TryGet("profile-level-id", out string? plid))
        {
            // Same profile (checked when matching); echo the offered level so it is within what the offerer decodes.
            p.Set("profile-level-id", plid);
        }
        if (CodecMatching.IsNamed(cap.Name, "opus") && audioCapKbps is int kbps)
        {
            // RFC 7587: maxaveragebitrate is what the receiver (the SFU) wants at most.
            p.Set("maxaveragebitrate", SdpGrammar.Num(CodecMatching.OpusMaxAverageBitrate(kbps)));
        }
        return p;
    }
}
