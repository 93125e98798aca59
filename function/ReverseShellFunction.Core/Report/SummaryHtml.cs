using System.Globalization;
using System.Text;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Report;

/// <summary>
/// Renders <c>summary.html</c>: the same report as summary.md (<see cref="SummaryReport"/>) as one self-contained
/// page — inline CSS, an inline SVG timeline, no script, no external resource — readable offline and printable.
/// Every piece of text goes through DisplayText.Visible and is then HTML-encoded once; the only links are the
/// ones the report builds (VirusTotal, ATT&amp;CK), and a Content-Security-Policy forbids anything else loading.
/// Readable on a phone (390 px: labels above values, tables as one card per row, the figure scrolling sideways at
/// full size), at 1280 px and printed: hashes never break inside (on a line of their own they scroll on a phone),
/// identifiers break only after their separators, and a custody box says what is known of the part's seal.
/// </summary>
public static class SummaryHtml
{
    private const string Style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24; background: #fff; }
        main { max-width: 1160px; margin: 0 auto; padding: 20px 24px 48px; }
        h1 { font-size: 21px; line-height: 1.3; margin: 0 0 6px; padding: 12px 14px; background: #fbeaea; border-left: 6px solid #b3261e; overflow-wrap: anywhere; }
        h2 { font-size: 17px; margin: 26px 0 8px; padding-bottom: 3px; border-bottom: 1px solid #d0d7de; }
        h3 { font-size: 15px; margin: 16px 0 6px; overflow-wrap: anywhere; }
        p, li, dd, td, th { overflow-wrap: anywhere; }
        .subtitle { color: #57606a; margin: 0 0 12px; }
        .state { margin: 0 0 8px; padding: 8px 14px; font-weight: 600; background: #eef6ee; border-left: 6px solid #2da44e; overflow-wrap: anywhere; }
        .state.attention { background: #fff1c2; border-left-color: #b3261e; }
        section.alert { background: #fff8e5; border: 1px solid #e3b341; border-radius: 6px; padding: 2px 14px 8px; }
        section.alert h2 { border-bottom-color: #e3b341; }
        code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f3f4f6; border-radius: 3px; padding: 0 3px; overflow-wrap: anywhere; }
        .hash { display: inline-block; max-width: 100%; overflow-x: auto; overflow-y: hidden; vertical-align: bottom; white-space: nowrap; overflow-wrap: normal; }
        dl { display: grid; grid-template-columns: minmax(150px, 220px) minmax(0, 1fr); gap: 3px 14px; margin: 0; }
        dt { font-weight: 600; color: #424a53; }
        dd { margin: 0; min-width: 0; }
        table { border-collapse: collapse; width: 100%; table-layout: fixed; }
        th, td { text-align: left; vertical-align: top; border: 1px solid #d0d7de; padding: 4px 8px; }
        th { background: #f6f8fa; }
        figure { margin: 8px 0 0; }
        .figure-scroll { overflow-x: auto; }
        figure svg { display: block; width: 100%; min-width: 1000px; height: auto; }
        section.custody { border: 2px solid #57606a; border-radius: 6px; padding: 2px 14px 8px; margin-top: 26px; }
        section.custody h2 { margin-top: 12px; }
        figcaption { color: #57606a; font-size: 13px; }
        a { color: #0a58ca; }
        @media (max-width: 640px) {
          main { padding: 12px 12px 32px; }
          h1 { font-size: 19px; }
          dl { grid-template-columns: minmax(0, 1fr); gap: 0; }
          dt { margin-top: 8px; }
          table, thead, tbody, tr, th, td { display: block; }
          thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
          tr { border: 1px solid #d0d7de; border-radius: 4px; margin: 0 0 8px; }
          td { border: 0; border-top: 1px solid #eaeef2; }
          td:first-child { border-top: 0; }
          td::before { content: attr(data-label); display: block; font-size: 12px; font-weight: 600; color: #424a53; }
        }
        @media print {
          body { font-size: 12px; } main { max-width: none; padding: 0; } h1 { background: none; } a { color: inherit; }
          section.alert, section.custody, figure, tr { break-inside: avoid; }
          code { font-size: 10px; }
          .hash { display: inline; overflow: visible; }
          .figure-scroll { overflow: visible; } figure svg { min-width: 0; }
        }
        """;

    public static string Render(EvidenceSummary summary, IReadOnlyCollection<string> entries, EvidenceTimeline timeline, PartCustody custody)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(custody);
        var report = SummaryReport.Build(summary, entries);
        var html = new StringBuilder(32 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<meta name=\"referrer\" content=\"no-referrer\">\n");
        html.Append("<title>").Append(HtmlText.Encode(report.Clean ? report.Headline : $"[{report.State}] {report.Headline}")).Append("</title>\n");
        html.Append("<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n<main>\n");
        // The state first, before the headline: a contradicted, forged or unfinished bundle must not read as a clean one.
        html.Append("<p id=\"state\" class=\"").Append(report.Clean ? "state" : "state attention").Append("\">").Append(HtmlText.Encode(report.State)).Append("</p>\n");
        html.Append("<h1 id=\"headline\">").Append(HtmlText.Encode(report.Headline)).Append("</h1>\n");
        html.Append("<p class=\"subtitle\">").Append(Spans(report.Subtitle)).Append("</p>\n");
        foreach (var section in report.Sections)
        {
            Section(html, section);
            if (section.Id == SummaryReport.AttentionId)
            {
                // The figure right after what is missing: what happened when, before the detail.
                html.Append(CultureInfo.InvariantCulture, $"<section id=\"timeline\">\n<h2>Timeline</h2>\n{TimelineSvg.Render(timeline, summary.Collectors, custody.Part)}</section>\n");
            }
        }

        Section(html, CustodyBox.Of(summary, custody), "custody");
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Section(StringBuilder html, ReportSection section, string? cssClass = null)
    {
        var id = section.Id is null ? "" : $" id=\"{HtmlText.Encode(section.Id)}\"";
        var css = (section.Alert ? "alert" : cssClass) is { } name ? $" class=\"{name}\"" : "";
        html.Append(CultureInfo.InvariantCulture, $"<section{id}{css}>\n<h2>{HtmlText.Encode(section.Heading)}</h2>\n");
        foreach (var block in section.Blocks)
        {
            switch (block)
            {
                case ReportFacts facts:
                    html.Append("<dl>\n")
                        .AppendJoin("", facts.Rows.Select(row => $"<dt>{HtmlText.Encode(row.Label)}</dt><dd>{Spans(row.Value)}</dd>\n"))
                        .Append("</dl>\n");
                    break;
                case ReportTable table:
                    html.Append("<table>\n<thead><tr>")
                        .AppendJoin("", table.Columns.Select(column => $"<th>{HtmlText.Encode(column)}</th>"))
                        .Append("</tr></thead>\n<tbody>\n");
                    foreach (var row in table.Rows)
                    {
                        // Each cell carries its column's name: on a phone a row is a card and the name stands above the value.
                        html.Append("<tr>")
                            .AppendJoin("", row.Zip(table.Columns, (cell, column) => $"<td data-label=\"{HtmlText.Encode(column)}\">{Spans(cell)}</td>"))
                            .Append("</tr>\n");
                    }

                    html.Append("</tbody>\n</table>\n");
                    break;
                case ReportList list:
                    var tag = list.Ordered ? "ol" : "ul";
                    html.Append(CultureInfo.InvariantCulture, $"<{tag}>\n")
                        .AppendJoin("", list.Items.Select(item => $"<li>{Spans(item)}</li>\n"))
                        .Append(CultureInfo.InvariantCulture, $"</{tag}>\n");
                    break;
                case ReportParagraph paragraph:
                    var element = paragraph.Heading ? "h3" : "p";
                    html.Append(CultureInfo.InvariantCulture, $"<{element}>{Spans(paragraph.Value)}</{element}>\n");
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(section), block.GetType().Name, "unknown report block");
            }
        }

        html.Append("</section>\n");
    }

    private static string Spans(ReportValue value) => value.Render(span => span.Kind switch
    {
        ReportSpanKind.Code => $"<code>{HtmlText.Inline(span.Content, code: true)}</code>",
        ReportSpanKind.Strong => $"<strong>{HtmlText.Inline(span.Content, code: false)}</strong>",
        ReportSpanKind.Link when SummaryMarkdown.IsOwnUrl(span.Url) => $"<a href=\"{HtmlText.Encode(span.Url)}\" rel=\"noreferrer noopener\">{HtmlText.Inline(span.Content, code: false)}</a>",
        _ => HtmlText.Inline(span.Content, code: false),
    });
}
