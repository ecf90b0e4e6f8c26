using System.Diagnostics;
using System.Text;
using Media.Sfu.Sdp;

namespace Media.Sfu.Tests.Sdp;

/// <summary>
/// Randomized robustness: arbitrary text and mutated real offers/answers/candidates/fragments must
/// end in a result or an error, never an exception; whatever parses must write back stably.
/// </summary>
public class SdpFuzzTests
{
    private const int Seed = 0x5D9_2026;

    private static readonly string[] Snippets =
    [
        "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "c=IN IP4 0.0.0.0", "b=AS:64", "b=TIAS:", "m=audio 9 UDP/TLS/RTP/SAVPF 111",
        "m=video 0 UDP/TLS/RTP/SAVPF 96 97", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=group:BUNDLE 0 1", "a=group:BUNDLE",
        "a=mid:0", "a=mid:1", "a=rtcp-mux", "a=rtcp-rsize", "a=sendonly", "a=recvonly", "a=inactive", "a=sendrecv",
        "a=rtpmap:111 opus/48000/2", "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", "a=fmtp:97 apt=x",
        "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f", "a=rtpmap:102 H264/90000", "a=rtcp-fb:* nack", "a=rtcp-fb:96 nack pli",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid", "a=extmap:3/sendonly http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
        "a=ssrc:1 cname:x", "a=ssrc:2 msid:a b", "a=ssrc-group:FID 1 2", "a=ssrc-group:FID 1 1", "a=msid:a b", "a=ice-ufrag:abcd",
        "a=ice-pwd:abcdefghijklmnopqrstuv", "a=ice-lite", "a=ice-options:trickle", "a=setup:actpass", "a=setup:passive", "a=setup:holdconn",
        $"a=fingerprint:sha-256 {SdpFixtures.ChromeFingerprint}", "a=fingerprint:sha-1 00", "a=candidate:1 1 udp 1 1.2.3.4 9 typ host",
        "a=end-of-candidates", "a=extmap-allow-mixed", "a=bundle-only", "a=msid-semantic: WMS *", "a=rid:h send", "a=simulcast:send h;l",
        "a=", "a=:", "=", "a=rtpmap:", "a=ssrc:", "m=", "x=y", "", " ", "\t",
    ];

    private static readonly string Alphabet = "v=o-s t0123456789a:mbcIN IP4/.;*,UDPTLSRTPAVFaudiovideortpmapfmtpsendrecv\r\n\r\n\n";

    [Fact]
    public void RandomText_NeverThrows()
    {
        var rng = new Random(Seed);
        for (int i = 0; i < 4000; i++)
        {
            string text = i % 2 == 0 ? RandomChars(rng, rng.Next(0, 400)) : RandomSnippetSoup(rng);
            CheckEverything(text);
        }
    }

    [Theory]
    [MemberData(nameof(SdpFixtures.AllOffers), MemberType = typeof(SdpFixtures))]
    public void MutatedOffers_NeverThrowAndAnswersStayConsistent(string name, string offer)
    {
        var rng = new Random(Seed ^ name.GetHashCode(StringComparison.Ordinal) ^ name.Length);
        string[] lines = offer.Split("\r\n")[..^1];
        int parsed = 0, answered = 0;
        for (int i = 0; i < 1500; i++)
        {
            string text = Mutate(rng, lines);
            var (ok, answer) = CheckEverything(text);
            if (ok) parsed++;
            if (answer) answered++;
        }
        // The mutations are mild enough that many inputs still parse and negotiate: the deep paths ran.
        Assert.True(parsed > 150, $"{name}: only {parsed} mutated offers parsed");
        Assert.True(answered > 50, $"{name}: only {answered} mutated offers negotiated");
    }

