using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// <c>get --manifest-only</c>: extracts a bundle whose index entry is damaged or missing, so cannot vouch for it.
/// What is still checked: the bundle's SHA-256 against its object metadata (where the store keeps it), the zip's
/// entries against the manifest (exactly its files, safe names) and every file's size and SHA-256 against it,
/// again while each is written. The index entry is not read at all. On any mismatch nothing is kept. What this
/// proves is weaker than <see cref="BundleExtractor"/>'s, and the result says so.
/// </summary>
public sealed class ManifestOnlyExtractor
{
    private readonly IEvidenceReader _store;

    public ManifestOnlyExtractor(IEvidenceReader store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>The result, and whether the bundle's bytes matched a SHA-256 recorded in object metadata.</summary>
    public async Task<(ExtractionResult Result, bool MetadataChecked)> ExtractAsync(BundleId id, string directory, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var root = Path.GetFullPath(directory);
        if (File.Exists(root) || (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()))
        {
            throw new IOException($"{root} exists and is not an empty folder; nothing is overwritten.");
        }

        var log = VerificationLog.ForBundle(id.Value);
        var stored = await _store.GetBundleAsync(id, cancellationToken);
        if (stored is null)
        {
            log.Problem(ProblemKind.NotFound, $"there is no bundle object {StoreLayout.BundleObject(id)}", expected: StoreLayout.BundleObject(id), found: "no object");
            return (new ExtractionResult(root, [], log.Problems, null), false);
        }

        IReadOnlyList<string> files = [];
        string sha256;
        var metadataChecked = false;
        try
        {
            await using var content = await _store.OpenBundleAsync(id, cancellationToken);
            await using var bundle = await SpooledBundle.CopyAsync(content, null, cancellationToken);
            sha256 = bundle.Sha256;
            if (stored.MetadataSha256 is { } recorded)
            {
                metadataChecked = true;
                if (!string.Equals(recorded, bundle.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    log.Problem(ProblemKind.MetadataHashMismatch, $"the bundle's bytes hash to {bundle.Sha256}, its object metadata says {recorded}", expected: recorded, found: bundle.Sha256);
                }
            }
            else if (_store.Guarantees.KeepsHashMetadata)
            {
                log.Problem(ProblemKind.MetadataHashMissing, $"the bundle object {stored.Name} carries no sha256 metadata", expected: bundle.Sha256, found: "none");
            }

            // No index entry: the manifest and the files are checked, the agreement with the index is not.
            await BundleContentCheck.RunAsync(bundle, index: null, log, cancellationToken);
            if (log.ProblemCount == 0)
            {
                using var zip = bundle.OpenZip();
                var inventory = await BundleInventory.TakeAsync(zip, VerificationLog.ForBundle(id.Value), cancellationToken);
                files = await new ExtractionTarget(root).WriteAllAsync(inventory, log, progress, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested && ex is not EvidenceStoreException)
        {
            log.Problem(ProblemKind.Unreadable, $"could not be checked to the end: {ex.GetType().Name}: {AuditText.Clean(ex.Message)}");
            return (new ExtractionResult(root, [], log.Problems, null), metadataChecked);
        }

        return log.ProblemCount == 0
            ? (new ExtractionResult(root, files, [], sha256), metadataChecked)
            : (new ExtractionResult(root, [], log.Problems, null), metadataChecked);
    }
}
