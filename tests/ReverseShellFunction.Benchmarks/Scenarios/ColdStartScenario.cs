using System.Globalization;
using System.Net;
using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// Scenario 2: process start to the first event stored (the function) against process start to the first
/// response (a bare minimal-API app), runs interleaved, median of each. Startup variants of the function run
/// beside the default: runtime settings through DOTNET_* variables, and a ReadyToRun publish made here.
/// </summary>
internal static class ColdStartScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        var runs = context.Smoke ? 1 : 7;
        var result = new ScenarioResult { Name = "coldstart", Title = "2. Cold start: process start to first event stored (fakes at 0 ms)" };
        await using var world = await FakeWorld.StartAsync(new FakeGoogleApisOptions());
        var events = new EventFactory(context.SamplePath);
        var variants = new List<(Launch Launch, string How)>
        {
            (context.Function, "`dotnet build -c Release` output; JIT with the defaults (TieredCompilation, QuickJit, QuickJitForLoops on; TieredPGO on, as the project sets)"),
        };
        var notes = new List<string>();
        if (!context.SkipVariants)
        {
            variants.Add((context.Function.With("TieredPGO off", "DOTNET_TieredPGO", "0"), "same build, `DOTNET_TieredPGO=0`"));
            variants.Add((context.Function.With("QuickJitForLoops off", "DOTNET_TC_QuickJitForLoops", "0"), "same build, `DOTNET_TC_QuickJitForLoops=0` (methods with loops jitted fully at once)"));
            variants.Add((context.Function.With("TieredCompilation off", "DOTNET_TieredCompilation", "0"), "same build, `DOTNET_TieredCompilation=0` (every method jitted fully at once)"));
            var r2r = await PublishReadyToRunAsync(context, notes);
            if (r2r is not null)
            {
                variants.Add((Launch.Function("ReadyToRun", r2r), "`dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true`"));
                variants.Add((Launch.Function("ReadyToRun", r2r).With("ReadyToRun + TieredPGO off", "DOTNET_TieredPGO", "0"), "the ReadyToRun publish, `DOTNET_TieredPGO=0`"));
            }
        }

        var bare = new List<double>();
        var ready = new List<double>();
        var times = variants.ToDictionary(v => v.Launch.Name, _ => new List<double>(), StringComparer.Ordinal);
        var peaks = variants.ToDictionary(v => v.Launch.Name, _ => new List<double>(), StringComparer.Ordinal);
        for (var run = 0; run < runs; run++)
        {
            context.Progress($"  cold start run {run + 1} of {runs}");
            bare.Add(await BareOnceAsync(context, result));
            ready.Add(await ReadyOnceAsync(context, world));
            foreach (var (launch, _) in variants)
            {
                var (ms, peak) = await FunctionOnceAsync(context, world, events, launch, result);
                times[launch.Name].Add(ms);
                peaks[launch.Name].Add(peak);
            }
        }

        var bareMedian = Stats.Median(bare);
        foreach (var (launch, _) in variants.Where(v => v.Launch.Name is "function" or "ReadyToRun"))
        {
            var median = Stats.Median(times[launch.Name]);
            var label = launch.Name == "function" ? "Cold start to first event stored (Release build, JIT)" : "Cold start to first event stored (ReadyToRun publish)";
            result.Rows.Add(new($"{label}, median of {runs}", ScenarioResult.Ms(median), $"bare app start → first response {ScenarioResult.Ms(bareMedian)}",
                ScenarioResult.Number(median / bareMedian) + "×", "≤ 2×", ScenarioResult.Met(median / bareMedian <= 2)));
        }

        var lines = result.Details;
        lines.Add($"Each run starts a new process with `dotnet <dll>` and, from just before `Process.Start`, sends the request every 5 ms until a connection is accepted; " +
            $"the time is taken when the 200 answer has been read. The function's request is a new finding event, answered `stored` after all four collectors ran against the fakes " +
            $"(metadata server probe and token included) and the bundle and index entry were uploaded. The bare app (`tests/ReverseShellFunction.Benchmarks.BareApp`, same " +
            $"`WebApplication.CreateSlimBuilder` host and Server GC, Release) answers POST / with a small JSON body. Runs are interleaved (bare, function ready, each variant), {runs} of each.");
        lines.Add("");
        lines.Add("| Build | How | Median | Min | Max | × bare | Peak RSS at first answer (median) |");
        lines.Add("|---|---|---|---|---|---|---|");
        lines.Add($"| bare ASP.NET Core app | `dotnet build -c Release`, start → first POST answered | {ScenarioResult.Ms(bareMedian)} | {ScenarioResult.Ms(Stats.Min(bare))} | {ScenarioResult.Ms(Stats.Max(bare))} | 1.00 | |");
        var readyMedian = Stats.Median(ready);
        lines.Add($"| function, start → `GET /ready` | Release build, host started, nothing collected | {ScenarioResult.Ms(readyMedian)} | {ScenarioResult.Ms(Stats.Min(ready))} | {ScenarioResult.Ms(Stats.Max(ready))} | {ScenarioResult.Number(readyMedian / bareMedian)} | |");
        foreach (var (launch, how) in variants)
        {
            var values = times[launch.Name];
            var median = Stats.Median(values);
            lines.Add($"| function: {launch.Name}, start → first event stored | {how} | {ScenarioResult.Ms(median)} | {ScenarioResult.Ms(Stats.Min(values))} | {ScenarioResult.Ms(Stats.Max(values))} | {ScenarioResult.Number(median / bareMedian)} | {ScenarioResult.Number(Stats.Median(peaks[launch.Name]), "0")} MiB |");
        }

        foreach (var note in notes)
        {
            lines.Add("");
            lines.Add(note);
        }

        result.Data["runs"] = runs;
        result.Data["bareMs"] = bare;
        result.Data["functionReadyMs"] = ready;
        result.Data["functionFirstEventMs"] = times;
        result.Data["functionPeakRssMiB"] = peaks;
        result.Data["variants"] = variants.Select(v => new { v.Launch.Name, v.How, v.Launch.Environment }).ToList();
        return result;
    }

    private static async Task<double> BareOnceAsync(BenchContext context, ScenarioResult result)
    {
        await using var bare = ServerProcess.Start(context.Bare, new Dictionary<string, string>(), context.LogPath("coldstart-bare"));
        var (response, since) = await bare.FirstAnswerAsync(
            context.Http,
            () => new HttpRequestMessage(HttpMethod.Post, bare.BaseUri) { Content = new StringContent("{\"message\":{}}", System.Text.Encoding.UTF8, "application/json") },
            TimeSpan.FromSeconds(60));
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                result.Errors.Add($"bare app answered {(int)response.StatusCode}");
            }

            await response.Content.ReadAsByteArrayAsync();
        }

        return since.TotalMilliseconds;
    }

    private static async Task<double> ReadyOnceAsync(BenchContext context, FakeWorld world)
    {
        await using var function = ServerProcess.Start(context.Function, world.Environment, context.LogPath("coldstart-function"));
        return (await function.WaitReadyAsync(context.Http, TimeSpan.FromSeconds(60))).TotalMilliseconds;
    }

    private static async Task<(double Ms, double PeakMiB)> FunctionOnceAsync(
        BenchContext context, FakeWorld world, EventFactory events, Launch launch, ScenarioResult result)
    {
        await using var function = ServerProcess.Start(launch, world.Environment, context.LogPath("coldstart-" + launch.Name.Replace(' ', '-')));
        var (response, since) = await function.FirstAnswerAsync(context.Http, () => events.Next(function.BaseUri), TimeSpan.FromSeconds(60));
        using (response)
        {
            var answer = EventClient.Read(response.StatusCode, await response.Content.ReadAsByteArrayAsync(), since.TotalMilliseconds);
            if (!answer.Stored)
            {
                result.Errors.Add($"{launch.Name}: first event {answer.Describe()}");
            }
        }

        return (since.TotalMilliseconds, function.Memory().PeakRssMiB);
    }

    /// <summary>Publishes the function ReadyToRun into the scratch folder; null (and a note) when that fails.</summary>
    private static async Task<string?> PublishReadyToRunAsync(BenchContext context, List<string> notes)
    {
        var output = Path.Combine(context.WorkDirectory, "publish-r2r");
        var project = Path.Combine(context.RepositoryRoot, "function/ReverseShellFunction/ReverseShellFunction.csproj");
        context.Progress("  publishing the function ReadyToRun");
        var (code, _, elapsed) = await ServerProcess.RunAsync(
            new Launch("publish", "dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output], new Dictionary<string, string>()),
            new Dictionary<string, string>(),
            context.LogPath("publish-r2r"),
            TimeSpan.FromMinutes(10));
        var dll = Path.Combine(output, "ReverseShellFunction.dll");
        if (code != 0 || !File.Exists(dll))
        {
            notes.Add($"ReadyToRun publish failed (exit code {code}); see {context.LogPath("publish-r2r")}.");
            return null;
        }

        var size = Directory.EnumerateFiles(output).Sum(f => new FileInfo(f).Length) / 1024.0 / 1024.0;
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"ReadyToRun publish: restored the runtime pack and crossgen from NuGet and took {elapsed.TotalSeconds:0} s here; the published folder is {size:0.0} MiB."));
        return dll;
    }
}
