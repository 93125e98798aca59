using System.Globalization;
using System.Text;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Report;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>show</c>'s readable output: <see cref="Head"/> (the headline and what is missing) first, the bundle's
/// completeness, then <see cref="Body"/>, the parts and the seal, labelled lines for a terminal.
/// Values come from the finding, so each is shown through DisplayText.Visible (no escape sequence reaches the
/// terminal), and process arguments are quoted as a POSIX shell needs them, so their boundaries survive.
/// </summary>
internal static class SummaryText
{
    private static readonly (CollectorStatus Status, string Name)[] s_collectorOrder =
    [
        (CollectorStatus.Ok, "ok"),
        (CollectorStatus.Partial, "partial"),
        (CollectorStatus.Failed, "failed"),
        (CollectorStatus.Skipped, StateWords.NotCollected),
    ];

    /// <summary>
    /// What a responder reads first comes first: the headline and what is wrong, then where the bundle stands
    /// (pending, incomplete), then the long sections, the parts and the seal.
    /// </summary>
    public static string Render(LogicalBundle bundle)
    {
        var entry = bundle.First.Entry;
        // The newest part's summary: the bundle's final word (state, facts, every collector so far).
        var latest = bundle.Latest.Entry.Summary;
        // A lone complete part has no completeness and no parts to tell.
        var lone = bundle.Parts.Count == 1 && bundle.State == Completeness.Complete;
        var text = new StringBuilder();
        Head(text, latest);
        if (!lone)
        {
            CompletenessText(text, bundle);
        }

        Body(text, entry, latest);
        if (!lone)
        {
            PartsText(text, bundle);
        }

        SealText(text, entry);
        return text.ToString();
    }

    /// <summary>The headline, then what is wrong: the part's evidence and each collector that is not ok.</summary>
    private static void Head(StringBuilder text, EvidenceSummary s)
    {
        // The state first, in the words every view uses; then the headline; then what is not ok.
        text.AppendLine(Clean(StateWords.FirstLine(s)));
        text.AppendLine(Clean(SummaryHeadline.Shown(s)));
        var wrong = new StringBuilder();
        if (s.Notifications is { Count: > 1 } checks)
        {
            foreach (var check in checks)
            {
                var fields = check.Contradicted is { Count: > 0 } f ? $" ({string.Join(", ", f)})" : "";
                Line(wrong, $"Notification p{check.Part}", $"{StateWords.AuthenticityWord(check.Authenticity)}{fields}");
            }
        }

        foreach (var c in s.Collectors.Where(c => c.Status != CollectorStatus.Ok || c.Truncated))
        {
            Line(wrong, c.Name, StateWords.Collector(c));
        }

        if (wrong.Length > 0)
        {
            text.AppendLine().Append(wrong);
        }
    }

    /// <summary>The long sections: where the bundle is stored, the workload, the finding, processes, related findings, ATT&amp;CK, collectors.</summary>
    /// <param name="entry">Part 1's index entry: where the bundle is stored.</param>
    private static void Body(StringBuilder text, IndexEntry entry, EvidenceSummary s)
    {
        text.AppendLine();
        Line(text, "Bundle", s.BundleId);
        Line(text, "Stored as", $"{entry.Bundle.ObjectName} ({entry.Bundle.Size} bytes, sha256 {entry.Bundle.Sha256})");
        Line(text, "Created", Time(s.CreatedAt));

        text.AppendLine().AppendLine("Workload");
        var w = s.Workload;
        Line(text, s.Resource.Job is null ? "Service" : "Job", s.Resource.Service ?? s.Resource.Job);
        Line(text, "Revision", w?.Revision is { } revision ? $"{revision} (from the {w.RevisionSource})" : s.Resource.Revision);
        Line(text, "Project", $"{s.Resource.Project ?? "-"} (number {s.Resource.ProjectNumber ?? "-"})");
        Line(text, "Location", s.Resource.Location);
        Line(text, "Image", w?.Image ?? s.Container.ImageUri);
        Line(text, "Image digest", w?.ImageDigest ?? s.Container.ImageId);
        if (w is not null)
        {
            Line(text, "Service account", w.ServiceAccount);
            Line(text, "Ingress", w.Ingress);
            // "none configured" only when the configuration was read; otherwise it was not collected, which is not "none".
            var runNotOk = s.Collectors.FirstOrDefault(c => c.Name == "cloud-run") is { Status: not CollectorStatus.Ok } run ? run : null;
            Line(text, "VPC egress", w.VpcEgress is null && w.VpcNetwork is null
                ? runNotOk is null ? "none configured" : $"not collected (cloud-run {runNotOk.Status.ToString().ToLowerInvariant()})"
                : $"{w.VpcEgress ?? "-"} via {w.VpcNetwork ?? "-"}");
            Line(text, "Last change", w.LastChange is { } change
                ? $"{change.Principal ?? "unknown principal"}{(change.Time is { } t ? $" at {Time(t)}" : "")}{(change.Method is null ? "" : $" ({change.Method})")}"
                : "not known");
        }

        text.AppendLine().AppendLine("Finding");
        Line(text, "Name", s.Finding.Name);
        Line(text, "Category", $"{s.Finding.Category ?? "-"} ({s.Finding.Severity ?? "-"}, {s.Finding.State ?? "-"}, mute {s.Finding.Mute ?? "-"})");
        Line(text, "Event time", Time(s.Finding.EventTime));
        Line(text, "Remote", s.Network.Remote);
        Line(text, "Local", s.Network.Local);
        Line(text, "Notification", s.Finding.NotificationConfigName);

        foreach (var p in s.Processes)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Process {Clean(p.BinaryPath ?? p.Name)} (pid {p.Pid?.ToString(CultureInfo.InvariantCulture) ?? "?"})");
            Line(text, "SHA-256", p.BinarySha256);
            Line(text, "VirusTotal", p.VirusTotalUrl);
            Line(text, "Arguments", p.Args.Count == 0 ? null : ShellWords(p.Args) + (p.ArgumentsTruncated ? "  # truncated by SCC" : ""));
            Line(text, "Parent chain", p.ParentChain.Count == 0 ? null : string.Join(" <- ", p.ParentChain));
        }

