using System.Runtime.InteropServices;

namespace Media.Sfu.Native;

/// <summary>
/// P/Invoke into libopus 1.3 (<c>libopus.so.0</c>): only what test tones and transcoding need.
/// </summary>
internal static unsafe partial class LibOpus
{
    public const string Library = "libopus.so.0";

    public const int OPUS_OK = 0;
    public const int OPUS_SET_BITRATE_REQUEST = 4002;
    public const int OPUS_GET_BITRATE_REQUEST = 4003;

    [LibraryImport(Library)]
    public static partial nint opus_encoder_create(int sampleRate, int channels, int application, int* error);

    [LibraryImport(Library)]
    public static partial void opus_encoder_destroy(nint encoder);

    [LibraryImport(Library)]
    public static partial int opus_encode(OpusEncoderHandle encoder, short* pcm, int frameSize, byte* data, int maxDataBytes);

    [LibraryImport(Library)]
    public static partial nint opus_decoder_create(int sampleRate, int channels, int* error);

    [LibraryImport(Library)]
    public static partial void opus_decoder_destroy(nint decoder);

    [LibraryImport(Library)]
    public static partial int opus_decode(OpusDecoderHandle decoder, byte* data, int length, short* pcm, int frameSize, int decodeFec);

    // opus_encoder_ctl is variadic; .NET cannot declare C varargs on Unix. On the SysV x86-64
    // and AAPCS64 (Linux) ABIs a variadic callee reads its first integer/pointer varargs from the
    // same registers as fixed arguments, so a fixed three-argument prototype is call-compatible.
    // Only integer and pointer arguments are passed (no floating point).
    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    public static partial int opus_encoder_ctl_set(OpusEncoderHandle encoder, int request, int value);

    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    public static partial int opus_encoder_ctl_get(OpusEncoderHandle encoder, int request, int* value);

    [LibraryImport(Library)]
    public static partial nint opus_strerror(int error);

    public static string ErrorText(int error) => Marshal.PtrToStringUTF8(opus_strerror(error)) ?? $"opus error {error}";
}
