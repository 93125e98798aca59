using Microsoft.Extensions.Logging;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>What a stored part sets off: its next part scheduled, the notification sent, the finding marked.</summary>
/// <param name="Scheduler">Where later parts are scheduled; none: pending records in the store (the embedded default).</param>
public sealed record PartFollowUps(ICompletionScheduler? Scheduler = null, IBundleNotifier? Notifier = null, IFindingMarker? Marker = null);

/// <summary>
/// Stores a built part: the zip create-only, then its index entry, the next part's schedule and the announcement.
/// A redelivery, a repeated completion or a lost race resumes instead (<see cref="ResumeAsync"/>). Also the
/// pipeline's reads of stored parts: a part's index entry, written from the stored part when a crash came between
/// the part and its entry (crash repair), and the notification a part recorded.
/// </summary>
internal sealed class PartStore(IEvidenceStore store, ICompletionScheduler scheduler, IBundleNotifier notifier, IFindingMarker? marker, TimeProvider time, ILogger logger)
{
    /// <summary>Stores the part; when another writer stored this part first, ours is discarded and the bundle resumed.</summary>
    public async Task<PipelineResult> StoreAsync(BuiltBundle built, CancellationToken cancellationToken)
    {
        if (await TryStoreAsync(built, cancellationToken) is { } stored)
        {
            return stored;
        }

        // Another delivery of the same event stored first; ours is discarded, never written over it.
        logger.LogInformation("Part {Part} of bundle {BundleId} was stored by a concurrent delivery; discarding this copy", built.Id.Part, built.Id.Value);
        return await ResumeAsync(built.Id.Bundle, "bundle stored by a concurrent delivery", cancellationToken);
    }

    /// <returns>Null when another writer took the part's number first: nothing of it is stored.</returns>
    public async Task<PipelineResult?> TryStoreAsync(BuiltBundle built, CancellationToken cancellationToken)
    {
        var metadata = new BundleMetadata(built.Sha256, built.Id.Value, built.Summary.Finding.Name, built.Summary.Finding.EventTime, built.Size) { Part = built.Id.Part };
        CreateResult created;
        // Unbuffered: the store reads in blocks of its own, and a buffered stream would allocate a large buffer per delivery.
        await using (var content = new FileStream(built.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true))
        {
            created = await store.CreateBundleAsync(built.Id, content, metadata, cancellationToken);
        }

        if (created == CreateResult.AlreadyExists)
        {
            return null;
        }

        var entry = IndexEntryFor(built.Id, built.Size, built.Sha256, built.Summary, built.Seal, built.Manifest.PreviousPart);
        await store.CreateIndexEntryAsync(built.Id, EvidenceJson.Serialize(entry), cancellationToken);
        logger.LogInformation(
            "Stored part {Part} of bundle {BundleId} ({Size} bytes, sha256 {Sha256}) and its index entry: {Completeness}",
            built.Id.Part,
            built.Id.Value,
            built.Size,
            built.Sha256,
            built.Summary.Completion?.State ?? Completeness.Complete);
        await ScheduleNextAsync(built.Id, entry, cancellationToken);
        await AnnounceAsync(entry, cancellationToken);
        return Result(PipelineOutcome.Stored, built.Id.Part == 1 ? "bundle stored" : $"part {built.Id.Part} stored", built.Id, entry);
    }

    /// <summary>
    /// A redelivery, a repeated completion or a lost race: walks the stored parts, repairs a missing index entry,
    /// and makes sure the next part of a pending bundle is scheduled (a crash may have come between the two).
    /// Collects nothing and writes no part.
    /// </summary>
    public async Task<PipelineResult> ResumeAsync(BundleId bundle, string reason, CancellationToken cancellationToken)
    {
        IndexEntry? last = null;
        var lastId = bundle;
        var repaired = new List<int>();
        await foreach (var (id, entry) in PartWalk.ReadAsync(bundle, (id, ct) => IndexOrRepairAsync(id, ct, repaired), cancellationToken))
        {
            (last, lastId) = (entry, id);
        }

        if (last is null)
        {
            throw new EvidenceStoreException($"Bundle {bundle.Value} was found stored but could not be read back.");
        }

        await ScheduleNextAsync(lastId, last, cancellationToken);
        logger.LogInformation("Bundle {BundleId} is stored up to part {Part}: {Completeness}", bundle.Value, lastId.Part, last.Summary.Completion?.State ?? Completeness.Complete);
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

        var due = state.Due ?? time.GetUtcNow();
        var task = new CompletionTask(id.Bundle, next, due) { GiveUpAt = state.GiveUpAt, Group = CompletionSiblings.GroupOf(entry.Summary.Resource.FullName, due) };
        ScheduleResult scheduled;
        try
        {
            scheduled = await scheduler.ScheduleAsync(task, cancellationToken);
        }
        catch (CompletionSchedulingException ex)
        {
            // The part is stored; without its successor the bundle would stay pending for ever. 503: the delivery (or
            // the task) comes back, finds the part, and schedules again.
            throw new EvidenceStoreException($"Part {id.Part} of bundle {id.Value} is stored, but part {next} could not be scheduled: {ex.Message}", ex);
        }

        logger.LogInformation(
            "Part {Part} of bundle {BundleId} {Scheduled} with {Scheduler}, due {Due}",
            next,
            id.Value,
            scheduled == ScheduleResult.Scheduled ? "scheduled" : "was already scheduled",
            scheduler.Kind,
            task.Due);
    }

