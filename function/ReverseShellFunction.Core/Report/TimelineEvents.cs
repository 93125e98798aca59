using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Report;

/// <summary>
/// The lines of <c>timeline.jsonl</c> (<see cref="TimelineFile"/>) for each kind of staged evidence, and what the
/// figure and the summary count from the same entry (<see cref="DigestState"/>), in the one pass of
/// <see cref="EvidenceDigest"/>.
/// </summary>
internal static class TimelineEvents
{
    public static Task AddFindingAsync(TimelineFile timeline, EvidenceSummary summary, CancellationToken cancellationToken)
    {
        var f = summary.Finding;
        var process = summary.Processes.Count > 0 ? summary.Processes[0] : null;
        var message = $"{f.Category ?? "finding"} ({f.Severity ?? "severity unknown"}): {process?.BinaryPath ?? process?.Name ?? "unknown binary"} → {summary.Network.Remote ?? "unknown remote"}";
        return timeline.AddAsync(f.EventTime, "Event Time", TimelineFile.FindingDataType, message, new Dictionary<string, string?>
        {
            ["finding_name"] = f.Name,
            ["category"] = f.Category,
            ["severity"] = f.Severity,
            ["resource_name"] = summary.Resource.FullName,
            ["triggering_finding"] = "true",
            ["bundle_id"] = summary.BundleId,
        }, cancellationToken);
    }

    public static Task AddRelatedAsync(TimelineFile timeline, JsonElement finding, string category, string? severity, DateTimeOffset t, EvidenceSummary summary, CancellationToken cancellationToken) =>
        timeline.AddAsync(t, "Event Time", TimelineFile.FindingDataType, $"Related finding: {category} ({severity ?? "severity unknown"})", new Dictionary<string, string?>
        {
            ["finding_name"] = EvidenceDigest.Str(finding, "name"),
            ["category"] = category,
            ["severity"] = severity,
            ["resource_name"] = EvidenceDigest.Str(finding, "resourceName") ?? summary.Resource.FullName,
            ["triggering_finding"] = "false",
            ["bundle_entry"] = BundleLayout.Entries.RelatedFindings,
        }, cancellationToken);

    public static async Task AddContainerAsync(EvidenceDigest.LogLine line, TimelineFile timeline, DigestState state, CancellationToken cancellationToken)
    {
        var (e, time) = (line.Entry, line.Time);
        var minute = new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, TimeSpan.Zero);
        state.PerMinute[minute] = state.PerMinute.GetValueOrDefault(minute) + 1;
        var labels = Labels(e);
        var revision = EvidenceDigest.Str(labels, "revision_name");
        if (!string.IsNullOrEmpty(revision))
        {
            state.CountRevision(revision, time);
        }

