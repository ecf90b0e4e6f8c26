using System.Buffers;
using System.Text;

namespace Redis.Client.Tests.Protocol;

/// <summary>
/// Randomized checks of the reply reader: whatever the bytes, it returns Complete (and moves
/// forward), NeedMoreData or ProtocolError (and does not move), never throws and never loops.
/// Seeds are fixed so failures reproduce.
/// </summary>
public class RespReaderFuzzTests
{
    private static readonly byte[] Alphabet = "+-:$*\r\n0123456789-1OKab"u8.ToArray();

    [Fact(Timeout = 120_000)]
    public Task ArbitraryBytesNeverThrowOrStall() => Task.Run(() =>
    {
        var random = new Random(1234);
        var counts = new Dictionary<RespParseStatus, int>();
        for (int i = 0; i < 30_000; i++)
        {
            var data = new byte[random.Next(0, 80)];
            bool resp = random.Next(2) == 0; // half uniformly random, half biased to RESP syntax
            for (int j = 0; j < data.Length; j++)
            {
                data[j] = resp ? Alphabet[random.Next(Alphabet.Length)] : (byte)random.Next(256);
            }

            var status = DrainChecked(Sequences.Split(data, random.Next(data.Length + 1), random.Next(data.Length + 1)), data.Length);
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }

        // The generator must exercise every outcome, or the test proves little.
        Assert.True(counts.GetValueOrDefault(RespParseStatus.NeedMoreData) > 100);
        Assert.True(counts.GetValueOrDefault(RespParseStatus.ProtocolError) > 100);
    });

    [Fact(Timeout = 120_000)]
    public Task ValidRepliesSplitAtEveryByteBoundary() => Task.Run(() =>
    {
        var random = new Random(42);
        for (int i = 0; i < 400; i++)
        {
            var expected = RandomReply(random, depth: 0);
            var wire = Encode(expected);
            string canonical = Canon(expected);

            for (int cut = 0; cut < wire.Length; cut++)
            {
                // Truncated: every proper prefix is a valid beginning that needs more data.
                var prefix = new ReadOnlySequence<byte>(wire, 0, cut);
                Assert.Equal(RespParseStatus.NeedMoreData, RespReplyReader.TryRead(ref prefix, out _, out var error));
                Assert.Null(error);
                Assert.Equal(cut, prefix.Length);

                // Whole, but delivered in two segments split at this byte.
                var split = Sequences.Split(wire, cut);
                Assert.Equal(RespParseStatus.Complete, RespReplyReader.TryRead(ref split, out var reply, out _));
                Assert.Equal(0, split.Length);
                Assert.Equal(canonical, Canon(reply!));
            }

            // One segment per byte: the worst fragmentation.
            var shredded = Sequences.Split(wire, Enumerable.Range(1, wire.Length - 1).ToArray());
            Assert.Equal(RespParseStatus.Complete, RespReplyReader.TryRead(ref shredded, out var whole, out _));
            Assert.Equal(canonical, Canon(whole!));
        }
    });

    [Fact(Timeout = 120_000)]
    public Task CorruptedRepliesNeverThrowOrStall() => Task.Run(() =>
    {
        var random = new Random(7);
        var counts = new Dictionary<RespParseStatus, int>();
        for (int i = 0; i < 20_000; i++)
        {
            var wire = Encode(RandomReply(random, depth: 0)).ToList();
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations && wire.Count > 0; m++)
            {
                int at = random.Next(wire.Count);
                switch (random.Next(5))
                {
                    case 0: wire[at] ^= (byte)(1 << random.Next(8)); break;
                    case 1: wire[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                    case 2: wire.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    case 3: wire.RemoveAt(at); break;
                    default: wire.RemoveRange(at, wire.Count - at); break; // truncate
                }
            }

            var data = wire.ToArray();
            var status = DrainChecked(Sequences.Split(data, random.Next(data.Length + 1)), data.Length);
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }

        Assert.True(counts.GetValueOrDefault(RespParseStatus.NeedMoreData) > 100);
        Assert.True(counts.GetValueOrDefault(RespParseStatus.ProtocolError) > 100);
    });

    [Fact(Timeout = 120_000)]
    public Task StreamOfRepliesInRandomChunksIsRecoveredInOrder() => Task.Run(() =>
    {
        var random = new Random(99);
        var expected = Enumerable.Range(0, 2_000).Select(_ => RandomReply(random, 0)).ToList();
        var stream = expected.SelectMany(Encode).ToArray();

        // Feed the bytes the way the reader loop receives them: growing, in random chunks.
        var received = new List<string>();
        int available = 0, consumed = 0;
        while (consumed < stream.Length)
        {
            available = Math.Min(stream.Length, available + random.Next(1, 300));
            var buffer = new ReadOnlySequence<byte>(stream, consumed, available - consumed);
            while (true)
            {
                var status = RespReplyReader.TryRead(ref buffer, out var reply, out var error);
                Assert.NotEqual(RespParseStatus.ProtocolError, status);
                if (status == RespParseStatus.NeedMoreData)
                {
                    break;
                }

                received.Add(Canon(reply!));
            }

            consumed = available - (int)buffer.Length;
        }

        Assert.Equal(expected.Select(Canon), received);
    });

