namespace Media.Sfu.Native;

/// <summary>
/// Counts native objects that are currently alive (created and not yet freed), per kind.
/// The SFU's stats endpoint exposes these to show that transports do not leak OpenSSL,
/// libsrtp or libopus state. Incremented when a native object is wrapped in its
/// <see cref="System.Runtime.InteropServices.SafeHandle"/>, decremented when the handle releases it.
/// </summary>
public static class LiveNativeContexts
{
    private static long _dtlsSessions;
    private static long _srtpSessions;
    private static long _sslContexts;
    private static long _certificates;
    private static long _privateKeys;
    private static long _opusEncoders;
    private static long _opusDecoders;

    /// <summary>Live OpenSSL <c>SSL</c> objects, one per <c>DtlsSession</c>.</summary>
    public static long DtlsSessions => Volatile.Read(ref _dtlsSessions);

    /// <summary>Live libsrtp <c>srtp_t</c> contexts, one per <c>SrtpSession</c>.</summary>
    public static long SrtpSessions => Volatile.Read(ref _srtpSessions);

    /// <summary>Live OpenSSL <c>SSL_CTX</c> objects.</summary>
    public static long SslContexts => Volatile.Read(ref _sslContexts);

    /// <summary>Live OpenSSL <c>X509</c> references held by managed code.</summary>
    public static long Certificates => Volatile.Read(ref _certificates);

    /// <summary>Live OpenSSL <c>EVP_PKEY</c> references held by managed code.</summary>
    public static long PrivateKeys => Volatile.Read(ref _privateKeys);

    /// <summary>Live libopus encoders.</summary>
    public static long OpusEncoders => Volatile.Read(ref _opusEncoders);

    /// <summary>Live libopus decoders.</summary>
    public static long OpusDecoders => Volatile.Read(ref _opusDecoders);

    /// <summary>Sum of every kind.</summary>
    public static long Total =>
        DtlsSessions + SrtpSessions + SslContexts + Certificates + PrivateKeys + OpusEncoders + OpusDecoders;

    internal static void Add(NativeContextKind kind, int delta)
    {
        switch (kind)
        {
            case NativeContextKind.DtlsSession: Interlocked.Add(ref _dtlsSessions, delta); break;
            case NativeContextKind.SrtpSession: Interlocked.Add(ref _srtpSessions, delta); break;
            case NativeContextKind.SslContext: Interlocked.Add(ref _sslContexts, delta); break;
            case NativeContextKind.Certificate: Interlocked.Add(ref _certificates, delta); break;
            case NativeContextKind.PrivateKey: Interlocked.Add(ref _privateKeys, delta); break;
            case NativeContextKind.OpusEncoder: Interlocked.Add(ref _opusEncoders, delta); break;
            case NativeContextKind.OpusDecoder: Interlocked.Add(ref _opusDecoders, delta); break;
        }
    }
}

internal enum NativeContextKind
{
    DtlsSession,
    SrtpSession,
    SslContext,
    Certificate,
    PrivateKey,
    OpusEncoder,
    OpusDecoder,
}