        var text = EvidenceDigest.Str(e, "textPayload")
            ?? (e.TryGetProperty("jsonPayload", out var json) && json.ValueKind == JsonValueKind.Object ? EvidenceDigest.Str(json, "message") ?? json.GetRawText() : null)
            ?? "(no text payload)";
        var attributes = LogAttributes(e, line, labels);
        attributes["text_payload"] = EvidenceDigest.Str(e, "textPayload");
        await timeline.AddAsync(time, "Log Entry Time", TimelineFile.LogDataType, text, attributes, cancellationToken);
    }

    public static async Task AddAuditAsync(EvidenceDigest.LogLine line, TimelineFile timeline, DigestState state, CancellationToken cancellationToken)
    {
        var (e, time) = (line.Entry, line.Time);
        // Str and Obj answer null for anything but an object, so a missing protoPayload leaves every field null.
        var payload = EvidenceDigest.Obj(e, "protoPayload") ?? default;
        var method = EvidenceDigest.Str(payload, "methodName");
        var resourceName = EvidenceDigest.Str(payload, "resourceName");
        var principal = EvidenceDigest.Obj(payload, "authenticationInfo") is { } auth ? EvidenceDigest.Str(auth, "principalEmail") : null;
        state.AuditCount++;
        if (state.LastChange is null || time >= state.LastChange.Time)
        {
            state.LastChange = new WorkloadChange(time, principal, method, "admin-activity audit log");
        }

        DigestState.AddPoint(state.AuditPoints, new TimelinePoint(time, ShortMethod(method), $"{ShortMethod(method)} by {principal ?? "unknown principal"}"));
        var attributes = LogAttributes(e, line, Labels(e));
        // The protoPayload's own spelling: Timesketch's GCP analyzers (timesketch/lib/analyzers/gcp_logging.py,
        // gcp_servicekey.py) and dftimewolf's GCP log processor read and write exactly these names; snake_case would
        // leave the analyzer's tags and per-user views empty.
        attributes["methodName"] = method;
        attributes["principalEmail"] = principal;

        // gcp_logging splits resourceName at its last two '/' and fails the whole analysis on a name without one;
        // such a name stays in the message and the raw entry (bundle_entry, bundle_line).
        attributes["resourceName"] = resourceName is not null && resourceName.Contains('/', StringComparison.Ordinal) ? resourceName : null;
        attributes["serviceName"] = EvidenceDigest.Str(payload, "serviceName");
        await timeline.AddAsync(time, "Log Entry Time", TimelineFile.LogDataType, $"{principal ?? "unknown principal"} called {method ?? "unknown method"} on {resourceName ?? "unknown resource"}", attributes, cancellationToken);
    }

    /// <summary>The entry's <c>resource.labels</c> object; an undefined element when it has none.</summary>
    private static JsonElement Labels(JsonElement e) =>
        EvidenceDigest.Obj(e, "resource") is { } resource ? EvidenceDigest.Obj(resource, "labels") ?? default : default;

    private static Dictionary<string, string?> LogAttributes(JsonElement e, EvidenceDigest.LogLine line, JsonElement labels)
    {
        var attributes = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["log_name"] = EvidenceDigest.Str(e, "logName"),
            ["insert_id"] = EvidenceDigest.Str(e, "insertId"),
            ["severity"] = EvidenceDigest.Str(e, "severity"),
            ["resource_type"] = EvidenceDigest.Obj(e, "resource") is { } r ? EvidenceDigest.Str(r, "type") : null,
            ["bundle_entry"] = line.File,
            ["bundle_line"] = line.Number.ToString(CultureInfo.InvariantCulture),
        };
        if (labels.ValueKind == JsonValueKind.Object)
        {
            foreach (var label in labels.EnumerateObject().Take(20))
            {
                if (label.Value.ValueKind == JsonValueKind.String && label.Name.Length <= 64 && label.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    attributes["resource_label_" + label.Name] = label.Value.GetString();
                }
            }
        }

        return attributes;
    }

    public static async Task AddCollectionAsync(TimelineFile timeline, EvidenceSummary summary, IReadOnlyList<CollectorReport> reports, DigestState state, CancellationToken cancellationToken)
    {
        var moments = new List<(DateTimeOffset Time, string Label)>();
        if (reports.Where(r => r.StartedAt is not null).Select(r => r.StartedAt!.Value).DefaultIfEmpty().Min() is { } started && started != default)
        {
            moments.Add((started, "collection started"));
        }

        moments.Add((summary.CreatedAt, "bundle created"));
        foreach (var (time, label) in moments)
        {
            state.CollectionPoints.Add(new TimelinePoint(time, "collection", label));
            await timeline.AddAsync(time, "Collection Time", TimelineFile.CollectionDataType, $"Evidence {label}", new Dictionary<string, string?>
            {
                ["bundle_id"] = summary.BundleId,
            }, cancellationToken);
        }
    }

    /// <summary>google.cloud.run.v2.Services.UpdateService → Services.UpdateService.</summary>
    private static string ShortMethod(string? method)
    {
        if (string.IsNullOrEmpty(method))
        {
            return "unknown method";
        }

        var parts = method.Split('.');
        return parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : method;
    }
}
