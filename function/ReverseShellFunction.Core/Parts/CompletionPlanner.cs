using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Parts;

/// <summary>How long completion keeps trying, and how it spaces attempts. Their defaults are in the settings catalog (Hosting).</summary>
public sealed record CompletionOptions
{
    /// <summary>COMPLETION_GIVE_UP_HOURS: after this long from the first collection, what is still missing is recorded as missing.</summary>
    public required TimeSpan GiveUpAfter { get; init; }

    /// <summary>
    /// The first wait after a transient failure. Logging's read quota is per minute, so waiting less than a minute
    /// after a 429 only spends the next minute's quota on a retry that fails again.
    /// </summary>
    public required TimeSpan RetryAfter { get; init; }

    /// <summary>The longest wait between two attempts of the embedded runner.</summary>
    public required TimeSpan MaxRetryAfter { get; init; }
}

/// <summary>
/// Turns the reports of one part into what the logical bundle still needs (<see cref="CompletionState"/>): which
/// collectors a later part runs, from where, and when; or that nothing is left; or that the time to try is over.
/// </summary>
public static class CompletionPlanner
{
    /// <param name="part">The part the reports belong to.</param>
    /// <param name="reports">The collectors that ran in this part.</param>
    /// <param name="carried">Work the previous part left that was not due yet and did not run in this part.</param>
    /// <param name="missing">What earlier parts could not collect for good.</param>
    /// <param name="giveUpAt">First collection plus <see cref="CompletionOptions.GiveUpAfter"/>.</param>
    /// <param name="ingestionDelay">LOG_INGESTION_DELAY_SECONDS: a window is readable in full this long after it closes.</param>
    /// <param name="notificationPart">The part that recorded the notification the reports worked from (1, or a part recording a differing delivery).</param>
    public static CompletionState Plan(
        int part,
        IReadOnlyList<CollectorReport> reports,
        IReadOnlyList<OutstandingWork> carried,
        IReadOnlyList<OutstandingWork> missing,
        DateTimeOffset now,
        DateTimeOffset giveUpAt,
        TimeSpan ingestionDelay,
        CompletionOptions options,
        int notificationPart = 1)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(carried);
        ArgumentNullException.ThrowIfNull(options);
        var outstanding = reports.Where(r => r.NeedsCompletion)
            .Select(r => Outstanding(r, now, ingestionDelay, options) with { NotificationPart = notificationPart > 1 ? notificationPart : null })
            .ToList();

        // What ran here replaces its carried work only for the same notification: a check of another one still waits.
        outstanding.AddRange(carried.Where(c => !reports.Any(r => r.Name == c.Collector) || (c.NotificationPart ?? 1) != notificationPart));
        outstanding.Sort((a, b) => string.CompareOrdinal(a.Collector, b.Collector));

        // A refusal (403, 404, a bad filter) does not get better with time: missing, not outstanding; so is a
        // collector that was not run at all (skipped, with its reason): its evidence is not there. A cap
        // reached (truncated) is the configured limit, stated in the collector's report, not a loss.
        var lost = missing
            .Where(m => !reports.Any(r => r.Name == m.Collector && r.Status == CollectorStatus.Ok))
            .Concat(reports
                .Where(r => !r.NeedsCompletion && (r.Status is CollectorStatus.Failed or CollectorStatus.Skipped || (r.Status == CollectorStatus.Partial && !r.Truncated)))
                .Where(r => !missing.Any(m => m.Collector == r.Name))
                .Select(r => new OutstandingWork(r.Name, Lost(r), null)))
            .OrderBy(m => m.Collector, StringComparer.Ordinal)
            .ToList();
        if (outstanding.Count == 0)
        {
            return new CompletionState { State = lost.Count == 0 ? Completeness.Complete : Completeness.Incomplete, Part = part, Missing = lost };
        }

        if (now >= giveUpAt)
        {
            return new CompletionState
            {
                State = Completeness.Incomplete,
                Part = part,
                GiveUpAt = giveUpAt,
                Missing = [.. lost, .. outstanding.Select(o => o with { Due = null, Reason = $"given up at {giveUpAt:yyyy-MM-dd'T'HH:mm:ss'Z'} (COMPLETION_GIVE_UP_HOURS): {o.Reason}" })],
            };
        }

        var due = outstanding.Min(o => o.Due ?? now);
        return new CompletionState
        {
            State = Completeness.Pending,
            Part = part,
            NextPart = part + 1,
            Due = due < giveUpAt ? due : giveUpAt,
            GiveUpAt = giveUpAt,
            Outstanding = outstanding,
            Missing = lost,
        };
    }

    /// <summary>The work of <paramref name="state"/> that is due at <paramref name="now"/>; the rest waits for a later part.</summary>
    public static (IReadOnlyList<OutstandingWork> Due, IReadOnlyList<OutstandingWork> NotYet) Split(CompletionState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var due = state.Outstanding.Where(o => (o.Due ?? now) <= now || now >= (state.GiveUpAt ?? DateTimeOffset.MaxValue)).ToList();
        return (due, [.. state.Outstanding.Except(due)]);
    }

    private static string Lost(CollectorReport report) => report.Status == CollectorStatus.Skipped
        ? $"{Bundle.StateWords.NotCollected} ({report.Reason ?? "no reason given"})"
        : $"{report.Status.ToString().ToLowerInvariant()} for good: {report.Reason ?? "no reason given"}";

    private static OutstandingWork Outstanding(CollectorReport report, DateTimeOffset now, TimeSpan ingestionDelay, CompletionOptions options)
    {
        // A window still open is worth reading again only once it has closed and Logging has caught up; a
        // transient failure of a closed window is retried after the backoff.
        DateTimeOffset due = report.Window is { IsOpen: true } window
            ? window.ClosedAfter(ingestionDelay)
            : now + (report.RetryAfter ?? options.RetryAfter);
        if (due < now)
        {
            due = now;
        }

        var reason = report.RetryLater
            ? $"{report.Status.ToString().ToLowerInvariant()}, retry later: {report.Reason ?? "transient failure"}"
            : report.Reason ?? "window still open";
        // A failed read is read again from where it started, not from the configured start: when an earlier part had
        // already read the window up to there (a resumed read), starting over would store those entries twice.
        // A read cut short may say where its kept entries end (whole minutes): the next part starts there.
        var resumeFrom = report.RetryLater
            ? report.ResumeFrom ?? (report.Window is { } read && read.From > read.ConfiguredFrom ? read.From : null)
            : report.ResumeFrom;
        return new OutstandingWork(report.Name, reason, resumeFrom) { Due = due };
    }
}
