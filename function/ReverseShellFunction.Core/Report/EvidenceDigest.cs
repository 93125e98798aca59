using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Report;

/// <summary>
/// Reads what the collectors staged (related findings, Cloud Run documents, container and audit logs) once, in
/// a stream, and derives what the summary leads with: the workload as it ran, related findings by category, the
/// timeline figure's data, and <c>timeline.jsonl</c>. Every file is optional and any of them may be partial or
/// hostile: an unreadable line is counted and skipped, never fatal, and the raw files stay in the bundle.
/// </summary>
public static class EvidenceDigest
{
    public const string RelatedFindingsFile = BundleLayout.Entries.RelatedFindings;
    public const string ContainerLogFile = "logs/container.jsonl";
    public const string AuditLogFile = "logs/audit.jsonl";

    // Log entries this close to the event name the revision that was running when the shell started.
    private static readonly TimeSpan s_revisionWindow = TimeSpan.FromMinutes(5);
    private const int MaxPoints = 1000;
    private const int MaxLineBytes = 4 * 1024 * 1024;

    public static async Task<DigestResult> ReadAsync(
        StagingDirectory staging,
        EvidenceSummary summary,
        IReadOnlyList<CollectorReport> reports,
        CancellationToken cancellationToken,
        long timelineChunkBytes = TimelineFile.DefaultChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(staging);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(reports);
        var state = new State(summary.Finding.EventTime);
        var files = staging.Files.ToHashSet(StringComparer.Ordinal);
        await using (var timeline = new TimelineFile(staging, timelineChunkBytes))
        {
            await AddFindingAsync(timeline, summary, cancellationToken);
            if (files.Contains(RelatedFindingsFile))
            {
                await ReadRelatedAsync(staging.PathOf(RelatedFindingsFile), summary, timeline, state, cancellationToken);
            }

            if (files.Contains(ContainerLogFile))
            {
                await ReadLinesAsync(staging.PathOf(ContainerLogFile), ContainerLogFile, entry => AddContainerAsync(entry, timeline, state, cancellationToken), state, cancellationToken);
            }

            if (files.Contains(AuditLogFile))
            {
                await ReadLinesAsync(staging.PathOf(AuditLogFile), AuditLogFile, entry => AddAuditAsync(entry, timeline, state, cancellationToken), state, cancellationToken);
            }

            await AddCollectionAsync(timeline, summary, reports, state, cancellationToken);
            state.TimelineFiles = [.. timeline.Files];
            state.TimelineLines = timeline.Lines;
        }

        var cloudRun = ReadCloudRun(staging, files);
        return new DigestResult
        {
            Workload = Workload(summary, cloudRun, state),
            RelatedFindings = Groups(state),
            Timeline = new EvidenceTimeline
            {
                EventTime = summary.Finding.EventTime,
                RelatedFindings = state.RelatedPoints,
                ContainerEntriesPerMinute = [.. state.PerMinute.Select(p => new MinuteCount(p.Key, p.Value))],
                AuditEvents = state.AuditPoints,
                CollectionMoments = state.CollectionPoints,
                AuditWindow = reports.FirstOrDefault(r => r.Name == "audit-logs" && r.Status is CollectorStatus.Ok or CollectorStatus.Partial)?.Window,
            },
            TimelineFiles = state.TimelineFiles,
            TimelineLines = state.TimelineLines,
            UnreadableLines = state.UnreadableLines,
        };
    }

    private static Task AddFindingAsync(TimelineFile timeline, EvidenceSummary summary, CancellationToken cancellationToken)
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

