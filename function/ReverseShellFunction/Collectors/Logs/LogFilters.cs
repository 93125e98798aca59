using ReverseShellFunction.Collectors;
using ReverseShellFunction.Findings;
using static ReverseShellFunction.Collectors.FilterText;

namespace ReverseShellFunction.Collectors.Logs;

/// <summary>The Cloud Logging filters of the two log collectors. Every value from the finding is quoted.</summary>
public static class LogFilters
{
    /// <summary>What the workload wrote (stdout, stderr, requests, system) around the event.</summary>
    public static string Container(CloudRunTarget target, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(target);
        var resource = target.Kind == CloudRunKind.Service
            ? $"resource.type=\"cloud_run_revision\" AND resource.labels.service_name={Quote(target.Name)}"
            : $"resource.type=\"cloud_run_job\" AND resource.labels.job_name={Quote(target.Name)}";
        var narrower = (target.Revision, target.Execution) switch
        {
            ({ } revision, _) => $" AND resource.labels.revision_name={Quote(revision)}",
            (_, { } execution) => $" AND labels.\"run.googleapis.com/execution_name\"={Quote(execution)}",
            _ => "",
        };
        return $"{resource} AND resource.labels.location={Quote(target.Location)}{narrower} AND {Window(from, to)}";
    }

    /// <summary>
    /// Admin Activity audit entries about the service or job: who deployed or changed it. Cloud Run writes
    /// <c>protoPayload.resourceName</c> as <c>namespaces/P/services/S</c> for v1 calls and
    /// <c>projects/P/locations/L/services/S</c> for v2 calls, and revision operations name the revision, so
    /// the filter accepts both names and the monitored resource's labels.
    /// </summary>
    public static string Audit(CloudRunTarget target, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (collection, resourceType, nameLabel) = target.Kind == CloudRunKind.Service
            ? ("services", "cloud_run_revision", "service_name")
            : ("jobs", "cloud_run_job", "job_name");

        // logName holds the project id; for a project number the log is matched by its id alone.
        var log = target.Project.All(char.IsAsciiDigit)
            ? "log_id(\"cloudaudit.googleapis.com/activity\")"
            : $"logName={Quote($"projects/{target.Project}/logs/cloudaudit.googleapis.com%2Factivity")}";
        var resource =
            $"protoPayload.resourceName={Quote($"namespaces/{target.Project}/{collection}/{target.Name}")}"
            + $" OR protoPayload.resourceName={Quote(target.RelativeName)}"
            + $" OR (resource.type=\"{resourceType}\" AND resource.labels.{nameLabel}={Quote(target.Name)} AND resource.labels.location={Quote(target.Location)})";
        return $"{log} AND protoPayload.serviceName=\"run.googleapis.com\" AND ({resource}) AND {Window(from, to)}";
    }

    // Half-open, as every window (Collection.Window): an entry is read by exactly one part.
    private static string Window(DateTimeOffset from, DateTimeOffset to) => $"timestamp>={Timestamp(from)} AND timestamp<{Timestamp(to)}";
}
