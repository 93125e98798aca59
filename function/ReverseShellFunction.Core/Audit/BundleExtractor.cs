using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Downloads a bundle and extracts it into an empty folder, after the very checks <c>verify</c> runs (bytes
/// against the index entry and object metadata, every file against the manifest, index entry against manifest
/// and summary.json): <see cref="BundleVerifier"/> hands over the spooled bundle only when all of them passed.
/// Each file is hashed again as it is written. On any mismatch, or any failure, everything extracted is deleted,
/// so the folder only ever holds a bundle that verified. Nothing is written outside the folder, and nothing is
/// inflated before the free space for all of it is there.
/// </summary>
public sealed class BundleExtractor
{
    /// <summary>Room left free on the target's file system beyond the bundle itself.</summary>
    internal const long FreeSpaceMargin = 64L * 1024 * 1024;

    private readonly BundleVerifier _verifier;

    public BundleExtractor(IEvidenceReader store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _verifier = new BundleVerifier(store);
    }

    /// <exception cref="IOException"><paramref name="directory"/> exists and is not an empty folder.</exception>
    public Task<ExtractionResult> ExtractAsync(BundleId id, string directory, IProgress<TransferProgress>? progress, CancellationToken cancellationToken) =>
        ExtractAsync(id, directory, progress, manifestOnly: false, cancellationToken);

    /// <summary>
    /// <c>get --manifest-only</c>: extracts a bundle whose index entry is damaged or missing, so cannot vouch for
    /// it. The same verifier runs without reading the index entry: the bundle's SHA-256 against its object metadata
    /// (where the store keeps it), the zip against its manifest, every file against it. What this proves is weaker,
    /// and the result says whether the object metadata vouched for the bytes.
    /// </summary>
    /// <exception cref="IOException"><paramref name="directory"/> exists and is not an empty folder.</exception>
    public async Task<(ExtractionResult Result, bool MetadataChecked)> ExtractManifestOnlyAsync(
        BundleId id, string directory, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var checks = new List<VerificationCheck>();
        var result = await ExtractAsync(id, directory, progress, manifestOnly: true, cancellationToken, checks);
        return (result, checks.Any(c => c.Name == "sha256-metadata" && c.Outcome == CheckOutcome.Passed));
    }

    private async Task<ExtractionResult> ExtractAsync(
        BundleId id, string directory, IProgress<TransferProgress>? progress, bool manifestOnly, CancellationToken cancellationToken, List<VerificationCheck>? checks = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        var root = Path.GetFullPath(directory);
        EnsureEmptyOrAbsent(root);
        IReadOnlyList<string> files = [];
        string? sha256 = null;
        async Task ExtractVerified(SpooledBundle bundle, VerificationLog log)
        {
            files = await ExtractSpoolAsync(id, bundle, root, log, progress, cancellationToken);
            sha256 = log.ProblemCount == 0 ? bundle.Sha256 : null;
        }

        var verification = manifestOnly
            ? await _verifier.VerifyWithoutIndexAsync(id, ExtractVerified, progress, cancellationToken)
            : await _verifier.VerifyAsync(id, listedBundle: null, ExtractVerified, progress, cancellationToken);
        checks?.AddRange(verification.Checks);
        return verification.Verified && sha256 is not null
            ? new ExtractionResult(root, files, [], sha256)
            : new ExtractionResult(root, [], verification.Problems.Count > 0 ? verification.Problems : [Incomplete(id)], null);
    }

    /// <summary>
    /// Writes a verified part's files under <paramref name="root"/>, hashing each again as it is written; on any
    /// mismatch (a problem in <paramref name="log"/>) what it wrote is deleted again.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> ExtractSpoolAsync(
        BundleId id, SpooledBundle bundle, string root, VerificationLog log, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        using var zip = bundle.OpenZip();
        var inventory = await BundleInventory.TakeAsync(zip, VerificationLog.ForBundle(id.Value), cancellationToken);
        var needed = inventory.Files.Sum(f => f.File.Size) + BundleInventory.MaxJsonBytes;
        if (FreeBytes(root) is { } free && free < needed + FreeSpaceMargin)
        {
            log.Problem(ProblemKind.EntryTooLarge, $"extracting needs {needed} bytes and {FreeSpaceMargin} to spare, but {Path.GetDirectoryName(root) ?? root} has {free} free; nothing was extracted");
            return [];
        }

        return await new ExtractionTarget(root).WriteAllAsync(inventory, log, progress, cancellationToken);
    }

    private static VerificationProblem Incomplete(BundleId id) =>
        new(ProblemKind.Unreadable, null, null, null, $"bundle {id.Value}: extraction did not finish");

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
