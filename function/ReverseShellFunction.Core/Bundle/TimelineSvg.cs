using System.Globalization;
using System.Text;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// The timeline figure of summary.html as inline SVG: around the event, one lane per related-finding category,
/// container-log entries per minute as bars, audit events, the event and the collection moments as lines; below,
/// when the audit window reaches further back, a second strip with the deploys and changes of the last days.
/// Drawn in a fixed 1000-unit viewBox scaled to the page width, so it never overflows. Hover titles, no script.
/// </summary>
public static class TimelineSvg
{
    private const double Width = 1000;
    private const double PlotLeft = 210;
    private const double PlotRight = 985;
    private const double LaneHeight = 22;
    private const double BarsHeight = 56;
    private const int MaxCategoryLanes = 8;
    private static readonly TimeSpan s_maxHalfWindow = TimeSpan.FromHours(3);

    public static string Render(EvidenceTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var svg = new StringBuilder(16 * 1024);
        var focus = FocusWindow(timeline);
        Focus(svg, timeline, focus.Start, focus.End);
        var earlier = timeline.AuditEvents.Where(a => a.Time < focus.Start).ToList();
        if (earlier.Count > 0 || timeline.CollectionMoments.Any(c => c.Time > focus.End))
        {
            History(svg, timeline, earlier);
        }

        return svg.ToString();
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

    private static void Focus(StringBuilder svg, EvidenceTimeline t, DateTimeOffset start, DateTimeOffset end)
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

        svg.Append(CultureInfo.InvariantCulture, $"<figure id=\"timeline-figure\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(Width)} {N(height)}\" role=\"img\" aria-labelledby=\"timeline-title\" font-family=\"system-ui, DejaVu Sans, sans-serif\" font-size=\"12\">\n");
        svg.Append("<title id=\"timeline-title\">Timeline around the event</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{N(Width)}\" height=\"{N(height)}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft)}\" y=\"16\" fill=\"#57606a\">{Enc($"{Clock(start)} – {Clock(end)} UTC, {Duration(end - start)}")}</text>\n");

        // Lanes: related findings by category.
        if (laneCount == 0)
        {
            Label(svg, relatedTop, "Related findings");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft + 4)}\" y=\"{N(relatedTop + 15)}\" fill=\"#57606a\">none in this window</text>\n");
        }

        var lane = 0;
        foreach (var group in lanes.Select(g => (Name: g.Key, Points: g.ToList())).Concat(others.Count > 0 ? [("other categories", others)] : []))
        {
            var y = relatedTop + (lane * LaneHeight);
            var color = Palette(lane);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"lane related\" data-category=\"{Enc(group.Name)}\">\n");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(PlotLeft)}\" y=\"{N(y + 2)}\" width=\"{N(PlotRight - PlotLeft)}\" height=\"{N(LaneHeight - 4)}\" fill=\"{(lane % 2 == 0 ? "#f6f8fa" : "#ffffff")}\"/>\n");
            Label(svg, y, $"{Short(group.Name, 26)} ({group.Points.Count})");
            foreach (var point in group.Points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"related-finding\" cx=\"{N(X(point.Time))}\" cy=\"{N(y + (LaneHeight / 2))}\" r=\"5\" fill=\"{color}\" fill-opacity=\"0.8\" stroke=\"#1b1f24\" stroke-width=\"0.5\"><title>{Enc($"{point.Label} at {EvidenceTime.Format(point.Time)}")}</title></circle>\n");
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
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft + 4)}\" y=\"{N(barsTop + (BarsHeight / 2))}\" fill=\"#57606a\">no container log entry in this window</text>\n");
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
        Label(svg, auditTop, $"Audit events ({audits.Count})");
        svg.Append("<g class=\"audit\">\n");
        foreach (var a in audits)
        {
            Diamond(svg, X(a.Time), auditTop + (LaneHeight / 2), a);
        }

        svg.Append("</g>\n");

        // The event and the collection moments across every lane.
        Marker(svg, X(t.EventTime), top - 8, axisY, "#b3261e", "event", "event-line", $"the event at {EvidenceTime.Format(t.EventTime)}", dashed: false);
        foreach (var c in t.CollectionMoments.Where(c => c.Time >= start && c.Time <= end))
        {
            Marker(svg, X(c.Time), top - 8, axisY, "#0a58ca", c.Label, "collection-line", $"{c.Label} at {EvidenceTime.Format(c.Time)}", dashed: true);
        }

        Axis(svg, axisY, start, end, X);
        svg.Append("</svg>\n");
        var outside = t.RelatedFindings.Count(p => p.Time < start || p.Time > end);
        var caption = $"Red: the event. Blue, dashed: when the evidence was collected. Dots: related findings by category; bars: container-log entries per minute; diamonds: admin-activity audit entries (deploys, changes)."
            + (outside > 0 ? $" {outside} related findings fall outside this window." : "")
            + string.Concat(t.CollectionMoments.Where(c => c.Time < start || c.Time > end).Select(c => $" The {c.Label} at {EvidenceTime.Format(c.Time)}, outside this window."));
        svg.Append("<figcaption>").Append(Enc(caption)).Append("</figcaption>\n</figure>\n");
    }

    private static void History(StringBuilder svg, EvidenceTimeline t, List<TimelinePoint> earlier)
    {
        var start = earlier.Select(a => a.Time).Append(t.EventTime).Min();
        var end = new[] { t.EventTime }.Concat(t.CollectionMoments.Select(c => c.Time)).Concat(t.AuditEvents.Select(a => a.Time)).Max();
        if (end <= start)
        {
            end = start.AddMinutes(1);
        }

        var pad = (end - start) * 0.02;
        start -= pad;
        end += pad;
        const double laneY = 30;
        const double axisY = laneY + LaneHeight + 6;
        const double height = axisY + 30;
        double X(DateTimeOffset time) => PlotLeft + ((PlotRight - PlotLeft) * Math.Clamp((time - start) / (end - start), 0, 1));

        svg.Append(CultureInfo.InvariantCulture, $"<figure id=\"history-figure\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(Width)} {N(height)}\" role=\"img\" aria-labelledby=\"history-title\" font-family=\"system-ui, DejaVu Sans, sans-serif\" font-size=\"12\">\n");
        svg.Append("<title id=\"history-title\">Deploys and changes before the event</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{N(Width)}\" height=\"{N(height)}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(PlotLeft)}\" y=\"16\" fill=\"#57606a\">{Enc($"{Day(start)} – {Day(end)} UTC, {Duration(end - start)}")}</text>\n");
        Label(svg, laneY, $"Audit events ({t.AuditEvents.Count})");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(PlotLeft)}\" y=\"{N(laneY + 2)}\" width=\"{N(PlotRight - PlotLeft)}\" height=\"{N(LaneHeight - 4)}\" fill=\"#f6f8fa\"/>\n");
        svg.Append("<g class=\"audit\">\n");
        foreach (var a in t.AuditEvents)
        {
            Diamond(svg, X(a.Time), laneY + (LaneHeight / 2), a);
        }

        svg.Append("</g>\n");
        Marker(svg, X(t.EventTime), laneY - 8, axisY, "#b3261e", "event", "event-line", $"the event at {EvidenceTime.Format(t.EventTime)}", dashed: false);
        var collected = t.CollectionMoments.Count > 0 ? t.CollectionMoments[^1] : null;
        if (collected is not null && X(collected.Time) - X(t.EventTime) > 40)
        {
            Marker(svg, X(collected.Time), laneY - 8, axisY, "#0a58ca", "collected", "collection-line", $"{collected.Label} at {EvidenceTime.Format(collected.Time)}", dashed: true);
        }

        Axis(svg, axisY, start, end, X);
        svg.Append("</svg>\n<figcaption>").Append(Enc("Admin-activity audit entries over the whole audit window: the event in red, the collection in blue when it was later.")).Append("</figcaption>\n</figure>\n");
    }

    private static void Diamond(StringBuilder svg, double x, double y, TimelinePoint a) =>
        svg.Append(CultureInfo.InvariantCulture, $"<path class=\"audit-event\" d=\"M{N(x)} {N(y - 7)} L{N(x + 6)} {N(y)} L{N(x)} {N(y + 7)} L{N(x - 6)} {N(y)} Z\" fill=\"#8250df\" stroke=\"#1b1f24\" stroke-width=\"0.5\"><title>{Enc($"{a.Label} at {EvidenceTime.Format(a.Time)}")}</title></path>\n");

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
