using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;

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
/// Each step is a class of its own: <see cref="DeliveryHandler"/> (rules and lease), <see cref="PartOneCollection"/>,
/// <see cref="DifferingDelivery"/>, <see cref="PartCompleter"/>, <see cref="PartAssembler"/> (collect and build),
/// <see cref="PartStore"/> (store, resume, schedule), <see cref="StoredParts"/> (read back, crash repair) and
/// <see cref="PartAnnouncer"/>; this class puts them together, and all of them log under its name.
/// </summary>
public sealed class EvidenceFunction
{
    private readonly DeliveryHandler _deliveries;
    private readonly PartCompleter _completer;
    private readonly PartAssembler _assembler;

    public EvidenceFunction(
        CollectionRules rules,
        CollectionRunner collectors,
        IEvidenceStore store,
        PartWriting writing,
        TimeProvider time,
        ILogger<EvidenceFunction> logger,
        PipelineTiming timing,
        PartFollowUps? followUps = null)
    {
        ArgumentNullException.ThrowIfNull(timing);
        followUps ??= new PartFollowUps();

        // Without Cloud Tasks, the embedded default: pending records in the store itself.
        var scheduler = followUps.Scheduler ?? new PendingRecordScheduler(store, time);
        var claim = new DeliveryClaim(store, time, logger);
        var leases = new LeaseTerms(collectors.Options, timing.Delivery);
        var announcer = new PartAnnouncer(store, followUps.Notifier ?? NoBundleNotifier.Instance, followUps.Marker, logger);
        var stored = new StoredParts(store, announcer, logger);
        var parts = new PartStore(store, stored, scheduler, announcer, time, logger);
        _assembler = new PartAssembler(collectors, writing, timing.Completion, time, logger);
        var differing = new DifferingDelivery(stored, parts, _assembler, timing.Completion, time, logger);
        var partOne = new PartOneCollection(store, _assembler, parts, differing, timing.Delivery, timing.Completion, time, logger);
        _deliveries = new DeliveryHandler(rules, claim, leases, partOne, differing, announcer.MarksFindings, time, logger);
        _completer = new PartCompleter(store, stored, parts, _assembler, claim, leases, timing.Completion, time, logger);
    }

    /// <summary>Handles a delivery the intake decoded (<see cref="DeliveryReader"/>); intake problems never reach here.</summary>
    public Task<PipelineResult> HandleAsync(DecodedDelivery data, CancellationToken cancellationToken) =>
        _deliveries.HandleAsync(data, cancellationToken);

    /// <summary>Collects part <see cref="CompletionRequest.Part"/> of a bundle: stored, nothing left, or try again later.</summary>
    public Task<CompletionResult> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken) =>
        _completer.CompleteAsync(request, cancellationToken);

    /// <inheritdoc cref="PartAssembler.WarmUpAsync"/>
    public Task<(long Bytes, int Files)> WarmUpAsync(ReadOnlyMemory<byte> notificationJson, CancellationToken cancellationToken) =>
        _assembler.WarmUpAsync(notificationJson, cancellationToken);
}
