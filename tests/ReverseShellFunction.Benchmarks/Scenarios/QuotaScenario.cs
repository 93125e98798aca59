using System.Globalization;
using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// Issue 11's incident: 31 Reverse Shell findings on one service within one minute, Cloud Logging's read quota
/// (60 entries.list a minute per project, Google's 429 past it), log windows open at delivery, completion by
/// Cloud Tasks dispatching to the function's <c>/completions</c> on the queue Terraform creates. Measures whether
/// every logical bundle ends complete with every entry of its windows, the time that takes against what the
/// windows and the quota allow, and Logging calls per finding with and without sharing reads.
/// </summary>
internal static class QuotaScenario
{
    private const int Quota = 60;
    private const double FastRate = 5;

    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var count = context.Smoke ? 4 : 31;
        var result = new ScenarioResult { Name = "quota", Title = $"Quota: {count} findings on one service within a minute, Logging quota {Quota} reads/min, completion by Cloud Tasks" };
        var inv = CultureInfo.InvariantCulture;

        // Events inside one minute, seconds old at delivery, windows open (smoke: closed).
        var (deliverAt, anchor) = await LiveIncident.DeliveryMomentAsync(context.Smoke);
        var events = Enumerable.Range(0, count).Select(i => (FakeGoogleData.Service, anchor.AddSeconds(-0.5 * (count - i)))).ToList();
        var options = new FakeGoogleApisOptions { LoggingReadsPerMinute = Quota, Latency = TimeSpan.FromMilliseconds(20) };

        // Alongside, one finding at the same moment on its own function and fakes: the Logging calls one finding's
        // collectors make with nothing to share, i.e. what each of the 31 would make without coalescing.
        await using var incident = await LiveIncident.StartAsync(context, options, LiveIncident.TerraformQueue, anchor, "quota-function");
        await using var alone = await LiveIncident.StartAsync(context, options, LiveIncident.TerraformQueue, anchor, "quota-alone-function");

