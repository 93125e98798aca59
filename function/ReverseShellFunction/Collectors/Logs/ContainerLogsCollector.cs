using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Infrastructure.Logging;

namespace ReverseShellFunction.Collectors.Logs;

/// <summary>
/// <c>container-logs</c>: what the service's revisions (or the job's executions) logged from
/// <see cref="CollectionOptions.LogWindowBefore"/> before the event to <see cref="CollectionOptions.LogWindowAfter"/>
/// after it, to <c>logs/container.jsonl</c>. Entries are kept verbatim: they are the workload's own words.
/// </summary>
public sealed class ContainerLogsCollector(LoggingApi api, CollectionOptions options, TimeProvider time, ILogger<ContainerLogsCollector> logger)
    : LogEntriesCollector(api, options, time, logger)
{
    public const string CollectorName = "container-logs";

    public override string Name => CollectorName;

    protected override string FilePath => BundleLayout.Entries.ContainerLogs;

    protected override SecretRedactor? Redactor => null;

    protected override (DateTimeOffset From, DateTimeOffset To) ConfiguredWindow(DateTimeOffset eventTime) =>
        (eventTime - Options.LogWindowBefore, eventTime + Options.LogWindowAfter);

    protected override string Filter(CloudRunTarget target, DateTimeOffset windowStart, DateTimeOffset windowEnd) => LogFilters.Container(target, windowStart, windowEnd);
}
