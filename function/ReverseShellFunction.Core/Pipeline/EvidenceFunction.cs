using CloudNative.CloudEvents;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Report;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// The function: apply the rules to a decoded notification, and for a new finding event collect part 1, store it
/// create-only, write its index entry, and schedule the next part when something is left (a log window still open,
/// a transient failure). A completion (<see cref="CompleteAsync"/>) collects part n the same way, linked to part n−1
/// by its SHA-256. A redelivery or a repeated completion finds the stored part before collecting anything; a part
/// left without an index entry, or without its next part scheduled, by a crash is repaired from the stored bytes.
/// </summary>
public sealed partial class EvidenceFunction : ICloudEventFunction<DecodedDelivery, PipelineResult>
{
    private readonly CollectionRules _rules;
    private readonly CollectionRunner _collectors;
    private readonly IEvidenceStore _store;
    private readonly TimeProvider _time;
    private readonly ToolInfo _tool;
    private readonly ILogger<EvidenceFunction> _logger;
    private readonly IBundleNotifier _notifier;
    private readonly IFindingMarker? _marker;
    private readonly Custody.ManifestSealer? _sealer;
    private readonly ICompletionScheduler _scheduler;
    private readonly CompletionOptions _completion;
    private readonly DeliveryOptions _delivery;
    private readonly StoreReserve _reserve = new();
    private readonly DeliveryClaim _claim;
    private readonly LogThrottle _noPreviousPart = new(TimeSpan.FromMinutes(1));

    public EvidenceFunction(
        CollectionRules rules,
        CollectionRunner collectors,
        IEvidenceStore store,
        TimeProvider time,
        ToolInfo tool,
        ILogger<EvidenceFunction> logger,
        IBundleNotifier? notifier = null,
        IFindingMarker? marker = null,
        Custody.ManifestSealer? sealer = null,
        ICompletionScheduler? scheduler = null,
        CompletionOptions? completion = null,
        DeliveryOptions? delivery = null)
    {
        _delivery = delivery ?? new DeliveryOptions();
        _claim = new DeliveryClaim(store, time, logger);
        // Without Cloud Tasks, the embedded default: pending records in the store itself.
        _scheduler = scheduler ?? new PendingRecordScheduler(store, time);
        _completion = completion ?? new CompletionOptions();
        _notifier = notifier ?? NoBundleNotifier.Instance;
        _marker = marker;
        _sealer = sealer;
        _rules = rules;
        _collectors = collectors;
        _store = store;
        _time = time;
        _tool = tool;
        _logger = logger;
    }

    /// <summary>Where completions are scheduled: <c>cloud-tasks</c> or <c>pending-records</c>.</summary>
    public string SchedulerKind => _scheduler.Kind;

