namespace Media.Sfu.Stun;

/// <summary>
/// CRC-32 as in ISO/HDLC and ITU-T V.42 (reflected polynomial 0xEDB88320), which STUN's
/// FINGERPRINT uses (RFC 5389 §15.5). Table-driven; System.IO.Hashing is not available here.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC over more data; <paramref name="crc"/> is a previous result (0 to start).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        uint c = ~crc;
        foreach (byte b in data)
            c = table[(byte)(c ^ b)] ^ (c >> 8);
        return ~c;
    }
}
