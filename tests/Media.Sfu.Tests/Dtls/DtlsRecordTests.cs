using Media.Sfu.Dtls;
using Media.Sfu.Tests.Native;

namespace Media.Sfu.Tests.Dtls;

public sealed class DtlsRecordTests
{
    // A DTLS 1.2 handshake record header: type 22, version FEFD, epoch 0, sequence 5, length 4.
    private static readonly byte[] HandshakeRecord = Convert.FromHexString("16FEFD0000000000000005000401020304");

    [Fact]
    public void ParsesTheHeaderFields()
    {
        Assert.True(DtlsRecord.TryParse(HandshakeRecord, out var record));
        Assert.Equal((byte)DtlsContentType.Handshake, record.ContentType);
        Assert.Equal(DtlsRecord.VersionDtls12, record.Version);
        Assert.Equal(0, record.Epoch);
        Assert.Equal(5UL, record.SequenceNumber);
        Assert.Equal(4, record.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, record.Fragment.ToArray());
        Assert.Equal(17, record.TotalLength);
        Assert.True(record.IsClientHello); // handshake type 1 at epoch 0
    }

    [Fact]
    public void ParsesEpochAnd48BitSequence()
    {
        var bytes = Convert.FromHexString("17FEFD0001ABCDEF012345000100");
        Assert.True(DtlsRecord.TryParse(bytes, out var record));
        Assert.Equal((byte)DtlsContentType.ApplicationData, record.ContentType);
        Assert.Equal(1, record.Epoch);
        Assert.Equal(0xABCDEF012345UL, record.SequenceNumber);
        Assert.False(record.IsClientHello);
    }

    [Fact]
    public void ReadsSeveralRecordsFromOneDatagram()
    {
        var ccs = Convert.FromHexString("14FEFD000000000000000600" + "0101");
        var datagram = HandshakeRecord.Concat(ccs).ToArray();
        var reader = new DtlsRecordReader(datagram);
        Assert.True(reader.TryRead(out var first));
        Assert.Equal(22, first.ContentType);
        Assert.True(reader.TryRead(out var second));
        Assert.Equal((byte)DtlsContentType.ChangeCipherSpec, second.ContentType);
        Assert.Equal(1, second.Length);
        Assert.False(reader.TryRead(out _));
        Assert.True(reader.Remaining.IsEmpty);
        Assert.True(DtlsRecord.IsWellFormedDatagram(datagram));
        Assert.False(DtlsRecord.IsWellFormedDatagram(datagram.Append((byte)0).ToArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("16FEFD00000000000000050004010203")] // fragment one byte short
    [InlineData("16FEFD000000000000000500")] // header short
    [InlineData("13FEFD0000000000000005000401020304")] // type 19 < 20
    [InlineData("40FEFD0000000000000005000401020304")] // type 64 > 63
    [InlineData("160303000000000000000500040102030405")] // TLS version, not DTLS
    [InlineData("16FEFE0000000000000005000401020304")] // unknown DTLS version
    public void RejectsMalformedRecords(string hex)
    {
        Assert.False(DtlsRecord.TryParse(Convert.FromHexString(hex), out _));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(3, false)]
    [InlineData(19, false)]
    [InlineData(20, true)]
    [InlineData(63, true)]
    [InlineData(64, false)]
    [InlineData(128, false)]
    public void FirstByteDemultiplexingFollowsRfc7983(byte first, bool isDtls)
    {
        Assert.Equal(isDtls, DtlsRecord.IsDtlsFirstByte(first));
    }

    [Fact]
    public void RandomAndMutatedInputNeverThrowsOrOverruns()
    {
        var random = new Random(7983);
        var buffer = new byte[2048];
        var valid = HandshakeRecord.Concat(Convert.FromHexString("17FEFD0001000000000009000A00112233445566778899")).ToArray();
        for (var i = 0; i < 20000; i++)
        {
            int length;
            if (i % 2 == 0)
            {
                length = random.Next(0, 64);
                random.NextBytes(buffer.AsSpan(0, length));
                if (random.Next(3) == 0 && length > 0)
                {
                    buffer[0] = (byte)random.Next(20, 64);
                }
            }
            else
            {
                valid.CopyTo(buffer, 0);
                length = valid.Length;
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    switch (random.Next(3))
                    {
                        case 0: buffer[random.Next(length)] = (byte)random.Next(256); break;
                        case 1: length = random.Next(0, length + 1); break;
                        default:
                            buffer[11] = (byte)random.Next(256); // record length
                            buffer[12] = (byte)random.Next(256);
                            break;
                    }
                }
            }

            var span = buffer.AsSpan(0, length);
            if (DtlsRecord.TryParse(span, out var record))
            {
                Assert.InRange(record.TotalLength, DtlsRecord.HeaderLength, length);
                Assert.Equal(record.Length, record.Fragment.Length);
                Assert.InRange(record.ContentType, 20, 63);
            }
            var reader = new DtlsRecordReader(span);
            var consumed = 0;
            while (reader.TryRead(out var next))
            {
                consumed += next.TotalLength;
                Assert.InRange(consumed, DtlsRecord.HeaderLength, length);
            }
            Assert.Equal(length - consumed, reader.Remaining.Length);
            Assert.Equal(consumed == length && length > 0, DtlsRecord.IsWellFormedDatagram(span));
        }
    }
}

[Collection(NativeCollection.Name)]
public sealed class DtlsRecordOpenSslOutputTests
{
    [Fact]
    public void EveryDatagramOfARealHandshakeParses()
    {
        using var peers = new DtlsPeers(options: new DtlsSessionOptions { Mtu = 400 });
        peers.Handshake();
        var records = 0;
        foreach (var datagram in peers.ToClient.AllSent.Concat(peers.ToServer.AllSent))
        {
            var reader = new DtlsRecordReader(datagram);
            while (reader.TryRead(out var record))
            {
                records++;
                // The first ClientHello may carry record version DTLS 1.0 for compatibility (RFC 6347 §4.1).
                Assert.Equal(record.IsClientHello ? record.Version : DtlsRecord.VersionDtls12, record.Version);
                Assert.True(record.Version is DtlsRecord.VersionDtls12 or DtlsRecord.VersionDtls10);
                Assert.InRange(record.ContentType, 20, 23);
            }
            Assert.True(reader.Remaining.IsEmpty);
        }
        Assert.True(records >= 10);
    }
}
