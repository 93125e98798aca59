namespace ReverseShellFunction.Collect.Logs;

/// <summary>
/// <c>audit-logs</c>: Admin Activity audit entries about the service or job over <see cref="CollectionOptions.AuditWindow"/>
/// before the event (who deployed or changed it, and how), to <c>logs/audit.jsonl</c>. Create and replace
/// calls carry the whole configuration, so literal env values are redacted here as in <c>cloud-run/</c>.
/// </summary>
public sealed class AuditLogsCollector : ICollector
{
    public const string CollectorName = "audit-logs";
    public const string FilePath = "logs/audit.jsonl";

    private readonly LoggingApi _api;
    private readonly CollectionOptions _options;
    private readonly ILogger<AuditLogsCollector> _logger;

    public AuditLogsCollector(LoggingApi api, CollectionOptions options, ILogger<AuditLogsCollector> logger)
    {
        _api = api;
        _options = options;
        _logger = logger;
    }

    public string Name => CollectorName;

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

        // Until the end of the log window too: a change made right after the event belongs to the story.
        var filter = LogFilters.Audit(target, context.EventTime - _options.AuditWindow, context.EventTime + _options.LogWindowAfter);
        var report = await new LogEntriesDownload(_api, _options, new EnvValueRedactor(_options.RedactionKey))
            .RunAsync(target.Project, filter, FilePath, evidence, progress, cancellationToken);
        _logger.LogInformation(
            "Audit logs: {Count} entries of {Resource}, status {Status}, {Redactions} values redacted",
            report.ItemCount,
            target.RelativeName,
            report.Status,
            report.Redactions.Count);
        return report;
    }
}
