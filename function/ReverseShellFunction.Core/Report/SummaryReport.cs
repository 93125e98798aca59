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
            ReportSections.Workload(summary),
            ReportSections.Finding(summary),
            ReportSections.Processes(summary),
            ReportSections.Related(summary, files),
            ReportSections.Mitre(summary),
            ReportSections.Collectors(summary),
            ReportSections.Checklist(summary, files),
        };
        return new ReportDocument(
            StateWords.FirstLine(summary),
            StateWords.IsClean(summary),
            SummaryHeadline.Shown(summary),
            new([ReportSpan.Text("Bundle "), ReportSpan.Code(summary.BundleId), ReportSpan.Text($", created {summary.CreatedAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC.")]),
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

    /// <summary>
    /// "not collected (…)" when <paramref name="collector"/> did not finish ok, so an empty fact never reads as
    /// "none found"; null when it did (or did not run in this part).
    /// </summary>
    internal static string? NotCollected(EvidenceSummary summary, string collector) =>
        summary.Collectors.FirstOrDefault(c => c.Name == collector) is { Status: not CollectorStatus.Ok } c
            ? c.Status == CollectorStatus.Skipped
                ? $"{StateWords.NotCollected} ({collector}: {c.Reason ?? "no reason given"})"
                : $"{StateWords.NotCollected} ({collector} {StateWords.Collector(c)})"
            : null;

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
