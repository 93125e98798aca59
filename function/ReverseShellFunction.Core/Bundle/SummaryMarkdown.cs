using System.Globalization;
using System.Text;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// Renders <c>summary.md</c>, the one-page report a responder reads first. Finding text is attacker-influenced
/// (arguments, paths), so every value goes through <see cref="Code"/> or <see cref="Plain"/>.
/// </summary>
public static class SummaryMarkdown
{
    public const string FileName = "summary.md";

    public static string Render(EvidenceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var md = new StringBuilder();
        var f = summary.Finding;
        md.AppendLine(CultureInfo.InvariantCulture, $"# Reverse Shell evidence: {Plain(summary.Resource.Service ?? summary.Resource.Job ?? summary.Resource.FullName)}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Bundle {Code(summary.BundleId)}, created {summary.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC.");
        md.AppendLine();
        md.AppendLine("## Finding");
        Row(md, "Name", Code(f.Name));
        Row(md, "Category", Plain(f.Category));
        Row(md, "Severity", Plain(f.Severity));
        Row(md, "State", Plain(f.State) + (f.Mute is null ? "" : $" (mute: {Plain(f.Mute)})"));
        Row(md, "Event time", f.EventTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Row(md, "Notification config", Code(f.NotificationConfigName));

        md.AppendLine().AppendLine("## Connection");
        Row(md, "Remote (attacker) IP:port", Code(summary.Network.Remote));
        Row(md, "Local IP:port", Code(summary.Network.Local));

        md.AppendLine().AppendLine("## Processes");
        if (summary.Processes.Count == 0)
        {
            md.AppendLine("The finding lists no process.");
        }

        foreach (var p in summary.Processes)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"### {Code(p.BinaryPath ?? p.Name)} (pid {p.Pid?.ToString(CultureInfo.InvariantCulture) ?? "?"})");
            Row(md, "SHA-256", Code(p.BinarySha256));
            Row(md, "VirusTotal", p.VirusTotalUrl is null ? "no usable SHA-256" : $"<{p.VirusTotalUrl}>");
            Row(md, "Arguments", p.Args.Count == 0 ? "none" : string.Join(" ", p.Args.Select(Code)) + (p.ArgumentsTruncated ? " (truncated by SCC)" : ""));
            Row(md, "Parent chain", p.ParentChain.Count == 0 ? "none recorded" : string.Join(" ← ", p.ParentChain.Select(Code)));
        }

        md.AppendLine().AppendLine("## Workload");
        var r = summary.Resource;
        Row(md, "Resource full name", Code(r.FullName));
        Row(md, "Project", $"{Code(r.Project)} ({Plain(r.ProjectDisplayName)}, number {Plain(r.ProjectNumber)})");
        Row(md, r.Job is null ? "Service" : "Job", Code(r.Service ?? r.Job));
        Row(md, "Revision", Code(r.Revision));
        Row(md, "Location", Code(r.Location));
        Row(md, "Container image", Code(summary.Container.ImageUri));
        Row(md, "Image id", Code(summary.Container.ImageId));

        md.AppendLine().AppendLine("## MITRE ATT&CK");
        foreach (var a in summary.Mitre)
        {
            var label = a.Id is null ? Plain(a.Name) : $"{a.Id} {Plain(a.Name)}";
            md.AppendLine(CultureInfo.InvariantCulture, $"- {a.Kind}: {(a.Url is null ? label : $"[{label}]({a.Url})")} (from the {a.Source})");
        }

        md.AppendLine().AppendLine("## Collectors");
        md.AppendLine("| collector | status | items | truncated | reason |").AppendLine("|---|---|---|---|---|");
        foreach (var c in summary.Collectors)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Name} | {c.Status.ToString().ToLowerInvariant()} | {c.ItemCount?.ToString(CultureInfo.InvariantCulture) ?? "-"} | {(c.Truncated ? "yes" : "no")} | {Plain(c.Reason).Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        md.AppendLine().AppendLine("## Response checklist (after Google's guidance for this finding)");
        md.AppendLine("1. Read the finding above: binary, arguments, remote and local IP:port, image.");
        md.AppendLine("2. Check each binary's SHA-256 on VirusTotal (links above).");
        md.AppendLine("3. Look for related findings on the same container around the same time: `related-findings.json`.");
        md.AppendLine("4. Review the service or job configuration (`cloud-run/`) and its logs (`logs/container.jsonl`), and who changed it (`logs/audit.jsonl`).");
        md.AppendLine("5. Map the activity to MITRE ATT&CK (T1059, T1105 and the techniques above).");
        md.AppendLine("6. Contain: consider deleting the affected revision, service or job and rotating what its service account could reach; keep this bundle.");
        return md.ToString();
    }

    private static void Row(StringBuilder md, string label, string value) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"- **{label}:** {value}");

    /// <summary>An inline code span that hostile text cannot break out of.</summary>
    public static string Code(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "-";
        }

        var clean = Clean(text);
        var longestRun = 0;
        var run = 0;
        foreach (var c in clean)
        {
            run = c == '`' ? run + 1 : 0;
            longestRun = Math.Max(longestRun, run);
        }

        var fence = new string('`', longestRun + 1);
        return $"{fence} {clean} {fence}";
    }

    /// <summary>Plain text with Markdown and HTML control characters escaped.</summary>
    public static string Plain(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "-";
        }

        var builder = new StringBuilder();
        foreach (var c in Clean(text))
        {
            if ("\\`*_{}[]()<>#+!|~".Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string Clean(string text) =>
        new([.. text.Take(2000).Select(c => char.IsControl(c) ? ' ' : c)]);
}