    /// <summary>Handles a delivery the intake decoded (<see cref="DeliveryReader"/>); intake problems never reach here.</summary>
    public async Task<PipelineResult> HandleAsync(CloudEvent cloudEvent, DecodedDelivery data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(data);
        var notification = data.Notification;
        var finding = notification.Finding;
        var decision = _rules.Decide(finding);
        if (!decision.Collect)
        {
            _logger.LogInformation(
                "Acknowledged finding {FindingName} without collecting: {Reason} (message {MessageId})",
                finding.Name,
                decision.Reason,
                DisplayText.Visible(data.Delivery.MessageId, 100));
            return new PipelineResult { Outcome = PipelineOutcome.Ignored, Reason = decision.Reason };
        }

        var id = BundleId.For(finding.Name!, notification.EventTime);
        using var scope = _logger.BeginScope(new Dictionary<string, object?> { ["bundleId"] = id.Value, ["findingName"] = finding.Name });
        _logger.LogInformation("Finding {FindingName} of category {Category} matches: bundle {BundleId}", finding.Name, finding.Category, id.Value);

        if (_marker is not null && FindingMark.IsOwnFollowUp(finding, id))
        {
            // Writing the marks made SCC notify again about this same event: acknowledge it, collect nothing, mark nothing.
            _logger.LogInformation("Finding {FindingName} carries the security marks of bundle {BundleId}: follow-up of our own mark update, acknowledged", finding.Name, id.Value);
            return new PipelineResult { Outcome = PipelineOutcome.Ignored, Reason = "follow-up notification of this function's own security-mark update", BundleId = id.Value };
        }

        var budget = DeliveryBudget.For(data.Delivery, _delivery, _reserve.For(_delivery.Budget));
        var (claim, generation) = await ClaimAsync(id, data.Delivery, budget, cancellationToken);
        if (claim == ClaimOutcome.Stored)
        {
            // A redelivery, or a differing notification for the same event that the bundle must record.
            return await RecordOrResumeAsync(id, data, cancellationToken);
        }

        if (claim == ClaimOutcome.HeldElsewhere)
        {
            // Not acknowledged: if the delivery holding the lease dies, Pub/Sub brings this event again.
            _logger.LogWarning("Bundle {BundleId} is being collected by another delivery (lease generation {Generation}) and is not stored yet; answering so that this one is delivered again", id.Value, generation);
            return new PipelineResult { Outcome = PipelineOutcome.InFlight, Reason = "another delivery of this event is collecting it; not acknowledged, so it is delivered again", BundleId = id.Value };
        }

        // The existence check does not depend on collection, so it runs alongside it: for a new event the delivery
        // then takes its slowest collector, not the check plus the collector. Nothing is stored before the check
        // has answered, so a redelivery still writes nothing.
        var stored = _store.GetBundleAsync(id, cancellationToken);
        if (stored.IsCompleted)
        {
            // A store that answers at once (the local folder) needs no overlap: a redelivery collects nothing at all.
            if (await stored is not null)
            {
                return await RecordOrResumeAsync(id, data, cancellationToken);
            }

            using var built = await BuildPartOneAsync(id, data, budget, cancellationToken);
            return await StoreAsync(built!, budget, cancellationToken);
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
            return await StoreAsync(built!, budget, cancellationToken);
        }
    }

    /// <summary>
    /// The lease on collecting part 1 (<see cref="DeliveryClaim"/>). A pushed delivery's lease lasts until its answer
    /// is due plus half the budget, and it waits for another delivery's part 1 until its own collectors would
    /// stop; a replayed file waits out any lease (it has no ack deadline).
    /// </summary>
    private Task<(ClaimOutcome Outcome, int Generation)> ClaimAsync(BundleId id, DeliveryInfo delivery, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var longest = LongestLease;
        if (budget is null)
        {
            return _claim.AcquireAsync(id, delivery, now + _collectors.Options.Deadline + (_delivery.Budget / 2), now + longest, longest, cancellationToken);
        }

        _logger.LogInformation(
            "Delivery budget: answer by {AnswerBy:O} ({Spent} ms spent before receipt), collectors stop at {CollectUntil:O}",
            budget.AnswerBy,
            (long)budget.SpentBeforeReceipt.TotalMilliseconds,
            budget.CollectUntil);
        return _claim.AcquireAsync(id, delivery, budget.AnswerBy + (_delivery.Budget / 2), budget.CollectUntil, longest, cancellationToken);
    }

    /// <summary>A lease that claims to last longer than this is not believed (a clock far ahead).</summary>
    private TimeSpan LongestLease => (_collectors.Options.Deadline > _delivery.Budget ? _collectors.Options.Deadline : _delivery.Budget) * 2;

