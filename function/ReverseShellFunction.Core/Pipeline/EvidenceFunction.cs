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
/// The rules, the lease (<see cref="DeliveryClaim"/>) and part 1 are here; the other steps are classes of their own:
/// <see cref="DifferingDelivery"/>, <see cref="PartCompleter"/>, <see cref="PartAssembler"/> (collect and build) and
/// <see cref="PartStore"/> (store, resume, schedule, read back, crash repair, announce). All log under this class's name.
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

    // The two other ways into a bundle hold no state of their own: built on the shared steps when used.
    private DifferingDelivery Differing => new(_parts, _assembler, _timing.Completion, time, logger);

    private PartCompleter Completer => new(store, _parts, _assembler, _claim, _timing.Completion, _noPreviousPart, time, logger);

    /// <summary>
    /// Handles a delivery the intake decoded (<see cref="DeliveryReader"/>); intake problems never reach here. The
    /// rules decide whether it is collected, the echo of our own mark update is acknowledged, and the lease on part 1
    /// decides who collects it. A stored bundle goes to <see cref="DifferingDelivery"/>, a new one is collected here.
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
            return await Differing.RecordOrResumeAsync(id, data, cancellationToken);
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
    /// nothing (otherwise the collection is discarded and the stored bundle taken up by <see cref="DifferingDelivery"/>).
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
                return await Differing.RecordOrResumeAsync(id, data, cancellationToken);
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
            return await Differing.RecordOrResumeAsync(id, data, cancellationToken);
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
    /// Collects part <see cref="CompletionRequest.Part"/> of a bundle (<see cref="PartCompleter"/>): what part n−1 left
    /// outstanding and is due now, linked to part n−1 by its SHA-256.
    /// </summary>
    public Task<CompletionResult> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken) =>
        Completer.CompleteAsync(request, cancellationToken);

    /// <inheritdoc cref="PartAssembler.WarmUpAsync"/>
    public Task<(long Bytes, int Files)> WarmUpAsync(ReadOnlyMemory<byte> notificationJson, CancellationToken cancellationToken) =>
        _assembler.WarmUpAsync(notificationJson, cancellationToken);
}
