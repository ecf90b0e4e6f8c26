using System.Runtime.InteropServices;

namespace Media.Sfu.Native;

/// <summary>
/// P/Invoke into libsrtp 2.5 (<c>libsrtp2.so.1</c>). The 2.x packet functions take an
/// in/out <c>int *len</c>: protect grows the packet in place by at most
/// <see cref="MaxTrailerLength"/> bytes.
/// </summary>
internal static unsafe partial class LibSrtp
{
    public const string Library = "libsrtp2.so.1";

    /// <summary>SRTP_MAX_TRAILER_LEN: auth tag plus MKI plus SRTCP index, the most protect may append.</summary>
    public const int MaxTrailerLength = 144;

    // srtp_ssrc_type_t
    public const int SsrcAnyInbound = 2;
    public const int SsrcAnyOutbound = 3;

    [LibraryImport(Library)]
    public static partial int srtp_init();

    [LibraryImport(Library)]
    public static partial uint srtp_get_version();

    [LibraryImport(Library)]
    public static partial int srtp_create(nint* session, SrtpPolicy* policy);

    [LibraryImport(Library)]
    public static partial int srtp_dealloc(nint session);

    [LibraryImport(Library)]
    public static partial int srtp_protect(SrtpContextHandle session, byte* packet, int* length);

    [LibraryImport(Library)]
    public static partial int srtp_unprotect(SrtpContextHandle session, byte* packet, int* length);

    [LibraryImport(Library)]
    public static partial int srtp_protect_rtcp(SrtpContextHandle session, byte* packet, int* length);

    [LibraryImport(Library)]
    public static partial int srtp_unprotect_rtcp(SrtpContextHandle session, byte* packet, int* length);

    /// <summary>AES_CM_128_HMAC_SHA1_80 (RFC 3711 default).</summary>
    [LibraryImport(Library)]
    public static partial void srtp_crypto_policy_set_rtp_default(SrtpCryptoPolicy* policy);

    /// <summary>AEAD_AES_128_GCM with a 16-byte tag (RFC 7714).</summary>
    [LibraryImport(Library)]
    public static partial void srtp_crypto_policy_set_aes_gcm_128_16_auth(SrtpCryptoPolicy* policy);

    private static readonly Lock InitLock = new();
    private static volatile bool _initialized;

    /// <summary>Calls <c>srtp_init</c> exactly once per process; safe from any thread.</summary>
    public static void EnsureInitialized()
    {
        if (_initialized)
        {
            return;
        }
        lock (InitLock)
        {
            if (_initialized)
            {
                return;
            }
            var status = srtp_init();
            if (status != 0)
            {
                throw new InvalidOperationException($"srtp_init failed with status {status}.");
            }
            _initialized = true;
        }
    }
}

/// <summary><c>srtp_crypto_policy_t</c>: 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SrtpCryptoPolicy
{
    public int CipherType;
    public int CipherKeyLength;
    public int AuthType;
    public int AuthKeyLength;
    public int AuthTagLength;
    public int SecurityServices;
}

/// <summary><c>srtp_ssrc_t</c>: 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SrtpSsrc
{
    public int Type;
    public uint Value;
}

/// <summary>
/// <c>srtp_policy_t</c> of libsrtp 2.5 on LP64: 128 bytes, ssrc@0 rtp@8 rtcp@32 key@56
/// keys@64 num_master_keys@72 deprecated_ekt@80 window_size@88 allow_repeat_tx@96
/// enc_xtn_hdr@104 enc_xtn_hdr_count@112 next@120. A test asserts these offsets.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SrtpPolicy
{
    public SrtpSsrc Ssrc;
    public SrtpCryptoPolicy Rtp;
    public SrtpCryptoPolicy Rtcp;
    public byte* Key;
    public nint Keys;
    public nuint NumMasterKeys;
    public nint DeprecatedEkt;
    public nuint WindowSize;
    public int AllowRepeatTx;
    public int* EncryptedHeaderExtensions;
    public int EncryptedHeaderExtensionCount;
    public SrtpPolicy* Next;
}
