using Media.Sfu.Sdp;

namespace Media.Sfu.Routing;

/// <summary>What the SFU knows about an incoming stream from the negotiation (SDP) of its transport.</summary>
public sealed record ProducerParameters(MediaKind Kind, string Mid, uint Ssrc, uint? RtxSsrc, string? Cname, uint ClockRate,
    IReadOnlyList<byte> PayloadTypes, byte? RtxPayloadType);

/// <summary>How an outgoing stream appears on its transport: our SSRCs and the receiver's negotiated numbers.</summary>
/// <param name="PayloadTypeMap">Producer payload type → consumer payload type; index = producer PT, 0 = not forwarded.</param>
/// <param name="ExtensionIdMap">Producer extension id → consumer extension id (RtpPacket.TryRemapExtensionIds); null = same ids.</param>
public sealed record ConsumerParameters(string Mid, uint Ssrc, uint? RtxSsrc, byte[] PayloadTypeMap, byte[]? ExtensionIdMap);
