using System.Globalization;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// What happened, where and how bad, in one line: severity, category, service or job, project, location, revision,
/// event time, binary → remote IP:port. Raw text: renderers escape it. Here, beside the summary it is derived from,
/// because merging parts (<see cref="BundleSoFar"/>) and the notification message say it too.
/// </summary>
public static class SummaryHeadline
{
    public static string Of(EvidenceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var r = summary.Resource;
        var workload = r.Service is not null ? $"service {r.Service}" : r.Job is not null ? $"job {r.Job}" : r.FullName ?? "an unknown resource";
        var revision = summary.Workload?.Revision ?? r.Revision;
        var where = string.Join(", ", new[]
        {
            r.Project is null ? null : $"project {r.Project}",
            r.Location,
            revision is null ? null : $"revision {revision}",
        }.OfType<string>());
        var process = summary.Processes.FirstOrDefault(p => p.BinaryPath is not null) ?? (summary.Processes.Count > 0 ? summary.Processes[0] : null);
        var binary = process?.BinaryPath ?? process?.Name ?? "unknown binary";
        var remote = summary.Network.Remote ?? "unknown remote";
        var eventTime = summary.Finding.EventTime.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        return $"{summary.Finding.Severity ?? "UNKNOWN SEVERITY"} {summary.Finding.Category ?? "finding"} on {workload}"
            + (where.Length == 0 ? "" : $" ({where})")
            + $" at {eventTime}: {binary} → {remote}";
    }

    /// <summary>The stored headline, or for an entry written before headlines were stored, the derived one.</summary>
    public static string Shown(EvidenceSummary summary) => summary.Headline ?? Of(summary);
}
