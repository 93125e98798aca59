using System.Runtime.CompilerServices;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Verifies every bundle of a time range: lists <c>index/</c> and <c>bundles/</c>, cross-checks them so that
/// an index entry without its bundle and a bundle without its index entry both surface, and verifies each id
/// with <see cref="BundleVerifier"/>. Objects whose names name no bundle are reported as problems too.
/// </summary>
public sealed class StoreAudit
{
    private readonly IEvidenceReader _store;
    private readonly BundleVerifier _verifier;

    public StoreAudit(IEvidenceReader store, Custody.CustodyTrust? trust = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _verifier = new BundleVerifier(store, trust);
    }

    public BundleVerifier Verifier => _verifier;

    /// <summary>One result per bundle id found under either prefix, oldest first, after one per unexpected object.</summary>
    public async IAsyncEnumerable<BundleVerification> VerifyAllAsync(EventTimeRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        var (indexIds, unexpectedIndex) = await StoreListing.ListIndexAsync(_store, range, cancellationToken);
        var (bundles, unexpectedBundles) = await StoreListing.ListBundlesAsync(_store, range, cancellationToken);
        foreach (var name in unexpectedIndex.Concat(unexpectedBundles))
        {
            yield return Unexpected(name);
        }

        var ids = indexIds.Union(bundles.Keys).OrderBy(id => id.EventTime).ThenBy(id => id.Value, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            yield return await _verifier.VerifyAsync(id, bundles.GetValueOrDefault(id), whenVerified: null, download: null, cancellationToken);
        }
    }

    private static BundleVerification Unexpected(string name)
    {
        var shown = AuditText.Clean(name);
        var log = VerificationLog.ForObject(shown);
        if (name[(name.LastIndexOf('/') + 1)..].StartsWith(LocalEvidenceStore.TemporaryPrefix, StringComparison.Ordinal))
        {
            log.Problem(
                ProblemKind.TemporaryFile,
                "a temporary file left by an interrupted write (or a write still in progress); the next serve or replay removes it once its process is gone",
                expected: "no temporary files",
                found: shown);
        }
        else
        {
            log.Problem(
                ProblemKind.UnexpectedObject,
                "the name names no bundle: expected index/YYYY/MM/DD/{id}.json or bundles/YYYY/MM/DD/{id}.zip with the event day of the id",
                expected: "a bundle or index object name",
                found: shown);
        }

        log.Check("object-name", CheckOutcome.Failed, shown);
        return log.Result(null, shown, null);
    }
}
