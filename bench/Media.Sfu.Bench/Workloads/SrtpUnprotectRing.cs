using System.Buffers.Binary;
using Media.Sfu.Srtp;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// Unprotect on its own. Unprotect works in place and libsrtp rejects an index it has seen, so
/// every call needs a packet it has not decrypted before. The ring holds <see cref="Capacity"/>
/// SRTP packets (sequence numbers 0..Capacity-1) protected once at construction; <see cref="Rewind"/>
/// restores the ciphertexts and starts a fresh inbound session, after which each <see cref="Unprotect"/>
/// decrypts the next packet in place.
/// </summary>
/// <remarks>
/// The benchmark calls <see cref="Rewind"/> in [IterationSetup] and runs exactly Capacity calls per
/// iteration, so neither the copy nor the session creation is measured. What is measured includes
/// libsrtp cloning its per-SSRC stream on the first packet of each session (amortised over Capacity)
/// and reading packets that sit in L3 cache rather than L1 (the ring is Capacity × 1,280 bytes).
/// Should a caller run past the end, the ring rewinds by itself and counts it in <see cref="UnplannedRewinds"/>.
/// </remarks>
public sealed class SrtpUnprotectRing : IDisposable
{
    /// <summary>Bytes per slot: the packet and its tag, rounded to a cache-line multiple.</summary>
    public const int SlotLength = 1280;

    private readonly byte[] _key;
    private readonly byte[] _pristine;
    private readonly byte[] _working;
    private SrtpSession? _inbound;
    private int _next;

    public SrtpUnprotectRing(SrtpProfile profile, int capacity, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 65_536);
        Profile = profile;
        Capacity = capacity;
        _key = BenchPackets.MasterKeyAndSalt(profile, seed);
        _pristine = new byte[capacity * SlotLength];
        _working = new byte[capacity * SlotLength];
        Plaintext = BenchPackets.Rtp(0, 90_000, seed);

        using var outbound = new SrtpSession(profile, SrtpDirection.Outbound, _key);
        var scratch = new byte[BenchPackets.RtpLength + SrtpSession.TrailerRoom];
        for (int i = 0; i < capacity; i++)
        {
            Plaintext.CopyTo(scratch, 0);
            BinaryPrimitives.WriteUInt16BigEndian(scratch.AsSpan(2), (ushort)i);
            SrtpStatus status = outbound.ProtectRtp(scratch, BenchPackets.RtpLength, out int length);
            if (status != SrtpStatus.Ok)
                Fail.Throw("ProtectRtp", status);
            ProtectedLength = length;
            scratch.AsSpan(0, length).CopyTo(_pristine.AsSpan(i * SlotLength));
        }
        Rewind();
    }

    public SrtpProfile Profile { get; }
    public int Capacity { get; }
    /// <summary>Length of every SRTP packet in the ring (RTP length + tag).</summary>
    public int ProtectedLength { get; }
    /// <summary>The RTP packet every slot decrypts to, except for the sequence number (the slot index).</summary>
    public byte[] Plaintext { get; }
    public int UnplannedRewinds { get; private set; }

    /// <summary>Restores every slot to its ciphertext and replaces the inbound session with a fresh one.</summary>
    public void Rewind()
    {
        _inbound?.Dispose();
        _inbound = new SrtpSession(Profile, SrtpDirection.Inbound, _key);
        _pristine.AsSpan().CopyTo(_working);
        _next = 0;
    }

    /// <summary>Unprotects the next slot in place; returns the RTP length.</summary>
    public int Unprotect()
    {
        if (_next == Capacity)
        {
            UnplannedRewinds++;
            Rewind();
        }
        Span<byte> slot = _working.AsSpan(_next++ * SlotLength, ProtectedLength);
        SrtpStatus status = _inbound!.UnprotectRtp(slot, ProtectedLength, out int length);
        if (status != SrtpStatus.Ok)
            Fail.Throw("UnprotectRtp", status);
        return length;
    }

    /// <summary>The slot the last <see cref="Unprotect"/> decrypted (for checks).</summary>
    public ReadOnlySpan<byte> LastSlot(int length) => _working.AsSpan((_next - 1) * SlotLength, length);

    public void Dispose() => _inbound?.Dispose();
}
