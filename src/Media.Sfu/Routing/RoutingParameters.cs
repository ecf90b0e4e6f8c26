using Media.Sfu.Sdp;

namespace Media.Sfu.Routing;

/// <summary>An incoming stream as its transport's negotiation describes it.</summary>
public sealed record ProducerParameters(MediaKind Kind, string Mid, uint Ssrc, uint? RtxSsrc, string? Cname, NegotiatedMedia Media);
