using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>The <c>chain</c> check of <see cref="BundleVerifier"/>: a part's link to the part before it.</summary>
internal static class PartChainCheck
{
    /// <summary>
    /// Part n's link against part n−1's index entry, whose SHA-256 part n−1's own verification checks against its
    /// bytes: together the parts form a hash chain back to part 1.
    /// </summary>
    public static async Task RunAsync(IEvidenceReader store, BundleId id, StoredIndexEntry entry, VerificationLog log, CancellationToken cancellationToken)
    {
        var link = entry.Entry.PreviousPart;
        var before = log.ProblemCount;
        if (id.Part == 1)
        {
            if (link is not null)
            {
                log.Problem(ProblemKind.ChainBroken, "part 1 names a previous part", BundleLayout.IndexObject(id), "no previous part", $"part {link.Part}");
            }

            log.Outcome("chain", before, "part 1: the start of the chain");
            return;
        }

        var previousId = id.WithPart(id.Part - 1);
        StoredIndexEntry? previous = null;
        try
        {
            previous = await StoredIndexEntry.ReadAsync(store, previousId, cancellationToken);
        }
        catch (UnreadableObjectException)
        {
            // Its own verification reports it; the link cannot be checked against it.
        }

        if (link is null)
        {
            log.Problem(ProblemKind.ChainBroken, $"part {id.Part} records no previous part", BundleLayout.IndexObject(id), $"part {id.Part - 1}'s SHA-256", "none");
        }
        else if (previous is null)
        {
            var stored = await store.GetBundleAsync(previousId, cancellationToken);
            log.Problem(
                ProblemKind.PartMissing,
                $"part {id.Part - 1} ({BundleLayout.BundleObject(previousId)}), which part {id.Part} continues, {(stored is null ? "is missing" : "has no readable index entry")}",
                BundleLayout.BundleObject(previousId),
                link.Sha256,
                stored is null ? "no object" : "no index entry");
        }
        else
        {
            if (link.Part != id.Part - 1 || link.ObjectName != BundleLayout.BundleObject(previousId))
            {
                log.Problem(ProblemKind.ChainBroken, $"part {id.Part} names part {link.Part} at {DisplayText.Visible(link.ObjectName)} as its previous part", BundleLayout.IndexObject(id), BundleLayout.BundleObject(previousId), DisplayText.Visible(link.ObjectName));
            }

            if (!string.Equals(link.Sha256, previous.Entry.Bundle.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                log.Problem(ProblemKind.ChainBroken, $"part {id.Part} records part {id.Part - 1}'s SHA-256 as {DisplayText.Visible(link.Sha256)}, part {id.Part - 1}'s index entry says {previous.Entry.Bundle.Sha256}", BundleLayout.IndexObject(id), previous.Entry.Bundle.Sha256, DisplayText.Visible(link.Sha256));
            }
        }

        log.Outcome("chain", before, $"part {id.Part} records part {id.Part - 1}'s SHA-256");
    }
}
