using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Completion;

/// <summary>Where a later part starts reading after a transient failure.</summary>
public sealed class CompletionPlannerTest
{
    private static readonly DateTimeOffset s_event = new(2026, 11, 28, 21, 14, 7, TimeSpan.Zero);
    private static readonly DateTimeOffset s_now = s_event.AddMinutes(8);

    [Fact]
    public void AResumedReadThatFailsTransiently_IsRetriedFromWhereItStarted_NotFromTheConfiguredStart()
    {
        // Part 1 read the window up to 21:14; part 2 read on from there and hit the quota. Part 3 must not read the
        // first half again: part 1 holds it, and the bundle would hold those entries twice.
        var resumedAt = new DateTimeOffset(2026, 11, 28, 21, 14, 0, TimeSpan.Zero);
        var failed = Failed(new Window(resumedAt, s_event.AddMinutes(6), s_event.AddMinutes(-30), s_event.AddMinutes(5)));

        var state = Plan(failed);

        var work = Assert.Single(state.Outstanding);
        Assert.Equal((Completeness.Pending, resumedAt), (state.State, work.ResumeFrom));
    }

    [Fact]
    public void AFirstReadThatFailsTransiently_IsReadAgainWhole()
    {
        var configuredFrom = s_event.AddMinutes(-30);
        var failed = Failed(new Window(new DateTimeOffset(2026, 11, 28, 20, 44, 0, TimeSpan.Zero), s_event.AddMinutes(6), configuredFrom, s_event.AddMinutes(5)));

        Assert.Null(Assert.Single(Plan(failed).Outstanding).ResumeFrom);
    }

    private static CollectorReport Failed(Window window) => new()
    {
        Name = "container-logs",
        Status = CollectorStatus.Failed,
        Reason = "quota: retry later",
        RetryLater = true,
        Window = window,
    };

    private static CompletionState Plan(CollectorReport report) =>
        CompletionPlanner.Plan(2, [report], [], [], s_now, s_event.AddHours(24), TimeSpan.FromSeconds(120), Defaults.Completion);
}
