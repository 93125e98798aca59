using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// Part 1 of a bundle, collected by the delivery that holds its lease, within the delivery's budget: the collectors
/// run alongside the check that the bundle is not stored yet, and the part is stored only when the check found
/// nothing (otherwise the collection is discarded and the stored bundle taken up by <see cref="DifferingDelivery"/>).
/// </summary>
internal sealed class PartOneCollection(
    IEvidenceStore store, PartAssembler assembler, PartStore parts, DifferingDelivery differing, DeliveryOptions delivery, CompletionOptions completion, TimeProvider time, ILogger logger)
{
    private readonly StoreReserve _reserve = new();

    /// <summary>A pushed delivery's budget, keeping back what storing recently took; null for a replayed file.</summary>
    public DeliveryBudget? BudgetFor(DeliveryInfo info) => DeliveryBudget.For(info, delivery, _reserve.For(delivery.Budget));

    public async Task<PipelineResult> CollectAsync(BundleId id, DecodedDelivery data, DeliveryBudget? budget, CancellationToken cancellationToken)
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
                return await differing.RecordOrResumeAsync(id, data, cancellationToken);
            }

            using var built = await BuildAsync(id, data, budget, cancellationToken);
            return await StoreAsync(built!, budget, cancellationToken);
        }

        using var collection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var building = BuildAsync(id, data, budget, collection.Token);
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
            return await differing.RecordOrResumeAsync(id, data, cancellationToken);
        }

        using (var built = await building)
        {
            return await StoreAsync(built!, budget, cancellationToken);
        }
    }

    private Task<BuiltBundle?> BuildAsync(BundleId id, DecodedDelivery data, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        var giveUpAt = time.GetUtcNow() + completion.GiveUpAfter;
        var work = new PartWork(id, PartAssembler.ContextFor(data.Notification), giveUpAt, new PartHistory(null, 1)) { Delivery = data.Delivery, Budget = budget };
        return assembler.BuildAsync(work, cancellationToken);
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

    private async Task<PipelineResult> StoreAsync(BuiltBundle built, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        try
        {
            return await parts.StoreAsync(built, cancellationToken);
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
}