    [Fact]
    public void MutatedAnswers_ApplyNeverThrows()
    {
        var rng = new Random(Seed + 1);
        Assert.True(SdpOfferer.TryCreateOffer(new OfferOptions
        {
            Transport = SdpFixtures.SfuTransport(),
            Media = [new("0", MediaKind.Audio), new("1", MediaKind.Video) { Stream = new(5, 6, "c", "s", "t") }],
        }, out var offer, out _));
        var peer = new AnswerOptions
        {
            Transport = new LocalTransportParameters
            {
                IceUfrag = "peer",
                IcePwd = "PeerPasswordPeerPassword",
                Fingerprint = new SdpFingerprint("sha-256", SdpFixtures.ChromeFingerprint),
            },
            SetupWhenOfferActPass = SetupRole.Active,
        };
        string answer = SdpAnswerer.Answer(offer.ToString(), peer).AnswerSdp!;
        string[] lines = answer.Split("\r\n")[..^1];
        int applied = 0;
        for (int i = 0; i < 2000; i++)
        {
            string text = Mutate(rng, lines);
            var result = Guard(text, () => SdpOfferer.ApplyAnswer(offer, text));
            Assert.Equal(result.IsSuccess, result.ErrorMessage is null);
            if (result.IsSuccess)
            {
                applied++;
                Assert.All(result.Session!.Media, m => Assert.InRange(m.Index, 0, offer.Media.Count - 1));
            }
        }
        Assert.True(applied > 100, $"only {applied} mutated answers applied");
    }

    [Fact]
    public void MutatedCandidates_NeverThrowAndRoundTrip()
    {
        var rng = new Random(Seed + 2);
        string[] samples =
        [
            "candidate:2437072876 1 udp 2122260223 192.168.1.23 49203 typ host generation 0 network-id 1 network-cost 10",
            "candidate:3586548012 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active generation 0 network-id 1",
            "a=candidate:1060462564 1 udp 1686052607 203.0.113.7 49203 typ srflx raddr 192.168.1.23 rport 49203 generation 0",
            "candidate:842163049 1 udp 41885439 198.51.100.77 3478 typ relay raddr 203.0.113.7 rport 60001",
        ];
        int ok = 0;
        for (int i = 0; i < 5000; i++)
        {
            string[] tokens = samples[rng.Next(samples.Length)].Split(' ');
            string text = string.Join(' ', MutateTokens(rng, tokens));
            bool parsed = Guard(text, () => IceCandidate.TryParse(text, out var c, out string? e) ? Check(c, text) : Check(e, text));
            if (parsed) ok++;
        }
        Assert.True(ok > 500, $"only {ok} mutated candidates parsed");

        static bool Check(object? value, string text)
        {
            if (value is IceCandidate c)
            {
                Assert.True(IceCandidate.TryParse(c.ToString(), out var again, out string? error), $"{error} for {text}");
                Assert.Equal(c.ToString(), again.ToString());
                return true;
            }
            Assert.False(string.IsNullOrEmpty(value as string));
            return false;
        }
    }

    [Fact]
    public void MutatedTrickleFragments_NeverThrowAndRoundTrip()
    {
        var rng = new Random(Seed + 3);
        string[] lines =
        [
            "a=ice-options:trickle ice2", "a=group:BUNDLE 0 1", "a=ice-ufrag:EsAw", "a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0",
            "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1",
            "a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1",
            "a=end-of-candidates", "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:1", "a=end-of-candidates",
        ];
        int ok = 0;
        for (int i = 0; i < 3000; i++)
        {
            string text = Mutate(rng, lines);
            var result = Guard(text, () => TrickleIceFragment.Parse(text));
            Assert.Equal(result.IsSuccess, result.Error is null);
            Assert.InRange(result.Line, 0, text.Split('\n').Length);
            if (!result.IsSuccess) continue;
            ok++;
            string written = result.Value.ToString();
            var again = TrickleIceFragment.Parse(written);
            Assert.True(again.IsSuccess, $"{again.Error} for {Escape(written)}");
            Assert.Equal(written, again.Value.ToString());
        }
        Assert.True(ok > 300, $"only {ok} mutated fragments parsed");
    }

