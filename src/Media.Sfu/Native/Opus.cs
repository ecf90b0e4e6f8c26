namespace Media.Sfu.Native;

/// <summary>Opus coding mode chosen at encoder creation (OPUS_APPLICATION_*).</summary>
public enum OpusApplication
{
    Voip = 2048,
    Audio = 2049,
    RestrictedLowDelay = 2051,
}

/// <summary>
/// A libopus encoder for 16-bit interleaved PCM. Not thread-safe: one caller at a time.
/// Used for test tones and, later, transcoding of audio streams above the bitrate cap.
/// </summary>
public sealed unsafe class OpusEncoder : IDisposable
{
    private readonly OpusEncoderHandle _handle;

    /// <param name="sampleRate">8000, 12000, 16000, 24000 or 48000 Hz.</param>
    /// <param name="channels">1 or 2.</param>
    public OpusEncoder(int sampleRate, int channels, OpusApplication application)
    {
        int error;
        var encoder = LibOpus.opus_encoder_create(sampleRate, channels, (int)application, &error);
        if (encoder == 0 || error != LibOpus.OPUS_OK)
        {
            if (encoder != 0)
            {
                LibOpus.opus_encoder_destroy(encoder);
            }
            throw new ArgumentException($"opus_encoder_create({sampleRate}, {channels}) failed: {LibOpus.ErrorText(error)}");
        }
        _handle = new OpusEncoderHandle(encoder);
        SampleRate = sampleRate;
        Channels = channels;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Target bitrate in bits per second (OPUS_SET_BITRATE / OPUS_GET_BITRATE).</summary>
    public int Bitrate
    {
        get
        {
            int value;
            var status = LibOpus.opus_encoder_ctl_get(_handle, LibOpus.OPUS_GET_BITRATE_REQUEST, &value);
            return status == LibOpus.OPUS_OK ? value : throw new InvalidOperationException(LibOpus.ErrorText(status));
        }
        set
        {
            var status = LibOpus.opus_encoder_ctl_set(_handle, LibOpus.OPUS_SET_BITRATE_REQUEST, value);
            if (status != LibOpus.OPUS_OK)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, LibOpus.ErrorText(status));
            }
        }
    }

    /// <summary>
    /// Encodes one frame (2.5, 5, 10, 20, 40 or 60 ms: <paramref name="pcm"/> holds
    /// frameSize × channels samples). Returns the packet length, or a negative libopus error code.
    /// </summary>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> packet)
    {
        var frameSize = pcm.Length / Channels;
        fixed (short* input = pcm)
        fixed (byte* output = packet)
        {
            return LibOpus.opus_encode(_handle, input, frameSize, output, packet.Length);
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>A libopus decoder producing 16-bit interleaved PCM. Not thread-safe.</summary>
public sealed unsafe class OpusDecoder : IDisposable
{
    private readonly OpusDecoderHandle _handle;

    public OpusDecoder(int sampleRate, int channels)
    {
        int error;
        var decoder = LibOpus.opus_decoder_create(sampleRate, channels, &error);
        if (decoder == 0 || error != LibOpus.OPUS_OK)
        {
            if (decoder != 0)
            {
                LibOpus.opus_decoder_destroy(decoder);
            }
            throw new ArgumentException($"opus_decoder_create({sampleRate}, {channels}) failed: {LibOpus.ErrorText(error)}");
        }
        _handle = new OpusDecoderHandle(decoder);
        SampleRate = sampleRate;
        Channels = channels;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>
    /// Decodes one packet (an empty packet means "lost": libopus conceals it) into
    /// <paramref name="pcm"/>. Returns samples per channel, or a negative libopus error code.
    /// </summary>
    public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
    {
        fixed (byte* input = packet)
        fixed (short* output = pcm)
        {
            return LibOpus.opus_decode(_handle, packet.IsEmpty ? null : input, packet.Length, output, pcm.Length / Channels, 0);
        }
    }

    public void Dispose() => _handle.Dispose();
}
