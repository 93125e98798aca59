using System.Runtime.CompilerServices;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Verifies every bundle of a time range: lists <c>index/</c> and <c>bundles/</c>, cross-checks them so that
/// an index entry without its bundle and a bundle without its index entry both surface, and verifies each id
/// with <see cref="BundleVerifier"/>. Objects whose names name no bundle are reported as problems too.
/// </summary>
public sealed class StoreAudit(IEvidenceReader store, Custody.CustodyTrust? trust = null, TimeProvider? time = null)
{
    private readonly IEvidenceReader _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly BundleVerifier _verifier = new(store, trust);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Parts verified at once by default. A part costs about six sequential store requests (index entry,
    /// object metadata, download, previous part's index entry, index entry object, give-up check) and little
    /// CPU, so on a bucket the time is request latency and parts in flight divide it; each one in flight also
    /// holds a spool file and a connection. docs/benchmarks.md (scenario 5) has what 16 measured.
    /// </summary>
    public const int DefaultConcurrency = 16;

    /// <summary>The most parts <see cref="VerifyAllAsync(EventTimeRange, int, CancellationToken)"/> verifies at once.</summary>
    public const int MaxConcurrency = 256;

    /// <summary>
    /// One result per bundle id found under either prefix, oldest first, after one per unexpected object, with up
    /// to <paramref name="concurrency"/> parts verified at once. Results come in the same order whatever the
    /// concurrency: each is yielded in its turn, once every one before it was.
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
        // bounded (results only: each spool file is gone once its part's verification returned). A bundle's
        // results are held until its newest part is done, for the checks across its parts.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(concurrency);
        var ahead = new Queue<(BundleId Id, bool Newest, Task<BundleVerification> Task)>();
        var bundle = new List<BundleVerification>();
        try
        {
            foreach (var (id, newest) in work)
            {
                if (ahead.Count >= concurrency * 4)
                {
                    foreach (var done in await NextAsync(ahead, bundle, cancellationToken))
                    {
                        yield return done;
                    }
                }

                ahead.Enqueue((id, newest, VerifyPartAsync(id, bundles.GetValueOrDefault(id), slots, stop.Token)));
            }

            while (ahead.Count > 0)
            {
                foreach (var done in await NextAsync(ahead, bundle, cancellationToken))
                {
                    yield return done;
                }
            }
        }
        finally
        {
            // The caller stopped early (a failure, cancellation, or it had enough): stop what started and wait for
            // it, so no verification outlives the audit or its semaphore.
            await stop.CancelAsync();
            foreach (var left in ahead)
            {
                await left.Task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Every part of one bundle, with the checks across them (<c>verify ID</c>).</summary>
    public Task<IReadOnlyList<BundleVerification>> VerifyBundleAsync(BundleId id, CancellationToken cancellationToken) =>
        VerifyBundleAsync(id, null, null, cancellationToken);

    /// <summary>
    /// Every part of one bundle, part 1 up to the newest the store holds, then the checks across them: what
    /// <c>verify ID</c> and <c>get</c> run, the same as <see cref="VerifyAllAsync(EventTimeRange, int, CancellationToken)"/>.
    /// </summary>
    /// <param name="whenVerified">Runs on each part's spooled bundle when that part passed its own checks (<c>get</c> extracts there).</param>
    internal async Task<IReadOnlyList<BundleVerification>> VerifyBundleAsync(
        BundleId id, Func<BundleId, StoredPart, VerificationLog, Task>? whenVerified, IProgress<TransferProgress>? download, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var results = new List<BundleVerification>();

        // Part 1 is verified even when it is missing: its verdict says so.
        await foreach (var (_, verdict) in PartWalk.ReadAsync<BundleVerification>(id, async (partId, ct) =>
            partId.Part == 1 || await _verifier.HasPartAsync(partId, ct) ? await _verifier.VerifyAsync(partId, null, Callback(partId), download, ct) : null, cancellationToken))
        {
            results.Add(verdict);
        }

        return await WithBundleChecksAsync(id.Bundle.WithPart(results.Count), results, cancellationToken);

        Func<StoredPart, VerificationLog, Task>? Callback(BundleId partId) =>
            whenVerified is null ? null : (bundle, log) => whenVerified(partId, bundle, log);
    }

    /// <summary>Waits for the next part; when it completes its bundle, returns the bundle's verdicts with the checks across them.</summary>
    private async Task<IReadOnlyList<BundleVerification>> NextAsync(
        Queue<(BundleId Id, bool Newest, Task<BundleVerification> Task)> ahead, List<BundleVerification> bundle, CancellationToken cancellationToken)
    {
        var (id, newest, task) = ahead.Dequeue();
        bundle.Add(await task);
        if (!newest)
        {
            return [];
        }

        var results = await WithBundleChecksAsync(id, bundle, cancellationToken);
        bundle.Clear();
        return results;
    }

    private async Task<BundleVerification> VerifyPartAsync(BundleId id, StoredObject? listed, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            return await _verifier.VerifyAsync(id, listed, whenVerified: null, download: null, cancellationToken);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>The checks across a bundle's parts; the give-up check reads the newest part's index entry.</summary>
    private async Task<IReadOnlyList<BundleVerification>> WithBundleChecksAsync(BundleId newest, IReadOnlyList<BundleVerification> parts, CancellationToken cancellationToken)
    {
        CompletionState? state = null;
        try
        {
            // The newest part's verification read its index entry already (unless it failed before that).
            state = parts is [.., { IndexRead: true } last] && last.BundleId == newest.ObjectStem
                ? last.Completion
                : (await StoredIndexEntry.ReadAsync(_store, newest, cancellationToken))?.Entry.Summary.Completion;
        }
        catch (UnreadableObjectException)
        {
            // Its own verification reports it; there is no state to check.
        }
        catch (EvidenceStoreException)
        {
            // Likewise: the part's verification said the store failed.
        }

        return BundleChecks.Apply(parts, state, _time.GetUtcNow(), BundleLayout.IndexObject(newest));
    }

    private static BundleVerification Unexpected(string name)
    {
        var shown = DisplayText.Visible(name);
        var log = VerificationLog.ForObject(shown);
        if (name[(name.LastIndexOf('/') + 1)..].StartsWith(BundleLayout.TemporaryPrefix, StringComparison.Ordinal))
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
                $"the name names no bundle: expected {BundleLayout.IndexPrefix}YYYY/MM/DD/{{id}}.json or {BundleLayout.BundlesPrefix}YYYY/MM/DD/{{id}}{BundleLayout.BundleExtension} with the event day of the id",
                expected: "a bundle or index object name",
                found: shown);
        }

        log.Check("object-name", CheckOutcome.Failed, shown);
        return log.Result(null, shown, null);
    }
}