    private static PipelineResult Result(PipelineOutcome outcome, string reason, BundleId id, IndexEntry entry) => new()
    {
        Outcome = outcome,
        Reason = reason,
        BundleId = id.Value,
        ObjectName = BundleLayout.IndexObject(id),
        IndexEntry = entry,
    };

    private static IndexEntry IndexEntryFor(BundleId id, long size, string sha256, EvidenceSummary summary, SealRecord? seal, PartLink? previousPart) => new()
    {
        Summary = summary,
        Bundle = new BundleReference(BundleLayout.BundleObject(id), size, sha256),
        Seal = seal,
        Part = id.Part,
        PreviousPart = previousPart,
    };

    /// <summary>The part's index entry; written from the stored part when a crash left it missing; null when the part is not stored.</summary>
    /// <param name="repaired">Where the part's number is added when its entry was written now.</param>
    public async Task<IndexEntry?> IndexOrRepairAsync(BundleId id, CancellationToken cancellationToken, ICollection<int>? repaired = null)
    {
        try
        {
            if (await StoredIndexEntry.ReadAsync(store, id, cancellationToken) is { } existing)
            {
                return existing.Entry;
            }
        }
        catch (UnreadableObjectException ex)
        {
            // Stored evidence that does not read (invalid JSON, "summary": null) is for a person to look at, not a
            // bug: 503, so the delivery or task is retried and, if it stays so, dead-letters; never a 500.
            logger.LogError("The stored index entry {ObjectName} is unreadable: {Problem}", ex.ObjectName, ex.Problem);
            throw new EvidenceStoreException($"The stored index entry {ex.ObjectName} is unreadable: {ex.Problem}", ex);
        }

        if (await store.GetBundleAsync(id, cancellationToken) is not { } stored)
        {
            return null;
        }

        // A crash between part and index left the part alone: rebuild the entry from the stored bytes, read once.
        IndexEntry entry;
        await using (var part = await StoredPart.OpenAsync(store, id, null, cancellationToken))
        {
            string sha256;
            EvidenceSummary summary;
            Manifest manifest;
            try
            {
                sha256 = await part.Sha256Async();
                summary = await part.ReadSummaryAsync(cancellationToken);
                manifest = await part.ReadManifestAsync(cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                // Damaged stored evidence is for a person to look at: 5xx, so the delivery dead-letters.
                throw new EvidenceStoreException($"Part {id.Part} of bundle {id.Value} is stored but unreadable, so no index entry is written for it: {ex.Message}", ex);
            }

            // Never index bytes that differ from what was recorded when the part was written: answer 5xx so the
            // delivery ends in the dead-letter topic and a person looks, rather than vouching for altered evidence.
            if (stored.MetadataSha256 is { } recorded && !string.Equals(recorded, sha256, StringComparison.OrdinalIgnoreCase))
            {
                logger.LogError("Part {Part} of bundle {BundleId} reads as sha256 {Actual} but {Recorded} was recorded when it was stored; not indexing it", id.Part, id.Value, sha256, recorded);
                throw new EvidenceStoreException($"Integrity check failed for part {id.Part} of bundle {id.Value}: sha256 {sha256} read, {recorded} recorded when it was stored.");
            }

            entry = IndexEntryFor(id, part.Size, sha256, summary, await part.ReadSealAsync(cancellationToken), manifest.PreviousPart);
        }

        await store.CreateIndexEntryAsync(id, EvidenceJson.Serialize(entry), cancellationToken);
        logger.LogWarning("Part {Part} of bundle {BundleId} had no index entry; wrote it from the stored part", id.Part, id.Value);
        repaired?.Add(id.Part);

        // The crash came before the notification too: people hear of this part now.
        await AnnounceAsync(entry, cancellationToken);
        return entry;
    }

    /// <summary>The notification part <paramref name="bundle"/> stored (part 1, or a part recording a differing delivery), read back through its index entry's hash.</summary>
    public async Task<SccNotification> ReadNotificationAsync(BundleId bundle, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = await IndexOrRepairAsync(bundle, cancellationToken)
            ?? throw new EvidenceStoreException($"Part {bundle.Part} of bundle {bundle.Value} is not stored: its notification cannot be read.");
        byte[] bytes;
        await using (var part = await StoredPart.OpenAsync(store, bundle, null, cancellationToken))
        {
            try
            {
                bytes = await part.ReadEntryAsync(BundleLayout.Entries.Notification, first.Bundle.Sha256, NotificationDecoder.MaxMessageBytes, cancellationToken);
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

    /// <summary>
    /// Tells people about a part once its index entry is written: the bundle notification, and the security marks on
    /// its finding when findings are marked. The evidence is safe by then, so a failure is logged, never thrown.
    /// </summary>
    private async Task AnnounceAsync(IndexEntry entry, CancellationToken cancellationToken)
    {
        var notification = BundleNotification.For(entry, store.Location);
        try
        {
            await notifier.NotifyAsync(notification, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Bundle {BundleId} is stored, but the notification about it could not be sent: {Problem}", entry.Summary.BundleId, ex.Message);
        }

        if (marker is null)
        {
            return;
        }

        try
        {
            await marker.MarkAsync(FindingMark.For(entry.Summary.Finding.Name, notification, entry.Summary.Resource?.ProjectNumber), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Bundle {BundleId} is stored, but the security marks on its finding could not be written: {Problem}", entry.Summary.BundleId, ex.Message);
        }
    }
}
