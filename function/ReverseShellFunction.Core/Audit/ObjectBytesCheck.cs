using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The byte checks of <see cref="BundleVerifier"/>: the bundle object's SHA-256 and size against its index entry
/// (<c>sha256-index</c>), the store's listing, and its object metadata (<c>sha256-metadata</c>).
/// </summary>
internal static class ObjectBytesCheck
{
    public static void Run(StoredPart bundle, StoredObject stored, StoredIndexEntry? index, bool keepsHashMetadata, VerificationLog log)
    {
        if (index is null)
        {
            log.Check("sha256-index", CheckOutcome.Skipped, "no readable index entry");
        }
        else
        {
            var before = log.ProblemCount;
            var expected = index.Entry.Bundle;
            if (!string.Equals(expected.Sha256, bundle.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                log.Problem(ProblemKind.BundleHashMismatch, $"the bundle's bytes hash to {bundle.Sha256}, the index entry says {expected.Sha256}", expected: expected.Sha256, found: bundle.Sha256);
            }

            if (expected.Size != bundle.Size)
            {
                log.Problem(ProblemKind.BundleSizeMismatch, $"the bundle has {bundle.Size} bytes, the index entry says {expected.Size}", expected: $"{expected.Size}", found: $"{bundle.Size}");
            }

            log.Outcome("sha256-index", before, $"sha256 {bundle.Sha256}, {bundle.Size} bytes");
        }

        if (stored.Size != bundle.Size)
        {
            log.Problem(ProblemKind.BundleSizeMismatch, $"the store lists the bundle object with {stored.Size} bytes, {bundle.Size} were read", expected: $"{stored.Size}", found: $"{bundle.Size}");
        }

        if (stored.MetadataSha256 is null)
        {
            if (keepsHashMetadata)
            {
                log.Problem(ProblemKind.MetadataHashMissing, $"the bundle object {stored.Name} carries no sha256 metadata", expected: bundle.Sha256, found: "none");
                log.Check("sha256-metadata", CheckOutcome.Failed, "no sha256 metadata");
            }
            else
            {
                log.Check("sha256-metadata", CheckOutcome.NotApplicable, "the store keeps no object metadata");
            }
        }
        else if (!string.Equals(stored.MetadataSha256, bundle.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            log.Problem(ProblemKind.MetadataHashMismatch, $"the bundle's bytes hash to {bundle.Sha256}, its object metadata says {stored.MetadataSha256}", expected: stored.MetadataSha256, found: bundle.Sha256);
            log.Check("sha256-metadata", CheckOutcome.Failed, stored.MetadataSha256);
        }
        else
        {
            log.Check("sha256-metadata", CheckOutcome.Passed, stored.MetadataSha256);
        }
    }
}
