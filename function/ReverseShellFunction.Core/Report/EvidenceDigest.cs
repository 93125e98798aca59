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
    internal const int MaxLineBytes = 4 * 1024 * 1024;

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
        var state = new DigestState(summary.Finding.EventTime);
        var files = staging.Files.ToHashSet(StringComparer.Ordinal);
        await using var timeline = new TimelineFile(staging, timelineChunkBytes);
        await TimelineEvents.AddFindingAsync(timeline, summary, cancellationToken);
        if (files.Contains(BundleLayout.Entries.RelatedFindings))
        {
            await ReadRelatedAsync(staging.PathOf(BundleLayout.Entries.RelatedFindings), summary, timeline, state, cancellationToken);
        }

        if (files.Contains(BundleLayout.Entries.ContainerLogs))
        {
            await ReadLinesAsync(staging.PathOf(BundleLayout.Entries.ContainerLogs), BundleLayout.Entries.ContainerLogs, entry => TimelineEvents.AddContainerAsync(entry, timeline, state, cancellationToken), state, cancellationToken);
        }

        if (files.Contains(BundleLayout.Entries.AuditLogs))
        {
            await ReadLinesAsync(staging.PathOf(BundleLayout.Entries.AuditLogs), BundleLayout.Entries.AuditLogs, entry => TimelineEvents.AddAuditAsync(entry, timeline, state, cancellationToken), state, cancellationToken);
        }

        await TimelineEvents.AddCollectionAsync(timeline, summary, reports, state, cancellationToken);

        return new DigestResult
        {
            Workload = RunningWorkload.Of(summary, staging, files, state),
            RelatedFindings = state.Groups(),
            Timeline = new EvidenceTimeline
            {
                EventTime = summary.Finding.EventTime,
                RelatedFindings = state.RelatedPoints,
                ContainerEntriesPerMinute = [.. state.PerMinute.Select(p => new MinuteCount(p.Key, p.Value))],
                AuditEvents = state.AuditPoints,
                CollectionMoments = state.CollectionPoints,
                AuditWindow = reports.FirstOrDefault(r => r.Name == "audit-logs" && r.Status is CollectorStatus.Ok or CollectorStatus.Partial)?.Window,
            },
            TimelineFiles = [.. timeline.Files],
            TimelineLines = timeline.Lines,
            UnreadableLines = state.UnreadableLines,
        };
    }

    private static async Task ReadRelatedAsync(string path, EvidenceSummary summary, TimelineFile timeline, DigestState state, CancellationToken cancellationToken)
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
                if (Obj(result, "finding") is not { } finding || (result.TryGetProperty("isTriggeringFinding", out var triggering) && triggering.ValueKind == JsonValueKind.True))
                {
                    continue;
                }

                var category = Str(finding, "category") ?? "(no category)";
                var severity = Str(finding, "severity");
                var time = EvidenceTime.TryParse(Str(finding, "eventTime"));
                state.AddRelated(category, severity, time);
                if (time is { } t)
                {
                    DigestState.AddPoint(state.RelatedPoints, new TimelinePoint(t, category, $"{category} ({severity ?? "?"})"));
                    await TimelineEvents.AddRelatedAsync(timeline, finding, category, severity, t, summary, cancellationToken);
                }
            }
        }
    }

    private static async Task ReadLinesAsync(string path, string entryName, Func<LogLine, Task> add, DigestState state, CancellationToken cancellationToken)
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
                // Str reads only an object's member: anything but an object with an RFC 3339 timestamp is unreadable here.
                if (EvidenceTime.TryParse(Str(entry.RootElement, "timestamp")) is not { } time)
                {
                    state.UnreadableLines++;
                    continue;
                }

                await add(new LogLine(entry.RootElement, entryName, number, time));
            }
        }
    }

    internal static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static JsonElement? Obj(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    internal readonly record struct LogLine(JsonElement Entry, string File, int Number, DateTimeOffset Time);
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
