using System.Runtime.InteropServices;

namespace Media.Sfu.Native;

/// <summary>
/// P/Invoke into OpenSSL 3.0's libssl. Macros such as <c>DTLSv1_get_timeout</c> are called
/// through <c>SSL_ctrl</c>/<c>SSL_CTX_ctrl</c> with the command numbers from ssl.h.
/// Linux LP64 only (C <c>long</c> is <see cref="nint"/>).
/// </summary>
internal static unsafe partial class LibSsl
{
    public const string Library = "libssl.so.3";

    // SSL_ctrl / SSL_CTX_ctrl commands (ssl.h).
    public const int SSL_CTRL_SET_MTU = 17;
    public const int SSL_CTRL_MODE = 33;
    public const int SSL_CTRL_SET_SESS_CACHE_MODE = 44;
    public const int DTLS_CTRL_GET_TIMEOUT = 73;
    public const int DTLS_CTRL_HANDLE_TIMEOUT = 74;
    public const int DTLS_CTRL_SET_LINK_MTU = 120;
    public const int SSL_CTRL_SET_MIN_PROTO_VERSION = 123;

    public const int DTLS1_2_VERSION = 0xFEFD;
    public const int SSL_SESS_CACHE_OFF = 0;

    // SSL_OP_* (64-bit in 3.0).
    public const ulong SSL_OP_NO_QUERY_MTU = 1UL << 12;
    public const ulong SSL_OP_NO_TICKET = 1UL << 14;
    public const ulong SSL_OP_CIPHER_SERVER_PREFERENCE = 1UL << 22;
    public const ulong SSL_OP_NO_RENEGOTIATION = 1UL << 30;

    public const int SSL_VERIFY_PEER = 0x01;
    public const int SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 0x02;

    public const int SSL_ERROR_NONE = 0;
    public const int SSL_ERROR_SSL = 1;
    public const int SSL_ERROR_WANT_READ = 2;
    public const int SSL_ERROR_WANT_WRITE = 3;
    public const int SSL_ERROR_SYSCALL = 5;
    public const int SSL_ERROR_ZERO_RETURN = 6;

    public const int SSL_SENT_SHUTDOWN = 1;
    public const int SSL_RECEIVED_SHUTDOWN = 2;

    /// <summary>Index of the "app data" ex_data slot (<c>SSL_set_app_data</c> is ex_data index 0).</summary>
    public const int AppDataIndex = 0;

    /// <summary><c>struct timeval</c> on LP64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public nint Seconds;
        public nint Microseconds;
    }

    /// <summary><c>SRTP_PROTECTION_PROFILE { const char *name; unsigned long id; }</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SrtpProtectionProfile
    {
        public nint Name;
        public nuint Id;
    }

    [LibraryImport(Library)]
    public static partial nint DTLS_method();

    [LibraryImport(Library)]
    public static partial nint SSL_CTX_new(nint method);

    [LibraryImport(Library)]
    public static partial void SSL_CTX_free(nint ctx);

    [LibraryImport(Library)]
    public static partial nint SSL_CTX_ctrl(SslContextHandle ctx, int cmd, nint larg, nint parg);

    [LibraryImport(Library)]
    public static partial ulong SSL_CTX_set_options(SslContextHandle ctx, ulong options);

    [LibraryImport(Library)]
    public static partial int SSL_CTX_use_certificate(SslContextHandle ctx, X509Handle x509);

    [LibraryImport(Library)]
    public static partial int SSL_CTX_use_PrivateKey(SslContextHandle ctx, EvpPKeyHandle key);

    [LibraryImport(Library)]
    public static partial int SSL_CTX_check_private_key(SslContextHandle ctx);

    /// <summary>Returns 0 on success (unlike most of OpenSSL).</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SSL_CTX_set_tlsext_use_srtp(SslContextHandle ctx, string profiles);

    [LibraryImport(Library)]
    public static partial void SSL_CTX_set_verify(SslContextHandle ctx, int mode, delegate* unmanaged<int, nint, int> callback);

    [LibraryImport(Library)]
    public static partial nint SSL_new(SslContextHandle ctx);

    [LibraryImport(Library)]
    public static partial void SSL_free(nint ssl);

    [LibraryImport(Library)]
    public static partial void SSL_set_bio(SslHandle ssl, nint readBio, nint writeBio);

    [LibraryImport(Library)]
    public static partial nint SSL_get_rbio(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial nint SSL_get_wbio(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial void SSL_set_accept_state(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial void SSL_set_connect_state(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial ulong SSL_set_options(SslHandle ssl, ulong options);

    [LibraryImport(Library)]
    public static partial nint SSL_ctrl(SslHandle ssl, int cmd, nint larg, nint parg);

    [LibraryImport(Library)]
    public static partial int SSL_do_handshake(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial int SSL_is_init_finished(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial int SSL_read(SslHandle ssl, byte* buffer, int length);

    [LibraryImport(Library)]
    public static partial int SSL_write(SslHandle ssl, byte* buffer, int length);

    [LibraryImport(Library)]
    public static partial int SSL_shutdown(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial int SSL_get_shutdown(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial int SSL_get_error(SslHandle ssl, int ret);

    [LibraryImport(Library)]
    public static partial int SSL_set_ex_data(SslHandle ssl, int index, nint data);

    [LibraryImport(Library)]
    public static partial nint SSL_get_ex_data(nint ssl, int index);

    /// <summary>
    /// <c>void DTLS_set_timer_cb(SSL *s, unsigned int (*cb)(SSL *s, unsigned int timer_us))</c>: the callback
    /// returns the next retransmission timeout in microseconds (timer_us == 0 asks for the initial one).
    /// </summary>
    [LibraryImport(Library)]
    public static partial void DTLS_set_timer_cb(SslHandle ssl, delegate* unmanaged<nint, uint, uint> callback);

    /// <summary>Returns a new reference (caller frees), or 0 when the peer sent no certificate.</summary>
    [LibraryImport(Library)]
    public static partial nint SSL_get1_peer_certificate(SslHandle ssl);

    /// <summary>Borrowed pointer to a static profile, or 0 when no SRTP profile was negotiated.</summary>
    [LibraryImport(Library)]
    public static partial SrtpProtectionProfile* SSL_get_selected_srtp_profile(SslHandle ssl);

    [LibraryImport(Library)]
    public static partial int SSL_export_keying_material(
        SslHandle ssl, byte* output, nuint outputLength, byte* label, nuint labelLength,
        byte* context, nuint contextLength, int useContext);

    [LibraryImport(Library)]
    public static partial nint SSL_get_version(SslHandle ssl);
}
