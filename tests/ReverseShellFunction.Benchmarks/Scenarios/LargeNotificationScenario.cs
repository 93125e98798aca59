using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// Memory per in-flight delivery of a notification near Pub/Sub's 10 MB limit: concurrent deliveries of
/// distinct 9.9 MB notifications (the description carries the bulk) to the function process against the fakes.
/// Peak RSS (VmHWM, reset just before) minus the RSS before, divided by the deliveries in flight, against the
/// goal of 2 × the notification's size + 16 MiB per delivery.
/// </summary>
internal static class LargeNotificationScenario
{
    private const int NotificationBytes = 9_900_000;

    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        var concurrent = context.Smoke ? 3 : 10;
        var result = new ScenarioResult { Name = "large-notification", Title = $"5. Large notifications: {concurrent} concurrent 9.9 MB notifications" };
        await using var world = await FakeWorld.StartAsync(new FakeGoogleApisOptions());
        var events = new EventFactory(context.SamplePath);
        await using var function = ServerProcess.Start(context.Function, world.Environment, context.LogPath("large-notification-function"));
        await function.WaitReadyAsync(context.Http, TimeSpan.FromSeconds(60));

        // One large event first: the code paths are jitted and the heap has grown once, as on a warm instance.
        var warm = await EventClient.SendAsync(context.Http, events.Next(function.BaseUri, descriptionBytes: NotificationBytes - 4000));
        if (!warm.Stored)
        {
            result.Errors.Add($"warm-up event: {warm.Describe()}");
        }

        // The request bodies are built before the measurement, in this process, not the function's.
        var requests = Enumerable.Range(0, concurrent).Select(_ => events.Next(function.BaseUri, descriptionBytes: NotificationBytes - 4000)).ToArray();
        var bodyBytes = requests[0].Content!.Headers.ContentLength ?? (await requests[0].Content!.ReadAsByteArrayAsync()).Length;
        await Task.Delay(1000);
        var before = function.Memory().RssMiB;
        ProcStatus.ResetPeak(function.Id);
        var answers = await Task.WhenAll(requests.Select(r => EventClient.SendAsync(context.Http, r)));
        var peak = function.Memory().PeakRssMiB;
        foreach (var request in requests)
        {
            request.Dispose();
        }

        foreach (var failure in answers.Where(a => !a.Stored).GroupBy(a => a.Describe()))
        {
            result.Errors.Add($"{failure.Count()} event(s): {failure.Key}");
        }

        var perDelivery = (peak - before) / concurrent;
        var notificationMiB = NotificationBytes / 1024.0 / 1024.0;
        var goal = (2 * notificationMiB) + 16;
        result.Rows.Add(new(
            "Memory per in-flight 9.9 MB delivery (peak RSS growth ÷ deliveries)",
            $"{ScenarioResult.Number(perDelivery, "0.0")} MiB",
            $"2 × {ScenarioResult.Number(notificationMiB, "0.0")} MiB + 16 MiB = {ScenarioResult.Number(goal, "0.0")} MiB",
            ScenarioResult.Number(perDelivery / goal) + "×",
            "≤ 1.0×",
            ScenarioResult.Met(perDelivery <= goal)));
        result.Details.Add($"{concurrent} distinct notifications of {NotificationBytes} bytes each ({bodyBytes} bytes as Pub/Sub push bodies, base64), sent at once after one warm-up event. " +
            $"RSS before {ScenarioResult.Number(before, "0")} MiB; peak RSS during the burst {ScenarioResult.Number(peak, "0")} MiB (VmHWM, reset just before); all {answers.Count(a => a.Stored)} of {concurrent} stored.");
        result.Data["concurrent"] = concurrent;
        result.Data["rssBeforeMiB"] = before;
        result.Data["peakRssMiB"] = peak;
        result.Data["perDeliveryMiB"] = perDelivery;
        result.Data["goalMiB"] = goal;
        return result;
    }
}