    private Task<BuiltBundle?> BuildPartOneAsync(BundleId id, DecodedDelivery data, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        var notification = data.Notification;
        var context = new CollectionContext
        {
            Notification = notification,
            Target = Target(notification),
            EventTime = notification.EventTime,
        };
        var giveUpAt = _time.GetUtcNow() + _completion.GiveUpAfter;
        return BuildAsync(id, context, data.Delivery, only: null, carried: [], missing: [], previous: null, giveUpAt, new PartHistory(null, 1), cancellationToken, budget);
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
            _logger.LogDebug(ex, "A cancelled collection ended with {Problem}; its bundle is discarded", ex.Message);
        }
    }

    /// <summary>
    /// Collects part <see cref="CompletionRequest.Part"/> of a bundle: what part n−1 left outstanding and is due now.
    /// Answers what the completion endpoint needs to tell Cloud Tasks (or the embedded runner): stored, nothing
    /// left, or try again later.
    /// </summary>
    public async Task<CompletionResult> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!BundleId.TryParse(request.BundleId, out var bundle) || request.Part < 2 || request.Part > BundleId.MaxPart)
        {
            return CompletionResult.Rejected($"'{DisplayText.Visible(request.BundleId, 100)}' part {request.Part} names no bundle part (expected a bundle id and a part from 2 to {BundleId.MaxPart}).");
        }

        var part = bundle.WithPart(request.Part);
        using var scope = _logger.BeginScope(new Dictionary<string, object?> { ["bundleId"] = bundle.Value, ["part"] = part.Part });
        if (await _store.GetBundleAsync(part, cancellationToken) is not null)
        {
            return CompletionResult.Done(await ResumeAsync(bundle, $"part {part.Part} already stored", cancellationToken));
        }

        var previous = await IndexOrRepairAsync(bundle.WithPart(part.Part - 1), cancellationToken);
        if (previous is null)
        {
            // Anyone who can call the endpoint (or a stale task) can repeat this at will: a warning at most once a
            // minute with a count, and nothing-left (200) so Cloud Tasks does not retry it.
            if (_noPreviousPart.TryTake(_time.GetUtcNow(), out var unlogged))
            {
                _logger.LogWarning(
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

        var now = _time.GetUtcNow();
        if (state.Due is { } due && due > now)
        {
            return CompletionResult.Later($"part {part.Part} is due at {due:yyyy-MM-dd'T'HH:mm:ss'Z'}", due - now);
        }

        // Cloud Tasks delivers at least once, and a sibling batch may run this part while its own task fires: only
        // the completion holding the part's lease collects it, so no read (and no quota) is spent twice on one part.
        var leaseUntil = now + _collectors.Options.Deadline + (_delivery.Budget / 2);
        var (claim, generation) = await _claim.AcquireAsync(part, delivery: null, leaseUntil, waitUntil: now, LongestLease, cancellationToken);
        if (claim == ClaimOutcome.Stored)
        {
            return CompletionResult.Done(await ResumeAsync(bundle, $"part {part.Part} already stored", cancellationToken));
        }

        if (claim == ClaimOutcome.HeldElsewhere)
        {
            _logger.LogInformation("Part {Part} of bundle {BundleId} is being collected by another completion (lease generation {Generation}); this one is retried later", part.Part, bundle.Value, generation);
            return CompletionResult.Later($"part {part.Part} is being collected by another completion", leaseUntil - now);
        }

        try
        {
            return await CollectPartAsync(bundle, part, previous, state, now, cancellationToken);
        }
        finally
        {
            // Stored or not, this attempt is over: this process may take the lease again for its next attempt.
            _claim.Release(part, generation);
        }
    }

    private async Task<CompletionResult> CollectPartAsync(BundleId bundle, BundleId part, IndexEntry previous, CompletionState state, DateTimeOffset now, CancellationToken cancellationToken)
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

        var notification = await ReadNotificationAsync(bundle.WithPart(notificationPart), now, cancellationToken);
        var context = new CollectionContext
        {
            Notification = notification,
            Target = Target(notification),
            EventTime = notification.EventTime,
            Part = part.Part,
            ResumeFrom = work.Where(w => w.ResumeFrom is not null).ToDictionary(w => w.Collector, w => w.ResumeFrom!.Value, StringComparer.Ordinal),
        };
        var link = new PartLink(part.Part - 1, previous.Bundle.ObjectName, previous.Bundle.Sha256);
        var giveUpAt = state.GiveUpAt ?? now;
        using var built = await BuildAsync(part, context, delivery: null, work.Select(w => w.Collector).ToHashSet(StringComparer.Ordinal), notYet, state.Missing, link, giveUpAt, new PartHistory(previous.Summary, notificationPart), cancellationToken);
        if (built is null)
        {
            // Every due collector failed transiently again and read nothing: no part for nothing, try again later.
            return CompletionResult.Later($"part {part.Part}: every due collector failed transiently again", _completion.RetryAfter);
        }

        return CompletionResult.Done(await StoreAsync(built, budget: null, cancellationToken));
    }

    private static Findings.CloudRunTarget? Target(SccNotification notification) =>
        CloudRunTarget.TryParse(notification.Finding.ResourceName) ?? CloudRunTarget.TryParse(notification.Resource?.Name);

    /// <summary>The notification part <paramref name="bundle"/> stored (part 1, or a part recording a differing delivery), read back through its index entry's hash.</summary>
    private async Task<SccNotification> ReadNotificationAsync(BundleId bundle, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = await IndexOrRepairAsync(bundle, cancellationToken)
            ?? throw new EvidenceStoreException($"Part {bundle.Part} of bundle {bundle.Value} is not stored: its notification cannot be read.");
        byte[] bytes;
        await using (var stream = await _store.OpenBundleAsync(bundle, cancellationToken))
        {
            try
            {
                bytes = await StoredBundleReader.ReadEntryAsync(stream, BundleLayout.Entries.Notification, first.Bundle.Sha256, NotificationDecoder.MaxMessageBytes, cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                throw new EvidenceStoreException($"Part {bundle.Part} of bundle {bundle.Value} cannot be completed: {ex.Message}", ex);
            }
        }

        try
        {
            return NotificationDecoder.Parse(bytes, now);
        }
        catch (InvalidDeliveryException ex)
        {
            throw new EvidenceStoreException($"The notification stored in part {bundle.Part} of bundle {bundle.Value} no longer decodes: {ex.Message}", ex);
        }
    }

    /// <returns>Null when every due collector failed transiently with nothing read and there is still time to retry.</returns>
    private async Task<BuiltBundle?> BuildAsync(
        BundleId id,
        CollectionContext context,
        DeliveryInfo? delivery,
        IReadOnlySet<string>? only,
        IReadOnlyList<OutstandingWork> carried,
        IReadOnlyList<OutstandingWork> missing,
        PartLink? previous,
        DateTimeOffset giveUpAt,
        PartHistory history,
        CancellationToken cancellationToken,
        DeliveryBudget? budget = null)
    {
        var notification = context.Notification;
        using var staging = new StagingDirectory();
        if (delivery is not null)
        {
            // Part 1, and a later part recording a differing delivery: completions read part 1's notification.
            await staging.WriteAllBytesAsync(BundleLayout.Entries.Notification, notification.RawJson, cancellationToken);
            await staging.WriteAllBytesAsync(BundleLayout.Entries.Delivery, EvidenceJson.Serialize(delivery), cancellationToken);
        }

        var reports = await _collectors.RunAsync(context, staging, cancellationToken, only, budget?.CollectUntil);
        budget?.MarkCollected();

        // A collector may end early on cancellation with a report rather than an exception: build nothing then.
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var report in reports)
        {
            _logger.LogInformation(
                "Collector {Collector} finished {Status} with {ItemCount} items in {DurationMs} ms: {Reason}",
                report.Name,
                report.Status,
                report.ItemCount,
                report.DurationMs,
                report.Reason ?? "ok");
        }

        var createdAt = _time.GetUtcNow();
        if (id.Part > 1 && delivery is null && createdAt < giveUpAt && reports.Count > 0 && reports.All(r => r.RetryLater && (r.ItemCount ?? 0) == 0))
        {
            return null;
        }

        return await AssembleAsync(id, notification, staging, reports, carried, missing, previous, createdAt, giveUpAt, _sealer, history with { OwnFacts = history.Previous is null || delivery is not null }, cancellationToken);
    }

    /// <summary>What every part does once its collectors are done: summary, summary.md, summary.html, manifest, zip.</summary>
    private async Task<BuiltBundle> AssembleAsync(
        BundleId id,
        SccNotification notification,
        StagingDirectory staging,
        IReadOnlyList<CollectorReport> reports,
        IReadOnlyList<OutstandingWork> carried,
        IReadOnlyList<OutstandingWork> missing,
        PartLink? previous,
        DateTimeOffset createdAt,
        DateTimeOffset giveUpAt,
        Custody.ManifestSealer? sealer,
        PartHistory history,
        CancellationToken cancellationToken)
    {
        var completion = CompletionPlanner.Plan(id.Part, reports, carried, missing, createdAt, giveUpAt, _collectors.Options.LogIngestionDelay, _completion, history.RecordedIn);
        var scc = await SccCopy.ReadAsync(staging, createdAt, cancellationToken);
        var summary = SummaryBuilder.Build(id, notification, reports, createdAt, scc) with { Completion = completion };
        var digest = await EvidenceDigest.ReadAsync(staging, summary, reports, cancellationToken);
        summary = SummaryBuilder.WithEvidence(summary, digest);

        // The whole bundle so far, so this part's summary is the bundle's word until a later part speaks.
        var checkedNow = reports.Any(r => r.Authenticity is FindingAuthenticity.Confirmed or FindingAuthenticity.Contradicted);
        summary = BundleSoFar.Merge(summary, history.Previous, Sha256(notification), history.RecordedIn, history.OwnFacts || checkedNow);
        if (digest.UnreadableLines > 0)
        {
            _logger.LogWarning("{Count} lines of the collected evidence could not be read for the summary; they stay in the bundle", digest.UnreadableLines);
        }

        var entries = staging.Files;
        await staging.WriteAllBytesAsync(EvidenceSummary.FileName, EvidenceJson.Serialize(summary), cancellationToken);
        await staging.WriteAllBytesAsync(SummaryMarkdown.FileName, System.Text.Encoding.UTF8.GetBytes(SummaryMarkdown.Render(summary, entries)), cancellationToken);
        await staging.WriteAllBytesAsync(SummaryHtml.FileName, System.Text.Encoding.UTF8.GetBytes(SummaryHtml.Render(summary, entries, digest.Timeline, new PartCustody(id.Part, previous, sealer is not null, sealer?.SignerKeyId, sealer?.TimestampAuthority))), cancellationToken);
        return await BundleWriter.WriteAsync(staging, id, summary, reports, _tool, createdAt, cancellationToken, sealer, previous);
    }

    /// <summary>
    /// Assembles one part from <paramref name="notificationJson"/> with every collector reported skipped, and
    /// deletes it: run by <c>serve</c> beside the host's start, so that the first event, which a cold instance
    /// gets as soon as it listens, finds the summary, the report renderers, the manifest and the zip writer
    /// loaded and their first-use work done while its own collectors wait on the APIs. Nothing is stored,
    /// scheduled, signed or sent; the part is built in a staging folder of its own and deleted with it.
    /// </summary>
    /// <returns>The deleted part's size and the number of files it listed, for the warm-up's log line.</returns>
    public async Task<(long Bytes, int Files)> WarmUpAsync(ReadOnlyMemory<byte> notificationJson, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var notification = NotificationDecoder.Parse(notificationJson, now);
        var id = BundleId.For(notification.Finding.Name!, notification.EventTime);
        using var staging = new StagingDirectory();
        await staging.WriteAllBytesAsync(BundleLayout.Entries.Notification, notification.RawJson, cancellationToken);
        var reports = _collectors.Names
            .Select(name => new CollectorReport { Name = name, Status = CollectorStatus.Skipped, Reason = "start-up warm-up, not evidence" })
            .ToList();
        using var built = await AssembleAsync(id, notification, staging, reports, carried: [], missing: [], previous: null, now, now, sealer: null, new PartHistory(null, 1), cancellationToken);
        return (built.Size, built.Manifest.Files.Count);
    }

    private async Task<PipelineResult> StoreAsync(BuiltBundle built, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        try
        {
            return await StoreAsync(built, cancellationToken);
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

    private async Task<PipelineResult> StoreAsync(BuiltBundle built, CancellationToken cancellationToken, bool recordsDelivery = false)
    {
        var metadata = new BundleMetadata(built.Sha256, built.Id.Value, built.Summary.Finding.Name, built.Summary.Finding.EventTime, built.Size) { Part = built.Id.Part };
        CreateResult created;
        // Unbuffered: the store reads in blocks of its own, and a buffered stream would allocate a large buffer per delivery.
        await using (var content = new FileStream(built.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true))
        {
            created = await _store.CreateBundleAsync(built.Id, content, metadata, cancellationToken);
        }

        if (created == CreateResult.AlreadyExists && recordsDelivery)
        {
            // Another part took this number first: the delivery is not recorded yet, so it is built again as the next part.
            throw new PartTakenException(built.Id);
        }

        if (created == CreateResult.AlreadyExists)
        {
            // Another delivery of the same event stored first; ours is discarded, never written over it.
            _logger.LogInformation("Part {Part} of bundle {BundleId} was stored by a concurrent delivery; discarding this copy", built.Id.Part, built.Id.Value);
            return await ResumeAsync(built.Id.Bundle, "bundle stored by a concurrent delivery", cancellationToken);
        }

        var entry = new IndexEntry
        {
            Summary = built.Summary,
            Bundle = new BundleReference(BundleLayout.BundleObject(built.Id), built.Size, built.Sha256),
            Seal = built.Seal,
            Part = built.Id.Part,
            PreviousPart = built.Manifest.PreviousPart,
        };
        await _store.CreateIndexEntryAsync(built.Id, EvidenceJson.Serialize(entry), cancellationToken);
        _logger.LogInformation(
            "Stored part {Part} of bundle {BundleId} ({Size} bytes, sha256 {Sha256}) and its index entry: {Completeness}",
            built.Id.Part,
            built.Id.Value,
            built.Size,
            built.Sha256,
            built.Summary.Completion?.State ?? Completeness.Complete);
        await ScheduleNextAsync(built.Id, entry, cancellationToken);
        await NotifyAsync(entry, cancellationToken);
        return Result(PipelineOutcome.Stored, built.Id.Part == 1 ? "bundle stored" : $"part {built.Id.Part} stored", built.Id, entry);
    }

    /// <summary>
    /// A redelivery, a repeated completion or a lost race: walks the stored parts, repairs a missing index entry,
    /// and makes sure the next part of a pending bundle is scheduled (a crash may have come between the two).
    /// Collects nothing and writes no part.
    /// </summary>
    private async Task<PipelineResult> ResumeAsync(BundleId bundle, string reason, CancellationToken cancellationToken)
    {
        IndexEntry? last = null;
        var lastId = bundle;
        var repaired = new List<int>();
        for (var part = 1; part <= BundleId.MaxPart; part++)
        {
            var id = bundle.WithPart(part);
            var hadIndex = await _store.ReadIndexEntryAsync(id, cancellationToken) is not null;
            if (await IndexOrRepairAsync(id, cancellationToken) is not { } entry)
            {
                break;
            }

            if (!hadIndex)
            {
                repaired.Add(part);
            }

            // Every part: a later delivery may have added one after a complete part.
            (last, lastId) = (entry, id);
        }

        if (last is null)
        {
            throw new EvidenceStoreException($"Bundle {bundle.Value} was found stored but could not be read back.");
        }

        await ScheduleNextAsync(lastId, last, cancellationToken);
        _logger.LogInformation("Bundle {BundleId} is stored up to part {Part}: {Completeness}", bundle.Value, lastId.Part, last.Summary.Completion?.State ?? Completeness.Complete);
        var repairs = repaired.Count == 0 ? "" : $"; index entry completed from the stored part ({string.Join(", ", repaired.Select(p => $"part {p}"))})";
        return Result(PipelineOutcome.AlreadyStored, reason + repairs, lastId, last);
    }

    /// <summary>Schedules the part a pending part asks for; already scheduled is fine (a redelivery, a retry).</summary>
    private async Task ScheduleNextAsync(BundleId id, IndexEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Summary.Completion is not { State: Completeness.Pending, NextPart: { } next } state)
        {
            return;
        }

        var due = state.Due ?? _time.GetUtcNow();
        var task = new CompletionTask(id.Bundle, next, due) { GiveUpAt = state.GiveUpAt, Group = CompletionSiblings.GroupOf(entry.Summary.Resource.FullName, due) };
        ScheduleResult scheduled;
        try
        {
            scheduled = await _scheduler.ScheduleAsync(task, cancellationToken);
        }
        catch (CompletionSchedulingException ex)
        {
            // The part is stored; without its successor the bundle would stay pending for ever. 503: the delivery (or
            // the task) comes back, finds the part, and schedules again.
            throw new EvidenceStoreException($"Part {id.Part} of bundle {id.Value} is stored, but part {next} could not be scheduled: {ex.Message}", ex);
        }

        _logger.LogInformation(
            "Part {Part} of bundle {BundleId} {Scheduled} with {Scheduler}, due {Due}",
            next,
            id.Value,
            scheduled == ScheduleResult.Scheduled ? "scheduled" : "was already scheduled",
            _scheduler.Kind,
            task.Due);
    }

    /// <summary>The part's index entry; written from the stored part when a crash left it missing; null when the part is not stored.</summary>
    private async Task<IndexEntry?> IndexOrRepairAsync(BundleId id, CancellationToken cancellationToken)
    {
        if (await _store.ReadIndexEntryAsync(id, cancellationToken) is { } existing)
        {
            var objectName = BundleLayout.IndexObject(id);
            try
            {
                return Audit.StoredShape.Read<IndexEntry>(existing, objectName);
            }
            catch (InvalidDataException ex)
            {
                // Stored evidence that does not read (invalid JSON, "summary": null) is for a person to look at, not a
                // bug: 503, so the delivery or task is retried and, if it stays so, dead-letters; never a 500.
                _logger.LogError("The stored index entry {ObjectName} is unreadable: {Problem}", objectName, ex.Message);
                throw new EvidenceStoreException($"The stored index entry {objectName} is unreadable: {ex.Message}", ex);
            }
        }

        if (await _store.GetBundleAsync(id, cancellationToken) is not { } stored)
        {
            return null;
        }

        // A crash between part and index left the part alone: rebuild the entry from the stored bytes.
        (long Size, string Sha256, EvidenceSummary Summary, Manifest Manifest) read;
        await using (var bundle = await _store.OpenBundleAsync(id, cancellationToken))
        {
            try
            {
                read = await StoredBundleReader.ReadPartAsync(bundle, cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                // Damaged stored evidence is for a person to look at: 5xx, so the delivery dead-letters.
                throw new EvidenceStoreException($"Part {id.Part} of bundle {id.Value} is stored but unreadable, so no index entry is written for it: {ex.Message}", ex);
            }
        }

        // Never index bytes that differ from what was recorded when the part was written: answer 5xx so the
        // delivery ends in the dead-letter topic and a person looks, rather than vouching for altered evidence.
        if (stored.MetadataSha256 is { } recorded && !string.Equals(recorded, read.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            _logger.LogError("Part {Part} of bundle {BundleId} reads as sha256 {Actual} but {Recorded} was recorded when it was stored; not indexing it", id.Part, id.Value, read.Sha256, recorded);
            throw new EvidenceStoreException($"Integrity check failed for part {id.Part} of bundle {id.Value}: sha256 {read.Sha256} read, {recorded} recorded when it was stored.");
        }

        var entry = new IndexEntry
        {
            Summary = read.Summary,
            Bundle = new BundleReference(BundleLayout.BundleObject(id), read.Size, read.Sha256),
            Seal = await StoredSeal.ReadAsync(_store, id, cancellationToken),
            Part = id.Part,
            PreviousPart = read.Manifest.PreviousPart,
        };
        await _store.CreateIndexEntryAsync(id, EvidenceJson.Serialize(entry), cancellationToken);
        _logger.LogWarning("Part {Part} of bundle {BundleId} had no index entry; wrote it from the stored part", id.Part, id.Value);

        // The crash came before the notification too: people hear of this part now.
        await NotifyAsync(entry, cancellationToken);
        return entry;
    }

    /// <summary>After the index entry: the evidence is safe, so a failed notification or mark is logged, never thrown.</summary>
    private async Task NotifyAsync(IndexEntry entry, CancellationToken cancellationToken)
    {
        var notification = BundleNotification.For(entry, _store.Location);
        try
        {
            await _notifier.NotifyAsync(notification, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Bundle {BundleId} is stored, but the notification about it could not be sent: {Problem}", entry.Summary.BundleId, ex.Message);
        }

        if (_marker is null)
        {
            return;
        }

        try
        {
            await _marker.MarkAsync(FindingMark.For(entry.Summary.Finding.Name, notification, entry.Summary.Resource?.ProjectNumber), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Bundle {BundleId} is stored, but the security marks on its finding could not be written: {Problem}", entry.Summary.BundleId, ex.Message);
        }
    }

    private static PipelineResult Result(PipelineOutcome outcome, string reason, BundleId id, IndexEntry entry) => new()
    {
        Outcome = outcome,
        Reason = reason,
        BundleId = id.Value,
        ObjectName = BundleLayout.IndexObject(id),
        IndexEntry = entry,
    };
}
