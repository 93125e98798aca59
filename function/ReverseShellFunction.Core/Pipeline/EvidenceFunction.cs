using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Pipeline;

/// <summary>How long the pipeline's steps may take: a delivery's budget, and how long later parts may wait.</summary>
public sealed record PipelineTiming
{
    public required CompletionOptions Completion { get; init; }
    public required DeliveryOptions Delivery { get; init; }
}

/// <summary>
/// The function: apply the rules to a decoded notification, and for a new finding event collect part 1, store it
/// create-only, write its index entry, and schedule the next part when something is left (a log window still open,
/// a transient failure). A completion (<see cref="CompleteAsync"/>) collects part n the same way, linked to part n−1
/// by its SHA-256. A redelivery or a repeated completion finds the stored part before collecting anything; a part
/// left without an index entry, or without its next part scheduled, by a crash is repaired from the stored bytes.
/// The rules, the lease (<see cref="DeliveryClaim"/>), part 1, differing deliveries and completions are here; the
/// other steps are classes of their own: <see cref="PartAssembler"/> (collect and build) and <see cref="PartStore"/>
/// (store, resume, schedule, read back, crash repair, announce). All of them log under this class's name.
/// </summary>
public sealed class EvidenceFunction(
    CollectionRules rules,
    CollectionRunner collectors,
    IEvidenceStore store,
    PartWriting writing,
    TimeProvider time,
    ILogger<EvidenceFunction> logger,
    PipelineTiming timing,
    PartFollowUps? followUps = null)
{
    private const int MaxRecordAttempts = 8;

    private readonly PipelineTiming _timing = timing ?? throw new ArgumentNullException(nameof(timing));
    private readonly DeliveryClaim _claim = new(store, collectors.Options, timing.Delivery, time, logger);

    // Without Cloud Tasks, the embedded default: pending records in the store itself.
    private readonly PartStore _parts = new(
        store,
        followUps?.Scheduler ?? new PendingRecordScheduler(store, time),
        followUps?.Notifier ?? NoBundleNotifier.Instance,
        followUps?.Marker,
        time,
        logger);

    private readonly PartAssembler _assembler = new(collectors, writing, timing.Completion, time, logger);
    private readonly StoreReserve _reserve = new();
    private readonly LogThrottle _noPreviousPart = new(TimeSpan.FromMinutes(1));

    /// <summary>
    /// Handles a delivery the intake decoded (<see cref="DeliveryReader"/>); intake problems never reach here. The
    /// rules decide whether it is collected, the echo of our own mark update is acknowledged, and the lease on part 1
    /// decides who collects it. A stored bundle goes to <see cref="RecordOrResumeAsync"/>, a new one is collected here.
    /// </summary>
    public async Task<PipelineResult> HandleAsync(DecodedDelivery data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var notification = data.Notification;
        var finding = notification.Finding;
        var decision = rules.Decide(finding);
        if (!decision.Collect)
        {
            logger.LogInformation(
                "Acknowledged finding {FindingName} without collecting: {Reason} (message {MessageId})",
                finding.Name,
                decision.Reason,
                DisplayText.Visible(data.Delivery.MessageId, 100));
            return new PipelineResult { Outcome = PipelineOutcome.Ignored, Reason = decision.Reason };
        }

        var id = BundleId.For(finding.Name!, notification.EventTime);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["bundleId"] = id.Value, ["findingName"] = finding.Name });
        logger.LogInformation("Finding {FindingName} of category {Category} matches: bundle {BundleId}", finding.Name, finding.Category, id.Value);

        if (followUps?.Marker is not null && FindingMark.IsOwnFollowUp(finding, id))
        {
            // Writing the marks made SCC notify again about this same event: acknowledge it, collect nothing, mark nothing.
            logger.LogInformation("Finding {FindingName} carries the security marks of bundle {BundleId}: follow-up of our own mark update, acknowledged", finding.Name, id.Value);
            return new PipelineResult { Outcome = PipelineOutcome.Ignored, Reason = "follow-up notification of this function's own security-mark update", BundleId = id.Value };
        }

        // A pushed delivery's budget, keeping back what storing recently took; null for a replayed file.
        var budget = DeliveryBudget.For(data.Delivery, _timing.Delivery, _reserve.For(_timing.Delivery.Budget));
        var (outcome, generation) = await ClaimAsync(id, data.Delivery, budget, cancellationToken);
        if (outcome == ClaimOutcome.Stored)
        {
            // A redelivery, or a differing notification for the same event that the bundle must record.
            return await RecordOrResumeAsync(id, data, cancellationToken);
        }

        if (outcome == ClaimOutcome.HeldElsewhere)
        {
            // Not acknowledged: if the delivery holding the lease dies, Pub/Sub brings this event again.
            logger.LogWarning("Bundle {BundleId} is being collected by another delivery (lease generation {Generation}) and is not stored yet; answering so that this one is delivered again", id.Value, generation);
            return new PipelineResult { Outcome = PipelineOutcome.InFlight, Reason = "another delivery of this event is collecting it; not acknowledged, so it is delivered again", BundleId = id.Value };
        }

        return await CollectPartOneAsync(id, data, budget, cancellationToken);
    }

    /// <summary>
    /// The lease on collecting part 1 (<see cref="DeliveryClaim"/>). A pushed delivery's lease lasts until its answer
    /// is due plus half the budget, and it waits for another delivery's part 1 until its own collectors would
    /// stop; a replayed file waits out any lease (it has no ack deadline).
    /// </summary>
    private Task<(ClaimOutcome Outcome, int Generation)> ClaimAsync(BundleId id, DeliveryInfo delivery, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (budget is null)
        {
            return _claim.AcquireAsync(id, delivery, _claim.Until(now), now + _claim.Longest, cancellationToken);
        }

        logger.LogInformation(
            "Delivery budget: answer by {AnswerBy:O} ({Spent} ms spent before receipt), collectors stop at {CollectUntil:O}",
            budget.AnswerBy,
            (long)budget.SpentBeforeReceipt.TotalMilliseconds,
            budget.CollectUntil);
        return _claim.AcquireAsync(id, delivery, budget.AnswerBy + _claim.Margin, budget.CollectUntil, cancellationToken);
    }

    /// <summary>
    /// Part 1 of a bundle, collected by the delivery that holds its lease, within the delivery's budget: the collectors
    /// run alongside the check that the bundle is not stored yet, and the part is stored only when the check found
    /// nothing (otherwise the collection is discarded and the stored bundle taken up by <see cref="RecordOrResumeAsync"/>).
    /// </summary>
    private async Task<PipelineResult> CollectPartOneAsync(BundleId id, DecodedDelivery data, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        // The existence check does not depend on collection, so it runs alongside it: for a new event the delivery
        // then takes its slowest collector, not the check plus the collector. Nothing is stored before the check
        // has answered, so a redelivery still writes nothing.
        var stored = store.GetBundleAsync(id, cancellationToken);
        if (stored.IsCompleted)
        {
            // A store that answers at once (the local folder) needs no overlap: a redelivery collects nothing at all.
            if (await stored is not null)
            {
                return await RecordOrResumeAsync(id, data, cancellationToken);
            }

            using var built = await BuildPartOneAsync(id, data, budget, cancellationToken);
            return await StorePartOneAsync(built!, budget, cancellationToken);
        }

        using var collection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var building = BuildPartOneAsync(id, data, budget, collection.Token);
        StoredObject? existing;
        try
        {
            existing = await stored;
        }
        catch
        {
            // The check failed (the store is unavailable): the delivery fails as it did before collecting, 503.
            await CancelAsync(collection, building);
            throw;
        }

        if (existing is not null)
        {
            await CancelAsync(collection, building);
            return await RecordOrResumeAsync(id, data, cancellationToken);
        }

        using (var built = await building)
        {
            return await StorePartOneAsync(built!, budget, cancellationToken);
        }
    }

    private Task<BuiltBundle?> BuildPartOneAsync(BundleId id, DecodedDelivery data, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        var giveUpAt = time.GetUtcNow() + _timing.Completion.GiveUpAfter;
        var work = new PartWork(id, PartAssembler.ContextFor(data.Notification), giveUpAt) { Delivery = data.Delivery, Budget = budget };
        return _assembler.BuildAsync(work, cancellationToken);
    }

    /// <summary>
    /// Stops a collection whose bundle will not be stored and waits for it, so that no collector still writes into
    /// a staging folder being deleted and no call outlives the delivery. Its outcome no longer matters.
    /// </summary>
    private async Task CancelAsync(CancellationTokenSource collection, Task<BuiltBundle?> building)
    {
        await collection.CancelAsync();
        try
        {
            (await building)?.Dispose();
        }
        catch (OperationCanceledException) when (collection.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Only logged: the answer is decided by the existence check, and the bundle is discarded either way.
            logger.LogDebug(ex, "A cancelled collection ended with {Problem}; its bundle is discarded", ex.Message);
        }
    }

    private async Task<PipelineResult> StorePartOneAsync(BuiltBundle built, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        try
        {
            return await _parts.StoreAsync(built, cancellationToken);
        }
        finally
        {
            if (budget is not null)
            {
                // Summary, zip and seal happened between the collectors' end and here: all of it is what the reserve is for.
                _reserve.Record(budget.SinceCollected);
            }
        }
    }

    /// <summary>
    /// A delivery for a stored bundle. A redelivery (the same bytes, or a notification that agrees with part 1's in
    /// every compared field) collects nothing. A second notification for the same event (same name, same event time)
    /// that says something else is recorded in a part of its own (its notification, its delivery, SCC's answer to it):
    /// the bundle id is name + event time, so whichever came first made part 1, and a forged notification sent before
    /// the genuine one would otherwise hide it, and one sent after would leave no trace. So both orders end with both
    /// notifications and SCC's copy in the evidence and the contradiction in the bundle's state.
    /// </summary>
    private async Task<PipelineResult> RecordOrResumeAsync(BundleId id, DecodedDelivery data, CancellationToken cancellationToken)
    {
        // Concurrent differing deliveries (or a completion) may take the same part number: each tries the next one.
        for (var attempt = 1; ; attempt++)
        {
            var (result, taken) = await TryRecordOrResumeAsync(id, data, cancellationToken);
            if (result is not null)
            {
                return result;
            }

            if (attempt == MaxRecordAttempts)
            {
                // Not recorded and not lost: 503, so the delivery comes back.
                throw new EvidenceStoreException($"Part {taken} of bundle {id.Value} was stored meanwhile {MaxRecordAttempts} times; the differing notification is recorded when it is delivered again.");
            }

            logger.LogInformation("Part {Part} of bundle {BundleId} was stored meanwhile; recording the differing notification in the next one", taken, id.Value);
        }
    }

    /// <returns>No result when the part meant to record the delivery was taken by another writer: its number.</returns>
    private async Task<(PipelineResult? Result, int Taken)> TryRecordOrResumeAsync(BundleId id, DecodedDelivery data, CancellationToken cancellationToken)
    {
        var resumed = await _parts.ResumeAsync(id, "bundle already stored (redelivery)", cancellationToken);
        if (resumed.IndexEntry is not { } last)
        {
            return (resumed, 0);
        }

        var sha = PartAssembler.Sha256(data.Notification);
        if (last.Summary.Notifications?.Any(n => n.Sha256 == sha) == true)
        {
            return (resumed, 0);
        }

        var now = time.GetUtcNow();
        var first = await _parts.ReadNotificationAsync(id, now, cancellationToken);
        var differences = FindingComparison.Compare(first, data.Notification);
        var lastPart = last.Part ?? 1;
        if (PartAssembler.Sha256(first) == sha || differences.Count == 0)
        {
            return (resumed, 0);
        }

        if (lastPart >= BundleId.MaxPart)
        {
            logger.LogError("Bundle {BundleId} has {Parts} parts: a differing notification for it is not recorded", id.Value, lastPart);
            return (resumed, 0);
        }

        var fields = string.Join(", ", differences.Select(d => d.Field));
        logger.LogWarning("A notification for stored bundle {BundleId} differs from part 1's in {Fields}: recording it in part {Part}", id.Value, fields, lastPart + 1);
        var part = id.WithPart(lastPart + 1);

        // Only the check against SCC runs for it; what the bundle still awaits is carried on unchanged.
        var state = last.Summary.Completion;

        // A settled bundle states no give-up time: its check gets a fresh COMPLETION_GIVE_UP_HOURS from now, so a
        // transient failure is retried by a later part instead of being given up at once and left unchecked.
        var giveUpAt = state is { State: Completeness.Pending, GiveUpAt: { } pendingUntil } ? pendingUntil : now + _timing.Completion.GiveUpAfter;
        var work = new PartWork(part, PartAssembler.ContextFor(data.Notification, part.Part), giveUpAt, last.Summary, part.Part)
        {
            Delivery = data.Delivery,
            Only = new HashSet<string>(StringComparer.Ordinal) { SccCopy.CollectorName },
            Carried = state is { State: Completeness.Pending } ? state.Outstanding : [],
            Missing = state?.Missing ?? [],
            Previous = new PartLink(lastPart, last.Bundle.ObjectName, last.Bundle.Sha256),
        };
        using var built = await _assembler.BuildAsync(work, cancellationToken);
        var recorded = await _parts.TryStoreAsync(built!, cancellationToken);
        return (recorded is null ? null : recorded with { Reason = $"differing notification recorded in part {part.Part} ({fields} differ from part 1's)" }, part.Part);
    }

    /// <summary>
    /// Collects part <see cref="CompletionRequest.Part"/> of a bundle: what part n−1 left outstanding and is due now,
    /// linked to part n−1 by its SHA-256. Answers what Cloud Tasks (or the embedded runner) needs to hear: stored,
    /// nothing left, or try again later.
    /// </summary>
    public async Task<CompletionResult> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!BundleId.TryParse(request.BundleId, out var bundle) || request.Part < 2 || request.Part > BundleId.MaxPart)
        {
            return CompletionResult.Rejected($"'{DisplayText.Visible(request.BundleId, 100)}' part {request.Part} names no bundle part (expected a bundle id and a part from 2 to {BundleId.MaxPart}).");
        }

        var part = bundle.WithPart(request.Part);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["bundleId"] = bundle.Value, ["part"] = part.Part });
        if (await store.GetBundleAsync(part, cancellationToken) is not null)
        {
            return CompletionResult.Done(await _parts.ResumeAsync(bundle, $"part {part.Part} already stored", cancellationToken));
        }

        var previous = await _parts.IndexOrRepairAsync(bundle.WithPart(part.Part - 1), cancellationToken);
        if (previous is null)
        {
            // Anyone who can call the endpoint (or a stale task) can repeat this at will: a warning at most once a
            // minute with a count, and nothing-left (200) so Cloud Tasks does not retry it.
            if (_noPreviousPart.TryTake(time.GetUtcNow(), out var unlogged))
            {
                logger.LogWarning(
                    "Completion of bundle {BundleId} part {Part} found no part {Previous}: nothing to continue, answered nothing-left ({Unlogged} more such completions since the last line)",
                    bundle.Value,
                    part.Part,
                    part.Part - 1,
                    unlogged);
            }

            return CompletionResult.NothingLeft($"part {part.Part - 1} of bundle {bundle.Value} is not stored: nothing to continue");
        }

        if (previous.Summary.Completion is not { State: Completeness.Pending } state || state.NextPart != part.Part)
        {
            return CompletionResult.NothingLeft($"part {part.Part - 1} leaves nothing for part {part.Part} ({previous.Summary.Completion?.State.ToString().ToLowerInvariant() ?? "complete"})");
        }

        var now = time.GetUtcNow();
        if (state.Due is { } due && due > now)
        {
            return CompletionResult.Later($"part {part.Part} is due at {due:yyyy-MM-dd'T'HH:mm:ss'Z'}", due - now);
        }

        // Cloud Tasks delivers at least once, and a sibling batch may run this part while its own task fires: only
        // the completion holding the part's lease collects it, so no read (and no quota) is spent twice on one part.
        var leaseUntil = _claim.Until(now);
        var (outcome, generation) = await _claim.AcquireAsync(part, delivery: null, leaseUntil, waitUntil: now, cancellationToken);
        if (outcome == ClaimOutcome.Stored)
        {
            return CompletionResult.Done(await _parts.ResumeAsync(bundle, $"part {part.Part} already stored", cancellationToken));
        }

        if (outcome == ClaimOutcome.HeldElsewhere)
        {
            logger.LogInformation("Part {Part} of bundle {BundleId} is being collected by another completion (lease generation {Generation}); this one is retried later", part.Part, bundle.Value, generation);
            return CompletionResult.Later($"part {part.Part} is being collected by another completion", leaseUntil - now);
        }

        try
        {
            return await CollectLaterPartAsync(part, previous, state, now, cancellationToken);
        }
        finally
        {
            // Stored or not, this attempt is over: this process may take the lease again for its next attempt.
            _claim.Release(part, generation);
        }
    }

    private async Task<CompletionResult> CollectLaterPartAsync(BundleId part, IndexEntry previous, CompletionState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (work, notYet) = CompletionPlanner.Split(state, now);

        // A check of a differing notification (recorded by a later part) that failed transiently runs alone, against
        // that notification; the other due work waits one part. Otherwise it would be run against part 1's and the
        // differing notification would stay unchecked for ever.
        var notificationPart = 1;
        if (work.FirstOrDefault(w => w.NotificationPart is > 1) is { NotificationPart: { } recordedIn } recheck)
        {
            notificationPart = recordedIn;
            notYet = [.. notYet, .. work.Where(w => !ReferenceEquals(w, recheck))];
            work = [recheck];
        }

        var notification = await _parts.ReadNotificationAsync(part.Bundle.WithPart(notificationPart), now, cancellationToken);
        var context = PartAssembler.ContextFor(notification, part.Part) with
        {
            ResumeFrom = work.Where(w => w.ResumeFrom is not null).ToDictionary(w => w.Collector, w => w.ResumeFrom!.Value, StringComparer.Ordinal),
        };
        var partWork = new PartWork(part, context, state.GiveUpAt ?? now, previous.Summary, notificationPart)
        {
            Only = work.Select(w => w.Collector).ToHashSet(StringComparer.Ordinal),
            Carried = notYet,
            Missing = state.Missing,
            Previous = new PartLink(part.Part - 1, previous.Bundle.ObjectName, previous.Bundle.Sha256),
        };
        using var built = await _assembler.BuildAsync(partWork, cancellationToken);
        if (built is null)
        {
            // Every due collector failed transiently again and read nothing: no part for nothing, try again later.
            return CompletionResult.Later($"part {part.Part}: every due collector failed transiently again", _timing.Completion.RetryAfter);
        }

        return CompletionResult.Done(await _parts.StoreAsync(built, cancellationToken));
    }

    /// <inheritdoc cref="PartAssembler.WarmUpAsync"/>
    public Task<(long Bytes, int Files)> WarmUpAsync(ReadOnlyMemory<byte> notificationJson, CancellationToken cancellationToken) =>
        _assembler.WarmUpAsync(notificationJson, cancellationToken);
}
