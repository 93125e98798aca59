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

    /// <summary>
    /// Parts verified at once by default. A part costs about six sequential store requests (index entry,
    /// object metadata, download, previous part's index entry, index entry object, give-up check) and little
    /// CPU, so on a bucket the time is request latency and parts in flight divide it; each one in flight also
    /// holds a spool file and a connection. docs/benchmarks.md (scenario 5) has what 16 measured.
    /// </summary>
    public const int DefaultConcurrency = 16;

    /// <summary>The most parts <see cref="VerifyAllAsync(EventTimeRange, int, CancellationToken)"/> verifies at once.</summary>
    public const int MaxConcurrency = 256;

    /// <summary>One result per bundle id found under either prefix, oldest first, after one per unexpected object.</summary>
    public IAsyncEnumerable<BundleVerification> VerifyAllAsync(EventTimeRange range, CancellationToken cancellationToken) =>
        VerifyAllAsync(range, DefaultConcurrency, cancellationToken);

    /// <summary>
    /// As <see cref="VerifyAllAsync(EventTimeRange, CancellationToken)"/>, with up to <paramref name="concurrency"/>
    /// parts verified at once. Results come in the same order whatever the concurrency: each is yielded in its
    /// turn, once every one before it was.
    /// </summary>
    public async IAsyncEnumerable<BundleVerification> VerifyAllAsync(EventTimeRange range, int concurrency, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(concurrency, MaxConcurrency);
        var (indexIds, unexpectedIndex) = await StoreListing.ListIndexAsync(_store, range, cancellationToken);
        var (bundles, unexpectedBundles) = await StoreListing.ListBundlesAsync(_store, range, cancellationToken);
        foreach (var name in unexpectedIndex.Concat(unexpectedBundles))
        {
            yield return Unexpected(name);
        }

        var ids = indexIds.Union(bundles.Keys).OrderBy(id => id.EventTime).ThenBy(id => id.Value, StringComparer.Ordinal).ThenBy(id => id.Part);
        var work = LogicalBundle.Group(ids).SelectMany(group => group.Parts.Select((id, i) => (Id: id, Newest: i == group.Parts.Count - 1)));

        // Verifications start ahead of the one being yielded, at most `concurrency` at a time. The look-ahead
        // is a few times that, so one slow part does not stall the others, yet what waits to be yielded stays
        // bounded (results only: each spool file is gone once its part's verification returned).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(concurrency);
        var ahead = new Queue<Task<BundleVerification>>();
        try
        {
            foreach (var (id, newest) in work)
            {
                if (ahead.Count >= concurrency * 4)
                {
                    yield return await ahead.Dequeue();
                }

                ahead.Enqueue(VerifyPartAsync(id, newest, bundles.GetValueOrDefault(id), slots, stop.Token));
            }

            while (ahead.Count > 0)
            {
                yield return await ahead.Dequeue();
            }
        }
        finally
        {
            // The caller stopped early (a failure, cancellation, or it had enough): stop what started and wait for
            // it, so no verification outlives the audit or its semaphore.
            await stop.CancelAsync();
            foreach (var left in ahead)
            {
                await left.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private async Task<BundleVerification> VerifyPartAsync(BundleId id, bool newest, StoredObject? listed, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            var result = await _verifier.VerifyAsync(id, listed, whenVerified: null, download: null, cancellationToken);
            return newest ? await WithGiveUpCheckAsync(id, result, cancellationToken) : result;
        }
        finally
        {
            slots.Release();
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
