using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Extracts verified parts into a folder: <c>get</c>, a case folder of every part (<see cref="ExtractAsync"/>), and
/// <c>get --manifest-only</c> for a bundle whose index entry cannot vouch for it. <see cref="BundleVerifier"/>
/// hands over the spooled bundle only when all of its checks passed. Each file is hashed again as it is written.
/// On any mismatch, or any failure, everything extracted is deleted, so the folder only ever holds a bundle that
/// verified. Nothing is written outside the folder, and nothing is inflated before the free space for all of it is there.
/// </summary>
public static class BundleExtractor
{
    /// <summary>Room left free on the target's file system beyond the bundle itself.</summary>
    internal const long FreeSpaceMargin = 64L * 1024 * 1024;

    /// <summary>
    /// <c>get</c>: <c>verify ID</c> plus a case folder. Every part of the bundle runs through the very checks verify
    /// runs, with the same trust (<see cref="StoreAudit.VerifyBundleAsync"/>: bytes, files, seal, chain, the checks
    /// across parts, the give-up check); each part that passed its own checks is extracted into <c>part-N/</c> as it
    /// goes, and the top-level files (<see cref="CaseFolder"/>) are written once all passed. If any check of any part
    /// fails, or anything throws, nothing remains: the folder is removed (or emptied, if it existed empty).
    /// </summary>
    /// <exception cref="IOException"><paramref name="directory"/> exists and is not an empty folder.</exception>
    public static async Task<CaseResult> ExtractAsync(StoreAudit audit, BundleId id, string directory, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(id);
        var root = Path.GetFullPath(directory);
        EnsureEmptyOrAbsent(root);
        var created = !Directory.Exists(root);
        var extracted = new Dictionary<int, CaseExtractedPart>();
        var kept = false;
        try
        {
            var results = await audit.VerifyBundleAsync(
                id,
                async (part, bundle, log) =>
                {
                    var files = await ExtractSpoolAsync(part, bundle, Path.Combine(root, CaseFolder.PartFolder(part.Part)), log, progress, cancellationToken);
                    if (log.ProblemCount == 0)
                    {
                        extracted[part.Part] = new CaseExtractedPart(part, files.Count, bundle.Sha256, bundle.Size);
                    }
                },
                progress,
                cancellationToken);
            if (results.Count == 0 || !results.All(r => r.Verified) || extracted.Count != results.Count)
            {
                return new CaseResult(results, []);
            }

            await CaseFolder.WriteTopAsync(root, results.Count, name => new FileStream(Path.Combine(root, name), FileMode.CreateNew), cancellationToken);
            kept = true;
            return new CaseResult(results, [.. extracted.Values.OrderBy(p => p.Id.Part)]);
        }
        finally
        {
            if (!kept)
            {
                Clean(root, created);
            }
        }
    }

    /// <summary>
    /// <c>get --manifest-only</c>: extracts a bundle whose index entry is damaged or missing, so cannot vouch for
    /// it. The same verifier runs without reading the index entry: the bundle's SHA-256 against its object metadata
    /// (where the store keeps it), the zip against its manifest, every file against it. What this proves is weaker,
    /// and the result says whether the object metadata vouched for the bytes.
    /// </summary>
    /// <exception cref="IOException"><paramref name="directory"/> exists and is not an empty folder.</exception>
    public static async Task<(ExtractionResult Result, bool MetadataChecked)> ExtractManifestOnlyAsync(
        IEvidenceReader store, BundleId id, string directory, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(id);
        var root = Path.GetFullPath(directory);
        EnsureEmptyOrAbsent(root);
        IReadOnlyList<string> files = [];
        string? sha256 = null;
        var verification = await new BundleVerifier(store).VerifyAsync(
            id,
            listedBundle: null,
            async (bundle, log) =>
            {
                files = await ExtractSpoolAsync(id, bundle, root, log, progress, cancellationToken);
                sha256 = log.ProblemCount == 0 ? bundle.Sha256 : null;
            },
            progress,
            cancellationToken,
            readIndex: false);
        var result = verification.Verified && sha256 is not null
            ? new ExtractionResult(files, [], sha256)
            : new ExtractionResult([], verification.Problems.Count > 0 ? verification.Problems : [new(ProblemKind.Unreadable, null, null, null, $"bundle {id.Value}: extraction did not finish")], null);
        return (result, verification.Checks.Any(c => c.Name == "sha256-metadata" && c.Outcome == CheckOutcome.Passed));
    }