        // And the same 31 on a queue that dispatches faster than Terraform's default, to tell the queue's pace from
        // the function's: the default (0.2/s) is sized for completions that share no reads.
        var fastQueue = LiveIncident.TerraformQueue with { MaxDispatchesPerSecond = FastRate };
        await using var fast = context.Smoke ? null : await LiveIncident.StartAsync(context, options, fastQueue, anchor, "quota-fast-queue-function");
        var wait = deliverAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var run = new LiveRun(incident);
        var aloneRun = new LiveRun(alone);
        var fastRun = fast is null ? null : new LiveRun(fast);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(context.Smoke ? 1 : 3));
        await Task.WhenAll(
            run.SendAsync(context, events, count, deadline.Token),
            aloneRun.SendAsync(context, [events[^1]], 1, deadline.Token),
            fastRun?.SendAsync(context, events, count, deadline.Token) ?? Task.CompletedTask);
        var limit = TimeSpan.FromMinutes(context.Smoke ? 0.5 : 12);
        var finished = await Task.WhenAll(
            run.WaitCompleteAsync(limit, CancellationToken.None),
            aloneRun.WaitCompleteAsync(limit, CancellationToken.None),
            fastRun?.WaitCompleteAsync(limit, CancellationToken.None) ?? Task.FromResult(true));
        await incident.World.Apis.CloudTasks.WaitUntilDrainedAsync(TimeSpan.FromSeconds(context.Smoke ? 10 : 120)).ContinueWith(_ => { }, TaskScheduler.Default);

        var outcome = run.Check();
        var aloneOutcome = aloneRun.Check();
        result.Errors.AddRange(outcome.Problems.Take(20));
        result.Errors.AddRange(aloneOutcome.Problems.Take(5).Select(p => "single finding: " + p));
        var fastOutcome = fastRun?.Check();
        result.Errors.AddRange((fastOutcome?.Problems ?? []).Take(5).Select(p => $"queue at {FastRate.ToString(inv)}/s: " + p));
        if (finished.Any(f => !f))
        {
            result.Errors.Add($"not every bundle complete within {limit.TotalMinutes.ToString("0.#", inv)} min");
        }

        var calls = incident.LoggingCalls();
        var answered = calls.Count(c => c.StatusCode == 200);
        var refused = calls.Count(c => c.StatusCode == 429);
        var aloneCalls = alone.LoggingCalls().Count(c => c.StatusCode == 200);
        var before = aloneCalls;
        var after = (double)answered / count;
        var maxMinute = LiveIncident.MaxCallsInAnyMinute(calls);
        var tasks = incident.World.Apis.CloudTasks.Counters;
        var dispatches = incident.World.Apis.CloudTasks.Dispatches;

        var elapsed = (outcome.LastStoredAt - run.StartedAt).TotalSeconds;
        var windowBound = events.Max(e => LiveIncident.WindowsClosed(e.Item2)) - run.StartedAt;
        var quotaBound = TimeSpan.FromMinutes((double)answered / Quota);
        var bound = windowBound > quotaBound ? windowBound : quotaBound;
        var boundName = windowBound > quotaBound ? "window-close bound" : "quota bound";
        var dispatchBound = TimeSpan.FromSeconds(tasks.Created / LiveIncident.TerraformQueue.MaxDispatchesPerSecond);
        var ratio = elapsed / Math.Max(1, bound.TotalSeconds);
        var allComplete = outcome.Complete == count && outcome.Bundles == count;
        var entriesOk = outcome.EntryMismatches == 0 && outcome.RepeatedEntries == 0;

        result.Rows.Add(new("Quota: bundles complete", $"{outcome.Complete} of {count}", $"{outcome.Parts} parts, at most {outcome.MaxParts} per bundle", "", "all", ScenarioResult.Met(allComplete)));
        result.Rows.Add(new("Quota: every container and audit entry of each window", $"{outcome.CollectedEntries} entries, {outcome.EntryMismatches} bundle(s) differ", $"{outcome.ExpectedEntries} in the fixture's windows", "", "all, none twice", ScenarioResult.Met(entriesOk && outcome.ExpectedEntries > 0)));
        result.Rows.Add(new("Quota: duplicate parts", outcome.DuplicateParts.ToString(inv), $"{tasks.Duplicates} task creations answered 409", "", "0", ScenarioResult.Met(outcome.DuplicateParts == 0)));
        if (!context.Smoke)
        {
            result.Rows.Add(new("Quota: time to all complete", $"{ScenarioResult.Number(elapsed, "0")} s", $"{boundName} {ScenarioResult.Number(bound.TotalSeconds, "0")} s (windows {ScenarioResult.Number(windowBound.TotalSeconds, "0")} s, quota {ScenarioResult.Number(quotaBound.TotalSeconds, "0")} s)", ScenarioResult.Number(ratio) + "×", "≤ 1.3×", ScenarioResult.Met(ratio <= 1.3)));
        }

        string? variant = null;
        if (fastRun is not null && fastOutcome is not null)
        {
            var fastElapsed = (fastOutcome.LastStoredAt - fastRun.StartedAt).TotalSeconds;
            var fastWindow = events.Max(e => LiveIncident.WindowsClosed(e.Item2)) - fastRun.StartedAt;
            var fastAnswered = fast!.LoggingCalls().Count(c => c.StatusCode == 200);
            var fastBound = Math.Max(fastWindow.TotalSeconds, fastAnswered);
            result.Rows.Add(new($"Quota: time to all complete, queue at {FastRate.ToString(inv)} dispatches/s (variant)", $"{ScenarioResult.Number(fastElapsed, "0")} s", $"window-close bound {ScenarioResult.Number(fastWindow.TotalSeconds, "0")} s (quota {fastAnswered} s)", ScenarioResult.Number(fastElapsed / Math.Max(1, fastBound)) + "×", "≤ 1.3×", ScenarioResult.Met(fastElapsed / Math.Max(1, fastBound) <= 1.3)));
            result.Data["fastQueueSecondsToAllComplete"] = fastElapsed;
            result.Data["fastQueueComplete"] = fastOutcome.Complete;
            result.Data["fastQueueLoggingCalls"] = fastAnswered;
            variant = $"- Variant, run at the same moment on its own function and fakes: the same {count} findings on a queue at {FastRate.ToString(inv)} dispatches/s (otherwise as Terraform's): {fastOutcome.Complete} complete, {fastOutcome.DuplicateParts} duplicate parts, {fastOutcome.EntryMismatches} bundle(s) differing from the fixture, last part {ScenarioResult.Number(fastElapsed, "0.0")} s after the first delivery, {fastAnswered} Logging calls, {fast.LoggingCalls().Count(c => c.StatusCode == 429)} answered 429.";
        }

        result.Rows.Add(new("Quota: Logging calls per finding, after coalescing", ScenarioResult.Number(after, "0.0"), $"before: {before} (one finding alone)", ScenarioResult.Number(after / Math.Max(1, before)) + "×", "(report)", "n/a"));

        var lines = result.Details;
        lines.Add($"{count} Pub/Sub push deliveries of Reverse Shell findings (distinct finding ids) on `{FakeGoogleData.Service}`, event times {ScenarioResult.Number((events[^1].Item2 - events[0].Item2).TotalSeconds, "0.0")} s apart at most, inside one minute, all sent at once. "
            + (context.Smoke
                ? "Smoke run: the events are three minutes old, so their windows are closed at delivery and each bundle is collected in one part (the Cloud Tasks path is not exercised)."
                : "The events are seconds old at delivery, so their log windows are open: the fixtures (log entries from 25 min before to 4 min after the event) sit around now, entries become readable only 10 s after their timestamp, and the function runs on the real clock."));
        lines.Add("");
        lines.Add($"- Function settings: {string.Join(", ", LiveIncident.WindowSettings.Select(s => $"`{s.Key}={s.Value}`"))}; `COMPLETION_QUEUE` on the Cloud Tasks fake, `COMPLETION_URL` the function's own `/completions`. The fake's ingestion delay is the same 10 s; fakes at 20 ms per call.");
        lines.Add($"- Queue as terraform/completion.tf with the defaults: {LiveIncident.TerraformQueue.MaxDispatchesPerSecond.ToString(inv)} dispatches/s, {LiveIncident.TerraformQueue.MaxConcurrentDispatches} concurrent, backoff {LiveIncident.TerraformQueue.MinBackoff.TotalSeconds.ToString(inv)}–{LiveIncident.TerraformQueue.MaxBackoff.TotalSeconds.ToString(inv)} s. Each dispatch carries an OIDC token minted by the fake for the invoker account and the function's origin (the function leaves checking it to Cloud Run, which the benchmark does not model).");
        lines.Add($"- Deliveries: {run.Sent.Count(s => s.Answer.Stored)} of {count} stored; bundles complete: {outcome.Complete}; parts {outcome.Parts} (at most {outcome.MaxParts} per bundle); duplicate parts {outcome.DuplicateParts}; entries held by two parts {outcome.RepeatedEntries}.");
        lines.Add($"- Entries: {outcome.CollectedEntries} collected over all bundles, {outcome.ExpectedEntries} in the fixture for their windows (container: the configured window widened to whole minutes; audit: 7 days before to the window's end); {outcome.EntryMismatches} bundle(s) differ.");
        if (!context.Smoke)
        {
            lines.Add($"- Time from the first delivery to the last part stored: {ScenarioResult.Number(elapsed, "0.0")} s. Window-close bound (last event's window end, widened to the minute, plus the ingestion delay): {ScenarioResult.Number(windowBound.TotalSeconds, "0")} s; quota bound ({answered} calls ÷ {Quota}/min): {ScenarioResult.Number(quotaBound.TotalSeconds, "0")} s; compared against the larger, the {boundName}. "
                + $"The queue's own pace, {tasks.Created} tasks at {LiveIncident.TerraformQueue.MaxDispatchesPerSecond.ToString(inv)}/s, would alone take {ScenarioResult.Number(dispatchBound.TotalSeconds, "0")} s after the windows close.");
        }

        lines.Add($"- Logging: {answered} calls answered, {refused} answered 429 RESOURCE_EXHAUSTED; at most {maxMinute} answered in any 60 s. Per finding: {ScenarioResult.Number(after, "0.0")} with coalescing; {before} without, measured as the calls of one finding alone on its own function process at the same moment (there is no setting that turns coalescing off, and a lone finding has nothing to share, so its calls are what each finding's collectors ask for).");
        lines.Add($"- Cloud Tasks: {tasks.Created} tasks created, {tasks.Duplicates} refused as duplicates (409), {tasks.Dispatches} dispatches ({dispatches.Count(d => d.StatusCode == 200)} answered 200, {dispatches.Count(d => d.StatusCode == 429)} 429, {tasks.FailedAttempts} failed attempts in all), {tasks.GaveUp} given up.");
        if (variant is not null)
        {
            lines.Add(variant);
        }

        lines.Add("- The machine is shared (2 cores, another engineer's benchmarks): timings are noisy.");
        result.Data["findings"] = count;
        result.Data["complete"] = outcome.Complete;
        result.Data["parts"] = outcome.Parts;
        result.Data["duplicateParts"] = outcome.DuplicateParts;
        result.Data["entryMismatches"] = outcome.EntryMismatches;
        result.Data["expectedEntries"] = outcome.ExpectedEntries;
        result.Data["collectedEntries"] = outcome.CollectedEntries;
        result.Data["secondsToAllComplete"] = elapsed;
        result.Data["windowBoundSeconds"] = windowBound.TotalSeconds;
        result.Data["quotaBoundSeconds"] = quotaBound.TotalSeconds;
        result.Data["loggingCalls"] = answered;
        result.Data["logging429"] = refused;
        result.Data["maxCallsInAnyMinute"] = maxMinute;
        result.Data["callsPerFindingAfter"] = after;
        result.Data["callsPerFindingBefore"] = before;
        result.Data["tasksCreated"] = tasks.Created;
        result.Data["taskDuplicates"] = tasks.Duplicates;
        result.Data["dispatches"] = tasks.Dispatches;
        return result;
    }
}
