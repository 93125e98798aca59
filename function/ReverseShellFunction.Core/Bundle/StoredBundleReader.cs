using System.IO.Compression;
using System.Security.Cryptography;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// Reads a stored bundle back: its size, SHA-256 and <c>summary.json</c>. The bytes are spooled to a temporary
/// file while hashing, so memory stays bounded whatever the bundle's size.
/// </summary>
public static class StoredBundleReader
{
    public static async Task<(long Size, string Sha256, EvidenceSummary Summary)> ReadAsync(Stream bundle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var spool = Path.Combine(Path.GetTempPath(), $"rsf-read-{Guid.NewGuid():N}.zip");
        try
        {
            await using var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1024 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1024 * 1024];
            int read;
            while ((read = await bundle.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            file.Position = 0;
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            var entry = zip.GetEntry(EvidenceSummary.FileName)
                ?? throw new InvalidDataException($"The bundle has no {EvidenceSummary.FileName}.");
            await using var summaryStream = entry.Open();
            using var copy = new MemoryStream();
            await summaryStream.CopyToAsync(copy, cancellationToken);
            return (file.Length, Convert.ToHexStringLower(sha.GetHashAndReset()), EvidenceJson.Deserialize<EvidenceSummary>(copy.ToArray()));
        }
        finally
        {
            File.Delete(spool);
        }
    }
}
