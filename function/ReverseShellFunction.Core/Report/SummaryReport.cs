using System.Globalization;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Report;

/// <summary>
/// The content of the responder's report, once, as a small document model; <see cref="SummaryMarkdown"/> and
/// <see cref="SummaryHtml"/> render the same model, so summary.md and summary.html cannot say different things.
/// Text spans hold raw, possibly hostile text: each renderer shows it through DisplayText.Visible, then escapes it
/// for its format exactly once.
/// </summary>
public static class SummaryReport
{
    public const string AttentionId = "attention";

    public static ReportDocument Build(EvidenceSummary summary, IReadOnlyCollection<string> entries)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(entries);
        var files = entries as ISet<string> ?? entries.ToHashSet(StringComparer.Ordinal);
        var sections = new List<ReportSection>
        {
            Attention(summary),
            Workload(summary),
            Finding(summary),
            Processes(summary),
            Related(summary, files),
            Mitre(summary),
            Collectors(summary),
            Checklist(summary, files),
        };
        return new ReportDocument(
            StateWords.FirstLine(summary),
            StateWords.IsClean(summary),
            SummaryHeadline.Shown(summary),
            [ReportSpan.Text("Bundle "), ReportSpan.Code(summary.BundleId), ReportSpan.Text($", created {summary.CreatedAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC.")],
            sections);
    }

    /// <summary>What is not there or not to be trusted, before anything else: collectors that did not finish ok.</summary>
    private static ReportSection Attention(EvidenceSummary summary)
    {
        var items = new List<ReportValue>();
        foreach (var c in summary.Collectors.Where(c => c.Status != CollectorStatus.Ok || c.Truncated))
        {
            var what = c.Status switch
            {
                CollectorStatus.Failed => "failed: its evidence is missing",
                CollectorStatus.Partial => "partial: some of its evidence is missing",
                CollectorStatus.Skipped => $"{StateWords.NotCollected}: its evidence is missing",
                _ => "ok",
            };
            var spans = new List<ReportSpan> { ReportSpan.Strong(c.Name), ReportSpan.Text($" {what}") };
            if (c.Truncated)
            {
                spans.Add(ReportSpan.Text(c.Status == CollectorStatus.Ok ? " but truncated at its cap" : "; truncated at its cap"));
                if (c.ItemCount is { } count)
                {
                    spans.Add(ReportSpan.Text($" ({count.ToString(CultureInfo.InvariantCulture)} items kept)"));
                }
            }

            if (!string.IsNullOrEmpty(c.Reason))
            {
                spans.Add(ReportSpan.Text(" — "));
                spans.Add(ReportSpan.Text(c.Reason));
            }

            items.Add(new ReportValue(spans));
        }

        if (summary.Collectors.Count == 0)
        {
            items.Add(ReportValue.Of("No collector ran: the bundle holds only the notification."));
        }

        // Whether SCC itself holds the finding as notified comes first: a forged notification makes everything else suspect.
        var position = 0;
        if (StateWords.AuthenticityMeaning(summary) is { } meaning)
        {
            items.Insert(position++, ReportValue.Of($"Authenticity: {StateWords.Authenticity(summary)}. {meaning}"));
            if (summary.Notifications is { Count: > 1 } checks)
            {
                foreach (var check in checks)
                {
                    var fields = check.Contradicted is { Count: > 0 } f ? $" ({string.Join(", ", f)})" : "";
                    items.Insert(position++, ReportValue.Of($"The notification recorded in part {check.Part}: {StateWords.AuthenticityWord(check.Authenticity)}{fields}."));
                }
            }
        }

        // Right after authenticity: what this part leaves to a later one, so nobody takes a pending bundle for the whole story.
        foreach (var line in CompletionLines(summary.Completion))
        {
            items.Insert(Math.Min(position++, items.Count), ReportValue.Of(line));
        }

        if (summary.Workload is { Revision: null })
        {
            items.Add(ReportValue.Of("The revision that ran the shell is not known: neither the finding nor the collected logs name it."));
        }
        else if (summary.Workload is { RevisionSource: { } source } && source != "finding")
        {
            items.Add(ReportValue.Of($"The finding names no revision; the revision shown is inferred from the {source}."));
        }

        ReportBlock block = items.Count == 0
            ? new ReportParagraph(ReportValue.Of("Nothing missing: every collector finished ok and nothing was truncated."))
            : new ReportList(items, Ordered: false);
        return new ReportSection("Missing or not to be trusted", [block], AttentionId, Alert: items.Count > 0);
    }

    /// <summary>The part's completion in words: pending (what, due when), incomplete (what is missing, why).</summary>
    public static IEnumerable<string> CompletionLines(CompletionState? completion)
    {
        static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "unknown";
        switch (completion)
        {
            case { State: Completeness.Pending } pending:
                yield return $"Completeness: {StateWords.Pending} p{pending.NextPart} (due {Time(pending.Due)}): part {pending.Part} of this bundle does not hold everything yet (gives up at {Time(pending.GiveUpAt)}).";
                foreach (var work in pending.Outstanding)
                {
                    yield return $"Pending {work.Collector} (due {Time(work.Due)}): {work.Reason}";
                }

                break;
            case { State: Completeness.Incomplete }:
                yield return $"Completeness: {StateWords.Incomplete}: nothing more will be collected for this bundle, and some evidence is missing.";
                break;
        }

        foreach (var lost in completion?.Missing ?? [])
        {
            yield return $"Missing {lost.Collector}: {lost.Reason}";
        }
    }

    private static ReportSection Workload(EvidenceSummary summary)
    {
        var r = summary.Resource;
        var w = summary.Workload;
        var rows = new List<ReportRow>
        {
            new(r.Job is null ? "Service" : "Job", ReportValue.CodeOr(r.Service ?? r.Job ?? r.FullName)),
            new("Revision", w?.Revision is { } revision
                ? new ReportValue([ReportSpan.Code(revision), ReportSpan.Text($" (from the {w.RevisionSource})")])
                : ReportValue.CodeOr(r.Revision)),
        };
        if (w is { OtherRevisionsInLogs.Count: > 0 })
        {
            rows.Add(new("Other revisions in the logs", ReportValue.Codes(w.OtherRevisionsInLogs)));
        }

        rows.Add(new("Image", ReportValue.CodeOr(w?.Image ?? summary.Container.ImageUri)));
        rows.Add(new("Image digest", ReportValue.CodeOr(w?.ImageDigest ?? summary.Container.ImageId)));
        rows.Add(new("Service account", ReportValue.CodeOr(w?.ServiceAccount)));
        if (r.Job is null)
        {
            rows.Add(new("Ingress", ReportValue.CodeOr(w?.Ingress)));
        }

        rows.Add(new("VPC egress", w?.VpcEgress is null && w?.VpcNetwork is null
            ? ReportValue.Of(NotCollected(summary, "cloud-run") ?? "no VPC access configured")
            : new ReportValue([ReportSpan.Code(w?.VpcEgress ?? "-"), ReportSpan.Text(" via "), ReportSpan.Code(w?.VpcNetwork ?? "-")])));
        rows.Add(new("Last deployed or changed", w?.LastChange is { } change
            ? new ReportValue([
                ReportSpan.Code(change.Principal ?? "unknown principal"),
                ReportSpan.Text(change.Time is { } t ? $" at {EvidenceTime.Format(t)}" : ""),
                ReportSpan.Text(change.Method is null ? "" : " ("),
                ReportSpan.Text(change.Method ?? ""),
                ReportSpan.Text(change.Method is null ? "" : ")"),
                ReportSpan.Text($", from the {change.Source}"),
                ReportSpan.Text(w.AuditEntryCount > 0 ? $"; {w.AuditEntryCount} audit entries in the window" : ""),
            ])
            : ReportValue.Of(NotCollected(summary, "audit-logs") is { } audit && NotCollected(summary, "cloud-run") is not null
                ? audit
                : "not known: no audit entry and no lastModifier collected")));
        rows.Add(new("Project", new ReportValue([
            ReportSpan.Code(r.Project ?? "-"),
            ReportSpan.Text($" ({r.ProjectDisplayName ?? "-"}, number {r.ProjectNumber ?? "-"})"),
        ])));
        rows.Add(new("Location", ReportValue.CodeOr(r.Location)));
        rows.Add(new("Resource full name", ReportValue.CodeOr(r.FullName)));
        return new ReportSection("Workload as it ran", [new ReportFacts(rows)]);
    }

    /// <summary>
    /// "not collected (…)" when <paramref name="collector"/> did not finish ok, so an empty fact never reads as
    /// "none found"; null when it did (or did not run in this part).
    /// </summary>
    private static string? NotCollected(EvidenceSummary summary, string collector) =>
        summary.Collectors.FirstOrDefault(c => c.Name == collector) is { Status: not CollectorStatus.Ok } c
            ? c.Status == CollectorStatus.Skipped
                ? $"{StateWords.NotCollected} ({collector}: {c.Reason ?? "no reason given"})"
                : $"{StateWords.NotCollected} ({collector} {StateWords.Collector(c)})"
            : null;

    private static ReportSection Finding(EvidenceSummary summary)
    {
        var f = summary.Finding;
        return new ReportSection("Finding", [new ReportFacts([
            new("Category", ReportValue.Of(f.Category ?? "-")),
            new("Severity", ReportValue.Of(f.Severity ?? "-")),
            new("State", ReportValue.Of((f.State ?? "-") + (f.Mute is null ? "" : $" (mute: {f.Mute})"))),
            new("Event time", ReportValue.Of(EvidenceTime.Format(f.EventTime))),
            new("Remote (attacker) IP:port", ReportValue.CodeOr(summary.Network.Remote)),
            new("Local IP:port", ReportValue.CodeOr(summary.Network.Local)),
            new("Name", ReportValue.CodeOr(f.Name)),
            new("Notification config", ReportValue.CodeOr(f.NotificationConfigName)),
        ])]);
    }

    private static ReportSection Processes(EvidenceSummary summary)
    {
        var blocks = new List<ReportBlock>();
        if (summary.Processes.Count == 0)
        {
            blocks.Add(new ReportParagraph(ReportValue.Of("The finding lists no process.")));
        }

        foreach (var p in summary.Processes)
        {
            blocks.Add(new ReportSubheading(new ReportValue([
                ReportSpan.Code(p.BinaryPath ?? p.Name ?? "?"),
                ReportSpan.Text($" (pid {p.Pid?.ToString(CultureInfo.InvariantCulture) ?? "?"})"),
            ])));
            blocks.Add(new ReportFacts([
                new("SHA-256", ReportValue.CodeOr(p.BinarySha256)),
                new("VirusTotal", p.VirusTotalUrl is null ? ReportValue.Of("no usable SHA-256") : new ReportValue([ReportSpan.Link(p.VirusTotalUrl, p.VirusTotalUrl)])),
                new("Arguments", p.Args.Count == 0
                    ? ReportValue.Of("none")
                    : new ReportValue([.. p.Args.SelectMany((a, i) => i == 0 ? new[] { ReportSpan.Code(a) } : [ReportSpan.Text(" "), ReportSpan.Code(a)]),
                        ReportSpan.Text(p.ArgumentsTruncated ? " (truncated by SCC)" : "")])),
                new("Parent chain", p.ParentChain.Count == 0
                    ? ReportValue.Of("none recorded")
                    : new ReportValue([.. p.ParentChain.SelectMany((a, i) => i == 0 ? new[] { ReportSpan.Code(a) } : [ReportSpan.Text(" ← "), ReportSpan.Code(a)])])),
            ]));
        }

        return new ReportSection("Processes", blocks);
    }

    private static ReportSection Related(EvidenceSummary summary, ISet<string> files)
    {
        var collector = summary.Collectors.FirstOrDefault(c => c.Name == "related-findings");
        if (summary.RelatedFindings is not { } groups)
        {
            return new ReportSection("Related findings", [new ReportParagraph(ReportValue.Of("Not grouped in this bundle's summary."))]);
        }

        if (groups.Count == 0)
        {
            var why = collector is null || collector.Status == CollectorStatus.Ok
                ? "No other finding on this resource in the window."
                : $"{NotCollected(summary, "related-findings")}.";
            return new ReportSection("Related findings", [new ReportParagraph(ReportValue.Of(why))]);
        }

        var total = groups.Sum(g => g.Count);
        var rows = groups.Select(g => (IReadOnlyList<ReportValue>)[
            ReportValue.Of(g.Category),
            ReportValue.Of(g.Count.ToString(CultureInfo.InvariantCulture)),
            ReportValue.Of(Offset(g.FirstOffsetSeconds)),
            ReportValue.Of(Offset(g.LastOffsetSeconds)),
            ReportValue.Of(g.Severities.Count == 0 ? "-" : string.Join(", ", g.Severities)),
        ]).ToList();
        var intro = $"{total} other findings on this resource in {groups.Count} categories; offsets from the event (negative: before)"
            + (files.Contains(EvidenceDigest.RelatedFindingsFile) ? ", all verbatim in " : ".");
        var introValue = files.Contains(EvidenceDigest.RelatedFindingsFile)
            ? new ReportValue([ReportSpan.Text(intro), ReportSpan.Code(EvidenceDigest.RelatedFindingsFile), ReportSpan.Text(".")])
            : ReportValue.Of(intro);
        return new ReportSection("Related findings", [
            new ReportParagraph(introValue),
            new ReportTable(["category", "count", "first", "last", "severity"], rows),
        ]);
    }

    private static ReportSection Mitre(EvidenceSummary summary) =>
        new("MITRE ATT&CK", [new ReportList(
            [.. summary.Mitre.Select(a =>
            {
                var label = a.Id is null ? a.Name : $"{a.Id} {a.Name}";
                return new ReportValue([
                    ReportSpan.Text($"{a.Kind}: "),
                    a.Url is null ? ReportSpan.Text(label) : ReportSpan.Link(label, a.Url),
                    ReportSpan.Text($" (from the {a.Source})"),
                ]);
            })],
            Ordered: false)]);

    private static ReportSection Collectors(EvidenceSummary summary) =>
        new("Collectors (the whole bundle so far)", [new ReportTable(
            ["collector", "part", "status", "items", "truncated", "reason"],
            [.. summary.Collectors.Select(c => (IReadOnlyList<ReportValue>)[
                ReportValue.Of(c.Name),
                ReportValue.Of(c.Part?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                ReportValue.Of(c.Status == CollectorStatus.Skipped ? StateWords.NotCollected : c.Status.ToString().ToLowerInvariant()),
                ReportValue.Of(c.ItemCount?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                ReportValue.Of(c.Truncated ? "yes" : "no"),
                ReportValue.Of(string.IsNullOrEmpty(c.Reason) ? "-" : c.Reason),
            ])])]);

    /// <summary>Google's guidance for the finding, pointing only at entries this bundle has.</summary>
    private static ReportSection Checklist(EvidenceSummary summary, ISet<string> files)
    {
        var items = new List<ReportValue>
        {
            ReportValue.Of("Read the headline and the finding: binary, arguments, remote and local IP:port, image."),
        };
        if (summary.Processes.Any(p => p.VirusTotalUrl is not null))
        {
            items.Add(ReportValue.Of("Check each binary's SHA-256 on VirusTotal (links under Processes)."));
        }

        if (files.Contains(EvidenceDigest.RelatedFindingsFile))
        {
            items.Add(new ReportValue([ReportSpan.Text("Look at the related findings on the same resource around the same time: "), ReportSpan.Code(EvidenceDigest.RelatedFindingsFile), ReportSpan.Text(".")]));
        }

        var cloudRun = files.Where(f => f.StartsWith("cloud-run/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (cloudRun.Count > 0)
        {
            items.Add(new ReportValue([ReportSpan.Text("Review the configuration it ran with: "), .. Join(cloudRun), ReportSpan.Text(".")]));
        }

        if (files.Contains(EvidenceDigest.ContainerLogFile))
        {
            items.Add(new ReportValue([ReportSpan.Text("Read what the container printed around the event: "), ReportSpan.Code(EvidenceDigest.ContainerLogFile), ReportSpan.Text(".")]));
        }

        if (files.Contains(EvidenceDigest.AuditLogFile))
        {
            items.Add(new ReportValue([ReportSpan.Text("Check who deployed or changed it: "), ReportSpan.Code(EvidenceDigest.AuditLogFile), ReportSpan.Text(".")]));
        }

        if (files.Contains(TimelineFile.FileName))
        {
            items.Add(new ReportValue([ReportSpan.Text("Load the events into Timesketch: "), ReportSpan.Code(TimelineFile.FileName), ReportSpan.Text(" (Timesketch's JSONL import).")]));
        }

        items.Add(ReportValue.Of("Map the activity to MITRE ATT&CK (T1059, T1105 and the techniques above)."));
        items.Add(ReportValue.Of("Contain: consider deleting the affected revision, service or job and rotating what its service account could reach; keep this bundle."));
        return new ReportSection("Response checklist (after Google's guidance for this finding)", [new ReportList(items, Ordered: true)]);
    }

    private static IEnumerable<ReportSpan> Join(IReadOnlyList<string> codes) =>
        codes.SelectMany((c, i) => i == 0 ? new[] { ReportSpan.Code(c) } : [ReportSpan.Text(", "), ReportSpan.Code(c)]);

    /// <summary>Seconds from the event as "−1h 02m 03s", "+4m 10s", "+0s".</summary>
    public static string Offset(long? seconds)
    {
        if (seconds is not { } s)
        {
            return "-";
        }

        var sign = s < 0 ? "−" : "+";
        var span = TimeSpan.FromSeconds(Math.Abs(s));
        var text = span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalHours}h {span.Minutes:00}m {span.Seconds:00}s")
            : span.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m {span.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{span.Seconds}s");
        return sign + text;
    }
}

/// <param name="State">The first line: the bundle's state in <see cref="StateWords"/>' words, and what is wrong.</param>
/// <param name="Clean">A confirmed finding with complete evidence: the state line is not an alert.</param>
public sealed record ReportDocument(string State, bool Clean, string Headline, IReadOnlyList<ReportSpan> Subtitle, IReadOnlyList<ReportSection> Sections);

public sealed record ReportSection(string Heading, IReadOnlyList<ReportBlock> Blocks, string? Id = null, bool Alert = false);

public abstract record ReportBlock;

/// <summary>Label: value lines.</summary>
public sealed record ReportFacts(IReadOnlyList<ReportRow> Rows) : ReportBlock;

public sealed record ReportRow(string Label, ReportValue Value);

public sealed record ReportTable(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<ReportValue>> Rows) : ReportBlock;

public sealed record ReportList(IReadOnlyList<ReportValue> Items, bool Ordered) : ReportBlock;

public sealed record ReportParagraph(ReportValue Value) : ReportBlock;

public sealed record ReportSubheading(ReportValue Value) : ReportBlock;

public enum ReportSpanKind
{
    Text,
    Code,
    Strong,
    Link,
}

/// <summary>A piece of text; <see cref="Url"/> only for links the report builds itself (VirusTotal, ATT&amp;CK).</summary>
public sealed record ReportSpan(ReportSpanKind Kind, string Content, string? Url = null)
{
    public static ReportSpan Text(string text) => new(ReportSpanKind.Text, text);

    public static ReportSpan Code(string text) => new(ReportSpanKind.Code, text);

    public static ReportSpan Strong(string text) => new(ReportSpanKind.Strong, text);

    public static ReportSpan Link(string text, string url) => new(ReportSpanKind.Link, text, url);
}

public sealed record ReportValue(IReadOnlyList<ReportSpan> Spans)
{
    public static ReportValue Of(string text) => new([ReportSpan.Text(text)]);

    /// <summary>A code span, or "-" when there is nothing to show.</summary>
    public static ReportValue CodeOr(string? text) => string.IsNullOrEmpty(text) ? Of("-") : new([ReportSpan.Code(text)]);

    public static ReportValue Codes(IEnumerable<string> texts) =>
        new([.. texts.SelectMany((t, i) => i == 0 ? new[] { ReportSpan.Code(t) } : [ReportSpan.Text(", "), ReportSpan.Code(t)])]);
}
