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

    private readonly TimeProvider _time;

    public StoreAudit(IEvidenceReader store, Custody.CustodyTrust? trust = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time ?? TimeProvider.System;
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

        var ids = indexIds.Union(bundles.Keys).OrderBy(id => id.EventTime).ThenBy(id => id.Value, StringComparer.Ordinal).ThenBy(id => id.Part);
        foreach (var (_, parts) in LogicalBundle.Group(ids))
        {
            for (var i = 0; i < parts.Count; i++)
            {
                var result = await _verifier.VerifyAsync(parts[i], bundles.GetValueOrDefault(parts[i]), whenVerified: null, download: null, cancellationToken);
                yield return i == parts.Count - 1 ? await WithGiveUpCheckAsync(parts[i], result, cancellationToken) : result;
            }
        }
    }

    /// <summary>The newest part of a bundle still pending after its give-up time: nothing is completing it.</summary>
    private async Task<BundleVerification> WithGiveUpCheckAsync(BundleId newest, BundleVerification result, CancellationToken cancellationToken)
    {
        StoredIndexEntry? entry;
        try
        {
            entry = await StoredIndexEntry.ReadAsync(_store, newest, cancellationToken);
        }
        catch (InvalidDataException)
        {
            return result;
        }

        if (entry?.Entry.Summary.Completion is not { State: Completion.Completeness.Pending, GiveUpAt: { } giveUpAt } pending || _time.GetUtcNow() <= giveUpAt)
        {
            return result;
        }

        var problem = new VerificationProblem(
            ProblemKind.PendingPastGiveUp,
            StoreLayout.IndexObject(newest),
            $"part {pending.NextPart} by {giveUpAt:yyyy-MM-dd'T'HH:mm:ss'Z'}",
            "no later part",
            $"bundle {newest.ObjectStem}: still pending (part {pending.NextPart} was due {pending.Due:yyyy-MM-dd'T'HH:mm:ss'Z'}) after its give-up time {giveUpAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: no completion ran (is serve, complete or the Cloud Tasks queue running?)");
        return result with
        {
            Problems = [.. result.Problems, problem],
            Checks = [.. result.Checks, new VerificationCheck("completion", CheckOutcome.Failed, "pending past its give-up time")],
        };
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
