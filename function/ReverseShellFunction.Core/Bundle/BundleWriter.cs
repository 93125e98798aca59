using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using ReverseShellFunction.Collect;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// Writes the zip. Determinism: entries in ordinal path order, every entry time set to the finding's event
/// time, fixed permissions and compression level, so the same staged files give the same bytes.
/// </summary>
public static class BundleWriter
{
    // Zip (DOS) timestamps cannot express times outside 1980..2107; a hostile eventTime is clamped.
    private static readonly DateTimeOffset s_minZipTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_maxZipTime = new(2107, 12, 31, 0, 0, 0, TimeSpan.Zero);

    // rw-r--r-- in the upper 16 bits, as unzip on Unix reads it.
    private const int EntryAttributes = 0b110_100_100 << 16;

    // Below the 85,000-byte large object heap threshold, so pooled buffers stay cheap in gen0.
    internal const int ReadBufferSize = 64 * 1024;

    public static async Task<BuiltBundle> WriteAsync(
        StagingDirectory staging,
        BundleId id,
        EvidenceSummary summary,
        IReadOnlyList<CollectorReport> collectors,
        ToolInfo tool,
        DateTimeOffset createdAt,
        CancellationToken cancellationToken,
        Custody.ManifestSealer? sealer = null,
        Completion.PartLink? previous = null)
    {
        ArgumentNullException.ThrowIfNull(staging);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(summary);

        var files = new List<ManifestFile>();
        foreach (var path in staging.Files.Where(p => p != Manifest.FileName && !Custody.SealFiles.IsSealFile(p)))
        {
            files.Add(await DescribeAsync(staging, path, cancellationToken));
        }

        var manifest = new Manifest
        {
            BundleId = id.Value,
            FindingName = summary.Finding.Name,
            EventTime = summary.Finding.EventTime,
            CreatedAt = createdAt,
            Tool = tool,
            Files = files,
            Collectors = collectors,
            Custody = sealer is null ? null : await sealer.PrepareAsync(cancellationToken),
            Part = id.Part,
            PreviousPart = previous,
        };
        var manifestBytes = EvidenceJson.Serialize(manifest);
        await staging.WriteAllBytesAsync(Manifest.FileName, manifestBytes, cancellationToken);

        // Sealed over the exact bytes just written; the seal entries join the zip unlisted (Custody.SealFiles).
        var seal = sealer is null ? null : await sealer.SealAsync(staging, manifest, manifestBytes, cancellationToken);

        var zipPath = Path.Combine(Path.GetTempPath(), $"rsf-bundle-{Guid.NewGuid():N}.zip");
        try
        {
            await WriteZipAsync(staging, EntryTime(summary.Finding.EventTime), zipPath, cancellationToken);
            var (size, sha256) = await HashFileAsync(zipPath, cancellationToken);
            return new BuiltBundle(id, zipPath, size, sha256, manifest, summary) { Seal = seal };
        }
        catch
        {
            File.Delete(zipPath);
            throw;
        }
    }

    private static async Task WriteZipAsync(StagingDirectory staging, DateTimeOffset entryTime, string zipPath, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(zipPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, useAsync: true);
        await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var path in staging.Files)
        {
            var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
            entry.LastWriteTime = entryTime;
            entry.ExternalAttributes = EntryAttributes;
            await using var source = File.OpenRead(staging.PathOf(path));
            await using var target = await entry.OpenAsync(cancellationToken);
            await source.CopyToAsync(target, cancellationToken);
        }
    }

    private static DateTimeOffset EntryTime(DateTimeOffset eventTime)
    {
        var utc = eventTime.ToUniversalTime();
        return utc < s_minZipTime ? s_minZipTime : utc > s_maxZipTime ? s_maxZipTime : utc;
    }

    private static async Task<ManifestFile> DescribeAsync(StagingDirectory staging, string path, CancellationToken cancellationToken)
    {
        var (size, sha256) = await HashFileAsync(staging.PathOf(path), cancellationToken);
        return new ManifestFile(path, size, sha256);
    }

    /// <summary>
    /// Size and SHA-256 of a file. The file is read unbuffered through a pooled buffer below the large object heap
    /// threshold: every bundle hashes a dozen files, and a buffered FileStream would allocate a fresh large buffer
    /// for each, which under concurrent deliveries drove gen2 collections and the process's peak memory.
    /// </summary>
    public static async Task<(long Size, string Sha256)> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            long size = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadBufferSize), cancellationToken)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                size += read;
            }

            return (size, Convert.ToHexStringLower(sha.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
