using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Scc;

namespace ReverseShellFunction.Collectors.Scc;

/// <summary>
/// <c>related-findings</c>: every finding on the same resource within <see cref="CollectionOptions.RelatedWindow"/>
/// before and after the event, from all sources, as the finding's own response guidance suggests.
/// </summary>
public sealed class RelatedFindingsCollector(
    SccFindingsApi api, CollectionOptions options, TimeProvider time, ILogger<RelatedFindingsCollector> logger) : ICollector
{
    public const string CollectorName = "related-findings";

    // Chronological, like the logs; a cap then keeps the earliest findings of the window. The API documents
    // ascending as the default and only a " desc" suffix, so ascending is the bare field name.
    private const string OrderBy = "event_time";

    public string Name => CollectorName;

    public static string Filter(string resourceName, DateTimeOffset from, DateTimeOffset to) =>
        $"resource.name = {FilterText.Quote(resourceName)} AND event_time >= {FilterText.EpochMilliseconds(from)} AND event_time < {FilterText.EpochMilliseconds(to)}";

    public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(evidence);
        var progress = new CollectorProgress(Name);
        var parent = SccParent.For(context.Finding, context.Notification.Resource, options.SccScope);
        var resourceName = context.Finding.ResourceName ?? context.Notification.Resource?.Name;
        if (parent is null || resourceName is null)
        {
            return progress.Skipped(parent is null
                ? $"the finding names no {ScopeWord(options.SccScope)} to list findings under (SCC_SCOPE {ScopeWord(options.SccScope)}) in a valid location"
                : "the finding has no resource name to search for");
        }

        if (!await api.Client.HasCredentialsAsync(cancellationToken))
        {
            return progress.Skipped("no credentials");
        }

        // Findings raised after now do not exist yet: the window is covered up to now and stays open beyond. The
        // query still asks up to the configured end, so a finding stamped a little ahead of this clock is kept.
        var window = Window.Covered(context, Name, context.EventTime - options.RelatedWindow, context.EventTime + options.RelatedWindow, time.GetUtcNow());
        progress.Window = window;
        var filter = Filter(resourceName, window.From, window.ConfiguredTo);
        progress.Query = $"{api.Describe(parent)}?filter={filter}&orderBy={OrderBy}";
        await using var file = new RelatedFindingsFile(evidence, progress, parent.Name, filter, OrderBy);
        var (report, incomplete, totalSize) = await ReadPagesAsync(parent, filter, context.Finding, progress, file, cancellationToken);
        await file.CompleteAsync(progress.Items, totalSize, progress.Truncated, incomplete);
        logger.LogInformation(
            "Related findings: {Count} under {Parent} for {ResourceName}, status {Status}", progress.Items, parent.Name, resourceName, report.Status);
        return report;
    }

    private static string ScopeWord(SccScope scope) => scope == SccScope.Project ? "project" : "organization";

    private async Task<(CollectorReport Report, string? Incomplete, long? TotalSize)> ReadPagesAsync(
        SccParent parent, string filter, SccFinding finding, CollectorProgress progress, RelatedFindingsFile file, CancellationToken cancellationToken)
    {
        long? totalSize = null;
        try
        {
            // The same page size on every page, as a continued listing must repeat its parameters; findings past
            // the cap on the last page are dropped below and the file says truncated.
            var pageSize = (int)Math.Min(SccFindingsApi.MaxPageSize, options.RelatedMaxFindings);
            string? pageToken = null;
            do
            {
                using var page = await api.ListPageAsync(parent, filter, OrderBy, pageSize, pageToken, cancellationToken);
                var root = page.RootElement;
                file.Open();
                totalSize = root.TryGetProperty("totalSize", out var total) && total.TryGetInt64(out var size) ? size : totalSize;
                foreach (var result in SccFindingsApi.Results(root))
                {
                    if (progress.Items >= options.RelatedMaxFindings)
                    {
                        progress.Truncated = true;
                        break;
                    }

                    await file.AddAsync(result, IsTriggering(result, finding));
                    progress.AddItems(1);
                }

                pageToken = Text(root, "nextPageToken") is { Length: > 0 } token ? token : null;
                progress.Truncated |= pageToken is not null && progress.Items >= options.RelatedMaxFindings;
            }
            while (pageToken is not null && !progress.Truncated);

            progress.Note = progress.Truncated ? $"capped at {options.RelatedMaxFindings} findings (RELATED_MAX_FINDINGS)" : null;
            if (progress.Window is { IsOpen: true } window && !progress.Truncated)
            {
                var open = $"window still open: findings raised after {FilterText.Rfc3339(window.To)} are collected by a later part once the window has closed";
                return (progress.Partial(open), open, totalSize);
            }

            return (progress.Ok(), null, totalSize);
        }
        catch (GoogleApiException ex)
        {
            // The API's own words say what failed; a stack trace would add nothing but lines.
            logger.LogWarning("Listing related findings under {Parent} failed: {Problem}", parent.Name, ex.Describe());
            return (progress.Failed(ex), ex.Describe(), totalSize);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (progress.DeadlineReached(), "collection deadline reached", totalSize);
        }
    }

    private static bool IsTriggering(JsonElement result, SccFinding finding)
    {
        if (!result.TryGetProperty("finding", out var found) || found.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        return new[] { Text(found, "name"), Text(found, "canonicalName") }
            .Any(name => name is not null && (name == finding.Name || name == finding.CanonicalName));
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
