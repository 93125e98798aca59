namespace ReverseShellFunction.Collect.Logs;

/// <summary>
/// <c>container-logs</c>: what the service's revisions (or the job's executions) logged from
/// <see cref="CollectionOptions.LogWindowBefore"/> before the event to <see cref="CollectionOptions.LogWindowAfter"/>
/// after it, to <c>logs/container.jsonl</c>. Entries are kept verbatim: they are the workload's own words.
/// </summary>
public sealed class ContainerLogsCollector : ICollector
{
    public const string CollectorName = "container-logs";
    public const string FilePath = "logs/container.jsonl";

    private readonly LoggingApi _api;
    private readonly CollectionOptions _options;
    private readonly ILogger<ContainerLogsCollector> _logger;

    public ContainerLogsCollector(LoggingApi api, CollectionOptions options, ILogger<ContainerLogsCollector> logger)
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

        var filter = LogFilters.Container(target, context.EventTime - _options.LogWindowBefore, context.EventTime + _options.LogWindowAfter);
        var report = await new LogEntriesDownload(_api, _options, redactor: null)
            .RunAsync(target.Project, filter, FilePath, evidence, progress, cancellationToken);
        _logger.LogInformation(
            "Container logs: {Count} entries of {Resource}, status {Status}, truncated {Truncated}",
            report.ItemCount,
            target.RelativeName,
            report.Status,
            report.Truncated);
        return report;
    }
}
