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
    private static readonly (string Key, string What)[] s_milestones =
    [
        ("existence check reaches Cloud Storage", "host start, the first request accepted and parsed, rules, the bundle id, the StorageClient built"),
        ("first Google API request (metadata server)", "the existence check answered 404 (first GoogleApiException), staging, collectors started, credentials looked up"),
        ("last Google API request", "token, then the four collectors' calls (SCC, Cloud Run, Logging) on their first use"),
        ("bundle upload starts", "the last answer read, summary, summary.md, manifest, zip and hashes"),
        ("index entry upload starts", "the bundle's resumable upload (start and PUT) and its integrity check"),
        ("last Cloud Storage request", "the index entry's upload session started"),
        ("200 answer read", "the index entry's PUT answered and checked, the result serialized and sent"),
    ];

    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        var runs = context.Smoke ? 1 : 11;
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
            var r2r = await PublishAsync(context, notes, "ReadyToRun", "publish-r2r", ["--self-contained", "false", "-p:PublishReadyToRun=true"]);
            if (r2r is not null)
            {
                var dll = Path.Combine(r2r, "ReverseShellFunction.dll");
                variants.Add((Launch.Function("ReadyToRun", dll), "`dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true` (framework-dependent)"));
                variants.Add((Launch.Function("ReadyToRun", dll).With("ReadyToRun + TieredPGO off", "DOTNET_TieredPGO", "0"), "the ReadyToRun publish, `DOTNET_TieredPGO=0`"));
            }

            var composite = await PublishAsync(context, notes, "ReadyToRun composite, self-contained", "publish-r2r-composite", ["--self-contained", "true", "-p:PublishReadyToRun=true", "-p:PublishReadyToRunComposite=true"]);
            if (composite is not null)
            {
                variants.Add((Launch.Native("ReadyToRun composite", Path.Combine(composite, "ReverseShellFunction")), "`dotnet publish -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true` (framework and app in one native image; what the Dockerfile builds), started by its apphost"));
            }
        }

        var bare = new List<double>();
        var ready = new List<double>();
        var times = variants.ToDictionary(v => v.Launch.Name, _ => new List<double>(), StringComparer.Ordinal);
        var peaks = variants.ToDictionary(v => v.Launch.Name, _ => new List<double>(), StringComparer.Ordinal);
        var timelines = variants.ToDictionary(v => v.Launch.Name, _ => new List<IReadOnlyDictionary<string, double>>(), StringComparer.Ordinal);
        for (var run = 0; run < runs; run++)
        {
            context.Progress($"  cold start run {run + 1} of {runs}");
            bare.Add(await BareOnceAsync(context, result));
            ready.Add(await ReadyOnceAsync(context, world));
            foreach (var (launch, _) in variants)
            {
                var (ms, peak, timeline) = await FunctionOnceAsync(context, world, events, launch, result);
                times[launch.Name].Add(ms);
                peaks[launch.Name].Add(peak);
                timelines[launch.Name].Add(timeline);
            }
        }

        var bareMedian = Stats.Median(bare);
        foreach (var (launch, _) in variants.Where(v => v.Launch.Name is "function" or "ReadyToRun" or "ReadyToRun composite"))
        {
            var median = Stats.Median(times[launch.Name]);
            var label = launch.Name switch
            {
                "function" => "Cold start to first event stored (Release build, JIT)",
                "ReadyToRun" => "Cold start to first event stored (ReadyToRun, framework-dependent)",
                _ => "Cold start to first event stored (ReadyToRun composite, self-contained: the image's build)",
            };
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

        lines.Add("");
        lines.Add("Where the time goes in the first event: when each request reached the fakes (which run in the benchmark process, on the same clock), " +
            "median over the runs, from process start. Each row's step ends when the next row's request arrives.");
        lines.Add("");
        var shown = variants.Where(v => v.Launch.Name is "function" or "ReadyToRun" or "ReadyToRun composite").Select(v => v.Launch.Name).ToList();
        lines.Add($"| Milestone (ms since process start) | {string.Join(" | ", shown)} | What happened before it |");
        lines.Add($"|---|{string.Concat(shown.Select(_ => "---|"))}---|");
        lines.Add($"| function start → `GET /ready` answered (separate runs) | {ScenarioResult.Ms(readyMedian)} |{string.Concat(shown.Skip(1).Select(_ => " |"))} runtime and host start, Kestrel listening |");
        foreach (var (key, what) in s_milestones)
        {
            lines.Add($"| {key} | {string.Join(" | ", shown.Select(name => ScenarioResult.Ms(Stats.Median(timelines[name].Where(t => t.ContainsKey(key)).Select(t => t[key]).ToList()))))} | {what} |");
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
        result.Data["functionTimelines"] = timelines;
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

    private static async Task<(double Ms, double PeakMiB, IReadOnlyDictionary<string, double> Timeline)> FunctionOnceAsync(
        BenchContext context, FakeWorld world, EventFactory events, Launch launch, ScenarioResult result)
    {
        var googleBefore = world.Apis.Requests.Count;
        var storageBefore = world.Storage.Requests.All.Count;
        await using var function = ServerProcess.Start(launch, world.Environment, context.LogPath("coldstart-" + launch.Name.Replace(' ', '-')));
        var (response, since) = await function.FirstAnswerAsync(context.Http, () => events.Next(function.BaseUri), TimeSpan.FromSeconds(60));
        double Since(long timestamp) => System.Diagnostics.Stopwatch.GetElapsedTime(function.StartedAt, timestamp).TotalMilliseconds;
        var google = world.Apis.Requests.Skip(googleBefore).ToList();
        var storage = world.Storage.Requests.All.Skip(storageBefore).ToList();
        var uploads = storage.Where(r => r.Operation == ReverseShellFunction.Fakes.Storage.FakeStorageOperation.UploadStart).ToList();
        var timeline = new Dictionary<string, double>(StringComparer.Ordinal) { ["200 answer read"] = since.TotalMilliseconds };
        if (storage.Count > 0)
        {
            timeline["existence check reaches Cloud Storage"] = Since(storage[0].ArrivedAt);
            timeline["last Cloud Storage request"] = Since(storage[^1].ArrivedAt);
        }

        if (google.Count > 0)
        {
            timeline["first Google API request (metadata server)"] = Since(google.Min(r => r.ArrivedAt));
            timeline["last Google API request"] = Since(google.Max(r => r.ArrivedAt));
        }

        if (uploads.Count == 2)
        {
            timeline["bundle upload starts"] = Since(uploads[0].ArrivedAt);
            timeline["index entry upload starts"] = Since(uploads[1].ArrivedAt);
        }

        using (response)
        {
            var answer = EventClient.Read(response.StatusCode, await response.Content.ReadAsByteArrayAsync(), since.TotalMilliseconds);
            if (!answer.Stored)
            {
                result.Errors.Add($"{launch.Name}: first event {answer.Describe()}");
            }
        }

        return (since.TotalMilliseconds, function.Memory().PeakRssMiB, timeline);
    }

    /// <summary>Publishes the function for linux-x64 with <paramref name="properties"/> into the scratch folder; null (and a note) when that fails.</summary>
    private static async Task<string?> PublishAsync(BenchContext context, List<string> notes, string name, string folder, string[] properties)
    {
        var output = Path.Combine(context.WorkDirectory, folder);
        var project = Path.Combine(context.RepositoryRoot, "function/ReverseShellFunction/ReverseShellFunction.csproj");
        context.Progress($"  publishing the function: {name}");
        var (code, _, elapsed) = await ServerProcess.RunAsync(
            // Own artifacts folder per publish: ReadyToRun and composite outputs must not meet in one obj folder.
            new Launch("publish", "dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", .. properties, "--artifacts-path", output + "-artifacts", "-o", output], new Dictionary<string, string>()),
            new Dictionary<string, string>(),
            context.LogPath(folder),
            TimeSpan.FromMinutes(10));
        if (code != 0 || !File.Exists(Path.Combine(output, "ReverseShellFunction.dll")))
        {
            notes.Add($"{name} publish failed (exit code {code}); see {context.LogPath(folder)}.");
            return null;
        }

        var size = Directory.EnumerateFiles(output).Sum(f => new FileInfo(f).Length) / 1024.0 / 1024.0;
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"{name} publish: packs restored from NuGet; it took {elapsed.TotalSeconds:0} s here (less when the build is up to date); the published folder is {size:0.0} MiB."));
        return output;
    }
}
