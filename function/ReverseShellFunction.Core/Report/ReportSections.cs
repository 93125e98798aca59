using System.Globalization;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Report;

/// <summary>
/// The report's sections after what is missing (<see cref="SummaryReport"/>): the workload as it ran, the finding,
/// its processes, related findings, MITRE ATT&amp;CK, the collectors and the response checklist.
/// </summary>
internal static class ReportSections
{
    public static ReportSection Workload(EvidenceSummary summary)
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
            ? ReportValue.Of(SummaryReport.NotCollected(summary, "cloud-run") ?? "no VPC access configured")
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
            : ReportValue.Of(SummaryReport.NotCollected(summary, "audit-logs") is { } audit && SummaryReport.NotCollected(summary, "cloud-run") is not null
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

    public static ReportSection Finding(EvidenceSummary summary)
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

    public static ReportSection Processes(EvidenceSummary summary)
    {
        var blocks = new List<ReportBlock>();
        if (summary.Processes.Count == 0)
        {
            blocks.Add(new ReportParagraph(ReportValue.Of("The finding lists no process.")));
        }

        foreach (var p in summary.Processes)
        {
            blocks.Add(new ReportParagraph(
                new ReportValue([
                    ReportSpan.Code(p.BinaryPath ?? p.Name ?? "?"),
                    ReportSpan.Text($" (pid {p.Pid?.ToString(CultureInfo.InvariantCulture) ?? "?"})"),
                ]),
                Heading: true));
            blocks.Add(new ReportFacts([
                new("SHA-256", ReportValue.CodeOr(p.BinarySha256)),
                new("VirusTotal", p.VirusTotalUrl is null ? ReportValue.Of("no usable SHA-256") : new ReportValue([ReportSpan.Link(p.VirusTotalUrl, p.VirusTotalUrl)])),
                new("Arguments", p.Args.Count == 0
                    ? ReportValue.Of("none")
                    : new ReportValue([.. ReportValue.Codes(p.Args, " ").Spans, ReportSpan.Text(p.ArgumentsTruncated ? " (truncated by SCC)" : "")])),
                new("Parent chain", p.ParentChain.Count == 0
                    ? ReportValue.Of("none recorded")
                    : ReportValue.Codes(p.ParentChain, " ← ")),
            ]));
        }

        return new ReportSection("Processes", blocks);
    }

    public static ReportSection Related(EvidenceSummary summary, ISet<string> files)
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
                : $"{SummaryReport.NotCollected(summary, "related-findings")}.";
            return new ReportSection("Related findings", [new ReportParagraph(ReportValue.Of(why))]);
        }

        var total = groups.Sum(g => g.Count);
        var rows = groups.Select(g => (IReadOnlyList<ReportValue>)[
            ReportValue.Of(g.Category),
            ReportValue.Of(g.Count.ToString(CultureInfo.InvariantCulture)),
            ReportValue.Of(SummaryReport.Offset(g.FirstOffsetSeconds)),
            ReportValue.Of(SummaryReport.Offset(g.LastOffsetSeconds)),
            ReportValue.Of(g.Severities.Count == 0 ? "-" : string.Join(", ", g.Severities)),
        ]).ToList();
        var intro = $"{total} other findings on this resource in {groups.Count} categories; offsets from the event (negative: before)"
            + (files.Contains(BundleLayout.Entries.RelatedFindings) ? ", all verbatim in " : ".");
        var introValue = files.Contains(BundleLayout.Entries.RelatedFindings)
            ? new ReportValue([ReportSpan.Text(intro), ReportSpan.Code(BundleLayout.Entries.RelatedFindings), ReportSpan.Text(".")])
            : ReportValue.Of(intro);
        return new ReportSection("Related findings", [
            new ReportParagraph(introValue),
            new ReportTable(["category", "count", "first", "last", "severity"], rows),
        ]);
    }

    public static ReportSection Mitre(EvidenceSummary summary) =>
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

    public static ReportSection Collectors(EvidenceSummary summary) =>
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
    public static ReportSection Checklist(EvidenceSummary summary, ISet<string> files)
    {
        var items = new List<ReportValue>
        {
            ReportValue.Of("Read the headline and the finding: binary, arguments, remote and local IP:port, image."),
        };
        void IfPresent(string entry, string before, string after = ".")
        {
            if (files.Contains(entry))
            {
                items.Add(new ReportValue([ReportSpan.Text(before), ReportSpan.Code(entry), ReportSpan.Text(after)]));
            }
        }

        if (summary.Processes.Any(p => p.VirusTotalUrl is not null))
        {
            items.Add(ReportValue.Of("Check each binary's SHA-256 on VirusTotal (links under Processes)."));
        }

        IfPresent(BundleLayout.Entries.RelatedFindings, "Look at the related findings on the same resource around the same time: ");

        var cloudRun = files.Where(f => f.StartsWith(BundleLayout.Entries.CloudRunFolder, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (cloudRun.Count > 0)
        {
            items.Add(new ReportValue([ReportSpan.Text("Review the configuration it ran with: "), .. ReportValue.Codes(cloudRun).Spans, ReportSpan.Text(".")]));
        }

        IfPresent(BundleLayout.Entries.ContainerLogs, "Read what the container printed around the event: ");
        IfPresent(BundleLayout.Entries.AuditLogs, "Check who deployed or changed it: ");
        IfPresent(BundleLayout.Entries.Timeline, "Load the events into Timesketch: ", " (Timesketch's JSONL import).");

        items.Add(ReportValue.Of("Map the activity to MITRE ATT&CK (T1059, T1105 and the techniques above)."));
        items.Add(ReportValue.Of("Contain: consider deleting the affected revision, service or job and rotating what its service account could reach; keep this bundle."));
        return new ReportSection("Response checklist (after Google's guidance for this finding)", [new ReportList(items, Ordered: true)]);
    }
}
