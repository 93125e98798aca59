using CloudNative.CloudEvents;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collect;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Intake;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// The function: decode the notification, apply the rules, and for a new finding event collect, bundle,
/// store the bundle create-only, then write its index entry. A redelivery finds the stored bundle before
/// collecting anything; a bundle left without an index entry by a crash gets one from the stored bundle.
/// </summary>
public sealed class EvidenceFunction : ICloudEventFunction<DecodedDelivery, PipelineResult>
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

    public EvidenceFunction(
        CollectionRules rules,
        CollectionRunner collectors,
        IEvidenceStore store,
        TimeProvider time,
        ToolInfo tool,
        ILogger<EvidenceFunction> logger,
        IBundleNotifier? notifier = null,
        IFindingMarker? marker = null,
        Custody.ManifestSealer? sealer = null)
    {
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

        if (await _store.GetBundleAsync(id, cancellationToken) is not null)
        {
            return await CompleteIndexAsync(id, "bundle already stored (redelivery)", cancellationToken);
        }

        using var built = await BuildAsync(id, notification, data.Delivery, cancellationToken);
        return await StoreAsync(built, cancellationToken);
    }

    private async Task<BuiltBundle> BuildAsync(BundleId id, SccNotification notification, DeliveryInfo delivery, CancellationToken cancellationToken)
    {
        using var staging = new StagingDirectory();
        await staging.WriteAllBytesAsync("notification.json", notification.RawJson, cancellationToken);
        await staging.WriteAllBytesAsync(DeliveryInfo.FileName, EvidenceJson.Serialize(delivery), cancellationToken);

        var context = new CollectionContext
        {
            Notification = notification,
            Target = CloudRunTarget.TryParse(notification.Finding.ResourceName) ?? CloudRunTarget.TryParse(notification.Resource?.Name),
            EventTime = notification.EventTime,
        };
        var reports = await _collectors.RunAsync(context, staging, cancellationToken);
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
        var summary = SummaryBuilder.Build(id, notification, reports, createdAt);
        var digest = await EvidenceDigest.ReadAsync(staging, summary, reports, cancellationToken);
        summary = SummaryBuilder.WithEvidence(summary, digest);
        if (digest.UnreadableLines > 0)
        {
            _logger.LogWarning("{Count} lines of the collected evidence could not be read for the summary; they stay in the bundle", digest.UnreadableLines);
        }

        var entries = staging.Files;
        await staging.WriteAllBytesAsync(EvidenceSummary.FileName, EvidenceJson.Serialize(summary), cancellationToken);
        await staging.WriteAllBytesAsync(SummaryMarkdown.FileName, System.Text.Encoding.UTF8.GetBytes(SummaryMarkdown.Render(summary, entries)), cancellationToken);
        await staging.WriteAllBytesAsync(SummaryHtml.FileName, System.Text.Encoding.UTF8.GetBytes(SummaryHtml.Render(summary, entries, digest.Timeline)), cancellationToken);
        return await BundleWriter.WriteAsync(staging, id, summary, reports, _tool, createdAt, cancellationToken, _sealer);
    }

    private async Task<PipelineResult> StoreAsync(BuiltBundle built, CancellationToken cancellationToken)
    {
        var metadata = new BundleMetadata(built.Sha256, built.Id.Value, built.Summary.Finding.Name, built.Summary.Finding.EventTime, built.Size);
        CreateResult created;
        // Unbuffered: the store reads in blocks of its own, and a buffered stream would allocate a large buffer per delivery.
        await using (var content = new FileStream(built.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true))
        {
            created = await _store.CreateBundleAsync(built.Id, content, metadata, cancellationToken);
        }

        if (created == CreateResult.AlreadyExists)
        {
            // Another delivery of the same event stored first; ours is discarded, never written over it.
            _logger.LogInformation("Bundle {BundleId} was stored by a concurrent delivery; discarding this copy", built.Id.Value);
            return await CompleteIndexAsync(built.Id, "bundle stored by a concurrent delivery", cancellationToken);
        }

        var entry = new IndexEntry
        {
            Summary = built.Summary,
            Bundle = new BundleReference(StoreLayout.BundleObject(built.Id), built.Size, built.Sha256),
            Seal = built.Seal,
        };
        await _store.CreateIndexEntryAsync(built.Id, EvidenceJson.Serialize(entry), cancellationToken);
        _logger.LogInformation("Stored bundle {BundleId} ({Size} bytes, sha256 {Sha256}) and its index entry", built.Id.Value, built.Size, built.Sha256);
        await NotifyAsync(entry, cancellationToken);
        return Result(PipelineOutcome.Stored, "bundle stored", built.Id, entry);
    }

    private async Task<PipelineResult> CompleteIndexAsync(BundleId id, string reason, CancellationToken cancellationToken)
    {
        if (await _store.ReadIndexEntryAsync(id, cancellationToken) is { } existing)
        {
            _logger.LogInformation("Bundle {BundleId} and its index entry are already stored", id.Value);
            return Result(PipelineOutcome.AlreadyStored, reason, id, EvidenceJson.Deserialize<IndexEntry>(existing));
        }

        // A crash between bundle and index left the bundle alone: rebuild the entry from the stored bytes.
        (long Size, string Sha256, EvidenceSummary Summary) stored;
        await using (var bundle = await _store.OpenBundleAsync(id, cancellationToken))
        {
            try
            {
                stored = await StoredBundleReader.ReadAsync(bundle, cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                // Damaged stored evidence is for a person to look at: 5xx, so the delivery dead-letters.
                throw new EvidenceStoreException($"Bundle {id.Value} is stored but unreadable, so no index entry is written for it: {ex.Message}", ex);
            }
        }

        // Never index bytes that differ from what was recorded when the bundle was written: answer 5xx so the
        // delivery ends in the dead-letter topic and a person looks, rather than vouching for altered evidence.
        if ((await _store.GetBundleAsync(id, cancellationToken))?.MetadataSha256 is { } recorded
            && !string.Equals(recorded, stored.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            _logger.LogError("Bundle {BundleId} reads as sha256 {Actual} but {Recorded} was recorded when it was stored; not indexing it", id.Value, stored.Sha256, recorded);
            throw new EvidenceStoreException($"Integrity check failed for bundle {id.Value}: sha256 {stored.Sha256} read, {recorded} recorded when it was stored.");
        }

        var entry = new IndexEntry
        {
            Summary = stored.Summary,
            Bundle = new BundleReference(StoreLayout.BundleObject(id), stored.Size, stored.Sha256),
            Seal = await Custody.StoredSeal.ReadAsync(_store, id, cancellationToken),
        };
        await _store.CreateIndexEntryAsync(id, EvidenceJson.Serialize(entry), cancellationToken);
        _logger.LogWarning("Bundle {BundleId} had no index entry; wrote it from the stored bundle", id.Value);

        // The crash came before the notification too: people hear of this bundle now.
        await NotifyAsync(entry, cancellationToken);
        return Result(PipelineOutcome.AlreadyStored, reason + "; index entry completed from the stored bundle", id, entry);
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
            await _marker.MarkAsync(FindingMark.For(entry.Summary.Finding.Name, notification), cancellationToken);
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
        ObjectName = StoreLayout.IndexObject(id),
        IndexEntry = entry,
    };
}
