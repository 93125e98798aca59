using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Infrastructure.Logging;

namespace ReverseShellFunction.Collectors.Logs;

/// <summary>
/// <c>audit-logs</c>: Admin Activity audit entries about the service or job over <see cref="CollectionOptions.AuditWindow"/>
/// before the event (who deployed or changed it, and how), to <c>logs/audit.jsonl</c>. Create and replace
/// calls carry the whole configuration, so literal env values are redacted here as in <c>cloud-run/</c>.
/// </summary>
public sealed class AuditLogsCollector(LoggingApi api, CollectionOptions options, TimeProvider time, ILogger<AuditLogsCollector> logger)
    : LogEntriesCollector(api, options, time, logger)
{
    public const string CollectorName = "audit-logs";

    public override string Name => CollectorName;

    protected override string FilePath => BundleLayout.Entries.AuditLogs;

    protected override SecretRedactor? Redactor { get; } = new SecretRedactor(options.RedactionKey);

    // Until the end of the log window too: a change made right after the event belongs to the story.
    protected override (DateTimeOffset From, DateTimeOffset To) ConfiguredWindow(DateTimeOffset eventTime) =>
        (eventTime - Options.AuditWindow, eventTime + Options.LogWindowAfter);

    protected override string Filter(CloudRunTarget target, DateTimeOffset windowStart, DateTimeOffset windowEnd) => LogFilters.Audit(target, windowStart, windowEnd);
}
