using System.Security.Cryptography;
using System.Text;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>Bundle ids, contents and metadata for store-level tests (contents are arbitrary bytes, not zips).</summary>
internal static class StoreSamples
{
    public const string FindingName = "organizations/1/sources/2/locations/global/findings/abc123";

    public static readonly DateTimeOffset EventTime = new(2026, 11, 28, 21, 14, 7, 482, TimeSpan.Zero);

    public static BundleId Id(int seconds = 0) => BundleId.For(FindingName, EventTime.AddSeconds(seconds));

    public static byte[] Content(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static BundleMetadata Metadata(BundleId id, byte[] content) =>
        new(Convert.ToHexStringLower(SHA256.HashData(content)), id.Value, FindingName, id.EventTime, content.Length);

    public static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }
}
