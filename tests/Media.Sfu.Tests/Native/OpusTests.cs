using Media.Sfu.Native;

namespace Media.Sfu.Tests.Native;

[Collection(NativeCollection.Name)]
public sealed class OpusTests
{
    private const int SampleRate = 48000;
    private const int FrameSamples = 960; // 20 ms

    [Fact]
    public void SineToneSurvivesEncodeDecodeRoundTrip()
    {
        using var encoder = new OpusEncoder(SampleRate, 1, OpusApplication.Audio);
        using var decoder = new OpusDecoder(SampleRate, 1);
        encoder.Bitrate = 32000;

        const double frequency = 440;
        const int frames = 50; // one second
        var input = new short[FrameSamples];
        var decoded = new short[frames * FrameSamples];
        var packet = new byte[1500];
        var totalBytes = 0;
        for (var frame = 0; frame < frames; frame++)
        {
            for (var i = 0; i < FrameSamples; i++)
            {
                var t = (frame * FrameSamples + i) / (double)SampleRate;
                input[i] = (short)(10000 * Math.Sin(2 * Math.PI * frequency * t));
            }
            var length = encoder.Encode(input, packet);
            Assert.InRange(length, 1, packet.Length);
            totalBytes += length;
            var samples = decoder.Decode(packet.AsSpan(0, length), decoded.AsSpan(frame * FrameSamples, FrameSamples));
            Assert.Equal(FrameSamples, samples);
        }

        // About 32 kbit/s for one second (VBR allows some slack).
        Assert.InRange(totalBytes * 8, 16000, 48000);

        // Skip the codec's start-up; the output must be the same tone at a similar level.
        var steady = decoded.AsSpan(SampleRate / 4);
        var atTone = GoertzelPower(steady, frequency);
        var offTone = GoertzelPower(steady, 1000);
        Assert.True(atTone > 100 * offTone, $"440 Hz power {atTone:E2} vs 1 kHz {offTone:E2}");
        var rms = Rms(steady);
        Assert.InRange(rms, 10000 / Math.Sqrt(2) * 0.7, 10000 / Math.Sqrt(2) * 1.3);
    }

    [Fact]
    public void BitrateCanBeSetAndReadBack()
    {
        using var encoder = new OpusEncoder(SampleRate, 2, OpusApplication.Voip);
        encoder.Bitrate = 24000;
        Assert.Equal(24000, encoder.Bitrate);
        encoder.Bitrate = 64000;
        Assert.Equal(64000, encoder.Bitrate);
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new OpusEncoder(44100, 1, OpusApplication.Audio));
        Assert.Throws<ArgumentException>(() => new OpusDecoder(SampleRate, 3));
        using var encoder = new OpusEncoder(SampleRate, 1, OpusApplication.Audio);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Bitrate = -5);
        // 7 ms is not an Opus frame size: libopus returns OPUS_BAD_ARG (-1).
        Assert.True(encoder.Encode(new short[336], new byte[1500]) < 0);
    }

    [Fact]
    public void EncodersAndDecodersAreCountedAndReleased()
    {
        var encoders = LiveNativeContexts.OpusEncoders;
        var decoders = LiveNativeContexts.OpusDecoders;
        var encoder = new OpusEncoder(SampleRate, 1, OpusApplication.Audio);
        var decoder = new OpusDecoder(SampleRate, 1);
        Assert.Equal(encoders + 1, LiveNativeContexts.OpusEncoders);
        Assert.Equal(decoders + 1, LiveNativeContexts.OpusDecoders);
        encoder.Dispose();
        decoder.Dispose();
        decoder.Dispose();
        Assert.Equal(encoders, LiveNativeContexts.OpusEncoders);
        Assert.Equal(decoders, LiveNativeContexts.OpusDecoders);
    }

    private static double GoertzelPower(ReadOnlySpan<short> samples, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / SampleRate);
        double previous = 0, beforePrevious = 0;
        foreach (var sample in samples)
        {
            var current = sample + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
    }

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var sample in samples)
        {
            sum += (double)sample * sample;
        }
        return Math.Sqrt(sum / samples.Length);
    }
}
