using System.Runtime.InteropServices;

namespace Media.Sfu.Native;

/// <summary>
/// Base for handles that own exactly one native object. The object is counted in
/// <see cref="LiveNativeContexts"/> from the moment it is wrapped until it is freed,
/// so a leak shows up as a counter that never returns to zero.
/// </summary>
internal abstract class OwnedNativeHandle : SafeHandle
{
    private readonly NativeContextKind _kind;

    protected OwnedNativeHandle(NativeContextKind kind, nint owned) : base(0, ownsHandle: true)
    {
        _kind = kind;
        if (owned != 0)
        {
            SetHandle(owned);
            LiveNativeContexts.Add(kind, 1);
        }
    }

    public override bool IsInvalid => handle == 0;

    protected sealed override bool ReleaseHandle()
    {
        Free(handle);
        LiveNativeContexts.Add(_kind, -1);
        return true;
    }

    protected abstract void Free(nint value);
}

/// <summary>Owns an OpenSSL <c>SSL_CTX</c>.</summary>
internal sealed class SslContextHandle(nint owned) : OwnedNativeHandle(NativeContextKind.SslContext, owned)
{
    protected override void Free(nint value) => LibSsl.SSL_CTX_free(value);
}

/// <summary>Owns an OpenSSL <c>SSL</c> and, after <c>SSL_set_bio</c>, its two BIOs.</summary>
internal sealed class SslHandle(nint owned) : OwnedNativeHandle(NativeContextKind.DtlsSession, owned)
{
    protected override void Free(nint value) => LibSsl.SSL_free(value);
}

/// <summary>Owns one reference to an OpenSSL <c>X509</c>.</summary>
internal sealed class X509Handle(nint owned) : OwnedNativeHandle(NativeContextKind.Certificate, owned)
{
    protected override void Free(nint value) => LibCrypto.X509_free(value);
}

/// <summary>Owns one reference to an OpenSSL <c>EVP_PKEY</c>.</summary>
internal sealed class EvpPKeyHandle(nint owned) : OwnedNativeHandle(NativeContextKind.PrivateKey, owned)
{
    protected override void Free(nint value) => LibCrypto.EVP_PKEY_free(value);
}

/// <summary>Owns a libsrtp <c>srtp_t</c> session.</summary>
internal sealed class SrtpContextHandle(nint owned) : OwnedNativeHandle(NativeContextKind.SrtpSession, owned)
{
    protected override void Free(nint value) => LibSrtp.srtp_dealloc(value);
}

/// <summary>Owns a libopus <c>OpusEncoder</c>.</summary>
internal sealed class OpusEncoderHandle(nint owned) : OwnedNativeHandle(NativeContextKind.OpusEncoder, owned)
{
    protected override void Free(nint value) => LibOpus.opus_encoder_destroy(value);
}

/// <summary>Owns a libopus <c>OpusDecoder</c>.</summary>
internal sealed class OpusDecoderHandle(nint owned) : OwnedNativeHandle(NativeContextKind.OpusDecoder, owned)
{
    protected override void Free(nint value) => LibOpus.opus_decoder_destroy(value);
}