        if (s.RelatedFindings is { Count: > 0 } groups)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Related findings ({groups.Sum(g => g.Count)}, offsets from the event)");
            foreach (var g in groups)
            {
                Line(text, g.Category, $"{g.Count}, {SummaryReport.Offset(g.FirstOffsetSeconds)} to {SummaryReport.Offset(g.LastOffsetSeconds)}{(g.Severities.Count == 0 ? "" : $", {string.Join("/", g.Severities)}")}");
            }
        }

        text.AppendLine().AppendLine("MITRE ATT&CK");
        foreach (var a in s.Mitre)
        {
            Line(text, a.Kind, $"{a.Id} {a.Name} (from the {a.Source})".Trim());
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Collectors ({CollectorCounts(s.Collectors)})");
        // Which part each outcome came from, once the bundle has more than one.
        var inParts = s.Collectors.Select(c => c.Part).Distinct().Count() > 1;
        foreach (var c in s.Collectors)
        {
            var items = c.ItemCount is { } n ? $"{n} items, " : "";
            var part = c.Part is { } p && inParts ? $" (part {p})" : "";
            Line(text, c.Name, $"{items}{StateWords.Collector(c)}{part}");
        }
    }

    /// <summary>What is complete, pending (due when) or missing.</summary>
    private static void CompletenessText(StringBuilder text, LogicalBundle bundle)
    {
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Completeness: {Clean(StateWords.Completeness(bundle.Latest.Entry.Summary))} ({bundle.Parts.Count} part{(bundle.Parts.Count == 1 ? "" : "s")})");
        foreach (var line in SummaryReport.CompletionLines(bundle.Completion).Skip(bundle.State == Completeness.Complete ? 0 : 1))
        {
            text.AppendLine("  " + Clean(line));
        }
    }

    /// <summary>Each part with its object and hash.</summary>
    private static void PartsText(StringBuilder text, LogicalBundle bundle)
    {
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Parts ({bundle.Parts.Count})");
        foreach (var part in bundle.Parts)
        {
            // The collectors this part ran (its summary states the bundle so far).
            var ran = part.Entry.Summary.Collectors.Where(c => c.Part is null || c.Part == part.Part);
            var collectors = string.Join(", ", ran.Select(c => $"{c.Name} {(c.Status == CollectorStatus.Skipped ? StateWords.NotCollected : c.Status.ToString().ToLowerInvariant())}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"  Part {part.Part}: {part.Entry.Bundle.ObjectName} ({part.Entry.Bundle.Size} bytes, sha256 {part.Entry.Bundle.Sha256}){(collectors.Length == 0 ? "" : ": " + collectors)}");
        }
    }

    /// <summary>The custody lines: who sealed the part (key version) and when (the TSA's time), from the index entry.</summary>
    private static void SealText(StringBuilder text, IndexEntry entry)
    {
        text.AppendLine().AppendLine("Custody");
        if (entry.Seal is not { } seal)
        {
            Line(text, "Sealed by", "nobody: this part has no seal (unsigned)");
            return;
        }

        Line(text, "Signature", seal.SignatureStatus);
        Line(text, "Sealed by", seal.KeyId ?? "-");
        Line(text, "Manifest sha256", seal.ManifestSha256);
        Line(text, "Timestamp", seal.TimestampTime is { } at ? $"{Time(at)} from {seal.TimestampAuthority ?? "-"}" : seal.Timestamp);
        Line(text, "Verify", "verify --public-key KEY.pem --tsa-cert TSA.pem " + entry.Summary.BundleId);
    }

    /// <summary>Collectors' statuses in a few characters for a table cell: "4 ok", "3 ok, 1 failed", "4 ok, 1 not collected", "none".</summary>
    public static string CollectorCounts(IEnumerable<CollectorOutcome> collectors)
    {
        var counts = collectors.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Count());
        var parts = s_collectorOrder.Where(s => counts.ContainsKey(s.Status)).Select(s => $"{counts[s.Status]} {s.Name}").ToList();
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>
    /// The arguments as one POSIX shell command line: words of safe characters as they are, anything else in
    /// single quotes (a quote inside as <c>'\''</c>). A character DisplayText escapes shows as <c>\uXXXX</c> inside the quotes.
    /// </summary>
    public static string ShellWords(IEnumerable<string> args) => string.Join(" ", args.Select(ShellWord));

    public static string ShellWord(string arg)
    {
        var visible = DisplayText.Visible(arg, 2000);
        if (visible.Length > 0 && visible.All(c => char.IsAsciiLetterOrDigit(c) || "@%+=:,./_-".Contains(c, StringComparison.Ordinal)))
        {
            return visible;
        }

        return "'" + visible.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static void Line(StringBuilder text, string label, string? value) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"  {Clean(label) + ":",-18} {(string.IsNullOrEmpty(value) ? "-" : Clean(value))}");

    private static string Clean(string? value) => DisplayText.Visible(value, 2000);

    /// <summary>A time as every readable output prints it, to the millisecond in UTC.</summary>
    internal static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);
}
