namespace Media.Sfu.Load.Clients;

/// <summary>
/// What each client sends: Opus-like audio (one packet per 20 ms, ~100 B on the wire) and VP8-like video
/// (frames of a few ~1,200 B packets sent back to back, ~100 packets/s ≈ 1 Mbit/s). Sizes are on-the-wire
/// SRTP sizes; the TURN reference sends ChannelData payloads of the same sizes.
/// </summary>
public sealed record MediaProfile(int AudioPacketsPerSecond = 50, int AudioBytes = 100,
    int VideoPacketsPerSecond = 100, int VideoBytes = 1200, int VideoPacketsPerFrame = 4)
{
    public bool HasVideo => VideoPacketsPerSecond > 0;
    public double VideoFramesPerSecond => HasVideo ? (double)VideoPacketsPerSecond / VideoPacketsPerFrame : 0;
    public int PacketsPerSecondPerClient => AudioPacketsPerSecond + VideoPacketsPerSecond;
    public double BitsPerSecondPerClient => 8.0 * (AudioPacketsPerSecond * AudioBytes + VideoPacketsPerSecond * VideoBytes);
    public override string ToString() => HasVideo
        ? $"audio {AudioPacketsPerSecond} pkt/s × {AudioBytes} B + video {VideoPacketsPerSecond} pkt/s × {VideoBytes} B ({VideoPacketsPerFrame}/frame)"
        : $"audio {AudioPacketsPerSecond} pkt/s × {AudioBytes} B";
}
