using System.Buffers.Binary;
using Media.Sfu.Srtp;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// SRTP protect, and protect followed by unprotect, of one 1,200-byte RTP packet in place.
/// Each call takes the next sequence number, as a sender does; libsrtp's replay window on the
/// inbound side would reject a repeated index.
/// </summary>
/// <remarks>
/// <see cref="Protect"/> re-encrypts the previous call's ciphertext: SRTP's cost does not depend
/// on the payload bytes, so the payload is not restored between calls. <see cref="ProtectUnprotect"/>
/// leaves the plaintext in the buffer, ready for the next call.
/// </remarks>
public sealed class SrtpWorkload : IDisposable
{
    private readonly SrtpSession _outbound;
    private readonly SrtpSession _inbound;
    private ushort _sequenceNumber;

    public SrtpWorkload(SrtpProfile profile, int seed = 1)
    {
        Profile = profile;
        byte[] key = BenchPackets.MasterKeyAndSalt(profile, seed);
        _outbound = new SrtpSession(profile, SrtpDirection.Outbound, key);
        _inbound = new SrtpSession(profile, SrtpDirection.Inbound, key);
        Buffer = new byte[BenchPackets.RtpLength + SrtpSession.TrailerRoom];
        BenchPackets.Rtp(0, 90_000, seed).CopyTo(Buffer, 0);
    }

    public SrtpProfile Profile { get; }
    /// <summary>The packet, with <see cref="SrtpSession.TrailerRoom"/> spare bytes after it for the tag.</summary>
    public byte[] Buffer { get; }
    /// <summary>Sequence number the next call will use.</summary>
    public ushort NextSequenceNumber => _sequenceNumber;

    /// <summary>Protects the packet with the next sequence number; returns the SRTP length.</summary>
    public int Protect()
    {
        BinaryPrimitives.WriteUInt16BigEndian(Buffer.AsSpan(2), _sequenceNumber++);
        SrtpStatus status = _outbound.ProtectRtp(Buffer, BenchPackets.RtpLength, out int length);
        if (status != SrtpStatus.Ok)
            Fail.Throw("ProtectRtp", status);
        return length;
    }

    /// <summary>Protects with the next sequence number, then unprotects on the inbound session; returns the RTP length.</summary>
    public int ProtectUnprotect()
    {
        BinaryPrimitives.WriteUInt16BigEndian(Buffer.AsSpan(2), _sequenceNumber++);
        SrtpStatus status = _outbound.ProtectRtp(Buffer, BenchPackets.RtpLength, out int protectedLength);
        if (status != SrtpStatus.Ok)
            Fail.Throw("ProtectRtp", status);
        status = _inbound.UnprotectRtp(Buffer, protectedLength, out int length);
        if (status != SrtpStatus.Ok)
            Fail.Throw("UnprotectRtp", status);
        return length;
    }

    public void Dispose()
    {
        _outbound.Dispose();
        _inbound.Dispose();
    }
}
