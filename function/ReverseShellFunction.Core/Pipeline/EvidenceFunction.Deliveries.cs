using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// A second notification for a stored finding event (same name, same event time) that says something else: the
/// bundle id is name + event time, so whichever came first made part 1, and the other must not be dropped as a
/// redelivery. A forged notification sent before the genuine one would otherwise hide it, and one sent after would
/// leave no trace. It is recorded in a part of its own (its notification, its delivery, SCC's answer to it), so
/// both orders end with both notifications and SCC's copy in the evidence and the contradiction in the bundle's
/// state.
/// </summary>
public sealed partial class EvidenceFunction
{
    /// <summary>What a part being built knows of the bundle before it.</summary>
    /// <param name="Previous">The previous part's summary (the bundle so far); null for part 1.</param>
    /// <param name="RecordedIn">The part that recorded the notification this part works from.</param>
    private sealed record PartHistory(EvidenceSummary? Previous, int RecordedIn)
    {
        /// <summary>Whether this part's notification facts stand: part 1, or a part recording a delivery.</summary>
        public bool OwnFacts { get; init; }
    }

    private static string Sha256(SccNotification notification) => Convert.ToHexStringLower(SHA256.HashData(notification.RawJson.Span));

    /// <summary>
    /// The bundle is stored: a redelivery (the same bytes, or a notification that agrees with part 1's in every
    /// compared field) collects nothing; a differing one is recorded in the next part.
    /// </summary>
    private async Task<PipelineResult> RecordOrResumeAsync(BundleId id, DecodedDelivery data, CancellationToken cancellationToken)
    {
        // Concurrent differing deliveries (or a completion) may take the same part number: each tries the next one.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryRecordOrResumeAsync(id, data, cancellationToken);
            }
            catch (PartTakenException taken) when (attempt < MaxRecordAttempts)
            {
                _logger.LogInformation("Part {Part} of bundle {BundleId} was stored meanwhile; recording the differing notification in the next one", taken.Part.Part, id.Value);
            }
            catch (PartTakenException taken)
            {
                // Not recorded and not lost: 503, so the delivery comes back.
                throw new EvidenceStoreException($"Part {taken.Part.Part} of bundle {id.Value} was stored meanwhile {MaxRecordAttempts} times; the differing notification is recorded when it is delivered again.", taken);
            }
        }
    }

    private const int MaxRecordAttempts = 8;

    /// <summary>The part number a differing delivery meant to use was taken by another writer.</summary>
    private sealed class PartTakenException(BundleId part) : Exception($"Part {part.Part} of bundle {part.Value} is already stored.")
    {
        public BundleId Part { get; } = part;
    }

    private async Task<PipelineResult> TryRecordOrResumeAsync(BundleId id, DecodedDelivery data, CancellationToken cancellationToken)
    {
        var resumed = await ResumeAsync(id, "bundle already stored (redelivery)", cancellationToken);
        if (resumed.IndexEntry is not { } last)
        {
            return resumed;
        }

        var sha = Sha256(data.Notification);
        if (last.Summary.Notifications?.Any(n => n.Sha256 == sha) == true)
        {
            return resumed;
        }

        var now = _time.GetUtcNow();
        var first = await ReadNotificationAsync(id, now, cancellationToken);
        var differences = FindingComparison.Compare(first, data.Notification);
        var lastPart = last.Part ?? 1;
        if (Sha256(first) == sha || differences.Count == 0)
        {
            return resumed;
        }

        if (lastPart >= BundleId.MaxPart)
        {
            _logger.LogError("Bundle {BundleId} has {Parts} parts: a differing notification for it is not recorded", id.Value, lastPart);
            return resumed;
        }

        _logger.LogWarning(
            "A notification for stored bundle {BundleId} differs from part 1's in {Fields}: recording it in part {Part}",
            id.Value,
            string.Join(", ", differences.Select(d => d.Field)),
            lastPart + 1);
        var part = id.WithPart(lastPart + 1);
        var context = new CollectionContext
        {
            Notification = data.Notification,
            Target = Target(data.Notification),
            EventTime = data.Notification.EventTime,
            Part = part.Part,
        };

        // Only the check against SCC runs for it; what the bundle still awaits is carried on unchanged.
        var state = last.Summary.Completion;
        var carried = state is { State: Completeness.Pending } ? state.Outstanding : [];
        var link = new PartLink(lastPart, last.Bundle.ObjectName, last.Bundle.Sha256);
        var only = new HashSet<string>(StringComparer.Ordinal) { SccCopy.CollectorName };

        // A settled bundle states no give-up time: its check gets a fresh COMPLETION_GIVE_UP_HOURS from now, so a
        // transient failure is retried by a later part instead of being given up at once and left unchecked.
        var giveUpAt = state is { State: Completeness.Pending, GiveUpAt: { } pendingUntil } ? pendingUntil : now + _completion.GiveUpAfter;
        using var built = await BuildAsync(
            part, context, data.Delivery, only, carried, state?.Missing ?? [], link, giveUpAt, new PartHistory(last.Summary, part.Part), cancellationToken);
        var stored = await StoreAsync(built!, cancellationToken, recordsDelivery: true);
        return stored with { Reason = $"differing notification recorded in part {part.Part} ({string.Join(", ", differences.Select(d => d.Field))} differ from part 1's)" };
    }
}