    [Fact]
    public void PathologicalSizes_StayLinear()
    {
        var offer = SessionDescription.Parse(SdpFixtures.ChromeOffer).Value!;
        var video = offer.Media[1];
        for (int i = 0; i < 15000; i++)
        {
            video.RtcpFeedbacks.Add(new SdpRtcpFeedback(96, $"x-{i}", null));
            video.Ssrcs.Add(new SdpSsrcAttribute((uint)(100000 + i), "cname", "c"));
        }
        video.Formats.AddRange(Enumerable.Repeat("96", 50000));
        string big = offer.ToString();

        var watch = Stopwatch.StartNew();
        var result = SdpAnswerer.Answer(big, SdpFixtures.Options());
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(15001, result.Session!.Media[1].RemoteStreams.Count);
        Assert.Equal(["96", "97", "106", "107", "98", "99"], result.Answer!.Media[1].Formats);

        var many = new StringBuilder("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE");
        for (int i = 0; i < 10000; i++) many.Append(' ').Append(i);
        many.Append("\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n")
            .Append("a=fingerprint:sha-256 ").Append(SdpFixtures.ChromeFingerprint).Append("\r\n");
        for (int i = 0; i < 10000; i++) many.Append($"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:{i}\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n");
        string manyText = many.ToString();
        Assert.Equal(NegotiationError.TooManyMediaSections, SdpAnswerer.Answer(manyText, SdpFixtures.Options()).Error);
        var unbounded = new AnswerOptions { Transport = SdpFixtures.SfuTransport(), MaxMediaSections = int.MaxValue };
        var all = SdpAnswerer.Answer(manyText, unbounded);
        Assert.True(all.IsSuccess, all.ToString());
        Assert.Equal(10000, all.Session!.BundleMids.Count);
        // Quadratic work on these inputs would take minutes.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    /// <summary>Runs every entry point on the text; returns whether it parsed and whether it negotiated.</summary>
    private static (bool Parsed, bool Answered) CheckEverything(string text)
    {
        int lineCount = text.Split('\n').Length;
        var parsed = Guard(text, () => SessionDescription.Parse(text));
        Assert.Equal(parsed.IsSuccess, parsed.Error is null);
        Assert.InRange(parsed.Line, 0, lineCount);
        Guard(text, () => TrickleIceFragment.Parse(text));
        Guard(text, () => IceCandidate.TryParse(text, out _, out _));

        if (!parsed.IsSuccess) return (false, false);
        string written = parsed.Value.ToString();
        var again = SessionDescription.Parse(written);
        Assert.True(again.IsSuccess, $"rewritten SDP did not parse: {again.Error}\n{Escape(written)}");
        Assert.Equal(written, again.Value.ToString());

        var result = Guard(text, () => SdpAnswerer.Answer(parsed.Value, SdpFixtures.Options(audioCap: 64, videoCap: 1000)));
        Assert.Equal(result.IsSuccess, result.ErrorMessage is null);
        if (!result.IsSuccess) return (true, false);

        string answerText = result.AnswerSdp!;
        var answer = SessionDescription.Parse(answerText);
        Assert.True(answer.IsSuccess, $"answer did not parse: {answer.Error}\n{Escape(answerText)}");
        Assert.Equal(answerText, answer.Value.ToString());
        Assert.Equal(parsed.Value.Media.Count, answer.Value.Media.Count);
        Assert.All(result.Session!.Media, m => Assert.InRange(m.Index, 0, parsed.Value.Media.Count - 1));
        // Our answer must be acceptable to an offerer that sent this offer.
        var browserView = Guard(text, () => SdpOfferer.ApplyAnswer(parsed.Value, answerText));
        Assert.True(browserView.IsSuccess, $"{browserView} for offer\n{Escape(written)}");
        return (true, true);
    }

    private static T Guard<T>(string input, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e)
        {
            Assert.Fail($"threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}\nfor input:\n{Escape(input)}");
            throw;
        }
    }

    private static string Escape(string text) => text.Replace("\r", "\\r").Replace("\n", "\\n\n").Replace("\0", "\\0");

