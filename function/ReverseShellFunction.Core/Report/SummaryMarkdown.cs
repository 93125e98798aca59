using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Report;

/// <summary>
/// Renders <c>summary.md</c>, the one-page report a responder reads first. Finding text is attacker-influenced
/// (arguments, paths), so every value goes through <see cref="Code"/> or <see cref="Plain"/>. The content
/// comes from <see cref="SummaryReport"/>, shared with summary.html.
/// </summary>
public static partial class SummaryMarkdown
{
    /// <param name="summary">The facts.</param>
    /// <param name="entries">The bundle's entries, so the checklist names only files that exist.</param>
    public static string Render(EvidenceSummary summary, IReadOnlyCollection<string> entries)
    {
        var report = SummaryReport.Build(summary, entries);
        var md = new StringBuilder();
        // The state first, before the headline: a contradicted, forged or unfinished bundle must not read as a clean one.
        md.AppendLine(CultureInfo.InvariantCulture, $"**{Plain(report.State)}**");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {Plain(report.Headline)}");
        md.AppendLine();
        md.AppendLine(Value(report.Subtitle, inTable: false));
        foreach (var section in report.Sections)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {Plain(section.Heading)}");
            foreach (var block in section.Blocks)
            {
                md.AppendLine();
                Block(md, block);
            }
        }

        return md.ToString();
    }

    private static void Block(StringBuilder md, ReportBlock block)
    {
        switch (block)
        {
            case ReportFacts facts:
                foreach (var row in facts.Rows)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"- **{Plain(row.Label)}:** {Value(row.Value, inTable: false)}");
                }

                break;
            case ReportTable table:
                md.AppendLine("| " + string.Join(" | ", table.Columns.Select(Plain)) + " |");
                md.AppendLine("|" + string.Concat(table.Columns.Select(_ => "---|")));
                foreach (var row in table.Rows)
                {
                    md.AppendLine("| " + string.Join(" | ", row.Select(v => Value(v, inTable: true))) + " |");
                }

                break;
            case ReportList list:
                for (var i = 0; i < list.Items.Count; i++)
                {
                    md.AppendLine((list.Ordered ? $"{(i + 1).ToString(CultureInfo.InvariantCulture)}. " : "- ") + Value(list.Items[i], inTable: false));
                }

                break;
            case ReportParagraph paragraph:
                md.AppendLine((paragraph.Heading ? "### " : "") + Value(paragraph.Value, inTable: false));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(block), block.GetType().Name, "unknown report block");
        }
    }

    private static string Value(ReportValue value, bool inTable) => value.Render(span => span.Kind switch
    {
        // A table splits cells at '|' even inside a code span; GFM lets "\|" stand for one there.
        ReportSpanKind.Code => inTable ? Code(span.Content).Replace("|", "\\|", StringComparison.Ordinal) : Code(span.Content),
        ReportSpanKind.Strong => $"**{Plain(span.Content)}**",
        ReportSpanKind.Link when IsOwnUrl(span.Url) => span.Content == span.Url ? $"<{span.Url}>" : $"[{Plain(span.Content)}]({span.Url})",
        _ => Plain(span.Content),
    });

    /// <summary>Links are only built by the report itself; anything else is shown as text.</summary>
    internal static bool IsOwnUrl(string? url) =>
        url is not null && url.StartsWith("https://", StringComparison.Ordinal) && url.Length < 300
        && url.All(c => char.IsAsciiLetterOrDigit(c) || "-._~:/?#@!$&'*+,;=%".Contains(c, StringComparison.Ordinal));

    /// <summary>An inline code span that hostile text cannot break out of.</summary>
    public static string Code(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "-";
        }

        var clean = Clean(text);
        var fence = new string('`', BacktickRuns().Matches(clean).Select(m => m.Length).DefaultIfEmpty(0).Max() + 1);
        return $"{fence} {clean} {fence}";
    }

    /// <summary>Plain text with Markdown and HTML control characters escaped.</summary>
    public static string Plain(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "-";
        }

        // '(' and ')' need no escape once '[' and ']' have one, nor '+' and '-': no line of the report starts with
        // a value. '#' stays (a heading drops a trailing " #"); '&' keeps an entity from being read as a character.
        return MarkdownControl().Replace(Clean(text), @"\$0");
    }

    [GeneratedRegex(@"[\\`*_{}\[\]<>#!|~&]", RegexOptions.CultureInvariant)]
    private static partial Regex MarkdownControl();

    [GeneratedRegex("`+", RegexOptions.CultureInvariant)]
    private static partial Regex BacktickRuns();

    // Control, format and bidi characters shown as \uXXXX (one rule for every renderer), then escaped for Markdown once.
    private static string Clean(string text) => DisplayText.Visible(text, 2000);
}
