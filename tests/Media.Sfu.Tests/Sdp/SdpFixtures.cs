using Media.Sfu.Sdp;

namespace Media.Sfu.Tests.Sdp;

/// <summary>
/// Offers in the exact shape real clients produce (written by hand after their SDP output):
/// Chrome unified plan, Firefox, and OBS's WHIP output (libdatachannel).
/// </summary>
internal static class SdpFixtures
{
    public const string ChromeFingerprint = "8C:0D:6F:7F:68:FD:1D:79:97:34:56:43:0B:DC:83:AE:A7:CC:9B:10:C0:F7:96:89:0B:F0:FF:95:0F:81:6A:C1";
    public const string SfuFingerprint = "2A:B6:2C:A9:39:0D:BB:E0:3B:64:6A:0B:F0:B8:61:AD:5E:1E:A1:50:33:C1:13:F2:C5:FD:BA:48:E6:32:03:71";

    /// <summary>Chrome (unified plan, after gathering): BUNDLE audio+video, opus/red/G722/PCMU/PCMA/CN/telephone-event, VP8/H264 variants/AV1/VP9/red/ulpfec with RTX, FID group, host/tcp/srflx candidates.</summary>
    public static string ChromeOffer { get; } = Crlf("""
v=0
o=- 7513983245012733216 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS 6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55
m=audio 49203 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 192.168.1.23
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:2437072876 1 udp 2122260223 192.168.1.23 49203 typ host generation 0 network-id 1 network-cost 10
a=candidate:3586548012 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active generation 0 network-id 1 network-cost 10
a=candidate:1060462564 1 udp 1686052607 203.0.113.7 49203 typ srflx raddr 192.168.1.23 rport 49203 generation 0 network-id 1 network-cost 10
a=ice-ufrag:Yq3U
a=ice-pwd:8Bv5mHnV4m1TJ8d3HqzC0b9J
a=ice-options:trickle
a=fingerprint:sha-256 8C:0D:6F:7F:68:FD:1D:79:97:34:56:43:0B:DC:83:AE:A7:CC:9B:10:C0:F7:96:89:0B:F0:FF:95:0F:81:6A:C1
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55 a2b0c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:1001234567 cname:k3Xn0H1q8D7pVtYw
a=ssrc:1001234567 msid:6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55 a2b0c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d
m=video 49203 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 116 117 118
c=IN IP4 192.168.1.23
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:2437072876 1 udp 2122260223 192.168.1.23 49203 typ host generation 0 network-id 1 network-cost 10
a=candidate:3586548012 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active generation 0 network-id 1 network-cost 10
a=candidate:1060462564 1 udp 1686052607 203.0.113.7 49203 typ srflx raddr 192.168.1.23 rport 49203 generation 0 network-id 1 network-cost 10
a=ice-ufrag:Yq3U
a=ice-pwd:8Bv5mHnV4m1TJ8d3HqzC0b9J
a=ice-options:trickle
a=fingerprint:sha-256 8C:0D:6F:7F:68:FD:1D:79:97:34:56:43:0B:DC:83:AE:A7:CC:9B:10:C0:F7:96:89:0B:F0:FF:95:0F:81:6A:C1
a=setup:actpass
a=mid:1
a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:13 urn:3gpp:video-orientation
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=sendrecv
a=msid:6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55 5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtpmap:102 H264/90000
a=rtcp-fb:102 goog-remb
a=rtcp-fb:102 transport-cc
a=rtcp-fb:102 ccm fir
a=rtcp-fb:102 nack
a=rtcp-fb:102 nack pli
a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtpmap:103 rtx/90000
a=fmtp:103 apt=102
a=rtpmap:104 H264/90000
a=rtcp-fb:104 goog-remb
a=rtcp-fb:104 transport-cc
a=rtcp-fb:104 ccm fir
a=rtcp-fb:104 nack
a=rtcp-fb:104 nack pli
a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
a=rtpmap:105 rtx/90000
a=fmtp:105 apt=104
a=rtpmap:106 H264/90000
a=rtcp-fb:106 goog-remb
a=rtcp-fb:106 transport-cc
a=rtcp-fb:106 ccm fir
a=rtcp-fb:106 nack
a=rtcp-fb:106 nack pli
a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=rtpmap:107 rtx/90000
a=fmtp:107 apt=106
a=rtpmap:108 H264/90000
a=rtcp-fb:108 goog-remb
a=rtcp-fb:108 transport-cc
a=rtcp-fb:108 ccm fir
a=rtcp-fb:108 nack
a=rtcp-fb:108 nack pli
a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
a=rtpmap:109 rtx/90000
a=fmtp:109 apt=108
a=rtpmap:127 H264/90000
a=rtcp-fb:127 goog-remb
a=rtcp-fb:127 transport-cc
a=rtcp-fb:127 ccm fir
a=rtcp-fb:127 nack
a=rtcp-fb:127 nack pli
a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
a=rtpmap:125 rtx/90000
a=fmtp:125 apt=127
a=rtpmap:39 H264/90000
a=rtcp-fb:39 goog-remb
a=rtcp-fb:39 transport-cc
a=rtcp-fb:39 ccm fir
a=rtcp-fb:39 nack
a=rtcp-fb:39 nack pli
a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
a=rtpmap:40 rtx/90000
a=fmtp:40 apt=39
a=rtpmap:45 AV1/90000
a=rtcp-fb:45 goog-remb
a=rtcp-fb:45 transport-cc
a=rtcp-fb:45 ccm fir
a=rtcp-fb:45 nack
a=rtcp-fb:45 nack pli
a=fmtp:45 level-idx=5;profile=0;tier=0
a=rtpmap:46 rtx/90000
a=fmtp:46 apt=45
a=rtpmap:98 VP9/90000
a=rtcp-fb:98 goog-remb
a=rtcp-fb:98 transport-cc
a=rtcp-fb:98 ccm fir
a=rtcp-fb:98 nack
a=rtcp-fb:98 nack pli
a=fmtp:98 profile-id=0
a=rtpmap:99 rtx/90000
a=fmtp:99 apt=98
a=rtpmap:100 VP9/90000
a=rtcp-fb:100 goog-remb
a=rtcp-fb:100 transport-cc
a=rtcp-fb:100 ccm fir
a=rtcp-fb:100 nack
a=rtcp-fb:100 nack pli
a=fmtp:100 profile-id=2
a=rtpmap:101 rtx/90000
a=fmtp:101 apt=100
a=rtpmap:112 H264/90000
a=rtcp-fb:112 goog-remb
a=rtcp-fb:112 transport-cc
a=rtcp-fb:112 ccm fir
a=rtcp-fb:112 nack
a=rtcp-fb:112 nack pli
a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f
a=rtpmap:113 rtx/90000
a=fmtp:113 apt=112
a=rtpmap:116 red/90000
a=rtpmap:117 rtx/90000
a=fmtp:117 apt=116
a=rtpmap:118 ulpfec/90000
a=ssrc-group:FID 2712358465 3919101263
a=ssrc:2712358465 cname:k3Xn0H1q8D7pVtYw
a=ssrc:2712358465 msid:6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55 5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a
a=ssrc:3919101263 cname:k3Xn0H1q8D7pVtYw
a=ssrc:3919101263 msid:6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55 5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a
""");