    private static async Task ReadRelatedAsync(string path, EvidenceSummary summary, TimelineFile timeline, State state, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            await using var stream = File.OpenRead(path);
            document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
        }
        catch (JsonException)
        {
            state.UnreadableLines++;
            return;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            foreach (var result in results.EnumerateArray())
            {
                if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("finding", out var finding) || finding.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (result.TryGetProperty("isTriggeringFinding", out var triggering) && triggering.ValueKind == JsonValueKind.True)
                {
                    continue;
                }

                var category = Str(finding, "category") ?? "(no category)";
                var severity = Str(finding, "severity");
                var time = EvidenceTime.TryParse(Str(finding, "eventTime"));
                state.AddRelated(category, severity, time);
                if (time is { } t)
                {
                    State.AddPoint(state.RelatedPoints, new TimelinePoint(t, category, $"{category} ({severity ?? "?"})"));
                    await timeline.AddAsync(t, "Event Time", TimelineFile.FindingDataType, $"Related finding: {category} ({severity ?? "severity unknown"})", new Dictionary<string, string?>
                    {
                        ["finding_name"] = Str(finding, "name"),
                        ["category"] = category,
                        ["severity"] = severity,
                        ["resource_name"] = Str(finding, "resourceName") ?? summary.Resource.FullName,
                        ["triggering_finding"] = "false",
                        ["bundle_entry"] = RelatedFindingsFile,
                    }, cancellationToken);
                }
            }
        }
    }

    private static async Task ReadLinesAsync(string path, string entryName, Func<LogLine, Task> add, State state, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, new System.Text.UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, new FileStreamOptions { BufferSize = 64 * 1024, Options = FileOptions.SequentialScan });
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length > MaxLineBytes)
            {
                state.UnreadableLines++;
                continue;
            }

            JsonDocument entry;
            try
            {
                entry = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                state.UnreadableLines++;
                continue;
            }

            using (entry)
            {
                if (entry.RootElement.ValueKind != JsonValueKind.Object)
                {
                    state.UnreadableLines++;
                    continue;
                }

                await add(new LogLine(entry.RootElement, entryName, number));
            }
        }
    }

    private static async Task AddContainerAsync(LogLine line, TimelineFile timeline, State state, CancellationToken cancellationToken)
    {
        var e = line.Entry;
        if (EvidenceTime.TryParse(Str(e, "timestamp")) is not { } time)
        {
            state.UnreadableLines++;
            return;
        }

        var minute = new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, TimeSpan.Zero);
        state.PerMinute[minute] = state.PerMinute.GetValueOrDefault(minute) + 1;
        var labels = e.TryGetProperty("resource", out var resource) && resource.ValueKind == JsonValueKind.Object
            && resource.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        var revision = labels.ValueKind == JsonValueKind.Object ? Str(labels, "revision_name") : null;
        if (!string.IsNullOrEmpty(revision))
        {
            state.CountRevision(revision, time);
        }

        var text = Str(e, "textPayload")
            ?? (e.TryGetProperty("jsonPayload", out var json) && json.ValueKind == JsonValueKind.Object ? Str(json, "message") ?? json.GetRawText() : null)
            ?? "(no text payload)";
        var attributes = LogAttributes(e, line, labels);
        attributes["text_payload"] = Str(e, "textPayload");
        await timeline.AddAsync(time, "Log Entry Time", TimelineFile.LogDataType, text, attributes, cancellationToken);
    }

    private static async Task AddAuditAsync(LogLine line, TimelineFile timeline, State state, CancellationToken cancellationToken)
    {
        var e = line.Entry;
        if (EvidenceTime.TryParse(Str(e, "timestamp")) is not { } time)
        {
            state.UnreadableLines++;
            return;
        }

        var payload = e.TryGetProperty("protoPayload", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var method = payload.ValueKind == JsonValueKind.Object ? Str(payload, "methodName") : null;
        var resourceName = payload.ValueKind == JsonValueKind.Object ? Str(payload, "resourceName") : null;
        var principal = payload.ValueKind == JsonValueKind.Object
            && payload.TryGetProperty("authenticationInfo", out var auth) && auth.ValueKind == JsonValueKind.Object
            ? Str(auth, "principalEmail")
            : null;
        state.AuditCount++;
        if (state.LastChange is null || time >= state.LastChange.Time)
        {
            state.LastChange = new WorkloadChange(time, principal, method, "admin-activity audit log");
        }

        State.AddPoint(state.AuditPoints, new TimelinePoint(time, ShortMethod(method), $"{ShortMethod(method)} by {principal ?? "unknown principal"}"));
        var labels = e.TryGetProperty("resource", out var resource) && resource.ValueKind == JsonValueKind.Object
            && resource.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        var attributes = LogAttributes(e, line, labels);
        // The protoPayload's own spelling: Timesketch's GCP analyzers (timesketch/lib/analyzers/gcp_logging.py,
        // gcp_servicekey.py) and dftimewolf's GCP log processor read and write exactly these names; snake_case would
        // leave the analyzer's tags and per-user views empty.
        attributes["methodName"] = method;
        attributes["principalEmail"] = principal;

        // gcp_logging splits resourceName at its last two '/' and fails the whole analysis on a name without one;
        // such a name stays in the message and the raw entry (bundle_entry, bundle_line).
        attributes["resourceName"] = resourceName is not null && resourceName.Contains('/', StringComparison.Ordinal) ? resourceName : null;
        attributes["serviceName"] = payload.ValueKind == JsonValueKind.Object ? Str(payload, "serviceName") : null;
        await timeline.AddAsync(time, "Log Entry Time", TimelineFile.LogDataType, $"{principal ?? "unknown principal"} called {method ?? "unknown method"} on {resourceName ?? "unknown resource"}", attributes, cancellationToken);
    }

    private static Dictionary<string, string?> LogAttributes(JsonElement e, LogLine line, JsonElement labels)
    {
        var attributes = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["log_name"] = Str(e, "logName"),
            ["insert_id"] = Str(e, "insertId"),
            ["severity"] = Str(e, "severity"),
            ["resource_type"] = e.TryGetProperty("resource", out var r) && r.ValueKind == JsonValueKind.Object ? Str(r, "type") : null,
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

    private static async Task AddCollectionAsync(TimelineFile timeline, EvidenceSummary summary, IReadOnlyList<CollectorReport> reports, State state, CancellationToken cancellationToken)
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

    private static CloudRunDocuments ReadCloudRun(StagingDirectory staging, HashSet<string> files)
    {
        var documents = new CloudRunDocuments();
        foreach (var file in files.Where(f => f.StartsWith("cloud-run/", StringComparison.Ordinal) && f.EndsWith(".json", StringComparison.Ordinal)))
        {
            try
            {
                var info = new FileInfo(staging.PathOf(file));
                if (info.Length > MaxLineBytes)
                {
                    continue;
                }

                var document = JsonDocument.Parse(File.ReadAllBytes(info.FullName));
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    document.Dispose();
                    continue;
                }

                if (file is "cloud-run/service.json" or "cloud-run/job.json")
                {
                    documents.Parent = document.RootElement.Clone();
                }
                else if (Str(document.RootElement, "name") is { } name)
                {
                    documents.Children[name[(name.LastIndexOf('/') + 1)..]] = document.RootElement.Clone();
                }

                document.Dispose();
            }
            catch (JsonException)
            {
                // A damaged document is still in the bundle; the summary just says less.
            }
        }

        return documents;
    }

    private static WorkloadFacts Workload(EvidenceSummary summary, CloudRunDocuments cloudRun, State state)
    {
        var (revision, source) = ChooseRevision(summary, cloudRun, state);
        var parent = cloudRun.Parent;
        JsonElement? child = revision is not null && cloudRun.Children.TryGetValue(revision, out var c) ? c : null;

        // A service's revision holds its own configuration; a job's lives in job.template.template.
        var config = child ?? (parent is { } p ? Obj(p, "template") is { } t ? Obj(t, "template") ?? t : null : null);
        var container = config is { } cfg && cfg.TryGetProperty("containers", out var containers) && containers.ValueKind == JsonValueKind.Array && containers.GetArrayLength() > 0
            ? containers[0]
            : (JsonElement?)null;
        var status = child is { } ch && ch.TryGetProperty("containerStatuses", out var statuses) && statuses.ValueKind == JsonValueKind.Array && statuses.GetArrayLength() > 0
            ? statuses[0]
            : (JsonElement?)null;
        var vpc = config is { } v ? Obj(v, "vpcAccess") : null;
        var network = vpc is { } n && n.TryGetProperty("networkInterfaces", out var interfaces) && interfaces.ValueKind == JsonValueKind.Array && interfaces.GetArrayLength() > 0
            ? Str(interfaces[0], "network") ?? Str(interfaces[0], "subnetwork")
            : null;

        var lastChange = state.LastChange;
        if (lastChange is null && parent is { } svc && Str(svc, "lastModifier") is { } modifier)
        {
            lastChange = new WorkloadChange(EvidenceTime.TryParse(Str(svc, "updateTime")), modifier, null, "lastModifier of the Cloud Run resource");
        }

        return new WorkloadFacts(
            revision,
            source,
            [.. state.Revisions.Keys.Where(r => r != revision).Order(StringComparer.Ordinal).Take(10)],
            (container is { } ct ? Str(ct, "image") : null) ?? summary.Container.ImageUri,
            (status is { } st ? Str(st, "imageDigest") : null) ?? summary.Container.ImageId,
            config is { } sa ? Str(sa, "serviceAccount") : null,
            parent is { } ing ? Str(ing, "ingress") : null,
            network ?? (vpc is { } vc ? Str(vc, "connector") : null),
            vpc is { } eg ? Str(eg, "egress") : null,
            lastChange,
            state.AuditCount);
    }

    private static (string? Revision, string? Source) ChooseRevision(EvidenceSummary summary, CloudRunDocuments cloudRun, State state)
    {
        if (!string.IsNullOrEmpty(summary.Resource.Revision))
        {
            return (summary.Resource.Revision, "finding");
        }

        var near = state.Revisions.Where(r => r.Value.NearEvent > 0).OrderByDescending(r => r.Value.NearEvent).ThenBy(r => r.Key, StringComparer.Ordinal).FirstOrDefault();
        if (near.Key is not null)
        {
            var total = state.Revisions.Values.Sum(r => r.NearEvent);
            return (near.Key, $"container logs within {s_revisionWindow.TotalMinutes:0} minutes of the event ({near.Value.NearEvent} of {total} entries)");
        }

        if (cloudRun.Parent is { } parent && Str(parent, "latestReadyRevision") is { } latest)
        {
            return (latest[(latest.LastIndexOf('/') + 1)..], "latest ready revision of the service (the finding and the logs name none)");
        }

        return (null, null);
    }

    private static List<RelatedFindingGroup> Groups(State state) =>
        [.. state.Related
            .OrderByDescending(g => g.Value.Count)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RelatedFindingGroup(
                g.Key,
                g.Value.Count,
                g.Value.First is { } first ? (long)Math.Round((first - state.EventTime).TotalSeconds) : null,
                g.Value.Last is { } last ? (long)Math.Round((last - state.EventTime).TotalSeconds) : null,
                [.. g.Value.Severities.Order(StringComparer.Ordinal)]))];

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

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? Obj(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private readonly record struct LogLine(JsonElement Entry, string File, int Number);

    private sealed class CloudRunDocuments
    {
        public JsonElement? Parent { get; set; }
        public Dictionary<string, JsonElement> Children { get; } = new(StringComparer.Ordinal);
    }

    private sealed class RelatedGroup
    {
        public int Count { get; set; }
        public DateTimeOffset? First { get; set; }
        public DateTimeOffset? Last { get; set; }
        public HashSet<string> Severities { get; } = new(StringComparer.Ordinal);
    }

    private sealed class RevisionCount
    {
        public int All { get; set; }
        public int NearEvent { get; set; }
    }

    private sealed class State(DateTimeOffset eventTime)
    {
        public DateTimeOffset EventTime { get; } = eventTime;
        public Dictionary<string, RelatedGroup> Related { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, RevisionCount> Revisions { get; } = new(StringComparer.Ordinal);
        public SortedDictionary<DateTimeOffset, int> PerMinute { get; } = [];
        public List<TimelinePoint> RelatedPoints { get; } = [];
        public List<TimelinePoint> AuditPoints { get; } = [];
        public List<TimelinePoint> CollectionPoints { get; } = [];
        public WorkloadChange? LastChange { get; set; }
        public int AuditCount { get; set; }
        public long UnreadableLines { get; set; }
        public IReadOnlyList<string> TimelineFiles { get; set; } = [];
        public long TimelineLines { get; set; }

        public void AddRelated(string category, string? severity, DateTimeOffset? time)
        {
            // Bounded: a hostile result set cannot make the summary list thousands of categories.
            if (!Related.TryGetValue(category, out var group))
            {
                if (Related.Count >= 100)
                {
                    return;
                }

                group = Related[category] = new RelatedGroup();
            }

            group.Count++;
            if (severity is not null && group.Severities.Count < 8)
            {
                group.Severities.Add(severity);
            }

            if (time is { } t)
            {
                group.First = group.First is { } f && f <= t ? f : t;
                group.Last = group.Last is { } l && l >= t ? l : t;
            }
        }

        public void CountRevision(string revision, DateTimeOffset time)
        {
            if (!Revisions.TryGetValue(revision, out var count))
            {
                if (Revisions.Count >= 100)
                {
                    return;
                }

                count = Revisions[revision] = new RevisionCount();
            }

            count.All++;
            if ((time - EventTime).Duration() <= s_revisionWindow)
            {
                count.NearEvent++;
            }
        }

        public static void AddPoint(List<TimelinePoint> points, TimelinePoint point)
        {
            if (points.Count < MaxPoints)
            {
                points.Add(point);
            }
        }
    }
}

/// <summary>What <see cref="EvidenceDigest.ReadAsync"/> derived from the staged evidence.</summary>
public sealed record DigestResult
{
    public required WorkloadFacts Workload { get; init; }
    public required IReadOnlyList<RelatedFindingGroup> RelatedFindings { get; init; }
    public required EvidenceTimeline Timeline { get; init; }
    public required IReadOnlyList<string> TimelineFiles { get; init; }
    public required long TimelineLines { get; init; }

    /// <summary>Lines of the staged logs that were not a JSON object with a timestamp; they stay in the raw files.</summary>
    public required long UnreadableLines { get; init; }
}
