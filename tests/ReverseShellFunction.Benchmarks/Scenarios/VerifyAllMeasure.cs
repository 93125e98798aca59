using System.Globalization;
using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// The second half of scenario 5: <c>verify --all</c> as a process over many stored parts in the storage fake at
/// a fixed latency per request, against the request-bound limit: the requests the fake logged during the run,
/// divided by the concurrency, times the latency. Nothing faster is possible when every request costs that
/// long and at most that many are in flight.
/// </summary>
internal static class VerifyAllMeasure
{
    private static readonly TimeSpan s_latency = TimeSpan.FromMilliseconds(50);

    /// <summary>Must match <c>StoreAudit.DefaultConcurrency</c>, which the command uses when not told otherwise.</summary>
    private const int DefaultConcurrency = 16;

    public static async Task RunAsync(BenchContext context, ScenarioResult result)
    {
        var parts = context.Smoke ? 20 : 1000;
        await using var world = await FakeWorld.StartAsync(new FakeGoogleApisOptions());
        if (!await StoreAsync(context, world, parts, result))
        {
            return;
        }

        world.Storage.Latency = s_latency;
        var verify = Launch.Cli(context.FunctionDll, "verify", "--all", "--json");
        var before = world.Storage.Requests.All.Count;
        var (code, output, elapsed) = await ServerProcess.RunAsync(verify, world.Environment, context.LogPath("verify-all"), TimeSpan.FromMinutes(15));
        var requests = world.Storage.Requests.All.Count - before;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var verified = lines.Count(l => l.Contains("\"verified\":true", StringComparison.Ordinal));
        if (code != 0 || verified != parts)
        {
            result.Errors.Add($"verify --all exited {code} with {verified} of {parts} parts verified ({lines.Length} lines)");
        }

        var limit = (double)requests / DefaultConcurrency * s_latency.TotalMilliseconds;
        var ratio = elapsed.TotalMilliseconds / limit;
        result.Rows.Add(new(
            $"`verify --all`, {parts:N0} parts, storage fake at {s_latency.TotalMilliseconds:0} ms per request, concurrency {DefaultConcurrency} (default)",
            ScenarioResult.Ms(elapsed.TotalMilliseconds),
            $"request-bound limit {ScenarioResult.Ms(limit)} ({requests:N0} requests ÷ {DefaultConcurrency} × {s_latency.TotalMilliseconds:0} ms)",
            ScenarioResult.Number(ratio) + "× (this build's `verify --all` ÷ the limit)",
            "≤ 1.3× (issue 23)",
            ScenarioResult.Met(ratio <= 1.3)));

        var details = result.Details;
        details.Add("");
        details.Add(string.Create(CultureInfo.InvariantCulture,
            $"`verify --all --json` ran as a process against the storage fake holding {parts:N0} parts written by `replay` (one bundle per event), with {s_latency.TotalMilliseconds:0} ms waited before every request, " +
            $"at the default concurrency ({DefaultConcurrency}): {ScenarioResult.Ms(elapsed.TotalMilliseconds)}, {verified:N0} parts verified, exit {code}. " +
            $"The fake logged {requests:N0} requests ({(double)requests / parts:0.0} per part, listings included), so the request-bound limit is {requests:N0} ÷ {DefaultConcurrency} × {s_latency.TotalMilliseconds:0} ms = {ScenarioResult.Ms(limit)}; " +
            $"the run took {ratio:0.00}× that. Process start and the listing (sequential pages) are inside the measured time and count towards the ratio."));
        result.Data["verifyAllParts"] = parts;
        result.Data["verifyAllMs"] = elapsed.TotalMilliseconds;
        result.Data["verifyAllRequests"] = requests;
        result.Data["verifyAllConcurrency"] = DefaultConcurrency;
        result.Data["verifyAllLimitMs"] = limit;
    }

    /// <summary>One <c>replay</c> process writes every part into the fake bucket, with no latency so it is quick.</summary>
    private static async Task<bool> StoreAsync(BenchContext context, FakeWorld world, int parts, ScenarioResult result)
    {
        context.Progress($"  storing {parts} parts in the storage fake through replay");
        var directory = Path.Combine(context.WorkDirectory, "verify-all-events");
        Directory.CreateDirectory(directory);
        var events = new EventFactory(context.SamplePath);
        var files = Enumerable.Range(0, parts).Select(_ => events.WriteFile(directory)).ToArray();
        var (code, output, elapsed) = await ServerProcess.RunAsync(Launch.Cli(context.FunctionDll, ["replay", "--json", .. files]), world.Environment, context.LogPath("verify-all-replay"), TimeSpan.FromMinutes(20));
        var stored = world.Count("bundles/");
        if (code != 0 || stored != parts)
        {
            result.Errors.Add($"replay of {parts} events exited {code} and stored {stored} bundles: {output.Trim().Split('\n')[^1]}");
            return false;
        }

        result.Data["verifyAllReplayMs"] = elapsed.TotalMilliseconds;
        return true;
    }
}
