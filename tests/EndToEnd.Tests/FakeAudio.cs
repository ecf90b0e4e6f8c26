namespace EndToEnd.Tests;

/// <summary>
/// A WAV file for Chromium's fake microphone: 48 kHz mono 16-bit, noise shaped like speech (bursts with a moving
/// pitch and pauses), seeded so every run hears the same. Rich enough that Opus uses the bitrate it is allowed.
/// </summary>
public static class FakeAudio
{
    public static void Write(string path, TimeSpan length)
    {
        const int rate = 48_000;
        var samples = (int)(rate * length.TotalSeconds);
        var random = new Random(42);
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8); w.Write(36 + samples * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(samples * 2);
        double phase = 0;
        for (var i = 0; i < samples; i++)
        {
            var t = (double)i / rate;
            var syllable = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 3.1 * t);            // ~3 syllables a second
            var pitch = 140 + 60 * Math.Sin(2 * Math.PI * 0.7 * t);                  // a wandering voice
            phase += 2 * Math.PI * pitch / rate;
            var voiced = Math.Sin(phase) + 0.5 * Math.Sin(3 * phase) + 0.25 * Math.Sin(5 * phase);
            var noise = random.NextDouble() * 2 - 1;
            var v = syllable * (0.35 * voiced + 0.45 * noise);
            w.Write((short)Math.Clamp(v * 12_000, short.MinValue, short.MaxValue));
        }
    }
}
