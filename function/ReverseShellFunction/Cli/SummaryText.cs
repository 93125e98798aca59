using System.Globalization;
using System.Text;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>show</c>'s readable output: the index entry's summary as labelled lines for a terminal. Values come from
/// the finding, so each is cleaned of control characters (no escape sequences reach the terminal).
/// </summary>
internal static class SummaryText
{
    public static string Render(IndexEntry entry)
    {
        var s = entry.Summary;
        var text = new StringBuilder();
        Line(text, "Bundle", s.BundleId);
        Line(text, "Stored as", $"{entry.Bundle.ObjectName} ({entry.Bundle.Size} bytes, sha256 {entry.Bundle.Sha256})");
        Line(text, "Created", Time(s.CreatedAt));

        text.AppendLine().AppendLine("Finding");
        Line(text, "Name", s.Finding.Name);
        Line(text, "Category", $"{s.Finding.Category ?? "-"} ({s.Finding.Severity ?? "-"}, {s.Finding.State ?? "-"}, mute {s.Finding.Mute ?? "-"})");
        Line(text, "Event time", Time(s.Finding.EventTime));
        Line(text, "Notification", s.Finding.NotificationConfigName);

        text.AppendLine().AppendLine("Connection");
        Line(text, "Remote", s.Network.Remote);
        Line(text, "Local", s.Network.Local);

        text.AppendLine().AppendLine("Workload");
        Line(text, "Project", $"{s.Resource.Project ?? "-"} (number {s.Resource.ProjectNumber ?? "-"})");
        Line(text, s.Resource.Job is null ? "Service" : "Job", s.Resource.Service ?? s.Resource.Job);
        Line(text, "Revision", s.Resource.Revision);
        Line(text, "Location", s.Resource.Location);
        Line(text, "Image", s.Container.ImageUri);
        Line(text, "Image id", s.Container.ImageId);

        foreach (var p in s.Processes)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Process {Clean(p.BinaryPath ?? p.Name)} (pid {p.Pid?.ToString(CultureInfo.InvariantCulture) ?? "?"})");
            Line(text, "SHA-256", p.BinarySha256);
            Line(text, "VirusTotal", p.VirusTotalUrl);
            Line(text, "Arguments", string.Join(" ", p.Args) + (p.ArgumentsTruncated ? " (truncated by SCC)" : ""));
            Line(text, "Parent chain", p.ParentChain.Count == 0 ? null : string.Join(" <- ", p.ParentChain));
        }

        text.AppendLine().AppendLine("MITRE ATT&CK");
        foreach (var a in s.Mitre)
        {
            Line(text, a.Kind, $"{a.Id} {a.Name} (from the {a.Source})".Trim());
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Collectors ({CollectorCounts.Compact(s.Collectors)})");
        foreach (var c in s.Collectors)
        {
            var items = c.ItemCount is { } n ? $", {n} items" : "";
            Line(text, c.Name, $"{JsonOutput.Line(c.Status).Trim('"')}{items}{(c.Truncated ? ", truncated" : "")}{(c.Reason is null ? "" : $": {c.Reason}")}");
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string label, string? value) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"  {Clean(label) + ":",-18} {(string.IsNullOrEmpty(value) ? "-" : Clean(value))}");

    private static string Clean(string? value) => AuditText.Clean(value, 2000);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);
}
