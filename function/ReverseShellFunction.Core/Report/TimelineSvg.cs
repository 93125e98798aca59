using System.Globalization;
using System.Text;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using static ReverseShellFunction.Report.SvgDraw;

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
    private const double BarsHeight = 56;
    private const int MaxCategoryLanes = 8;
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
        var barsTop = top + (Math.Max(laneCount, 1) * LaneHeight) + 10;
        var auditTop = barsTop + BarsHeight + 10;
        var axisY = auditTop + LaneHeight + 6;
        var height = axisY + 30;
        double X(DateTimeOffset time) => PlotLeft + ((PlotRight - PlotLeft) * Math.Clamp((time - start) / (end - start), 0, 1));

        Open(svg, "timeline", "Timeline around the event", height, $"{Clock(start)} – {Clock(end)} UTC, {Duration(end - start)}");

        // Lanes: related findings by category.
        if (laneCount == 0)
        {
            Label(svg, top, "Related findings");
            Empty(svg, top + 15, absences.Why("related-findings", "none in this window"));
        }

        foreach (var (lane, group) in lanes.Select(g => (Name: g.Key, Points: g.ToList())).Concat(others.Count > 0 ? [("other categories", others)] : []).Index())
        {
            var y = top + (lane * LaneHeight);
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
        }

        // Container-log entries per minute.
        var minutes = t.ContainerEntriesPerMinute.Where(m => m.Minute >= start && m.Minute < end).ToList();
        Label(svg, barsTop + (BarsHeight / 2) - (LaneHeight / 2), "Container log / min");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(PlotLeft)}\" y1=\"{N(barsTop + BarsHeight)}\" x2=\"{N(PlotRight)}\" y2=\"{N(barsTop + BarsHeight)}\" stroke=\"#d0d7de\"/>\n");
        if (minutes.Count == 0)
        {
            Empty(svg, barsTop + (BarsHeight / 2), absences.Why("container-logs", "no container log entry in this window"));
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
            Empty(svg, auditTop + 15, absences.Why("audit-logs", "none in this window"));
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

        Open(svg, "history", "Deploys and changes over the audit window", height, $"{Day(start)} – {Day(end)} UTC, {Duration(end - start)}");
        Label(svg, laneY, $"Audit entries ({t.AuditEvents.Count})");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(PlotLeft)}\" y=\"{N(laneY + 2)}\" width=\"{N(PlotRight - PlotLeft)}\" height=\"{N(LaneHeight - 4)}\" fill=\"#f6f8fa\"/>\n");
        if (window is not null)
        {
            // The window read, as a band: where the lane is empty inside it, nothing happened; outside it, nothing was read.
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"audit-window\" x=\"{N(X(window.From))}\" y=\"{N(laneY + 2)}\" width=\"{N(Math.Max(1, X(window.To) - X(window.From)))}\" height=\"{N(LaneHeight - 4)}\" fill=\"#ede7f9\"/>\n");
        }

        if (t.AuditEvents.Count == 0)
        {
            Empty(svg, laneY + 15, absences.Why("audit-logs", "no deploy or change in the audit window"));
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
}