    /// <summary>
    /// Writes a verified part's files under <paramref name="root"/>, hashing each again as it is written; on any
    /// mismatch (a problem in <paramref name="log"/>) what it wrote is deleted again.
    /// </summary>
    private static async Task<IReadOnlyList<string>> ExtractSpoolAsync(
        BundleId id, StoredPart bundle, string root, VerificationLog log, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        using var zip = bundle.OpenZip();
        var inventory = await BundleInventory.TakeAsync(zip, VerificationLog.ForBundle(id.Value), cancellationToken);
        var needed = inventory.Files.Sum(f => f.File.Size) + EntryLimits.MaxJsonBytes;
        if (FreeBytes(root) is { } free && free < needed + FreeSpaceMargin)
        {
            log.Problem(ProblemKind.EntryTooLarge, $"extracting needs {needed} bytes and {FreeSpaceMargin} to spare, but {Path.GetDirectoryName(root) ?? root} has {free} free; nothing was extracted");
            return [];
        }

        var createdRoot = !Directory.Exists(root);
        var written = new List<string>();
        var total = inventory.Files.Sum(f => f.File.Size);
        long done = 0;
        try
        {
            Directory.CreateDirectory(root);
            foreach (var (file, entry) in inventory.Files)
            {
                await using (var output = Create(root, file.Path))
                {
                    written.Add(file.Path);
                    var digest = await EntryDigest.ComputeAsync(entry, file.Size, output, cancellationToken);
                    BundleContentCheck.Compare(file, digest, log);
                }

                done += file.Size;
                progress?.Report(new TransferProgress("extracting", done, total));
            }

            // The manifest is not listed in itself; it was read and parsed already, so its size is bounded. The seal
            // entries travel with the files, so the folder verifies offline (verify --extracted).
            foreach (var name in BundleLayout.Entries.Seals.Where(inventory.Entries.ContainsKey).Prepend(BundleLayout.Entries.Manifest))
            {
                await using var output = Create(root, name);
                written.Add(name);
                var limit = name == BundleLayout.Entries.Manifest ? EntryLimits.MaxJsonBytes : EntryLimits.MaxSealBytes;
                await EntryDigest.ComputeAsync(inventory.Entries[name], limit, output, cancellationToken);
            }
        }
        catch
        {
            Clean(root, createdRoot);
            throw;
        }

        if (log.ProblemCount > 0)
        {
            Clean(root, createdRoot);
            return [];
        }

        return written;
    }

    private static FileStream Create(string root, string bundlePath)
    {
        // BundlePaths.IsSafe already held; this is the last line of defence against leaving the folder.
        var path = Path.GetFullPath(Path.Combine(root, bundlePath.Replace('/', Path.DirectorySeparatorChar)));
        if (!BundlePaths.IsSafe(bundlePath) || !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{DisplayText.Visible(bundlePath)}' would be written outside {root}.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
    }

    /// <summary>The folder was absent (<paramref name="created"/>) or empty before, so everything in it now is ours to delete.</summary>
    internal static void Clean(string root, bool created)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        if (created)
        {
            Directory.Delete(root, recursive: true);
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            Directory.Delete(folder, recursive: true);
        }

        foreach (var file in Directory.EnumerateFiles(root))
        {
            File.Delete(file);
        }
    }

    private static long? FreeBytes(string root)
    {
        try
        {
            var existing = root;
            while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
            {
                existing = parent;
            }

            return new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static void EnsureEmptyOrAbsent(string root)
    {
        if (File.Exists(root) || (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()))
        {
            throw new IOException($"{root} exists and is not an empty folder; nothing is overwritten.");
        }
    }
}
