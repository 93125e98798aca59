using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// The embedded default's completion engine: reads the pending records in the store, and for each part that has
/// no index entry yet and is due, runs the completion through the same <see cref="EvidenceFunction.CompleteAsync"/>
/// the Cloud Tasks endpoint calls. Records survive a restart; the wait after a failed attempt lives in memory
/// (it doubles from <see cref="CompletionOptions.RetryAfter"/>), so a restart retries at once.
/// </summary>
public sealed class CompletionRunner(IEvidenceStore store, EvidenceFunction function, CompletionOptions options, TimeProvider time, ILogger<CompletionRunner> logger)
{
    private readonly ConcurrentDictionary<BundleId, (int Failures, DateTimeOffset NextAttempt)> _backoff = new();
    private readonly ConcurrentDictionary<BundleId, byte> _settled = new();

    // One warning per object for the life of the runner, not one per pass.
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);

    /// <summary>Parts whose pending record exists and whose index entry does not: what is still to do, with when.</summary>
    public async Task<IReadOnlyList<PendingPart>> ListOpenAsync(CancellationToken cancellationToken)
    {
        var open = new List<PendingPart>();
        await foreach (var name in store.ListPendingObjectNamesAsync(cancellationToken))
        {
            var id = BundleLayout.IdFromObjectName(name);
            if (id is { Part: >= 2 } settled && _settled.ContainsKey(settled))
            {
                // Done for good (its index entry exists, or nothing is left): not read again on every pass.
                continue;
            }

            if (id is not { Part: >= 2 } part)
            {
                if (_reported.TryAdd(name, 0))
                {
                    logger.LogWarning($"Ignoring {{ObjectName}} under {BundleLayout.PendingPrefix}: the name names no bundle part", Text.DisplayText.Visible(name, 200));
                }

                continue;
            }

            if (await store.ReadIndexEntryAsync(part, cancellationToken) is not null)
            {
                _settled.TryAdd(part, 0);
                continue;
            }

            var plan = await PlanAsync(part, cancellationToken);
            if (!plan.Asks)
            {
                continue;
            }

            // When the part is due: the plan in part n−1's index entry wins over the record, which is only a reminder, so
            // a record's far-future (or garbled) time cannot postpone it; without a readable plan the record's time, at
            // most COMPLETION_GIVE_UP_HOURS from now (a wait longer than the whole give-up window is wrong).
            var record = await ReadRecordAsync(part, cancellationToken);
            var now = time.GetUtcNow();
            var due = Min(plan.Due ?? record?.Due ?? now, now + options.GiveUpAfter);
            open.Add(new PendingPart(part, due, record?.GiveUpAt ?? plan.GiveUpAt));
        }

        return [.. open.OrderBy(p => p.Due).ThenBy(p => p.Id.ObjectStem, StringComparer.Ordinal)];
    }

    /// <summary>Runs every open part that is due (and not backing off), at most <paramref name="concurrency"/> at once.</summary>
    /// <returns>What each attempt did, and the open parts that remain with their next moment.</returns>
    public async Task<CompletionPass> RunDueAsync(int concurrency, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var now = time.GetUtcNow();
        var open = await ListOpenAsync(cancellationToken);
        var due = open.Where(p => p.Due <= now && NextAttempt(p.Id) <= now).ToList();
        var results = new ConcurrentBag<(PendingPart Part, CompletionResult Result)>();
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (part, token) =>
            results.Add((part, await AttemptAsync(part, token))));

        var remaining = await ListOpenAsync(cancellationToken);
        return new CompletionPass(
            [.. results.OrderBy(r => r.Part.Id.ObjectStem, StringComparer.Ordinal)],
            [.. remaining.Select(p => p with { Due = Max(p.Due, NextAttempt(p.Id)) })]);
    }

    private async Task<CompletionResult> AttemptAsync(PendingPart part, CancellationToken cancellationToken)
    {
        CompletionResult result;
        try
        {
            result = await function.CompleteAsync(new CompletionRequest(part.Id.Value, part.Id.Part), cancellationToken);
        }
        catch (EvidenceStoreException ex)
        {
            logger.LogWarning(ex, "Completion of {Part} failed on the store; retried later: {Problem}", part.Id.ObjectStem, ex.Message);
            result = CompletionResult.Later($"store failure: {ex.Message}", options.RetryAfter);
        }

        if (result.Outcome == CompletionOutcome.Later)
        {
            _backoff.AddOrUpdate(part.Id, _ => Failed(1), (_, previous) => Failed(previous.Failures + 1));
        }
        else
        {
            _backoff.TryRemove(part.Id, out _);
            if (result.Outcome is CompletionOutcome.NothingLeft or CompletionOutcome.Rejected)
            {
                // Nothing will change by asking again (the record points at nothing): the log line says why.
                _settled.TryAdd(part.Id, 0);
            }
        }

        logger.LogInformation("Completion of {Part}: {Outcome}, {Reason}", part.Id.ObjectStem, result.Outcome, result.Reason);
        return result;

        (int, DateTimeOffset) Failed(int failures) =>
            (failures, time.GetUtcNow() + Backoff.Exponential(result.RetryAfter ?? options.RetryAfter, 2, options.MaxRetryAfter, failures));
    }

    /// <summary>
    /// Whether part n−1 still asks for this part, and its plan (when part n is due, when to give up). A record is
    /// written only after part n−1's index entry, so a missing entry is a crash between the two, repaired by the
    /// completion itself: it counts as asking.
    /// </summary>
    private async Task<(bool Asks, DateTimeOffset? Due, DateTimeOffset? GiveUpAt)> PlanAsync(BundleId part, CancellationToken cancellationToken)
    {
        try
        {
            if (await Audit.StoredIndexEntry.ReadAsync(store, part.WithPart(part.Part - 1), cancellationToken) is not { Entry: var previous })
            {
                return (true, null, null);
            }

            return previous.Summary.Completion is { State: Completeness.Pending } state && state.NextPart == part.Part
                ? (true, state.Due, state.GiveUpAt)
                : (false, null, null);
        }
        catch (Audit.UnreadableObjectException)
        {
            // For verify to report; the completion refuses it with its own reason.
            return (true, null, null);
        }
    }

    private DateTimeOffset NextAttempt(BundleId id) => _backoff.TryGetValue(id, out var state) ? state.NextAttempt : DateTimeOffset.MinValue;

    private async Task<PendingRecord?> ReadRecordAsync(BundleId part, CancellationToken cancellationToken)
    {
        if (await store.ReadPendingAsync(part, cancellationToken) is not { } bytes)
        {
            return null;
        }

        try
        {
            return Audit.StoredShape.Read<PendingRecord>(bytes, BundleLayout.PendingObject(part));
        }
        catch (InvalidDataException ex)
        {
            // The record is only a reminder; the previous part's index entry holds the plan, and says when.
            if (_reported.TryAdd(BundleLayout.PendingObject(part), 0))
            {
                logger.LogWarning("The pending record {ObjectName} is unreadable ({Problem}); the part runs on the plan in the previous part's index entry", BundleLayout.PendingObject(part), ex.Message);
            }

            return null;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>A part still to collect, and when.</summary>
public sealed record PendingPart(BundleId Id, DateTimeOffset Due, DateTimeOffset? GiveUpAt);

/// <summary>One pass of the runner: the attempts made, and what is still open.</summary>
public sealed record CompletionPass(IReadOnlyList<(PendingPart Part, CompletionResult Result)> Attempts, IReadOnlyList<PendingPart> Remaining);
