using System.Globalization;
using System.Text;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Report;

/// <summary>
/// The timeline figure of summary.html as inline SVG: around the event, one lane per related-finding category,
/// container-log entries per minute as bars, audit events, the event and the collection moments as lines; below,
/// when the audit window reaches further back, a second strip over that whole window with its deploys and changes.
/// Drawn in a fixed 1000-unit viewBox: at the page width where there is room, at its full 1000 px inside a sideways
/// scrolling box on a phone (so its 12 px text never shrinks to 7). A lane with nothing says why: "not collected
/// (…)" when its collector did not read, "none in this window" only when it did. Marks closer than a mark's width
/// are drawn as one with their count. Hover titles, no script.
/// </summary>
public static class TimelineSvg
{
    private const double Width = 1000;
    private const double PlotLeft = 210;
    private const double PlotRight = 985;
    private const double LaneHeight = 22;
    private const double BarsHeight = 56;
    private const int MaxCategoryLanes = 8;

    // Marks whose centres are closer than this (a diamond's width) are one mark with a count: overlapping marks hid how many there were.
    private const double MarkSpacing = 12;

    // Room for "×12" right of a mark: a mark there would hide the count.
    private const double CountWidth = 20;
    private const int MaxTitleLabels = 12;
    private static readonly TimeSpan s_maxHalfWindow = TimeSpan.FromHours(3);

    /// <param name="collectors">The bundle's collectors so far (the summary's), to say why a lane is empty.</param>
    /// <param name="part">The part this figure belongs to: a lane whose collector read in another part says so.</param>
    public static string Render(EvidenceTimeline timeline, IReadOnlyList<CollectorOutcome> collectors, int part)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(collectors);
        var lanes = new Absences(collectors, part);
        var svg = new StringBuilder(16 * 1024);
        var focus = FocusWindow(timeline);
        Focus(svg, timeline, focus.Start, focus.End, lanes);
        var earlier = timeline.AuditEvents.Where(a => a.Time < focus.Start).ToList();
        if (earlier.Count > 0 || timeline.CollectionMoments.Any(c => c.Time > focus.End) || timeline.AuditWindow?.From < focus.Start)
        {
            History(svg, timeline, lanes);
        }

