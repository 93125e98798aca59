using ReverseShellFunction.Collection;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Infrastructure.Logging;

namespace ReverseShellFunction.Collectors.Logs;

/// <summary>
/// What the two log collectors share: the preconditions, the window actually read, the streamed download through
/// <see cref="LogEntriesDownload"/>, and the closing log line. Each subclass says which entries over which
/// configured window, and whether they are redacted.
/// </summary>
/// <remarks>
/// The window is widened to whole minutes, so findings on one service in one minute ask for the same filter and
/// share their reads (<see cref="LogReadCoalescer"/>). It is read only up to now minus the ingestion delay, also
/// rounded down to a minute: entries younger than that may not be readable yet. The manifest records the window
/// covered next to the configured one, and a window still open makes the collector <c>partial</c>.
/// </remarks>
public abstract class LogEntriesCollector(LoggingApi api, CollectionOptions options, TimeProvider time, ILogger logger) : ICollector
{
    public abstract string Name { get; }

    protected CollectionOptions Options { get; } = options;

    /// <summary>The bundle file the entries are streamed to.</summary>
    protected abstract string FilePath { get; }

    /// <summary>The redactor applied to each entry, or null to keep entries verbatim.</summary>
    protected abstract SecretRedactor? Redactor { get; }

    /// <summary>The window the settings ask for around <paramref name="eventTime"/>.</summary>
    protected abstract (DateTimeOffset From, DateTimeOffset To) ConfiguredWindow(DateTimeOffset eventTime);

    protected abstract string Filter(CloudRunTarget target, DateTimeOffset windowStart, DateTimeOffset windowEnd);

    public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var progress = new CollectorProgress(Name);
        if (context.Target is not { } target)
        {
            return progress.Skipped("the finding's resource is not a Cloud Run service or job");
        }

        if (!await api.Client.HasCredentialsAsync(cancellationToken))
        {
            return progress.Skipped("no credentials");
        }

        var (from, to) = ConfiguredWindow(context.EventTime);
        var window = Window.Covered(context, Name, from, to, time.GetUtcNow() - Options.LogIngestionDelay, wholeMinutes: true);
        progress.Window = window;
        var open = $"window still open: entries after {FilterText.Rfc3339(window.To)} (now minus the {Options.LogIngestionDelay.TotalSeconds:0} s "
            + "LOG_INGESTION_DELAY_SECONDS, by the minute) are collected by a later part once the window has closed";
        if (window.To <= window.From)
        {
            return progress.Partial(open.Replace("window still open: entries after", "window still open: nothing readable yet; entries after", StringComparison.Ordinal))
                with
            { ResumeFrom = window.From };
        }

        var userProject = Options.LogReadsUseTargetQuota ? target.Project : null;
        var report = await new LogEntriesDownload(api, Options, Redactor)
            .RunAsync(target.Project, Filter(target, window.From, window.To), userProject, FilePath, evidence, progress, cancellationToken);
        if (report.Status == CollectorStatus.Ok && window.IsOpen && !report.Truncated)
        {
            // Everything up to the covered end is read for good: the next part starts there.
            report = progress.Partial(open) with { ResumeFrom = window.To };
        }

        logger.LogInformation(
            "Collector {Collector}: {Count} entries of {Resource}, status {Status}, truncated {Truncated}, {Redactions} values redacted",
            Name,
            report.ItemCount,
            target.RelativeName,
            report.Status,
            report.Truncated,
            report.Redactions.Count);
        return report;
    }
}
