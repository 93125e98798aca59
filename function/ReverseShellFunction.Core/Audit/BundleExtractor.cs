using System.IO.Compression;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Downloads a bundle and extracts it into an empty folder, verifying on the way: the bundle's bytes against
/// its index entry before anything is written, the zip's names (safe, plain files, listed in the manifest)
/// before anything is written, then each file's size and SHA-256 against the manifest while it is written.
/// On any mismatch, or any failure, everything extracted is deleted, so the folder only ever holds a bundle
/// that verified. Nothing is written outside the folder.
/// </summary>
public sealed class BundleExtractor
{
    private readonly IEvidenceStore _store;

    public BundleExtractor(IEvidenceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <exception cref="IOException"><paramref name="directory"/> exists and is not an empty folder.</exception>
    public async Task<ExtractionResult> ExtractAsync(BundleId id, string directory, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var root = Path.GetFullPath(directory);
        EnsureEmptyOrAbsent(root);
        var log = VerificationLog.ForBundle(id.Value);
        StoredIndexEntry? index;
        try
        {
            index = await StoredIndexEntry.ReadAsync(_store, id, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            log.Problem(ProblemKind.IndexEntryUnreadable, $"the index entry {StoreLayout.IndexObject(id)} is unreadable: {ex.Message}");
            return Failed(root, log);
        }

        if (index is null)
        {
            log.Problem(ProblemKind.IndexEntryMissing, $"no index entry {StoreLayout.IndexObject(id)}: without it the bundle's SHA-256 cannot be checked", expected: StoreLayout.IndexObject(id), found: "no object");
            return Failed(root, log);
        }

        Stream content;
        try
        {
            content = await _store.OpenBundleAsync(id, cancellationToken);
        }
        catch (EvidenceNotFoundException)
        {
            log.Problem(ProblemKind.BundleMissing, $"the bundle object {StoreLayout.BundleObject(id)} is missing", expected: StoreLayout.BundleObject(id), found: "no object");
            return Failed(root, log);
        }

        var expected = index.Entry.Bundle;
        await using (content)
        await using (var bundle = await SpooledBundle.CopyAsync(content, Bytes(progress, "downloading", expected.Size), cancellationToken))
        {
            if (!string.Equals(bundle.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase) || bundle.Size != expected.Size)
            {
                log.Problem(
                    ProblemKind.BundleHashMismatch,
                    $"the bundle's bytes hash to {bundle.Sha256} ({bundle.Size} bytes), the index entry says {expected.Sha256} ({expected.Size} bytes); nothing was extracted",
                    expected: expected.Sha256,
                    found: bundle.Sha256);
                return Failed(root, log);
            }

            using var zip = OpenZip(bundle, log);
            var inventory = zip is null ? null : await BundleInventory.TakeAsync(zip, log, cancellationToken);
            if (inventory?.Manifest is null || log.ProblemCount > 0)
            {
                return Failed(root, log);
            }

            var files = await new ExtractionTarget(root).WriteAllAsync(inventory, log, progress, cancellationToken);
            return new ExtractionResult(root, files, log.Problems, bundle.Sha256);
        }
    }

    private static ZipArchive? OpenZip(SpooledBundle bundle, VerificationLog log)
    {
        try
        {
            return bundle.OpenZip();
        }
        catch (InvalidDataException ex)
        {
            log.Problem(ProblemKind.NotAZip, $"the bundle is not a readable zip: {ex.Message}");
            return null;
        }
    }

    private static void EnsureEmptyOrAbsent(string root)
    {
        if (File.Exists(root) || (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()))
        {
            throw new IOException($"{root} exists and is not an empty folder; nothing is overwritten.");
        }
    }

    private static ExtractionResult Failed(string root, VerificationLog log) => new(root, [], log.Problems, null);

    private static ByteProgress? Bytes(IProgress<TransferProgress>? progress, string phase, long total) =>
        progress is null ? null : new ByteProgress(progress, phase, total);

    private sealed class ByteProgress(IProgress<TransferProgress> inner, string phase, long total) : IProgress<long>
    {
        public void Report(long value) => inner.Report(new TransferProgress(phase, value, total));
    }
}
