using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Pipeline;

/// <summary>A completion: part n of a bundle, collected when part n−1 left something due, under the part's lease.</summary>
internal sealed class PartCompleter(IEvidenceStore store, PartStore parts, PartAssembler assembler, DeliveryClaim claim, CompletionOptions completion, LogThrottle noPreviousPart, TimeProvider time, ILogger logger)
{
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
            return CompletionResult.Done(await parts.ResumeAsync(bundle, $"part {part.Part} already stored", cancellationToken));
        }

        var previous = await parts.IndexOrRepairAsync(bundle.WithPart(part.Part - 1), cancellationToken);
        if (previous is null)
        {
            // Anyone who can call the endpoint (or a stale task) can repeat this at will: a warning at most once a
            // minute with a count, and nothing-left (200) so Cloud Tasks does not retry it.
            if (noPreviousPart.TryTake(time.GetUtcNow(), out var unlogged))
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
        var leaseUntil = claim.Until(now);
        var (outcome, generation) = await claim.AcquireAsync(part, delivery: null, leaseUntil, waitUntil: now, cancellationToken);
        if (outcome == ClaimOutcome.Stored)
        {
            return CompletionResult.Done(await parts.ResumeAsync(bundle, $"part {part.Part} already stored", cancellationToken));
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
            claim.Release(part, generation);
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

        var notification = await parts.ReadNotificationAsync(part.Bundle.WithPart(notificationPart), now, cancellationToken);
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
        using var built = await assembler.BuildAsync(partWork, cancellationToken);
        if (built is null)
        {
            // Every due collector failed transiently again and read nothing: no part for nothing, try again later.
            return CompletionResult.Later($"part {part.Part}: every due collector failed transiently again", completion.RetryAfter);
        }

        return CompletionResult.Done(await parts.StoreAsync(built, cancellationToken));
    }
}
