using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>
/// Every collector window is half-open. Related findings used a closed window until the windows were one type: a
/// finding stamped exactly at the event time plus RELATED_WINDOW_MINUTES is now left out, like a log entry at a
/// log window's end.
/// </summary>
public sealed class WindowTest
{
    private static readonly DateTimeOffset s_from = new(2026, 11, 28, 20, 14, 7, 482, TimeSpan.Zero);
    private static readonly DateTimeOffset s_to = s_from.AddHours(2);

    [Fact]
    public void Contains_TheStart_NotTheEnd()
    {
        var window = new Window(s_from, s_to, s_from, s_to);

        Assert.True(window.Contains(s_from));
        Assert.True(window.Contains(s_to.AddTicks(-1)));
        Assert.False(window.Contains(s_to));
        Assert.False(window.Contains(s_from.AddTicks(-1)));
    }

    [Fact]
    public void RelatedFindingsFilter_TakesAFindingAtTheStart_NotOneAtTheEnd()
    {
        var filter = FakeFilter.Parse(RelatedFindingsCollector.Filter("r", s_from, s_to));

        Assert.True(Matches(filter, s_from));
        Assert.False(Matches(filter, s_to));
        Assert.True(Matches(filter, s_to.AddMilliseconds(-1)));
    }

    [Fact]
    public void LogFilter_TakesAnEntryAtTheStart_NotOneAtTheEnd()
    {
        var target = CloudRunTarget.TryParse(CollectorHarness.SampleContext().Finding.ResourceName)!;
        var filter = FakeFilter.Parse(LogFilters.Container(target, s_from, s_to));

        Assert.Equal(FilterText.Rfc3339(s_from), filter.ValueOf("timestamp", ">="));
        Assert.Equal(FilterText.Rfc3339(s_to), filter.ValueOf("timestamp", "<"));
        Assert.Null(filter.ValueOf("timestamp", "<="));
    }

    [Fact]
    public void Covered_StartsAtTheResumePoint_AndEndsAtWhatIsReadable()
    {
        var resume = s_from.AddMinutes(30);
        var context = CollectorHarness.SampleContext() with { ResumeFrom = new Dictionary<string, DateTimeOffset> { ["c"] = resume } };

        var read = Window.Covered(context, "c", s_from, s_to, s_from.AddHours(1));
        var fresh = Window.Covered(context, "other", s_from, s_to, s_to.AddHours(1));

        Assert.Equal(new Window(resume, s_from.AddHours(1), s_from, s_to), read);
        Assert.True(read.IsOpen);
        Assert.Equal(new Window(s_from, s_to, s_from, s_to), fresh);
        Assert.False(fresh.IsOpen);
    }

    [Fact]
    public void Covered_InWholeMinutes_WidensTheRead_AndRoundsWhatIsReadableDown()
    {
        var context = CollectorHarness.SampleContext();

        var closed = Window.Covered(context, "c", s_from, s_to, s_to.AddMinutes(5), wholeMinutes: true);
        var open = Window.Covered(context, "c", s_from, s_to, s_from.AddMinutes(10).AddSeconds(59), wholeMinutes: true);

        var minuteOfFrom = new DateTimeOffset(2026, 11, 28, 20, 14, 0, TimeSpan.Zero);
        Assert.Equal(new Window(minuteOfFrom, minuteOfFrom.AddHours(2).AddMinutes(1), s_from, s_to), closed);
        Assert.False(closed.IsOpen);
        Assert.Equal(new Window(minuteOfFrom, minuteOfFrom.AddMinutes(11), s_from, s_to), open);
        Assert.True(open.IsOpen);
        Assert.Equal(minuteOfFrom.AddHours(2).AddMinutes(1).AddSeconds(120), open.ClosedAfter(TimeSpan.FromSeconds(120)));
    }

    private static bool Matches(FakeFilter filter, DateTimeOffset eventTime) =>
        filter.Matches(
            field => field switch
            {
                "resource.name" => "r",
                "event_time" => FilterText.Rfc3339(eventTime),
                _ => null,
            },
            (_, _) => false);
}
