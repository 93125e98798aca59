using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>A delivery for a bundle that is stored already: a redelivery, or a differing notification recorded in a part of its own.</summary>
internal sealed class DifferingDelivery(PartStore parts, PartAssembler assembler, CompletionOptions completion, TimeProvider time, ILogger logger)
{
    private const int MaxRecordAttempts = 8;

    /// <summary>
    /// A delivery for a stored bundle. A redelivery (the same bytes, or a notification that agrees with part 1's in
    /// every compared field) collects nothing. A second notification for the same event (same name, same event time)
    /// that says something else is recorded in a part of its own (its notification, its delivery, SCC's answer to it):
    /// the bundle id is name + event time, so whichever came first made part 1, and a forged notification sent before
    /// the genuine one would otherwise hide it, and one sent after would leave no trace. So both orders end with both
    /// notifications and SCC's copy in the evidence and the contradiction in the bundle's state.
    /// </summary>
    public async Task<PipelineResult> RecordOrResumeAsync(BundleId id, DecodedDelivery data, CancellationToken cancellationToken)
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
        var resumed = await parts.ResumeAsync(id, "bundle already stored (redelivery)", cancellationToken);
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
        var first = await parts.ReadNotificationAsync(id, now, cancellationToken);
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
        var giveUpAt = state is { State: Completeness.Pending, GiveUpAt: { } pendingUntil } ? pendingUntil : now + completion.GiveUpAfter;
        var work = new PartWork(part, PartAssembler.ContextFor(data.Notification, part.Part), giveUpAt, last.Summary, part.Part)
        {
            Delivery = data.Delivery,
            Only = new HashSet<string>(StringComparer.Ordinal) { SccCopy.CollectorName },
            Carried = state is { State: Completeness.Pending } ? state.Outstanding : [],
            Missing = state?.Missing ?? [],
            Previous = new PartLink(lastPart, last.Bundle.ObjectName, last.Bundle.Sha256),
        };
        using var built = await assembler.BuildAsync(work, cancellationToken);
        var recorded = await parts.TryStoreAsync(built!, cancellationToken);
        return (recorded is null ? null : recorded with { Reason = $"differing notification recorded in part {part.Part} ({fields} differ from part 1's)" }, part.Part);
    }
}