    private static string RandomChars(Random rng, int length)
    {
        var sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            sb.Append(rng.Next(4) switch
            {
                0 => (char)rng.Next(0, 0x80),
                1 => (char)rng.Next(0, 0x3000),
                _ => Alphabet[rng.Next(Alphabet.Length)],
            });
        }
        return sb.ToString();
    }

    private static string RandomSnippetSoup(Random rng)
    {
        var sb = new StringBuilder("v=0\r\n");
        if (rng.Next(4) > 0) sb.Append("o=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        int count = rng.Next(1, 40);
        for (int i = 0; i < count; i++)
        {
            string line = Snippets[rng.Next(Snippets.Length)];
            if (rng.Next(6) == 0) line = GarbleChar(rng, line);
            sb.Append(line).Append(rng.Next(10) == 0 ? "\n" : "\r\n");
        }
        return sb.ToString();
    }

    private static string Mutate(Random rng, string[] original)
    {
        var lines = original.ToList();
        int mutations = rng.Next(1, 4);
        for (int m = 0; m < mutations && lines.Count > 0; m++)
        {
            int i = rng.Next(lines.Count);
            switch (rng.Next(10))
            {
                case 0: lines.RemoveAt(i); break;
                case 1: lines.Insert(i, lines[i]); break;
                case 2:
                    int j = rng.Next(lines.Count);
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                    break;
                case 3: lines[i] = lines[i][..rng.Next(lines[i].Length + 1)]; break;
                case 4: lines[i] = GarbleChar(rng, lines[i]); break;
                case 5: lines.Insert(i, Snippets[rng.Next(Snippets.Length)]); break;
                case 6: lines[i] = string.Join(' ', MutateTokens(rng, lines[i].Split(' '))); break;
                case 7: lines[i] = ReplaceNumber(rng, lines[i]); break;
                case 8: lines.RemoveRange(i, Math.Min(lines.Count - i, rng.Next(1, 8))); break;
                default: lines[i] = lines[i] + (rng.Next(2) == 0 ? " " : " extra"); break;
            }
        }
        string text = string.Join(rng.Next(20) == 0 ? "\n" : "\r\n", lines) + "\r\n";
        return rng.Next(15) == 0 ? text[..rng.Next(text.Length + 1)] : text;
    }

    private static IEnumerable<string> MutateTokens(Random rng, string[] tokens)
    {
        var list = tokens.ToList();
        int i = rng.Next(list.Count);
        switch (rng.Next(6))
        {
            case 0: list.RemoveAt(i); break;
            case 1: list.Insert(i, list[i]); break;
            case 2: list[i] = GarbleChar(rng, list[i]); break;
            case 3: list[i] = ReplaceNumber(rng, list[i]); break;
            case 4: list.RemoveRange(i, list.Count - i); break;
            default: list.Add(rng.Next(2) == 0 ? "generation" : "x y"); break;
        }
        return list;
    }

    private static string GarbleChar(Random rng, string text)
    {
        if (text.Length == 0) return ((char)rng.Next(0, 128)).ToString();
        var chars = text.ToCharArray();
        chars[rng.Next(chars.Length)] = rng.Next(3) switch
        {
            0 => (char)rng.Next(0, 32),
            1 => (char)rng.Next(32, 127),
            _ => (char)rng.Next(0x80, 0xFFFF),
        };
        return new string(chars);
    }

    private static readonly string[] Numbers = ["0", "-1", "4294967295", "4294967296", "99999999999999999999999", "127", "128", "255", "256", "65535", "65536", "", "1e3", "0x10"];

    private static string ReplaceNumber(Random rng, string text)
    {
        for (int start = rng.Next(text.Length + 1); start < text.Length; start++)
        {
            if (!char.IsAsciiDigit(text[start])) continue;
            int end = start;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            return text[..start] + Numbers[rng.Next(Numbers.Length)] + text[end..];
        }
        return text;
    }
}
