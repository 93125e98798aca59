using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Report;

namespace ReverseShellFunction.Pipeline;

/// <summary>What one part is collected for and how it links to the bundle.</summary>
/// <param name="PreviousSummary">The previous part's summary (the bundle so far); null for part 1.</param>
/// <param name="RecordedIn">The part that recorded the notification this part works from.</param>
internal sealed record PartWork(BundleId Id, CollectionContext Context, DateTimeOffset GiveUpAt, EvidenceSummary? PreviousSummary = null, int RecordedIn = 1)
{
    /// <summary>The delivery the part records (part 1, and a later part recording a differing delivery); completions record none.</summary>
    public DeliveryInfo? Delivery { get; init; }

    /// <summary>The collectors to run; null for every one.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    /// <summary>Outstanding work carried on unchanged, and work already given up.</summary>
    public IReadOnlyList<OutstandingWork> Carried { get; init; } = [];

    public IReadOnlyList<OutstandingWork> Missing { get; init; } = [];

    /// <summary>The part this one is linked to by its SHA-256; null for part 1.</summary>
    public PartLink? Previous { get; init; }

    /// <summary>A pushed delivery's budget: when its collectors stop.</summary>
    public DeliveryBudget? Budget { get; init; }
}

/// <summary>What a part's manifest is written with: the tool's name and version, and the sealer that signs it (none: unsealed).</summary>
public sealed record PartWriting(ToolInfo Tool, Custody.ManifestSealer? Sealer = null);

/// <summary>
/// Builds a part on local disk: runs its collectors into a staging folder, then writes the summary, summary.md,
/// summary.html, the manifest, its seal and the zip. Stores nothing.
/// </summary>
internal sealed class PartAssembler(CollectionRunner collectors, PartWriting writing, CompletionOptions completion, TimeProvider time, ILogger logger)
{
    public static CollectionContext ContextFor(SccNotification notification, int part = 1) => new()
    {
        Notification = notification,
        Target = CloudRunTarget.TryParse(notification.Finding.ResourceName) ?? CloudRunTarget.TryParse(notification.Resource?.Name),
        EventTime = notification.EventTime,
        Part = part,
    };

    public static string Sha256(SccNotification notification) => Convert.ToHexStringLower(SHA256.HashData(notification.RawJson.Span));

    /// <returns>Null when every due collector failed transiently with nothing read and there is still time to retry.</returns>
    public async Task<BuiltBundle?> BuildAsync(PartWork work, CancellationToken cancellationToken)
    {
        using var staging = new StagingDirectory();
        if (work.Delivery is { } delivery)
        {
            // Part 1, and a later part recording a differing delivery: completions read part 1's notification.
            await staging.WriteAllBytesAsync(BundleLayout.Entries.Notification, work.Context.Notification.RawJson, cancellationToken);
            await staging.WriteAllBytesAsync(BundleLayout.Entries.Delivery, EvidenceJson.Serialize(delivery), cancellationToken);
        }

        var reports = await collectors.RunAsync(work.Context, staging, cancellationToken, work.Only, work.Budget?.CollectUntil);
        work.Budget?.MarkCollected();

        // A collector may end early on cancellation with a report rather than an exception: build nothing then.
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var report in reports)
        {
            logger.LogInformation(
                "Collector {Collector} finished {Status} with {ItemCount} items in {DurationMs} ms: {Reason}",
                report.Name,
                report.Status,
                report.ItemCount,
                report.DurationMs,
                report.Reason ?? "ok");
        }

        var createdAt = time.GetUtcNow();
        if (work.Id.Part > 1 && work.Delivery is null && createdAt < work.GiveUpAt && reports.Count > 0 && reports.All(r => r.RetryLater && (r.ItemCount ?? 0) == 0))
        {
            return null;
        }

        return await AssembleAsync(work, staging, reports, createdAt, writing.Sealer, cancellationToken);
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
        var now = time.GetUtcNow();
        var notification = NotificationDecoder.Parse(notificationJson, now);
        var id = BundleId.For(notification.Finding.Name!, notification.EventTime);
        using var staging = new StagingDirectory();
        await staging.WriteAllBytesAsync(BundleLayout.Entries.Notification, notification.RawJson, cancellationToken);
        var reports = collectors.Names
            .Select(name => new CollectorReport { Name = name, Status = CollectorStatus.Skipped, Reason = "start-up warm-up, not evidence" })
            .ToList();
        var work = new PartWork(id, ContextFor(notification), now);
        using var built = await AssembleAsync(work, staging, reports, now, sealer: null, cancellationToken);
        return (built.Size, built.Manifest.Files.Count);
    }

    /// <summary>What every part does once its collectors are done: summary, summary.md, summary.html, manifest, zip.</summary>
    private async Task<BuiltBundle> AssembleAsync(
        PartWork work, StagingDirectory staging, IReadOnlyList<CollectorReport> reports, DateTimeOffset createdAt, Custody.ManifestSealer? sealer, CancellationToken cancellationToken)
    {
        var (id, notification) = (work.Id, work.Context.Notification);
        var state = CompletionPlanner.Plan(id.Part, reports, work.Carried, work.Missing, createdAt, work.GiveUpAt, collectors.Options.LogIngestionDelay, completion, work.RecordedIn);
        var scc = await SccCopy.ReadAsync(staging, createdAt, cancellationToken);
        var summary = SummaryBuilder.Build(id, notification, reports, createdAt, scc) with { Completion = state };
        var digest = await EvidenceDigest.ReadAsync(staging, summary, reports, cancellationToken);
        summary = SummaryBuilder.WithEvidence(summary, digest);

        // The whole bundle so far, so this part's summary is the bundle's word until a later part speaks.
        var checkedNow = reports.Any(r => r.Authenticity is FindingAuthenticity.Confirmed or FindingAuthenticity.Contradicted);
        // This part's notification facts stand when it is part 1 or records a delivery.
        var ownFacts = work.PreviousSummary is null || work.Delivery is not null;
        summary = BundleSoFar.Merge(summary, work.PreviousSummary, Sha256(notification), work.RecordedIn, ownFacts || checkedNow);
        if (digest.UnreadableLines > 0)
        {
            logger.LogWarning("{Count} lines of the collected evidence could not be read for the summary; they stay in the bundle", digest.UnreadableLines);
        }

        var entries = staging.Files;
        var custody = new PartCustody(id.Part, work.Previous, sealer is not null, sealer?.SignerKeyId, sealer?.TimestampAuthority);
        await staging.WriteAllBytesAsync(BundleLayout.Entries.Summary, EvidenceJson.Serialize(summary), cancellationToken);
        await staging.WriteAllBytesAsync(BundleLayout.Entries.SummaryMarkdown, System.Text.Encoding.UTF8.GetBytes(SummaryMarkdown.Render(summary, entries)), cancellationToken);
        await staging.WriteAllBytesAsync(BundleLayout.Entries.SummaryHtml, System.Text.Encoding.UTF8.GetBytes(SummaryHtml.Render(summary, entries, digest.Timeline, custody)), cancellationToken);
        return await BundleWriter.WriteAsync(staging, id, summary, reports, writing.Tool, createdAt, cancellationToken, sealer, work.Previous);
    }
}
