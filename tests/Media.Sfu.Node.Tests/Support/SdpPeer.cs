using System.Security.Cryptography;
using Media.Sfu.Sdp;

namespace Media.Sfu.Node.Tests.Support;

/// <summary>
/// A browser's side of the SDP exchange without a browser: writes a valid BUNDLE offer (audio, optionally video)
/// and answers an SFU offer, with ICE credentials and a DTLS fingerprint of its own. Enough for the SFU to
/// negotiate and create transports; no media flows.
/// </summary>
public static class SdpPeer
{
    public static string Offer(bool video)
    {
        var cname = "peer-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
        var media = new List<OfferedMediaSection>
        {
            new("0", MediaKind.Audio) { Stream = new OutgoingStream(Ssrc(), null, cname, "s", "a") },
        };
        if (video) media.Add(new("1", MediaKind.Video) { Stream = new OutgoingStream(Ssrc(), Ssrc(), cname, "s", "v") });
        Assert.True(SdpOfferer.TryCreateOffer(new OfferOptions { Transport = Transport(), Media = media }, out var offer, out var error), error);
        return offer.ToString();
    }

    public static string Answer(string sfuOffer)
    {
        var cname = "peer-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
        Assert.True(SessionDescription.TryParse(sfuOffer, out var offer, out var parseError), parseError);
        var streams = offer!.Media.Where(m => m.Mid is not null)
            .ToDictionary(m => m.Mid!, m => new OutgoingStream(Ssrc(), m.Media == "video" ? Ssrc() : null, cname, "s", m.Media + m.Mid));
        var result = SdpAnswerer.Answer(offer, new AnswerOptions
        {
            Transport = Transport(), SetupWhenOfferActPass = SetupRole.Active, OutgoingStreams = streams,
        });
        Assert.True(result.IsSuccess, result.ErrorMessage);
        return result.AnswerSdp!;
    }

    private static LocalTransportParameters Transport() => new()
    {
        IceUfrag = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)),
        IcePwd = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)),
        IceLite = false,
        Fingerprint = new SdpFingerprint("sha-256", string.Join(":", RandomNumberGenerator.GetBytes(32).Select(b => b.ToString("X2")))),
        EndOfCandidates = false,
    };

    private static uint Ssrc() => (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
}