    [Fact(Timeout = 60_000)]
    public Task HostileHeadersAreRejectedOrWaitedOnWithoutAllocating() => Task.Run(() =>
    {
        var random = new Random(5);
        for (int i = 0; i < 5_000; i++)
        {
            // Huge declared lengths must not make the reader allocate or read past the buffer.
            long length = random.Next(3) switch
            {
                0 => random.NextInt64(long.MaxValue),
                1 => random.NextInt64(int.MaxValue),
                _ => -random.NextInt64(long.MaxValue),
            };
            string prefix = random.Next(2) == 0 ? "$" : "*";
            var data = Encoding.ASCII.GetBytes($"{prefix}{length}\r\n:1\r\n");
            var status = DrainChecked(new ReadOnlySequence<byte>(data), data.Length);
            bool invalid = length < -1 || (prefix == "$" ? length > RespLimits.RedisMaxBulkLength : length > Array.MaxLength);
            if (invalid)
            {
                Assert.Equal(RespParseStatus.ProtocolError, status);
            }
            else if (length > 2)
            {
                // Plausible but unfinished: wait for the rest, which never fits in these bytes.
                Assert.Equal(RespParseStatus.NeedMoreData, status);
            }
        }
    });

    /// <summary>Reads replies until the parser stops; checks the invariants of each step.</summary>
    private static RespParseStatus DrainChecked(ReadOnlySequence<byte> buffer, int totalLength)
    {
        Assert.Equal(totalLength, buffer.Length);
        // Every complete reply is at least 3 bytes, so this bounds the loop.
        for (int steps = 0; steps <= totalLength; steps++)
        {
            long before = buffer.Length;
            var start = buffer.Start;
            var status = RespReplyReader.TryRead(ref buffer, out var reply, out var error);
            switch (status)
            {
                case RespParseStatus.Complete:
                    Assert.NotNull(reply);
                    Assert.True(buffer.Length < before, "a complete reply must consume bytes");
                    Assert.True(buffer.Length >= 0);
                    break;
                case RespParseStatus.NeedMoreData:
                    Assert.Null(reply);
                    Assert.Null(error);
                    Assert.Equal(before, buffer.Length);
                    Assert.Equal(start, buffer.Start);
                    return status;
                case RespParseStatus.ProtocolError:
                    Assert.Null(reply);
                    Assert.False(string.IsNullOrEmpty(error));
                    Assert.Equal(before, buffer.Length);
                    return status;
                default:
                    Assert.Fail($"Unknown status {status}");
                    break;
            }
        }

        Assert.Fail("The reader completed more replies than the input can hold.");
        return default;
    }

    private static RedisReply RandomReply(Random random, int depth)
    {
        int kind = random.Next(depth < 3 ? 7 : 5);
        switch (kind)
        {
            case 0:
                return RedisReply.SimpleString(RandomLine(random));
            case 1:
                return RedisReply.Error("ERR " + RandomLine(random));
            case 2:
                return RedisReply.Integer(random.Next(4) switch
                {
                    0 => long.MinValue,
                    1 => long.MaxValue,
                    _ => random.NextInt64(-1_000_000, 1_000_000),
                });
            case 3:
            {
                if (random.Next(8) == 0)
                {
                    return RedisReply.NullBulkString;
                }

                var bytes = new byte[random.Next(0, 40)];
                random.NextBytes(bytes);
                if (bytes.Length > 2 && random.Next(2) == 0)
                {
                    bytes[random.Next(bytes.Length)] = (byte)'\r';
                    bytes[random.Next(bytes.Length)] = (byte)'\n';
                }

                return RedisReply.BulkString(bytes);
            }
            case 4:
                return random.Next(2) == 0 ? RedisReply.NullArray : RedisReply.EmptyArray;
            default:
            {
                var items = new RedisReply[random.Next(1, 6)];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = RandomReply(random, depth + 1);
                }

                return RedisReply.Array(items);
            }
        }
    }

    private static string RandomLine(Random random)
    {
        var chars = new char[random.Next(0, 30)];
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(32, 127);
        }

        return new string(chars);
    }

    /// <summary>An encoder written independently of the library's, from the RESP2 spec.</summary>
    private static byte[] Encode(RedisReply reply)
    {
        var output = new List<byte>();
        Write(reply);
        return output.ToArray();

        void Line(char prefix, string text) => output.AddRange(Encoding.UTF8.GetBytes(prefix + text + "\r\n"));

        void Write(RedisReply r)
        {
            switch (r.Kind)
            {
                case RedisReplyKind.SimpleString: Line('+', r.AsString()!); break;
                case RedisReplyKind.Error: Line('-', r.ErrorMessage!); break;
                case RedisReplyKind.Integer: Line(':', r.AsInt64().ToString()); break;
                case RedisReplyKind.BulkString:
                    if (r.IsNull)
                    {
                        Line('$', "-1");
                    }
                    else
                    {
                        Line('$', r.AsBytes()!.Length.ToString());
                        output.AddRange(r.AsBytes()!);
                        output.AddRange("\r\n"u8.ToArray());
                    }

                    break;
                default:
                    if (r.IsNull)
                    {
                        Line('*', "-1");
                    }
                    else
                    {
                        Line('*', r.Count.ToString());
                        foreach (var item in r.AsArray()!)
                        {
                            Write(item);
                        }
                    }

                    break;
            }
        }
    }

    private static string Canon(RedisReply r) => r.Kind switch
    {
        RedisReplyKind.BulkString => r.IsNull ? "$nil" : "$" + Convert.ToHexString(r.AsBytes()!),
        RedisReplyKind.Array => r.IsNull ? "*nil" : "[" + string.Join(",", r.AsArray()!.Select(Canon)) + "]",
        _ => r.ToString(),
    };
}
