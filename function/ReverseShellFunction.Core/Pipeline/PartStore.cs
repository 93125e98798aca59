using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>What a stored part sets off: its next part scheduled, the notification sent, the finding marked.</summary>
/// <param name="Scheduler">Where later parts are scheduled; none: pending records in the store (the embedded default).</param>
public sealed record PartFollowUps(ICompletionScheduler? Scheduler = null, IBundleNotifier? Notifier = null, IFindingMarker? Marker = null);

/// <summary>
/// Stores a built part: the zip create-only, then its index entry, the next part's schedule and the announcement.
/// A redelivery, a repeated completion or a lost race resumes instead (<see cref="ResumeAsync"/>).
/// </summary>
internal sealed class PartStore(IEvidenceStore store, StoredParts stored, ICompletionScheduler scheduler, PartAnnouncer announcer, TimeProvider time, ILogger logger)
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

        var entry = StoredParts.IndexEntryFor(built.Id, built.Size, built.Sha256, built.Summary, built.Seal, built.Manifest.PreviousPart);
        await store.CreateIndexEntryAsync(built.Id, EvidenceJson.Serialize(entry), cancellationToken);
        logger.LogInformation(
            "Stored part {Part} of bundle {BundleId} ({Size} bytes, sha256 {Sha256}) and its index entry: {Completeness}",
            built.Id.Part,
            built.Id.Value,
            built.Size,
            built.Sha256,
            built.Summary.Completion?.State ?? Completeness.Complete);
        await ScheduleNextAsync(built.Id, entry, cancellationToken);
        await announcer.AnnounceAsync(entry, cancellationToken);
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
        for (var part = 1; part <= BundleId.MaxPart; part++)
        {
            var id = bundle.WithPart(part);
            if (await stored.IndexOrRepairAsync(id, cancellationToken, repaired) is not { } entry)
            {
                break;
            }

            // Every part: a later delivery may have added one after a complete part.
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
}
