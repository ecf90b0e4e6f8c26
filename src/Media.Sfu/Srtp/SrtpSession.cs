using Media.Sfu.Native;

namespace Media.Sfu.Srtp;

/// <summary>Which way packets flow through an <see cref="SrtpSession"/>.</summary>
public enum SrtpDirection
{
    /// <summary>Unprotects packets received from the peer (libsrtp ssrc_any_inbound).</summary>
    Inbound,

    /// <summary>Protects packets sent to the peer (libsrtp ssrc_any_outbound).</summary>
    Outbound,
}

/// <summary>
/// One direction of SRTP/SRTCP for one transport, wrapping a libsrtp <c>srtp_t</c> that matches
/// any SSRC. Replay window 1024 packets; protect accepts re-sending an index it already used
/// (allow_repeat_tx) so NACK retransmissions of the same packet go out (RFC 3711 §3.3.2).
/// Work in place and allocate nothing.
/// <para>
/// Buffer rule: every buffer passed to a Protect method must have at least
/// <see cref="TrailerRoom"/> (144, SRTP_MAX_TRAILER_LEN) bytes after the packet, because libsrtp
/// appends the tag/MKI/SRTCP index in place. Otherwise <see cref="SrtpStatus.BufferTooSmall"/>.
/// </para>
/// Not thread-safe: libsrtp keeps per-stream replay and rollover state, so one caller at a time
/// (Dispose may race safely with a call in progress).
/// </summary>
public sealed unsafe class SrtpSession : IDisposable
{
    /// <summary>SRTP_MAX_TRAILER_LEN: spare bytes required after the packet for Protect calls.</summary>
    public const int TrailerRoom = LibSrtp.MaxTrailerLength;

    /// <summary>Replay window size in packets (libsrtp's window_size).</summary>
    public const int ReplayWindowSize = 1024;

    private readonly SrtpContextHandle _handle;

    /// <param name="masterKeyAndSalt">Master key followed by master salt, <see cref="SrtpProfileExtensions.MasterKeyAndSaltLength"/> bytes.</param>
    public SrtpSession(SrtpProfile profile, SrtpDirection direction, ReadOnlySpan<byte> masterKeyAndSalt)
    {
        if (masterKeyAndSalt.Length != profile.MasterKeyAndSaltLength())
        {
            throw new ArgumentException(
                $"{profile} needs {profile.MasterKeyAndSaltLength()} bytes of key||salt, got {masterKeyAndSalt.Length}.",
                nameof(masterKeyAndSalt));
        }
        LibSrtp.EnsureInitialized();

        var policy = default(SrtpPolicy);
        switch (profile)
        {
            case SrtpProfile.AesCm128HmacSha1_80:
                LibSrtp.srtp_crypto_policy_set_rtp_default(&policy.Rtp);
                LibSrtp.srtp_crypto_policy_set_rtp_default(&policy.Rtcp);
                break;
            case SrtpProfile.AeadAes128Gcm:
                LibSrtp.srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.Rtp);
                LibSrtp.srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.Rtcp);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(profile), profile, null);
        }
        policy.Ssrc.Type = direction == SrtpDirection.Inbound ? LibSrtp.SsrcAnyInbound : LibSrtp.SsrcAnyOutbound;
        policy.WindowSize = ReplayWindowSize;
        policy.AllowRepeatTx = 1;

        // srtp_create copies the key into its own context; the stack copy is wiped afterwards.
        Span<byte> key = stackalloc byte[masterKeyAndSalt.Length];
        masterKeyAndSalt.CopyTo(key);
        nint session = 0;
        int status;
        fixed (byte* keyPointer = key)
        {
            policy.Key = keyPointer;
            status = LibSrtp.srtp_create(&session, &policy);
        }
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        if (status != 0 || session == 0)
        {
            if (session != 0)
            {
                LibSrtp.srtp_dealloc(session);
            }
            throw new InvalidOperationException($"srtp_create({profile}, {direction}) failed: {(SrtpStatus)status}.");
        }
        _handle = new SrtpContextHandle(session);
        Profile = profile;
        Direction = direction;
    }

    public SrtpProfile Profile { get; }

    public SrtpDirection Direction { get; }

    /// <summary>
    /// Encrypts and authenticates the RTP packet in <c>buffer[..length]</c> in place.
    /// <paramref name="buffer"/> must be at least <c>length + </c><see cref="TrailerRoom"/> bytes.
    /// </summary>
    public SrtpStatus ProtectRtp(Span<byte> buffer, int length, out int protectedLength) =>
        Run(Operation.ProtectRtp, buffer, length, out protectedLength);

    /// <summary>Authenticates and decrypts the SRTP packet in <c>buffer[..length]</c> in place.</summary>
    public SrtpStatus UnprotectRtp(Span<byte> buffer, int length, out int unprotectedLength) =>
        Run(Operation.UnprotectRtp, buffer, length, out unprotectedLength);

    /// <summary>Protects a (compound) RTCP packet in place; needs <see cref="TrailerRoom"/> spare bytes.</summary>
    public SrtpStatus ProtectRtcp(Span<byte> buffer, int length, out int protectedLength) =>
        Run(Operation.ProtectRtcp, buffer, length, out protectedLength);

    /// <summary>Unprotects an SRTCP packet in place.</summary>
    public SrtpStatus UnprotectRtcp(Span<byte> buffer, int length, out int unprotectedLength) =>
        Run(Operation.UnprotectRtcp, buffer, length, out unprotectedLength);

    public void Dispose() => _handle.Dispose();

    private enum Operation
    {
        ProtectRtp,
        UnprotectRtp,
        ProtectRtcp,
        UnprotectRtcp,
    }

    private SrtpStatus Run(Operation operation, Span<byte> buffer, int length, out int resultLength)
    {
        resultLength = 0;
        var protect = operation is Operation.ProtectRtp or Operation.ProtectRtcp;
        if ((uint)length > (uint)buffer.Length)
        {
            return SrtpStatus.BadParam;
        }
        if (protect != (Direction == SrtpDirection.Outbound))
        {
            return SrtpStatus.WrongDirection;
        }
        if (protect && buffer.Length - length < TrailerRoom)
        {
            return SrtpStatus.BufferTooSmall;
        }
        if (_handle.IsClosed)
        {
            return SrtpStatus.NoContext;
        }

        var inOut = length;
        int status;
        fixed (byte* packet = buffer)
        {
            status = operation switch
            {
                Operation.ProtectRtp => LibSrtp.srtp_protect(_handle, packet, &inOut),
                Operation.UnprotectRtp => LibSrtp.srtp_unprotect(_handle, packet, &inOut),
                Operation.ProtectRtcp => LibSrtp.srtp_protect_rtcp(_handle, packet, &inOut),
                _ => LibSrtp.srtp_unprotect_rtcp(_handle, packet, &inOut),
            };
        }
        if (status == 0)
        {
            resultLength = inOut;
        }
        return (SrtpStatus)status;
    }
}