    /// <summary>Chrome audio-only offer before candidates were gathered (trickle).</summary>
    public static string ChromeAudioOnlyOffer { get; } = Crlf("""
v=0
o=- 7513983245012733216 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
a=extmap-allow-mixed
a=msid-semantic: WMS 6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:Yq3U
a=ice-pwd:8Bv5mHnV4m1TJ8d3HqzC0b9J
a=ice-options:trickle
a=fingerprint:sha-256 8C:0D:6F:7F:68:FD:1D:79:97:34:56:43:0B:DC:83:AE:A7:CC:9B:10:C0:F7:96:89:0B:F0:FF:95:0F:81:6A:C1
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55 a2b0c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:1001234567 cname:k3Xn0H1q8D7pVtYw
a=ssrc:1001234567 msid:6f0d7a0e-6d0a-4c4e-9d3b-2f6b6c8a1e55 a2b0c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d
""");

    /// <summary>Firefox: session-level fingerprint, fmtp before rtpmap, extmap with direction, FID group after ssrc lines.</summary>
    public static string FirefoxOffer { get; } = Crlf("""
v=0
o=mozilla...THIS_IS_SDPARTA-128.0 4306224735519003431 0 IN IP4 0.0.0.0
s=-
t=0 0
a=fingerprint:sha-256 A7:9E:AD:36:9A:F6:62:2D:4C:F3:48:9D:63:66:78:06:88:74:54:31:A1:F3:DF:76:D2:3D:C9:0A:1E:86:02:2A
a=group:BUNDLE 0 1
a=ice-options:trickle
a=msid-semantic:WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
a=fmtp:101 0-15
a=ice-pwd:b36d5c8a3f4e1c2b7a9d0e6f5a4b3c2d
a=ice-ufrag:4f8a2c1d
a=mid:0
a=msid:{0c7b8e1f-2a3d-4c5b-9e6f-7a8b9c0d1e2f} {7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d}
a=rtcp-mux
a=rtpmap:109 opus/48000/2
a=rtpmap:9 G722/8000/1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000/1
a=setup:actpass
a=ssrc:3184224312 cname:{c1f0a2b3-d4e5-4f6a-8b7c-9d0e1f2a3b4c}
m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98 123 122 119
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1
a=fmtp:120 max-fs=12288;max-fr=60
a=fmtp:124 apt=120
a=fmtp:121 max-fs=12288;max-fr=60
a=fmtp:125 apt=121
a=fmtp:127 apt=126
a=fmtp:98 apt=97
a=fmtp:119 apt=122
a=ice-pwd:b36d5c8a3f4e1c2b7a9d0e6f5a4b3c2d
a=ice-ufrag:4f8a2c1d
a=mid:1
a=msid:{0c7b8e1f-2a3d-4c5b-9e6f-7a8b9c0d1e2f} {9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d}
a=rtcp-fb:120 nack
a=rtcp-fb:120 nack pli
a=rtcp-fb:120 ccm fir
a=rtcp-fb:120 goog-remb
a=rtcp-fb:120 transport-cc
a=rtcp-fb:121 nack
a=rtcp-fb:121 nack pli
a=rtcp-fb:121 ccm fir
a=rtcp-fb:121 goog-remb
a=rtcp-fb:121 transport-cc
a=rtcp-fb:126 nack
a=rtcp-fb:126 nack pli
a=rtcp-fb:126 ccm fir
a=rtcp-fb:126 goog-remb
a=rtcp-fb:126 transport-cc
a=rtcp-fb:97 nack
a=rtcp-fb:97 nack pli
a=rtcp-fb:97 ccm fir
a=rtcp-fb:97 goog-remb
a=rtcp-fb:97 transport-cc
a=rtcp-fb:123 nack
a=rtcp-fb:123 nack pli
a=rtcp-fb:123 ccm fir
a=rtcp-fb:123 goog-remb
a=rtcp-fb:123 transport-cc
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:120 VP8/90000
a=rtpmap:124 rtx/90000
a=rtpmap:121 VP9/90000
a=rtpmap:125 rtx/90000
a=rtpmap:126 H264/90000
a=rtpmap:127 rtx/90000
a=rtpmap:97 H264/90000
a=rtpmap:98 rtx/90000
a=rtpmap:123 ulpfec/90000
a=rtpmap:122 red/90000
a=rtpmap:119 rtx/90000
a=setup:actpass
a=ssrc:2105390000 cname:{c1f0a2b3-d4e5-4f6a-8b7c-9d0e1f2a3b4c}
a=ssrc:2105390001 cname:{c1f0a2b3-d4e5-4f6a-8b7c-9d0e1f2a3b4c}
a=ssrc-group:FID 2105390000 2105390001
""");

