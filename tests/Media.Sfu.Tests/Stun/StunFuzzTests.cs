using System.Buffers.Binary;
using System.Net;
using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Stun;

/// <summary>Arbitrary and mutated-valid input: the parser never throws and never points outside the input.</summary>
public class StunFuzzTests
{
    private static readonly byte[] Key = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();

    private static List<byte[]> Seeds()
    {
        var seeds = new List<byte[]>
        {
            Rfc5769Vectors.Request, Rfc5769Vectors.IPv4Response, Rfc5769Vectors.IPv6Response, Rfc5769Vectors.LongTermRequest,
        };
        var buffer = new byte[256];
        var w = new StunWriter(buffer);
        w.WriteHeader(StunMessageType.BindingErrorResponse, new byte[12]);
        w.WriteErrorCode(420);
        w.WriteUnknownAttributes([0x7001]);
        w.WriteMessageIntegrity(Key);
        w.WriteFingerprint();
        seeds.Add(w.Written.ToArray());
        w = new StunWriter(buffer);
        w.WriteHeader(StunMessageType.BindingRequest, new byte[12]);
        w.WriteUsername("abcd:efgh"u8);
        w.WriteIceControlling(42);
        w.WriteUseCandidate();
        w.WritePriority(1);
        w.WriteAttribute(0xC057, [0, 1, 0, 5]);
        w.WriteMessageIntegrity(Key);
        w.WriteFingerprint();
        seeds.Add(w.Written.ToArray());
        return seeds;
    }

    /// <summary>Calls every accessor; any out-of-range read would throw from span slicing.</summary>
    private static void Exercise(byte[] input)
    {
        StunMessage.IsStun(input);
        if (!StunMessage.TryParse(input, out StunMessage m))
            return;
        Assert.InRange(m.Length, 20, input.Length);
        Assert.True(m.Raw.Overlaps(input));
        _ = m.Class;
        _ = m.Method;
        Assert.Equal(12, m.TransactionId.Length);
        if (m.TryGetUsername(out ReadOnlySpan<byte> username) && username.Length > 0)
            Assert.True(username.Overlaps(input));
        m.TryGetPriority(out _);
        m.TryGetIceControlling(out _);
        m.TryGetIceControlled(out _);
        if (m.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason))
        {
            Assert.InRange(code, 300, 699);
            if (reason.Length > 0)
                Assert.True(reason.Overlaps(input));
        }
        Span<byte> address = stackalloc byte[16];
        if (m.TryGetXorMappedAddress(address, out int length, out _))
            Assert.True(length is 4 or 16);
        m.TryGetXorMappedAddress(out IPEndPoint? _);
        m.TryGetAttribute(StunAttributeType.Software, out _);
        m.TryGetAttribute(0xFFFF, out _);
        Span<ushort> unknown = stackalloc ushort[4];
        Assert.InRange(m.GetUnknownComprehensionRequired(unknown), 0, Math.Min(4, m.UnknownComprehensionRequiredCount));
        m.ValidateMessageIntegrity(Key);
        m.ValidateFingerprint();
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(5389);
        for (int i = 0; i < 20000; i++)
        {
            var input = new byte[random.Next(0, 160)];
            random.NextBytes(input);
            if (input.Length >= 20 && random.Next(2) == 0)
            {
                // Make it look like STUN so the attribute walk gets exercised, not just the header checks.
                input[0] &= 0x03;
                BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(4), StunConstants.MagicCookie);
                int body = (input.Length - 20) & ~3;
                BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(2), (ushort)(random.Next(3) == 0 ? random.Next(0, 200) : body));
            }
            Exercise(input);
        }
    }

    [Fact]
    public void MutatedValidMessages_NeverThrow()
    {
        var random = new Random(8445);
        List<byte[]> seeds = Seeds();
        int parsed = 0;
        for (int i = 0; i < 20000; i++)
        {
            byte[] input = (byte[])seeds[random.Next(seeds.Count)].Clone();
            switch (random.Next(4))
            {
                case 0: // flip random bytes
                    for (int k = random.Next(1, 5); k > 0; k--)
                        input[random.Next(input.Length)] = (byte)random.Next(256);
                    break;
                case 1: // truncate
                    input = input.AsSpan(0, random.Next(input.Length)).ToArray();
                    break;
                case 2: // corrupt an attribute length field (offsets 22, 26, ... are typical)
                    int at = 20 + 4 * random.Next((input.Length - 20) / 4) + 2;
                    if (at + 1 < input.Length)
                        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(at), (ushort)random.Next(0, 300));
                    break;
                default: // extend with garbage and fix the header length
                    byte[] extra = new byte[4 * random.Next(1, 8)];
                    random.NextBytes(extra);
                    input = [.. input, .. extra];
                    BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(2), (ushort)(input.Length - 20));
                    break;
            }
            if (StunMessage.TryParse(input, out _))
                parsed++;
            Exercise(input);
        }
        // The mutations must leave many messages parseable, or the accessors were barely exercised.
        Assert.True(parsed > 2000, $"only {parsed} mutated messages parsed");
    }
}
