using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// Yardsticks measured in the same run, so the SFU's figures can be read as ratios that carry
/// over between machines: a 1,200-byte copy, AES-128-GCM encryption of 1,200 bytes with
/// .NET's <see cref="AesGcm"/> (OpenSSL underneath on Linux, as libsrtp's GCM is here), and one
/// one-shot HMAC-SHA1 over a STUN-request-sized input, the primitive MESSAGE-INTEGRITY costs.
/// </summary>
public sealed class ReferenceWorkload : IDisposable
{
    public const int Length = 1200;
    public const int TagLength = 16;
    /// <summary>About what MESSAGE-INTEGRITY covers in a browser's Binding request.</summary>
    public const int StunSizedLength = 80;

    private readonly AesGcm _aes;
    private ulong _counter;

    public ReferenceWorkload(int seed = 5)
    {
        var random = new Random(seed);
        random.NextBytes(Source);
        Key = new byte[16];
        random.NextBytes(Key);
        random.NextBytes(Nonce);
        _aes = new AesGcm(Key, TagLength);
        random.NextBytes(HmacKey);
    }

    public byte[] Key { get; }
    public byte[] Source { get; } = new byte[Length];
    public byte[] Destination { get; } = new byte[Length];
    public byte[] Ciphertext { get; } = new byte[Length];
    public byte[] Tag { get; } = new byte[TagLength];
    /// <summary>The nonce of the last encryption: a fixed salt with a per-call counter in the last 8 bytes.</summary>
    public byte[] Nonce { get; } = new byte[12];
    /// <summary>32 bytes, the length of the SFU's ICE passwords.</summary>
    public byte[] HmacKey { get; } = new byte[32];
    public byte[] Mac { get; } = new byte[20];

    public int Copy()
    {
        Source.AsSpan().CopyTo(Destination);
        return Destination[Length - 1];
    }

    /// <summary>Encrypts <see cref="Source"/> under a fresh nonce; returns the tag's first byte.</summary>
    public int EncryptAesGcm()
    {
        BinaryPrimitives.WriteUInt64BigEndian(Nonce.AsSpan(4), ++_counter);
        _aes.Encrypt(Nonce, Source, Ciphertext, Tag);
        return Tag[0];
    }

    /// <summary>HMAC-SHA1 of the first <see cref="StunSizedLength"/> bytes of <see cref="Source"/>, as StunWriter and StunMessage call it.</summary>
    public int HmacSha1()
    {
        HMACSHA1.HashData(HmacKey, Source.AsSpan(0, StunSizedLength), Mac);
        return Mac[0];
    }

    public void Dispose() => _aes.Dispose();
}
