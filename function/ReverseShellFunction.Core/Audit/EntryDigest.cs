using System.IO.Compression;
using System.Security.Cryptography;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The size and SHA-256 of a zip entry's content, read as a stream. Reading stops once the content is longer
/// than the size the manifest promises, so a zip bomb costs at most that much work (and disk, when copying).
/// </summary>
public sealed record EntryDigest(long Size, string Sha256, bool LongerThanLimit)
{
    public static async Task<EntryDigest> ComputeAsync(ZipArchiveEntry entry, long limit, Stream? copyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var content = await entry.OpenAsync(cancellationToken);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            if (copyTo is not null)
            {
                await copyTo.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            total += read;
            if (total > limit)
            {
                return new EntryDigest(total, Convert.ToHexStringLower(sha.GetHashAndReset()), true);
            }
        }

        return new EntryDigest(total, Convert.ToHexStringLower(sha.GetHashAndReset()), false);
    }

    /// <summary>Reads a small entry (manifest, summary) whole; null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadSmallAsync(ZipArchiveEntry entry, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var content = await entry.OpenAsync(cancellationToken);
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (copy.Length + read > maxBytes)
            {
                return null;
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }
}
