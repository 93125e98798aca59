using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Incremental CRC32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum Cloud Storage keeps for every
/// object and reports as base64 of the big-endian value. Uses the CPU's CRC32C instruction where there is one
/// (SSE4.2, ARMv8), the same polynomial, so bundles of tens of MiB hash at memory speed.
/// </summary>
internal sealed class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;
    private static readonly uint[] s_table = BuildTable();

    // Kept as the finished value; Append undoes and redoes the final inversion around each update.
    private uint _value;

    public void Append(ReadOnlySpan<byte> data) => _value = ~Update(~_value, data);

    public uint Value => _value;

    /// <summary>The API's form: base64 of the four bytes, most significant first.</summary>
    public string ToBase64()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);
        return Convert.ToBase64String(bytes);
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32C();
        crc.Append(data);
        return crc.Value;
    }

    /// <summary>The table-driven path alone, for tests on machines that have the instruction.</summary>
    internal static uint ComputePortable(ReadOnlySpan<byte> data) => ~UpdatePortable(0xFFFFFFFFu, data);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            for (; data.Length >= 8; data = data[8..])
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
            }

            crc = (uint)wide;
        }
        else if (Crc32.Arm64.IsSupported)
        {
            for (; data.Length >= 8; data = data[8..])
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            }
        }

        return UpdatePortable(crc, data);
    }

    private static uint UpdatePortable(uint crc, ReadOnlySpan<byte> data)
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
                entry = (entry & 1) != 0 ? (entry >> 1) ^ Polynomial : entry >> 1;
            }

            table[i] = entry;
        }

        return table;
    }
}
