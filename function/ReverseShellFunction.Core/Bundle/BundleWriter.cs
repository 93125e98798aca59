using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using ReverseShellFunction.Collection;

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

    /// <summary>The zip is built in the system temporary folder as <c>rsf-bundle-PID-random.zip</c>; a restart sweeps a killed process's.</summary>
    public const string ZipPrefix = "rsf-bundle-";

    public static async Task<BuiltBundle> WriteAsync(
        StagingDirectory staging,
        BundleId id,
        EvidenceSummary summary,
        IReadOnlyList<CollectorReport> collectors,
        ToolInfo tool,
        DateTimeOffset createdAt,
        CancellationToken cancellationToken,
        Custody.ManifestSealer? sealer = null,
        PartLink? previous = null)
    {
        ArgumentNullException.ThrowIfNull(staging);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(summary);

        var files = new List<ManifestFile>();
        foreach (var path in staging.Files.Where(p => p != BundleLayout.Entries.Manifest && !BundleLayout.Entries.IsSeal(p)))
        {
            var (size, sha256) = await HashFileAsync(staging.PathOf(path), cancellationToken);
            files.Add(new ManifestFile(path, size, sha256));
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
        await staging.WriteAllBytesAsync(BundleLayout.Entries.Manifest, manifestBytes, cancellationToken);

        // Sealed over the exact bytes just written; the seal entries join the zip unlisted (BundleLayout.Entries.Seals).
        var seal = sealer is null ? null : await sealer.SealAsync(staging, manifest, manifestBytes, cancellationToken);

        var zipPath = Path.Combine(Path.GetTempPath(), StaleTemporaries.Name(ZipPrefix) + ".zip");
        try
        {
            await WriteCheckedZipAsync(staging, EntryTime(summary.Finding.EventTime), zipPath, cancellationToken);
            var (size, sha256) = await HashFileAsync(zipPath, cancellationToken);
            return new BuiltBundle(id, zipPath, size, sha256, manifest, summary) { Seal = seal };
        }
        catch
        {
            File.Delete(zipPath);
            throw;
        }
    }

    /// <summary>
    /// Writes the zip and holds it to the reader's own limits (<see cref="EntryLimits"/>) before anyone stores it.
    /// An entry that deflate shrinks beyond the accepted ratio (an attacker's stdout of one repeated character, a
    /// notification of repeated text) is written again uncompressed: its content stays whole and byte for byte,
    /// at its full size, and <c>verify</c> and <c>get</c> accept it. The choice depends only on the content, so the
    /// same staged files still give the same bytes.
    /// </summary>
    private static async Task WriteCheckedZipAsync(StagingDirectory staging, DateTimeOffset entryTime, string zipPath, CancellationToken cancellationToken)
    {
        var uncompressed = new HashSet<string>(StringComparer.Ordinal);
        await WriteZipAsync(staging, entryTime, zipPath, uncompressed, cancellationToken);
        var refused = RefusedEntries(zipPath);
        if (refused.Count == 0)
        {
            return;
        }

        uncompressed.UnionWith(refused);
        File.Delete(zipPath);
        await WriteZipAsync(staging, entryTime, zipPath, uncompressed, cancellationToken);
        refused = RefusedEntries(zipPath);
        if (refused.Count > 0)
        {
            // Only an entry beyond MaxEntryBytes gets here, which no collector writes (LOG_MAX_BYTES ≤ 10 GiB).
            throw new InvalidOperationException($"The bundle's own reader would refuse {string.Join(", ", refused)}; the part is not stored.");
        }
    }

    /// <summary>Entries the reader would refuse: by size and ratio, and the JSON files it reads whole by size.</summary>
    internal static IReadOnlyList<string> RefusedEntries(string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        return [.. zip.Entries
            .Where(e => EntryLimits.Refuses(e.Length, e.CompressedLength)
                || ((e.FullName is BundleLayout.Entries.Manifest or BundleLayout.Entries.Summary) && e.Length > EntryLimits.MaxJsonBytes))
            .Select(e => e.FullName)];
    }

    private static async Task WriteZipAsync(
        StagingDirectory staging, DateTimeOffset entryTime, string zipPath, HashSet<string> uncompressed, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(zipPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, useAsync: true);
        await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var path in staging.Files)
        {
            var entry = zip.CreateEntry(path, uncompressed.Contains(path) ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
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

    /// <summary>
    /// Size and SHA-256 of a file. The file is read unbuffered through a pooled buffer below the large object heap
    /// threshold: every bundle hashes a dozen files, and a buffered FileStream would allocate a fresh large buffer
    /// for each, which under concurrent deliveries drove gen2 collections and the process's peak memory.
    /// </summary>
    public static async Task<(long Size, string Sha256)> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        return await HashAsync(stream, null, ReadBufferSize, null, cancellationToken);
    }

    /// <summary>
    /// Size and SHA-256 of everything <paramref name="source"/> gives, read through a pooled buffer of
    /// <paramref name="bufferSize"/> bytes and written on to <paramref name="copyTo"/> when there is one.
    /// </summary>
    /// <param name="progress">Receives the number of bytes read so far, once per buffer.</param>
    public static async Task<(long Size, string Sha256)> HashAsync(Stream source, Stream? copyTo, int bufferSize, Action<long>? progress, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            long size = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, bufferSize), cancellationToken)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                if (copyTo is not null)
                {
                    await copyTo.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                size += read;
                progress?.Invoke(size);
            }

            return (size, Convert.ToHexStringLower(sha.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
