using System.Runtime.InteropServices;

namespace Media.Sfu.Native;

/// <summary>
/// P/Invoke into OpenSSL 3.0's libcrypto. Linux x86-64/arm64 only (LP64: C <c>long</c> is
/// <see cref="nint"/>). Function names checked with <c>nm -D libcrypto.so.3</c>.
/// </summary>
internal static unsafe partial class LibCrypto
{
    public const string Library = "libcrypto.so.3";

    // BIO_ctrl commands (bio.h).
    public const int BIO_CTRL_RESET = 1;
    public const int BIO_CTRL_INFO = 3; // BIO_get_mem_data
    public const int BIO_CTRL_PENDING = 10;
    public const int BIO_C_SET_BUF_MEM_EOF_RETURN = 130;

    [LibraryImport(Library)]
    public static partial nuint OpenSSL_version_num();

    [LibraryImport(Library)]
    public static partial nint BIO_s_mem();

    [LibraryImport(Library)]
    public static partial nint BIO_new(nint method);

    [LibraryImport(Library)]
    public static partial int BIO_free(nint bio);

    [LibraryImport(Library)]
    public static partial nint BIO_ctrl(nint bio, int cmd, nint larg, nint parg);

    [LibraryImport(Library)]
    public static partial int BIO_read(nint bio, byte* data, int length);

    [LibraryImport(Library)]
    public static partial int BIO_write(nint bio, byte* data, int length);

    /// <summary><c>X509 *d2i_X509(X509 **a, const unsigned char **pp, long length)</c>.</summary>
    [LibraryImport(Library)]
    public static partial nint d2i_X509(nint reuse, byte** input, nint length);

    /// <summary><c>int i2d_X509(const X509 *a, unsigned char **out)</c>; with out == NULL returns the length.</summary>
    [LibraryImport(Library)]
    public static partial int i2d_X509(nint x509, byte** output);

    [LibraryImport(Library)]
    public static partial void X509_free(nint x509);

    [LibraryImport(Library)]
    public static partial int X509_up_ref(nint x509);

    /// <summary><c>EVP_PKEY *d2i_AutoPrivateKey(EVP_PKEY **a, const unsigned char **pp, long length)</c>; detects PKCS#8 or SEC1.</summary>
    [LibraryImport(Library)]
    public static partial nint d2i_AutoPrivateKey(nint reuse, byte** input, nint length);

    [LibraryImport(Library)]
    public static partial void EVP_PKEY_free(nint key);

    [LibraryImport(Library)]
    public static partial nuint ERR_get_error();

    [LibraryImport(Library)]
    public static partial void ERR_clear_error();

    [LibraryImport(Library)]
    public static partial void ERR_error_string_n(nuint error, byte* buffer, nuint length);

    /// <summary>Pops the thread's OpenSSL error queue into one message (signalling path only).</summary>
    public static string DrainErrors(string context)
    {
        var message = context;
        Span<byte> buffer = stackalloc byte[256];
        nuint error;
        var count = 0;
        while ((error = ERR_get_error()) != 0)
        {
            if (count++ >= 8)
            {
                continue; // keep popping so the queue ends empty
            }
            fixed (byte* p = buffer)
            {
                ERR_error_string_n(error, p, (nuint)buffer.Length);
                message += ": " + Marshal.PtrToStringUTF8((nint)p);
            }
        }
        return message;
    }
}
