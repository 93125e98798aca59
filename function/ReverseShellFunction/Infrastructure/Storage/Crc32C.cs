using System.Buffers.Binary;
using System.IO.Hashing;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// CRC32C (Castagnoli), the checksum Cloud Storage keeps for every object and Cloud KMS sends with every answer:
/// System.IO.Hashing's <see cref="Crc32"/> with <see cref="Crc32ParameterSet.Crc32C"/>, which uses the CPU's
/// CRC32C instruction where there is one (SSE4.2, ARMv8), so bundles of tens of MiB hash at memory speed.
/// </summary>
internal static class Crc32C
{
    public static Crc32 Create() => new(Crc32ParameterSet.Crc32C);

    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    /// <summary>The API's form: base64 of the four bytes, most significant first.</summary>
    public static string ToBase64(Crc32 crc)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, crc.GetCurrentHashAsUInt32());
        return Convert.ToBase64String(bytes);
    }
}
