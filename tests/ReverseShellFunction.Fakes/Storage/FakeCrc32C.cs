using System.Buffers.Binary;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum Cloud Storage keeps for every object.
/// The fake has its own copy, independent of the function's, so a bug in one cannot hide a bug in the other.
/// </summary>
public static class FakeCrc32C
{
    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    /// <summary>The API's form: base64 of the four bytes, most significant first.</summary>
    public static string Base64(ReadOnlySpan<byte> data)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Compute(data));
        return Convert.ToBase64String(bytes);
    }

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var entry = i;
            for (var bit = 0; bit < 8; bit++)
            {
                entry = (entry & 1) != 0 ? (entry >> 1) ^ 0x82F63B78u : entry >> 1;
            }

            table[i] = entry;
        }

        return table;
    }
}