    /// <summary>OBS WHIP output via libdatachannel: session-level transport, sendonly, single codec per section, uppercase UDP candidates, comma-joined ice-options.</summary>
    public static string ObsWhipOffer { get; } = Crlf("""
v=0
o=rtc 2630353802 0 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=group:LS 0 1
a=msid-semantic:WMS *
a=setup:actpass
a=ice-ufrag:Hn2L
a=ice-pwd:O1hb4nXr7BXOVtrhNRStVu
a=ice-options:ice2,trickle
a=fingerprint:sha-256 16:74:82:17:B0:26:F9:AE:7C:89:C1:57:A7:DC:03:72:FD:12:E4:34:BE:D4:D4:5A:3B:0A:53:BD:79:13:E6:F9
m=audio 55307 UDP/TLS/RTP/SAVPF 111
c=IN IP4 192.168.1.50
a=mid:0
a=sendonly
a=ssrc:2891446401 cname:obs-Wq7dNf2k
a=ssrc:2891446401 msid:obs-stream obs-audio
a=msid:obs-stream obs-audio
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1
a=candidate:1 1 UDP 2122317823 192.168.1.50 55307 typ host
a=candidate:2 1 UDP 1686109951 198.51.100.20 55307 typ srflx raddr 0.0.0.0 rport 0
a=end-of-candidates
m=video 55307 UDP/TLS/RTP/SAVPF 96
c=IN IP4 192.168.1.50
a=mid:1
a=sendonly
a=ssrc:1418245611 cname:obs-Wq7dNf2k
a=ssrc:1418245611 msid:obs-stream obs-video
a=msid:obs-stream obs-video
a=rtcp-mux
a=rtpmap:96 H264/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 goog-remb
a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1
""");

