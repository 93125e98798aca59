using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Collect.Logs;

/// <summary>
/// What the two log collectors share: the preconditions, the streamed download through
/// <see cref="LogEntriesDownload"/>, and the closing log line. Each subclass says which entries and whether
/// they are redacted.
/// </summary>
public abstract class LogEntriesCollector : ICollector
{
    private readonly LoggingApi _api;
    private readonly ILogger _logger;

    protected LogEntriesCollector(LoggingApi api, CollectionOptions options, ILogger logger)
    {
        _api = api;
        Options = options;
        _logger = logger;
    }

    public abstract string Name { get; }

    protected CollectionOptions Options { get; }

    /// <summary>The bundle file the entries are streamed to.</summary>
    protected abstract string FilePath { get; }

    /// <summary>The redactor applied to each entry, or null to keep entries verbatim.</summary>
    protected abstract EnvValueRedactor? Redactor { get; }

    protected abstract string Filter(CloudRunTarget target, DateTimeOffset eventTime);

    public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var progress = new CollectorProgress(Name);
        if (context.Target is not { } target)
        {
            return progress.Skipped("the finding's resource is not a Cloud Run service or job");
        }

        if (!await _api.Client.HasCredentialsAsync(cancellationToken))
        {
            return progress.Skipped("no credentials");
        }

        var report = await new LogEntriesDownload(_api, Options, Redactor)
            .RunAsync(target.Project, Filter(target, context.EventTime), FilePath, evidence, progress, cancellationToken);
        _logger.LogInformation(
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
