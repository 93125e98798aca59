using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Report;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Bundle;

/// <summary>
/// The timeline figure says what it can know: an empty lane is "not collected (…)" when its collector did not read
/// and "none" only when it did; the audit strip is drawn over the window its caption names; marks too close to
/// draw apart are one mark with their count.
/// </summary>
public sealed partial class TimelineSvgTest
{
    private static readonly DateTimeOffset s_event = new(2026, 11, 28, 21, 14, 7, TimeSpan.Zero);

    private static readonly string[] s_lanes = ["related-findings", "container-logs", "audit-logs"];

    private static readonly int[] s_secondsApart = [0, 5, 10];

    [Fact]
    public void NothingCollected_EveryLaneSaysNotCollected_AndWhy()
    {
        var collectors = s_lanes.Select(name => new CollectorOutcome(name, CollectorStatus.Skipped, "no credentials", null, false) { Part = 1 }).ToList();

        var svg = TimelineSvg.Render(new EvidenceTimeline { EventTime = s_event }, collectors, part: 1);

        Assert.Equal(
            ["not collected (related-findings: no credentials)", "not collected (container-logs: no credentials)", "not collected (audit-logs: no credentials)"],
            EmptyLanes(svg));
        Assert.DoesNotContain("none in this window", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedCollector_NotCollected_ButOkCollectorWithNothing_SaysNone()
    {
        var collectors = new List<CollectorOutcome>
        {
            new("related-findings", CollectorStatus.Ok, null, 0, false) { Part = 1 },
            new("container-logs", CollectorStatus.Failed, "403 PERMISSION_DENIED", null, false) { Part = 1 },
        };

        var svg = TimelineSvg.Render(new EvidenceTimeline { EventTime = s_event }, collectors, part: 1);

        Assert.Equal(
            ["none in this window", "not collected (container-logs failed: 403 PERMISSION_DENIED)", "not collected (audit-logs did not run)"],
            EmptyLanes(svg));
    }

    [Fact]
    public void LaneReadInAnEarlierPart_SaysSo_InALaterPartsFigure()
    {
        var collectors = s_lanes.Select(name => new CollectorOutcome(name, CollectorStatus.Ok, null, 3, false) { Part = 1 }).ToList();

        var svg = TimelineSvg.Render(new EvidenceTimeline { EventTime = s_event }, collectors, part: 2);

        Assert.All(EmptyLanes(svg), lane => Assert.Equal("read in part 1: that part's figure draws it", lane));
    }

    [Fact]
    public void AuditStrip_SpansTheWindowItsCaptionNames_AndFourEntriesInThreeHoursShowTheirCount()
    {
        var window = new Window(s_event.AddDays(-7), s_event.AddMinutes(10), s_event.AddDays(-7), s_event.AddMinutes(10));
        var deploys = Enumerable.Range(0, 4)
            .Select(i => new TimelinePoint(s_event.AddDays(-2).AddHours(i), "audit", $"UpdateService by ci-deploy #{i}"))
            .ToList();
        var timeline = new EvidenceTimeline { EventTime = s_event } with { AuditEvents = deploys, AuditWindow = window };
        var collectors = s_lanes.Select(name => new CollectorOutcome(name, CollectorStatus.Ok, null, 1, false) { Part = 1 }).ToList();

        var html = TimelineSvg.Render(timeline, collectors, part: 1);

        var history = html[html.IndexOf("<figure id=\"history-figure\">", StringComparison.Ordinal)..];
        var caption = WebUtility.HtmlDecode(Between(history, "<figcaption>", "</figcaption>"));
        Assert.Contains($"over the audit window read, {EvidenceTime.Format(window.From)} to {EvidenceTime.Format(window.To)}", caption, StringComparison.Ordinal);

        // The shaded window starts at the plot's left edge (after the 2 % margin) and runs nearly to its right one:
        // the axis begins where the window begins, not at the first entry days later.
        var band = AuditWindowBand().Match(history);
        Assert.True(band.Success, history);
        var x = double.Parse(band.Groups["x"].Value, CultureInfo.InvariantCulture);
        var width = double.Parse(band.Groups["w"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(x, 210, 230);
        Assert.InRange(x + width, 960, 985);
        var axisStart = Between(history, "fill=\"#57606a\">", "</text>");
        Assert.StartsWith(s_event.AddDays(-7.2).ToString("MM-dd", CultureInfo.InvariantCulture), axisStart, StringComparison.Ordinal);

        // Four entries three hours apart in a week-long strip overlap: one diamond, marked ×4, each entry in its title.
        var marks = Marks().Matches(history).Select(m => m.Groups["count"].Value).ToList();
        Assert.Equal(["4"], marks);
        Assert.Contains(">×4</text>", history, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Count(history, "UpdateService by ci-deploy #"));
        Assert.Contains("4 audit entries from ", history, StringComparison.Ordinal);
    }

    [Fact]
    public void RelatedFindingsSecondsApart_AreOneDotWithTheirCount_AndApartOnesStayApart()
    {
        var points = s_secondsApart.Select(s => new TimelinePoint(s_event.AddMinutes(-20).AddSeconds(s), "Malicious URL Observed", $"finding {s}"))
            .Append(new TimelinePoint(s_event.AddMinutes(-5), "Malicious URL Observed", "finding later"))
            .ToList();
        var timeline = new EvidenceTimeline { EventTime = s_event } with { RelatedFindings = points };
        var collectors = s_lanes.Select(name => new CollectorOutcome(name, CollectorStatus.Ok, null, 1, false) { Part = 1 }).ToList();

        var svg = TimelineSvg.Render(timeline, collectors, part: 1);

        Assert.Equal(["3", "1"], Marks().Matches(svg).Select(m => m.Groups["count"].Value));
        Assert.Single(Regex.Matches(svg, ">×3</text>"));
        Assert.Contains("Malicious URL Observed (4)", svg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BundleWithNothingCollected_ItsSummaryHtmlFigure_SaysNotCollected()
    {
        await using var harness = await PipelineHarness.StartAsync(withCredentials: false);
        var result = await harness.ReplaySampleAsync();
        var html = Encoding.UTF8.GetString((await harness.ReadBundleAsync(result.BundleId!))[BundleLayout.Entries.SummaryHtml]);

        var figure = html[html.IndexOf("<figure id=\"timeline-figure\">", StringComparison.Ordinal)..html.IndexOf("</figure>", StringComparison.Ordinal)];
        var lanes = EmptyLanes(figure);
        Assert.Equal(3, lanes.Count);
        Assert.All(lanes, lane => Assert.StartsWith("not collected (", lane, StringComparison.Ordinal));
        Assert.DoesNotContain("none in this window", html, StringComparison.Ordinal);
        Assert.Contains("<section id=\"custody\" class=\"custody\">", html, StringComparison.Ordinal);
    }

    private static List<string> EmptyLanes(string svg) =>
        [.. EmptyLane().Matches(svg).Select(m => WebUtility.HtmlDecode(m.Groups["text"].Value))];

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }

    [GeneratedRegex("<text class=\"empty-lane\"[^>]*>(?<text>[^<]*)</text>")]
    private static partial Regex EmptyLane();

    [GeneratedRegex("<rect class=\"audit-window\" x=\"(?<x>[0-9.]+)\" y=\"[0-9.]+\" width=\"(?<w>[0-9.]+)\"")]
    private static partial Regex AuditWindowBand();

    [GeneratedRegex("<g class=\"mark\" data-count=\"(?<count>[0-9]+)\">")]
    private static partial Regex Marks();
}