    /// <summary>RFC 8866 §5 example session description.</summary>
    public static string Rfc8866Example { get; } = Crlf("""
v=0
o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1
s=Call to John Smith
i=SDP Offer #1
u=http://www.jdoe.example.com/home.html
e=Jane Doe <jane@jdoe.example.com>
p=+1 617 555-6011
c=IN IP4 198.51.100.1
t=0 0
m=audio 49170 RTP/AVP 0
m=audio 49180 RTP/AVP 0
m=video 51372 RTP/AVP 99
c=IN IP6 2001:db8::2
a=rtpmap:99 h263-1998/90000
""");

    /// <summary>The Chrome offer with a data channel m-section added to the BUNDLE group.</summary>
    public static string ChromeOfferWithDataChannel { get; } =
        ChromeOffer.Replace("a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 0 1 2\r\n")
        + Crlf("""
m=application 49203 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 192.168.1.23
a=ice-ufrag:Yq3U
a=ice-pwd:8Bv5mHnV4m1TJ8d3HqzC0b9J
a=ice-options:trickle
a=fingerprint:sha-256 8C:0D:6F:7F:68:FD:1D:79:97:34:56:43:0B:DC:83:AE:A7:CC:9B:10:C0:F7:96:89:0B:F0:FF:95:0F:81:6A:C1
a=setup:actpass
a=mid:2
a=sctp-port:5000
a=max-message-size:262144
""");

    public static IEnumerable<object[]> AllOffers()
    {
        yield return ["chrome", ChromeOffer];
        yield return ["chrome-audio", ChromeAudioOnlyOffer];
        yield return ["chrome-datachannel", ChromeOfferWithDataChannel];
        yield return ["firefox", FirefoxOffer];
        yield return ["obs-whip", ObsWhipOffer];
    }

    public static string Offer(string name) => name switch
    {
        "chrome" => ChromeOffer,
        "chrome-audio" => ChromeAudioOnlyOffer,
        "chrome-datachannel" => ChromeOfferWithDataChannel,
        "firefox" => FirefoxOffer,
        "obs-whip" => ObsWhipOffer,
        _ => throw new ArgumentException(name),
    };

    /// <summary>Raw string literals keep the source file's newlines; SDP on the wire uses CRLF.</summary>
    public static string Crlf(string text) => text.ReplaceLineEndings("\r\n") + "\r\n";

    public static LocalTransportParameters SfuTransport(params string[] candidates) => new()
    {
        IceUfrag = "sfuA",
        IcePwd = "SfuPasswordSfuPassword1234",
        Fingerprint = new SdpFingerprint("sha-256", SfuFingerprint),
        Candidates = candidates.Length > 0
            ? candidates
            : ["candidate:1 1 udp 2130706431 198.51.100.10 40000 typ host", "candidate:2 1 tcp 1518280447 198.51.100.10 40000 typ host tcptype passive"],
    };

    public static AnswerOptions Options(
        int? audioCap = null,
        int? videoCap = null,
        IReadOnlyDictionary<string, MediaDirection>? directions = null,
        IReadOnlyDictionary<string, OutgoingStream>? streams = null,
        MediaCapabilities? capabilities = null) => new()
    {
        Transport = SfuTransport(),
        AudioBitrateCapKbps = audioCap,
        VideoBitrateCapKbps = videoCap,
        Directions = directions ?? new Dictionary<string, MediaDirection>(),
        OutgoingStreams = streams ?? new Dictionary<string, OutgoingStream>(),
        Capabilities = capabilities ?? MediaCapabilities.Default,
        SessionId = 4242424242,
    };
}
