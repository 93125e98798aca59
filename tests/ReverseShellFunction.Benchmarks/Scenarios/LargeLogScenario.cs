using System.Globalization;
using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// Scenario 4: one event whose container-log window holds many entries, caps raised, fakes at 0 ms and at the
/// API's largest page (1000). Time, and the function's peak RSS over its idle RSS, for each size.
/// </summary>
internal static class LargeLogScenario
{
    private const long MaxBytes = 1L << 30;

    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        int[] sizes = context.Smoke ? [150, 2_000] : [150, 10_000, 100_000];
        var result = new ScenarioResult { Name = "large-logs", Title = "4. Large log window: container-log entries in the window, caps raised" };
        var measured = new List<Measured>();
        foreach (var size in sizes)
        {
            context.Progress($"  {size} log entries");
            measured.Add(await MeasureAsync(context, size, result));
        }

        var byEntries = measured.ToDictionary(m => m.Entries);
        var lines = result.Details;
        lines.Add($"For each size a new function process and new fakes (0 ms latency; Logging pages of up to 1000 entries, with Cloud Logging's empty \"still searching\" page before each) and " +
            $"`LOG_MAX_ENTRIES=1000000 LOG_MAX_BYTES={MaxBytes}`. First a warm-up event whose time lies a day after the fixtures (every collector runs, no container entry matches), " +
            "then after 1 s the idle RSS is read and the peak is reset (`echo 5 > /proc/PID/clear_refs`), then event A with every entry in its window, then event B, the same again " +
            "(A also pays for the fake matching its fixtures once and for the first JIT of the per-entry path). Growth = peak RSS during A − idle RSS.");
        lines.Add("");
        lines.Add("| Entries | container.jsonl | Bundle | Event A | Event B | Idle RSS | Peak RSS during A | Growth | Peak RSS during A+B |");
        lines.Add("|---|---|---|---|---|---|---|---|---|");
        foreach (var m in measured)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Entries:N0} | {m.LogMiB:0.0} MiB | {m.BundleMiB:0.0} MiB | {ScenarioResult.Ms(m.FirstMs)} | {ScenarioResult.Ms(m.SecondMs)} | {m.IdleMiB:0} MiB | {m.PeakMiB:0} MiB | {m.PeakMiB - m.IdleMiB:0.0} MiB | {m.PeakAfterSecondMiB:0} MiB |"));
        }

        var baseline = measured[0];
        foreach (var m in measured.Skip(1))
        {
            var growth = m.PeakMiB - m.IdleMiB;
            result.Rows.Add(new($"Large log window {m.Entries:N0} entries: time (event B)", ScenarioResult.Ms(m.SecondMs),
                $"{baseline.Entries} entries: {ScenarioResult.Ms(baseline.SecondMs)}", "", "linear", Linearity(measured, m)));
            result.Rows.Add(new($"Large log window {m.Entries:N0} entries: peak RSS growth over idle", $"{ScenarioResult.Number(growth, "0.0")} MiB",
                $"idle {ScenarioResult.Number(m.IdleMiB, "0")} MiB", "", "≤ 64 MiB", ScenarioResult.Met(growth <= 64)));
        }

        if (byEntries.TryGetValue(10_000, out var ten) && byEntries.TryGetValue(100_000, out var hundred))
        {
            var per10 = (ten.SecondMs - baseline.SecondMs) / (ten.Entries - baseline.Entries) * 1000;
            var per100 = (hundred.SecondMs - ten.SecondMs) / (hundred.Entries - ten.Entries) * 1000;
            lines.Add("");
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"Cost per added entry (event B): {per10:0.0} µs from {baseline.Entries} to 10,000 entries, {per100:0.0} µs from 10,000 to 100,000 (ratio {per100 / per10:0.00}; 1.00 is exactly linear). " +
                $"Time ratio 100,000 / 10,000 entries: {hundred.SecondMs / ten.SecondMs:0.0}×."));
            result.Data["microsecondsPerEntry10k"] = per10;
            result.Data["microsecondsPerEntry100k"] = per100;
        }

        result.Data["sizes"] = measured;
        return result;
    }

    /// <summary>Linear when the cost per added entry up to this size is within 1.5× of the cost per entry up to the previous one.</summary>
    private static string Linearity(List<Measured> measured, Measured m)
    {
        var index = measured.IndexOf(m);
        if (index < 2)
        {
            return "(see next row)";
        }

        var (a, b, c) = (measured[0], measured[index - 1], m);
        var before = (b.SecondMs - a.SecondMs) / (b.Entries - a.Entries);
        var after = (c.SecondMs - b.SecondMs) / (c.Entries - b.Entries);
        return ScenarioResult.Met(after <= before * 1.5) + string.Create(CultureInfo.InvariantCulture, $" ({after / before:0.00}× per entry)");
    }

    private static async Task<Measured> MeasureAsync(BenchContext context, int entries, ScenarioResult result)
    {
        // No read quota here: this scenario measures time and memory against the window's size (100 pages of
        // 1,000 for 100,000 entries). With the fake's default 60 reads a minute the window is cut at the quota and
        // left to a later part, which is what the quota and tasks-burst scenarios measure.
        await using var world = await FakeWorld.StartAsync(new FakeGoogleApisOptions { ContainerLogEntries = entries, LogPageSize = 1000, LoggingReadsPerMinute = 0 });
        var environment = new Dictionary<string, string>(world.Environment)
        {
            ["LOG_MAX_ENTRIES"] = "1000000",
            ["LOG_MAX_BYTES"] = MaxBytes.ToString(CultureInfo.InvariantCulture),
        };
        var events = new EventFactory(context.SamplePath);
        await using var function = ServerProcess.Start(context.Function, environment, context.LogPath($"large-logs-{entries}"));
        await function.WaitReadyAsync(context.Http, TimeSpan.FromSeconds(60));
        var warmUp = await EventClient.SendAsync(context.Http, events.Next(function.BaseUri, TimeSpan.FromDays(1)));
        Check(warmUp, "warm-up", 0, result);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var idle = function.Memory();
        ProcStatus.ResetPeak(function.Id);
        var first = await EventClient.SendAsync(context.Http, events.Next(function.BaseUri));
        Check(first, "event A", entries, result);
        var afterFirst = function.Memory();
        var second = await EventClient.SendAsync(context.Http, events.Next(function.BaseUri));
        Check(second, "event B", entries, result);
        var afterSecond = function.Memory();

        var bundle = second.BundleObject is { } name ? world.Storage.Objects.Get(FakeWorld.Bucket, name) : null;
        var logBytes = bundle is null ? 0 : ContainerLogBytes(bundle.Content);
        return new Measured(entries, first.Milliseconds, second.Milliseconds, idle.RssMiB, afterFirst.PeakRssMiB, afterSecond.PeakRssMiB,
            logBytes / 1024.0 / 1024.0, (bundle?.Size ?? 0) / 1024.0 / 1024.0);
    }

    private static long ContainerLogBytes(ReadOnlyMemory<byte> zipBytes)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(zipBytes.ToArray()));
        return zip.GetEntry("logs/container.jsonl")?.Length ?? 0;
    }

    private static void Check(EventAnswer answer, string what, int entries, ScenarioResult result)
    {
        if (!answer.Stored)
        {
            result.Errors.Add($"{entries} entries, {what}: {answer.Describe()}");
            return;
        }

        if (entries > 0 && answer.Collectors.TryGetValue("container-logs", out var logs) && (logs.ItemCount != entries || logs.Truncated || logs.Status != "ok"))
        {
            result.Errors.Add($"{entries} entries, {what}: container-logs {logs.Status} with {logs.ItemCount} items{(logs.Truncated ? ", truncated" : "")}");
        }
    }

    internal sealed record Measured(
        int Entries,
        double FirstMs,
        double SecondMs,
        double IdleMiB,
        double PeakMiB,
        double PeakAfterSecondMiB,
        double LogMiB,
        double BundleMiB);
}
