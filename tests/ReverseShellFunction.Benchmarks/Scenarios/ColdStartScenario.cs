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
        ("first Google API request (metadata server)", "host start; the warm-up's credential probe (started with the host), or else the first collector's"),
        ("existence check reaches Cloud Storage", "the first request accepted and parsed, rules, the bundle id; collectors start alongside the check"),
        ("token requested (metadata server)", "the probe answered; Google.Apis.Auth's first use"),
        ("first collector request (SCC, Cloud Run or Logging)", "the token answered and handed to the collectors, their HTTP client's first request"),
        ("last Google API request", "the delivery moment's collectors' calls (SCC, Cloud Run, Logging) on their first use, pages after the first"),
        ("bundle upload starts", "the last answer read, summary, summary.md, summary.html, manifest, zip and hashes"),
        ("index entry upload starts", "the bundle's upload (one multipart request when it fits one chunk) and its integrity check"),
        ("200 answer read", "the index entry's upload answered and checked, the result serialized and sent"),
    ];

    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        var runs = context.Smoke ? 1 : 11;
        var result = new ScenarioResult { Name = "coldstart", Title = "2. Cold start: process start to first event stored (fakes at 0 ms)" };
        await using var world = await FakeWorld.StartAsync(new FakeGoogleApisOptions());
        var events = new EventFactory(context.SamplePath);

        // Every function variant is compared with the bare app built and started the same way: the ratio is
        // only about what the function does, not about how it was compiled.
        const string jitBuild = "`dotnet build -c Release`, started as `dotnet <dll>`";
        var bares = new List<(Launch Launch, string How)> { (context.Bare with { Name = "bare, JIT" }, jitBuild) };
        var variants = new List<(Launch Launch, string How, string Baseline)>
        {
            (context.Function, jitBuild + "; JIT with the defaults (TieredCompilation, QuickJit, QuickJitForLoops on; TieredPGO on, as both projects set)", "bare, JIT"),
        };
        var notes = new List<string>();
        if (context.FunctionExecutable is not null && context.BareExecutable is not null)
        {
            // Two builds published beforehand (--function-exe, --bare-exe): compared as the image pair, nothing published here.
            const string given = "published beforehand, started by its apphost (`--function-exe`, `--bare-exe`)";
            bares.Clear();
            bares.Add((new Launch("bare, image build", context.BareExecutable, [], new Dictionary<string, string>()), given));
            variants.Clear();
            variants.Add((context.Function with { Name = "image build" }, given, "bare, image build"));
        }
        else if (!context.SkipVariants)
        {
            variants.Add((context.Function.With("TieredPGO off", "DOTNET_TieredPGO", "0"), "the JIT build, `DOTNET_TieredPGO=0`", "bare, JIT"));
            string[] image = ["--self-contained", "true", "-p:PublishReadyToRun=true", "-p:PublishReadyToRunComposite=true"];
            const string imageBuild = "`dotnet publish -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true` " +
                "(runtime, ASP.NET Core and the app in one native image: what the Dockerfile builds), started by its apphost";
            var composite = await PublishAsync(context, notes, "the function, ReadyToRun composite, self-contained", "function/ReverseShellFunction/ReverseShellFunction.csproj", "publish-function-composite", image);
            var bareComposite = await PublishAsync(context, notes, "the bare app, ReadyToRun composite, self-contained", "tests/ReverseShellFunction.Benchmarks.BareApp/ReverseShellFunction.Benchmarks.BareApp.csproj", "publish-bare-composite", image);
            if (composite is not null && bareComposite is not null)
            {
                bares.Add((new Launch("bare, image build", Path.Combine(bareComposite, "ReverseShellFunction.Benchmarks.BareApp"), [], new Dictionary<string, string>()), imageBuild));
                var native = Launch.Native("image build", Path.Combine(composite, "ReverseShellFunction"));
                variants.Add((native, imageBuild, "bare, image build"));
                variants.Add((native.With("image build, TieredPGO off", "DOTNET_TieredPGO", "0"), "the image build, `DOTNET_TieredPGO=0`", "bare, image build"));
                variants.Add((native.With("image build, TieredCompilation off", "DOTNET_TieredCompilation", "0"), "the image build, `DOTNET_TieredCompilation=0` (what is not precompiled is jitted fully at once)", "bare, image build"));
            }
        }

        var bareTimes = bares.ToDictionary(b => b.Launch.Name, _ => new List<double>(), StringComparer.Ordinal);
        var readyTimes = variants.Select(v => v.Launch.Name).Where(IsMain).ToDictionary(n => n, _ => new List<double>(), StringComparer.Ordinal);
        var times = variants.ToDictionary(v => v.Launch.Name, _ => new List<double>(), StringComparer.Ordinal);
        var peaks = variants.ToDictionary(v => v.Launch.Name, _ => new List<double>(), StringComparer.Ordinal);
        var timelines = variants.ToDictionary(v => v.Launch.Name, _ => new List<IReadOnlyDictionary<string, double>>(), StringComparer.Ordinal);
        for (var run = 0; run < runs; run++)
        {
            context.Progress($"  cold start run {run + 1} of {runs}");
            foreach (var (launch, _) in bares)
            {
                bareTimes[launch.Name].Add(await BareOnceAsync(context, launch, result));
            }

            foreach (var (launch, _, _) in variants)
            {
                if (readyTimes.TryGetValue(launch.Name, out var ready))
                {
                    ready.Add(await ReadyOnceAsync(context, world, launch));
                }

                var (ms, peak, timeline) = await FunctionOnceAsync(context, world, events, launch, result);
                times[launch.Name].Add(ms);
                peaks[launch.Name].Add(peak);
                timelines[launch.Name].Add(timeline);
            }
        }

        var bareMedians = bareTimes.ToDictionary(p => p.Key, p => Stats.Median(p.Value), StringComparer.Ordinal);
        foreach (var (launch, how, baseline) in variants.Where(v => IsMain(v.Launch.Name)))
        {
            var median = Stats.Median(times[launch.Name]);
            var ratio = median / bareMedians[baseline];
            var image = launch.Name == "image build";
            var label = image
                ? "Cold start to first event stored, the image's build (ReadyToRun composite, self-contained, apphost) against the bare app built alike"
                : "Cold start to first event stored, Release JIT build (`dotnet <dll>`) against the bare app built alike";
            result.Rows.Add(new($"{label}, median of {runs}", ScenarioResult.Ms(median), $"{baseline}: start → first response {ScenarioResult.Ms(bareMedians[baseline])}",
                ScenarioResult.Number(ratio) + "×", image ? "≤ 2.0×" : "(report)", image ? ScenarioResult.Met(ratio <= 2.0) : "n/a"));
        }

        var lines = result.Details;
        lines.Add($"Each run starts a new process and, from just before `Process.Start`, sends the request every 5 ms until a connection is accepted; " +
            $"the time is taken when the 200 answer has been read. The function's request is a new finding event, answered `stored` after the delivery moment's collectors ran against the fakes " +
            $"(metadata server probe and token included) and the bundle and index entry were uploaded. The bare app (`tests/ReverseShellFunction.Benchmarks.BareApp`: the same " +
            $"`WebApplication.CreateSlimBuilder` host, workstation GC, TieredPGO and invariant globalization, as the function sets them) answers POST / with a small JSON body. " +
            $"Each function build is divided by the bare app built and started the same way. Runs are interleaved (each bare build, then each function build), {runs} of each.");
        lines.Add("");
        lines.Add("| Build | How | Median | Min | Max | × bare built alike | Peak RSS at first answer (median) |");
        lines.Add("|---|---|---|---|---|---|---|");
        foreach (var (launch, how) in bares)
        {
            var values = bareTimes[launch.Name];
            lines.Add($"| {launch.Name}, start → first POST answered | {how} | {ScenarioResult.Ms(bareMedians[launch.Name])} | {ScenarioResult.Ms(Stats.Min(values))} | {ScenarioResult.Ms(Stats.Max(values))} | 1.00 | |");
        }

        foreach (var (launch, how, baseline) in variants)
        {
            if (readyTimes.TryGetValue(launch.Name, out var ready))
            {
                var readyMedian = Stats.Median(ready);
                lines.Add($"| function ({launch.Name}), start → `GET /ready` | host started, nothing collected | {ScenarioResult.Ms(readyMedian)} | {ScenarioResult.Ms(Stats.Min(ready))} | {ScenarioResult.Ms(Stats.Max(ready))} | {ScenarioResult.Number(readyMedian / bareMedians[baseline])} | |");
            }

            var values = times[launch.Name];
            var median = Stats.Median(values);
            lines.Add($"| function ({launch.Name}), start → first event stored | {how} | {ScenarioResult.Ms(median)} | {ScenarioResult.Ms(Stats.Min(values))} | {ScenarioResult.Ms(Stats.Max(values))} | {ScenarioResult.Number(median / bareMedians[baseline])} | {ScenarioResult.Number(Stats.Median(peaks[launch.Name]), "0")} MiB |");
        }

        lines.Add("");
        lines.Add("Where the time goes in the first event: when each request reached the fakes (which run in the benchmark process, on the same clock), " +
            "median over the runs, from process start. Each row's step ends when the next row's request arrives.");
        lines.Add("");
        var shown = variants.Where(v => IsMain(v.Launch.Name)).Select(v => v.Launch.Name).ToList();
        lines.Add($"| Milestone (ms since process start) | {string.Join(" | ", shown)} | What happened before it |");
        lines.Add($"|---|{string.Concat(shown.Select(_ => "---|"))}---|");
        lines.Add($"| bare app built alike: first POST answered | {string.Join(" | ", shown.Select(name => ScenarioResult.Ms(bareMedians[variants.First(v => v.Launch.Name == name).Baseline])))} | runtime and host start, Kestrel listening, one endpoint |");
        lines.Add($"| function: `GET /ready` answered (separate runs) | {string.Join(" | ", shown.Select(name => ScenarioResult.Ms(Stats.Median(readyTimes[name]))))} | runtime and host start, the pipeline's singletons built, Kestrel listening |");
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
        result.Data["bareMs"] = bareTimes;
        result.Data["functionReadyMs"] = readyTimes;
        result.Data["functionFirstEventMs"] = times;
        result.Data["functionPeakRssMiB"] = peaks;
        result.Data["functionTimelines"] = timelines;
        result.Data["variants"] = variants.Select(v => new { v.Launch.Name, v.How, v.Baseline, v.Launch.Environment }).ToList();
        return result;
    }

    /// <summary>The two builds the summary rows and the milestone table are about: the JIT build and the image's build.</summary>
    private static bool IsMain(string name) => name is "function" or "image build";

    private static async Task<double> BareOnceAsync(BenchContext context, Launch launch, ScenarioResult result)
    {
        await using var bare = ServerProcess.Start(launch, new Dictionary<string, string>(), context.LogPath("coldstart-" + launch.Name.Replace(' ', '-').Replace(",", "", StringComparison.Ordinal)));
        var (response, since) = await bare.FirstAnswerAsync(
            context.Http,
            () => new HttpRequestMessage(HttpMethod.Post, bare.BaseUri) { Content = new StringContent("{\"message\":{}}", System.Text.Encoding.UTF8, "application/json") },
            TimeSpan.FromSeconds(60));
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                result.Errors.Add($"{launch.Name} answered {(int)response.StatusCode}");
            }

            await response.Content.ReadAsByteArrayAsync();
        }

        return since.TotalMilliseconds;
    }

    private static async Task<double> ReadyOnceAsync(BenchContext context, FakeWorld world, Launch launch)
    {
        await using var function = ServerProcess.Start(launch, world.Environment, context.LogPath("coldstart-" + launch.Name.Replace(' ', '-')));
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
            if (google.FirstOrDefault(r => r.Api == FakeApi.Metadata && r.Path.EndsWith("/token", StringComparison.Ordinal)) is { } token)
            {
                timeline["token requested (metadata server)"] = Since(token.ArrivedAt);
            }

            if (google.Where(r => r.Api is not null and not FakeApi.Metadata).Select(r => (long?)r.ArrivedAt).Min() is { } collector)
            {
                timeline["first collector request (SCC, Cloud Run or Logging)"] = Since(collector);
            }
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

    /// <summary>Publishes <paramref name="projectPath"/> for linux-x64 with <paramref name="properties"/> into the scratch folder; null (and a note) when that fails.</summary>
    private static async Task<string?> PublishAsync(BenchContext context, List<string> notes, string name, string projectPath, string folder, string[] properties)
    {
        var output = Path.Combine(context.WorkDirectory, folder);
        var project = Path.Combine(context.RepositoryRoot, projectPath);
        context.Progress($"  publishing {name}");
        var (code, _, elapsed) = await ServerProcess.RunAsync(
            // Own artifacts folder per publish: ReadyToRun and composite outputs must not meet in one obj folder.
            new Launch("publish", "dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", .. properties, "--artifacts-path", output + "-artifacts", "-o", output], new Dictionary<string, string>()),
            new Dictionary<string, string>(),
            context.LogPath(folder),
            TimeSpan.FromMinutes(10));
        if (code != 0 || !File.Exists(Path.Combine(output, Path.GetFileNameWithoutExtension(projectPath) + ".dll")))
        {
            notes.Add($"{name} publish failed (exit code {code}); see {context.LogPath(folder)}.");
            return null;
        }

        var size = Directory.EnumerateFiles(output).Sum(f => new FileInfo(f).Length) / 1024.0 / 1024.0;
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"{name} publish: packs restored from NuGet; it took {elapsed.TotalSeconds:0} s here (less when the build is up to date); the published folder is {size:0.0} MiB."));
        return output;
    }
}
