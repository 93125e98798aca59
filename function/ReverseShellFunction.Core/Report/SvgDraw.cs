using System.Globalization;
using System.Text;

namespace ReverseShellFunction.Report;

/// <summary>
/// The drawing of <see cref="TimelineSvg"/>'s figures in their fixed 1000-unit viewBox: the figure's frame, lane
/// labels, marks grouped when they would overlap (with their count and one hover title), markers and the time axis.
/// Every label goes through <see cref="HtmlText.Encode"/>.
/// </summary>
internal static class SvgDraw
{
    public const double Width = 1000;
    public const double PlotLeft = 210;
    public const double PlotRight = 985;
    public const double LaneHeight = 22;

    // Marks whose centres are closer than this (a diamond's width) are one mark with a count: overlapping marks hid how many there were.
    private const double MarkSpacing = 12;

    // Room for "×12" right of a mark: a mark there would hide the count.
    private const double CountWidth = 20;
    private const int MaxTitleLabels = 12;

    /// <summary>Opens a figure: its scrolling box, the svg with its title, a white ground and the range above the plot.</summary>
    public static void Open(StringBuilder svg, string id, string title, double height, string range)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<figure id=\"{id}-figure\">\n<div class=\"figure-scroll\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(Width)} {N(height)}\" role=\"img\" aria-labelledby=\"{id}-title\" font-family=\"system-ui, DejaVu Sans, sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{title}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{N(Width)}\" height=\"{N(height)}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft)}\" y=\"16\" fill=\"#57606a\">{Enc(range)}</text>\n");
    }

    /// <summary>An empty lane says why it is empty.</summary>
    public static void Empty(StringBuilder svg, double y, string why) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"empty-lane\" x=\"{N(PlotLeft + 4)}\" y=\"{N(y)}\" fill=\"#57606a\">{Enc(why)}</text>\n");

    public static void Diamonds(StringBuilder svg, IEnumerable<TimelinePoint> audits, double y, Func<DateTimeOffset, double> x)
    {
        svg.Append("<g class=\"audit\">\n");
        foreach (var (cx, points) in Clusters(audits, x))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"mark\" data-count=\"{points.Count}\"><path class=\"audit-event\" d=\"M{N(cx)} {N(y - 7)} L{N(cx + 6)} {N(y)} L{N(cx)} {N(y + 7)} L{N(cx - 6)} {N(y)} Z\" fill=\"#8250df\" stroke=\"#1b1f24\" stroke-width=\"0.5\"><title>{Title(points, "audit entries")}</title></path>");
            Count(svg, cx + 8, y, points.Count);
            svg.Append("</g>\n");
        }

        svg.Append("</g>\n");
    }

    /// <summary>
    /// Points in time order, one group while each next point would overlap the group's mark (closer than
    /// <see cref="MarkSpacing"/> to the last one) or its count beside it; each group drawn at its middle.
    /// </summary>
    public static List<(double X, List<TimelinePoint> Points)> Clusters(IEnumerable<TimelinePoint> points, Func<DateTimeOffset, double> x)
    {
        var groups = new List<(double First, double Last, List<TimelinePoint> Points)>();
        foreach (var point in points.OrderBy(p => p.Time))
        {
            var px = x(point.Time);
            if (groups.Count > 0 && (px - groups[^1].Last <= MarkSpacing
                || (groups[^1].Points.Count > 1 && px - ((groups[^1].First + groups[^1].Last) / 2) <= MarkSpacing + CountWidth)))
            {
                groups[^1].Points.Add(point);
                groups[^1] = groups[^1] with { Last = px };
            }
            else
            {
                groups.Add((px, px, [point]));
            }
        }

        return [.. groups.Select(g => ((g.First + g.Last) / 2, g.Points))];
    }

    /// <summary>"×4" beside a mark that stands for four: one drawn mark must not read as one event.</summary>
    public static void Count(StringBuilder svg, double x, double y, int count)
    {
        if (count > 1)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"mark-count\" x=\"{N(x)}\" y=\"{N(y + 4)}\" fill=\"#1b1f24\" font-size=\"11\" font-weight=\"600\">×{count}</text>");
        }
    }

    /// <summary>The hover title, encoded: one line per point, each label made visible and escaped on its own.</summary>
    public static string Title(List<TimelinePoint> points, string what)
    {
        if (points.Count == 1)
        {
            return Enc($"{points[0].Label} at {EvidenceTime.Format(points[0].Time)}");
        }

        var lines = points.Take(MaxTitleLabels).Select(p => $"{EvidenceTime.Format(p.Time)} {p.Label}")
            .Prepend($"{points.Count} {what} from {EvidenceTime.Format(points[0].Time)} to {EvidenceTime.Format(points[^1].Time)}:");
        if (points.Count > MaxTitleLabels)
        {
            lines = lines.Append($"… and {points.Count - MaxTitleLabels} more");
        }

        // A line break in a title is a character reference here: DisplayText would show a raw one as \u000a.
        return string.Join("&#10;", lines.Select(Enc));
    }

    public static void Marker(StringBuilder svg, double x, double top, double bottom, string color, string label, string cssClass, string title, bool dashed)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"{cssClass}\"><line x1=\"{N(x)}\" y1=\"{N(top)}\" x2=\"{N(x)}\" y2=\"{N(bottom)}\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5 3\"" : "")}><title>{Enc(title)}</title></line>");
        var anchor = x > PlotRight - 80 ? "end" : "start";
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(anchor == "end" ? x - 4 : x + 4)}\" y=\"{N(top + 8)}\" fill=\"{color}\" text-anchor=\"{anchor}\" font-size=\"11\">{Enc(label)}</text></g>\n");
    }

    public static void Axis(StringBuilder svg, double y, DateTimeOffset start, DateTimeOffset end, Func<DateTimeOffset, double> x)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"axis\"><line x1=\"{N(PlotLeft)}\" y1=\"{N(y)}\" x2=\"{N(PlotRight)}\" y2=\"{N(y)}\" stroke=\"#57606a\"/>\n");
        var step = TickStep(end - start);
        var first = new DateTimeOffset(start.UtcTicks - (start.UtcTicks % step.Ticks) + step.Ticks, TimeSpan.Zero);
        var longForm = end - start > TimeSpan.FromHours(20);
        for (var tick = first; tick <= end; tick += step)
        {
            var tx = x(tick);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(tx)}\" y1=\"{N(y)}\" x2=\"{N(tx)}\" y2=\"{N(y + 5)}\" stroke=\"#57606a\"/><text x=\"{N(tx)}\" y=\"{N(y + 18)}\" text-anchor=\"middle\" fill=\"#424a53\" font-size=\"11\">{Enc(longForm ? Day(tick) : Clock(tick))}</text>\n");
        }

        svg.Append("</g>\n");
    }

    public static TimeSpan TickStep(TimeSpan span)
    {
        foreach (var minutes in new[] { 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080 })
        {
            if (span.TotalMinutes / minutes <= 9)
            {
                return TimeSpan.FromMinutes(minutes);
            }
        }

        return TimeSpan.FromDays(Math.Ceiling(span.TotalDays / 9));
    }

    public static void Label(StringBuilder svg, double laneTop, string text) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft - 8)}\" y=\"{N(laneTop + 15)}\" text-anchor=\"end\" fill=\"#1b1f24\">{Enc(text)}</text>\n");

    public static string Palette(int index) =>
        new[] { "#d1242f", "#bf8700", "#1a7f37", "#0969da", "#8250df", "#bc4c00", "#1b7c83", "#cf222e", "#6e7781" }[index % 9];

    public static string Short(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, (max / 2) - 1), "…", text.AsSpan(text.Length - (max / 2) + 1));

    public static string Clock(DateTimeOffset time) => time.ToUniversalTime().ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string Day(DateTimeOffset time) => time.ToUniversalTime().ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan span) =>
        span.TotalDays >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#} days")
        : span.TotalHours >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} hours")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} minutes");

    public static string Enc(string text) => HtmlText.Encode(text);

    public static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