        return svg.ToString();
    }

    /// <summary>Why a lane is empty, from the collector that fills it.</summary>
    private sealed class Absences(IReadOnlyList<CollectorOutcome> collectors, int part)
    {
        public string Why(string collector, string none)
        {
            var c = collectors.FirstOrDefault(c => c.Name == collector);
            var reason = string.IsNullOrEmpty(c?.Reason) ? "" : $": {c.Reason}";
            return c switch
            {
                null => $"{StateWords.NotCollected} ({collector} did not run)",
                { Status: CollectorStatus.Skipped } => Short($"{StateWords.NotCollected} ({collector}{reason})", 110),
                { Status: CollectorStatus.Failed } => Short($"{StateWords.NotCollected} ({collector} failed{reason})", 110),
                { Part: { } p } when p != part => $"read in part {p.ToString(CultureInfo.InvariantCulture)}: that part's figure draws it",
                { Status: CollectorStatus.Partial } => Short($"{none} ({collector} partial{reason})", 110),
                _ => none,
            };
        }

        /// <summary>True when the lane's collector read in this part, so an empty lane means none.</summary>
        public bool ReadHere(string collector) =>
            collectors.FirstOrDefault(c => c.Name == collector) is { Status: CollectorStatus.Ok or CollectorStatus.Partial } c && (c.Part is null || c.Part == part);
    }

    private static (DateTimeOffset Start, DateTimeOffset End) FocusWindow(EvidenceTimeline t)
    {
        var low = t.EventTime - s_maxHalfWindow;
        var high = t.EventTime + s_maxHalfWindow;
        var times = t.RelatedFindings.Select(p => p.Time)
            .Concat(t.ContainerEntriesPerMinute.Select(m => m.Minute))
            .Concat(t.ContainerEntriesPerMinute.Select(m => m.Minute.AddMinutes(1)))
            .Concat(t.CollectionMoments.Select(c => c.Time))
            .Concat(t.AuditEvents.Select(a => a.Time))
            .Where(x => x >= low && x <= high)
            .Append(t.EventTime.AddMinutes(-30))
            .Append(t.EventTime.AddMinutes(5))
            .ToList();
        return (times.Min(), times.Max());
    }

    private static void Focus(StringBuilder svg, EvidenceTimeline t, DateTimeOffset start, DateTimeOffset end, Absences absences)
    {
        var categories = t.RelatedFindings.Where(p => p.Time >= start && p.Time <= end)
            .GroupBy(p => p.Group, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var lanes = categories.Take(MaxCategoryLanes).ToList();
        var others = categories.Skip(MaxCategoryLanes).SelectMany(g => g).ToList();
        var laneCount = lanes.Count + (others.Count > 0 ? 1 : 0);
        var top = 34.0;
        var relatedTop = top;
        var barsTop = relatedTop + (Math.Max(laneCount, 1) * LaneHeight) + 10;
        var auditTop = barsTop + BarsHeight + 10;
        var axisY = auditTop + LaneHeight + 6;
        var height = axisY + 30;
        double X(DateTimeOffset time) => PlotLeft + ((PlotRight - PlotLeft) * Math.Clamp((time - start) / (end - start), 0, 1));

        svg.Append(CultureInfo.InvariantCulture, $"<figure id=\"timeline-figure\">\n<div class=\"figure-scroll\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(Width)} {N(height)}\" role=\"img\" aria-labelledby=\"timeline-title\" font-family=\"system-ui, DejaVu Sans, sans-serif\" font-size=\"12\">\n");
        svg.Append("<title id=\"timeline-title\">Timeline around the event</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{N(Width)}\" height=\"{N(height)}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft)}\" y=\"16\" fill=\"#57606a\">{Enc($"{Clock(start)} – {Clock(end)} UTC, {Duration(end - start)}")}</text>\n");

        // Lanes: related findings by category.
        if (laneCount == 0)
        {
            Label(svg, relatedTop, "Related findings");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"empty-lane\" x=\"{N(PlotLeft + 4)}\" y=\"{N(relatedTop + 15)}\" fill=\"#57606a\">{Enc(absences.Why("related-findings", "none in this window"))}</text>\n");
        }

        var lane = 0;
        foreach (var group in lanes.Select(g => (Name: g.Key, Points: g.ToList())).Concat(others.Count > 0 ? [("other categories", others)] : []))
        {
            var y = relatedTop + (lane * LaneHeight);
            var color = Palette(lane);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"lane related\" data-category=\"{Enc(group.Name)}\">\n");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(PlotLeft)}\" y=\"{N(y + 2)}\" width=\"{N(PlotRight - PlotLeft)}\" height=\"{N(LaneHeight - 4)}\" fill=\"{(lane % 2 == 0 ? "#f6f8fa" : "#ffffff")}\"/>\n");
            Label(svg, y, $"{Short(group.Name, 26)} ({group.Points.Count})");
            foreach (var (x, points) in Clusters(group.Points, X))
            {
                var cy = y + (LaneHeight / 2);
                svg.Append(CultureInfo.InvariantCulture, $"<g class=\"mark\" data-count=\"{points.Count}\"><circle class=\"related-finding\" cx=\"{N(x)}\" cy=\"{N(cy)}\" r=\"5\" fill=\"{color}\" fill-opacity=\"0.8\" stroke=\"#1b1f24\" stroke-width=\"0.5\"><title>{Title(points, "related findings")}</title></circle>");
                Count(svg, x + 7, cy, points.Count);
                svg.Append("</g>\n");
            }

            svg.Append("</g>\n");
            lane++;
        }

        // Container-log entries per minute.
        var minutes = t.ContainerEntriesPerMinute.Where(m => m.Minute >= start && m.Minute < end).ToList();
        Label(svg, barsTop + (BarsHeight / 2) - (LaneHeight / 2), "Container log / min");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(PlotLeft)}\" y1=\"{N(barsTop + BarsHeight)}\" x2=\"{N(PlotRight)}\" y2=\"{N(barsTop + BarsHeight)}\" stroke=\"#d0d7de\"/>\n");
        if (minutes.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"empty-lane\" x=\"{N(PlotLeft + 4)}\" y=\"{N(barsTop + (BarsHeight / 2))}\" fill=\"#57606a\">{Enc(absences.Why("container-logs", "no container log entry in this window"))}</text>\n");
        }
        else
        {
            var max = minutes.Max(m => m.Count);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft - 6)}\" y=\"{N(barsTop + 10)}\" text-anchor=\"end\" fill=\"#57606a\" font-size=\"10\">{max}</text>\n");
            svg.Append("<g class=\"container-log\">\n");
            foreach (var m in minutes)
            {
                var x1 = X(m.Minute);
                var x2 = X(m.Minute.AddMinutes(1));
                var h = Math.Max(1, BarsHeight * m.Count / max);
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"log-bar\" x=\"{N(x1 + 0.5)}\" y=\"{N(barsTop + BarsHeight - h)}\" width=\"{N(Math.Max(1, x2 - x1 - 1))}\" height=\"{N(h)}\" fill=\"#6e7781\"><title>{Enc($"{m.Count} entries in the minute from {Clock(m.Minute)} UTC")}</title></rect>\n");
            }

            svg.Append("</g>\n");
        }

        // Audit events in the window.
        var audits = t.AuditEvents.Where(a => a.Time >= start && a.Time <= end).ToList();
        Label(svg, auditTop, absences.ReadHere("audit-logs") || audits.Count > 0 ? $"Audit entries ({audits.Count})" : "Audit entries");
        if (audits.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"empty-lane\" x=\"{N(PlotLeft + 4)}\" y=\"{N(auditTop + 15)}\" fill=\"#57606a\">{Enc(absences.Why("audit-logs", "none in this window"))}</text>\n");
        }

        Diamonds(svg, audits, auditTop + (LaneHeight / 2), X);

        // The event and the collection moments across every lane.
        Marker(svg, X(t.EventTime), top - 8, axisY, "#b3261e", "event", "event-line", $"the event at {EvidenceTime.Format(t.EventTime)}", dashed: false);
        foreach (var c in t.CollectionMoments.Where(c => c.Time >= start && c.Time <= end))
        {
            Marker(svg, X(c.Time), top - 8, axisY, "#0a58ca", c.Label, "collection-line", $"{c.Label} at {EvidenceTime.Format(c.Time)}", dashed: true);
        }

        Axis(svg, axisY, start, end, X);
        svg.Append("</svg>\n</div>\n");
        var outside = t.RelatedFindings.Count(p => p.Time < start || p.Time > end);
        var caption = $"Red: the event. Blue, dashed: when the evidence was collected. Dots: related findings by category; bars: container-log entries per minute; diamonds: admin-activity audit entries (deploys, changes); ×N: N marks too close to draw apart (their times in the hover title)."
            + (outside > 0 ? $" {outside} related findings fall outside this window." : "")
            + string.Concat(t.CollectionMoments.Where(c => c.Time < start || c.Time > end).Select(c => $" The {c.Label} at {EvidenceTime.Format(c.Time)}, outside this window."));
        svg.Append("<figcaption>").Append(Enc(caption)).Append("</figcaption>\n</figure>\n");
    }

    private static void History(StringBuilder svg, EvidenceTimeline t, Absences absences)
    {
        // Over the window the audit-logs collector read, so the axis and the caption name the same range; a part
        // without that window (an older one) has only its entries to go by, and the caption says so.
        var window = t.AuditWindow;
        var start = window?.From ?? t.AuditEvents.Select(a => a.Time).Append(t.EventTime).Min();
        var end = new[] { t.EventTime, window?.To ?? t.EventTime }.Concat(t.CollectionMoments.Select(c => c.Time)).Concat(t.AuditEvents.Select(a => a.Time)).Max();
        if (end <= start)
        {
            end = start.AddMinutes(1);
        }

        var from = start;
        var pad = (end - start) * 0.02;
        start -= pad;
        end += pad;
        const double laneY = 30;
        const double axisY = laneY + LaneHeight + 6;
        const double height = axisY + 30;
        double X(DateTimeOffset time) => PlotLeft + ((PlotRight - PlotLeft) * Math.Clamp((time - start) / (end - start), 0, 1));

        svg.Append(CultureInfo.InvariantCulture, $"<figure id=\"history-figure\">\n<div class=\"figure-scroll\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(Width)} {N(height)}\" role=\"img\" aria-labelledby=\"history-title\" font-family=\"system-ui, DejaVu Sans, sans-serif\" font-size=\"12\">\n");
        svg.Append("<title id=\"history-title\">Deploys and changes over the audit window</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{N(Width)}\" height=\"{N(height)}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft)}\" y=\"16\" fill=\"#57606a\">{Enc($"{Day(start)} – {Day(end)} UTC, {Duration(end - start)}")}</text>\n");
        Label(svg, laneY, $"Audit entries ({t.AuditEvents.Count})");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(PlotLeft)}\" y=\"{N(laneY + 2)}\" width=\"{N(PlotRight - PlotLeft)}\" height=\"{N(LaneHeight - 4)}\" fill=\"#f6f8fa\"/>\n");
        if (window is not null)
        {
            // The window read, as a band: where the lane is empty inside it, nothing happened; outside it, nothing was read.
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"audit-window\" x=\"{N(X(window.From))}\" y=\"{N(laneY + 2)}\" width=\"{N(Math.Max(1, X(window.To) - X(window.From)))}\" height=\"{N(LaneHeight - 4)}\" fill=\"#ede7f9\"/>\n");
        }

        if (t.AuditEvents.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"empty-lane\" x=\"{N(PlotLeft + 4)}\" y=\"{N(laneY + 15)}\" fill=\"#57606a\">{Enc(absences.Why("audit-logs", "no deploy or change in the audit window"))}</text>\n");
        }

        Diamonds(svg, t.AuditEvents, laneY + (LaneHeight / 2), X);
        Marker(svg, X(t.EventTime), laneY - 8, axisY, "#b3261e", "event", "event-line", $"the event at {EvidenceTime.Format(t.EventTime)}", dashed: false);
        var collected = t.CollectionMoments.Count > 0 ? t.CollectionMoments[^1] : null;
        if (collected is not null && X(collected.Time) - X(t.EventTime) > 40)
        {
            Marker(svg, X(collected.Time), laneY - 8, axisY, "#0a58ca", "collected", "collection-line", $"{collected.Label} at {EvidenceTime.Format(collected.Time)}", dashed: true);
        }

        Axis(svg, axisY, start, end, X);
        var caption = window is null
            ? $"Admin-activity audit entries from the earliest one, {EvidenceTime.Format(from)}, to the collection (the window the audit-logs collector read is not recorded in this part): the event in red, the collection in blue when it was later."
            : $"Admin-activity audit entries over the audit window read, {EvidenceTime.Format(window.From)} to {EvidenceTime.Format(window.To)} (shaded): the event in red, the collection in blue when it was later; ×N: N entries too close to draw apart.";
        svg.Append("</svg>\n</div>\n<figcaption>").Append(Enc(caption)).Append("</figcaption>\n</figure>\n");
    }

    private static void Diamonds(StringBuilder svg, IEnumerable<TimelinePoint> audits, double y, Func<DateTimeOffset, double> x)
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
    private static List<(double X, List<TimelinePoint> Points)> Clusters(IEnumerable<TimelinePoint> points, Func<DateTimeOffset, double> x)
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
    private static void Count(StringBuilder svg, double x, double y, int count)
    {
        if (count > 1)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"mark-count\" x=\"{N(x)}\" y=\"{N(y + 4)}\" fill=\"#1b1f24\" font-size=\"11\" font-weight=\"600\">×{count}</text>");
        }
    }

    /// <summary>The hover title, encoded: one line per point, each label made visible and escaped on its own.</summary>
    private static string Title(List<TimelinePoint> points, string what)
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

    private static void Marker(StringBuilder svg, double x, double top, double bottom, string color, string label, string cssClass, string title, bool dashed)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"{cssClass}\"><line x1=\"{N(x)}\" y1=\"{N(top)}\" x2=\"{N(x)}\" y2=\"{N(bottom)}\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5 3\"" : "")}><title>{Enc(title)}</title></line>");
        var anchor = x > PlotRight - 80 ? "end" : "start";
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(anchor == "end" ? x - 4 : x + 4)}\" y=\"{N(top + 8)}\" fill=\"{color}\" text-anchor=\"{anchor}\" font-size=\"11\">{Enc(label)}</text></g>\n");
    }

    private static void Axis(StringBuilder svg, double y, DateTimeOffset start, DateTimeOffset end, Func<DateTimeOffset, double> x)
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

    private static TimeSpan TickStep(TimeSpan span)
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

    private static void Label(StringBuilder svg, double laneTop, string text) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft - 8)}\" y=\"{N(laneTop + 15)}\" text-anchor=\"end\" fill=\"#1b1f24\">{Enc(text)}</text>\n");

    private static string Palette(int index) =>
        new[] { "#d1242f", "#bf8700", "#1a7f37", "#0969da", "#8250df", "#bc4c00", "#1b7c83", "#cf222e", "#6e7781" }[index % 9];

    private static string Short(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, (max / 2) - 1), "…", text.AsSpan(text.Length - (max / 2) + 1));

    private static string Clock(DateTimeOffset time) => time.ToUniversalTime().ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset time) => time.ToUniversalTime().ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#} days")
        : span.TotalHours >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} hours")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} minutes");

    private static string Enc(string text) => SummaryHtml.Encode(text);

    private static string N(double value) => SummaryHtml.Number(value);
}
