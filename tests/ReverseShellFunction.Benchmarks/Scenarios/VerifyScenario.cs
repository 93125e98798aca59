using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: a ~100 MiB bundle made by the function's own pipeline (<c>replay --dir</c> against fakes whose
/// container log carries pseudo-random base64), then <c>verify --dir</c> of it as a process against
/// <c>sha256sum</c> of the same zip, runs interleaved, warm page cache for both; then <c>verify --all</c> over
/// many parts in the storage fake against the request-bound limit (<see cref="VerifyAllMeasure"/>).
/// </summary>
internal static class VerifyScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        var (entries, payload) = context.Smoke ? (1_000, 5_000) : (20_000, 6_900);
        var runs = context.Smoke ? 1 : 5;
        var result = new ScenarioResult { Name = "verify", Title = "5. Verify: `verify --dir` of a large bundle against `sha256sum` of the same zip, and `verify --all` against the request-bound limit" };
        var store = Path.Combine(context.WorkDirectory, "verify-store");
        var (bundleId, zip) = await MakeBundleAsync(context, entries, payload, store, result);
        if (bundleId is null || zip is null)
        {
            return result;
        }

        var size = new FileInfo(zip).Length;
        var verify = Launch.Cli(context.FunctionDll, "verify", "--dir", store, bundleId);
        var sha = new Launch("sha256sum", "sha256sum", [zip], new Dictionary<string, string>());
        var help = Launch.Cli(context.FunctionDll, "verify", "--help");
        var none = new Dictionary<string, string>();

        // One of each first: the page cache then holds the zip for both, and the dlls for verify.
        await ServerProcess.RunAsync(sha, none, context.LogPath("verify"), TimeSpan.FromMinutes(2));
        await ServerProcess.RunAsync(verify, none, context.LogPath("verify"), TimeSpan.FromMinutes(5));
        var shaTimes = new List<double>();
        var verifyTimes = new List<double>();
        var helpTimes = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (shaCode, shaOutput, shaElapsed) = await ServerProcess.RunAsync(sha, none, context.LogPath("verify"), TimeSpan.FromMinutes(2));
            var (code, output, elapsed) = await ServerProcess.RunAsync(verify, none, context.LogPath("verify"), TimeSpan.FromMinutes(5));
            var (_, _, helpElapsed) = await ServerProcess.RunAsync(help, none, context.LogPath("verify"), TimeSpan.FromMinutes(1));
            if (shaCode != 0 || code != 0)
            {
                result.Errors.Add($"run {run}: sha256sum exited {shaCode}, verify exited {code}: {output.Trim()}");
            }
            else if (run == 0)
            {
                result.Details.Add($"`verify` said: `{output.Trim().Replace("\n", " / ", StringComparison.Ordinal)}`; `sha256sum`: `{shaOutput.Split(' ')[0]}`.");
                result.Details.Add("");
            }

            shaTimes.Add(shaElapsed.TotalMilliseconds);
            verifyTimes.Add(elapsed.TotalMilliseconds);
            helpTimes.Add(helpElapsed.TotalMilliseconds);
        }

        var (hashZip, inflate, inflateAndHash) = await FloorAsync(zip, runs);
        var mib = size / 1024.0 / 1024.0;
        var shaRate = mib / (Stats.Median(shaTimes) / 1000);
        var verifyRate = mib / (Stats.Median(verifyTimes) / 1000);
        result.Rows.Add(new($"verify throughput ({mib:0} MiB bundle, process, median of {runs})", $"{ScenarioResult.Number(verifyRate, "0")} MiB/s ({ScenarioResult.Ms(Stats.Median(verifyTimes))})",
            $"sha256sum {ScenarioResult.Number(shaRate, "0")} MiB/s ({ScenarioResult.Ms(Stats.Median(shaTimes))})", ScenarioResult.Number(verifyRate / shaRate) + "× (this build's `verify` ÷ coreutils `sha256sum`)", "≥ 0.8×", ScenarioResult.Met(verifyRate / shaRate >= 0.8)));

        var lines = result.Details;
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"The bundle was written by `ReverseShellFunction.dll replay --dir` (Release) from fakes serving {entries:N0} container entries, each with {payload:N0} characters of pseudo-random base64: " +
            $"zip {mib:0.0} MiB, `logs/container.jsonl` {result.Data["containerLogMiB"]:0.0} MiB inside. Both commands run as processes on the zip in a warm page cache, interleaved, {runs} runs after one unmeasured run of each."));
        lines.Add("");
        lines.Add("| Command | Median | Min | Max | Throughput (zip bytes / median) |");
        lines.Add("|---|---|---|---|---|");
        lines.Add($"| `sha256sum <zip>` | {ScenarioResult.Ms(Stats.Median(shaTimes))} | {ScenarioResult.Ms(Stats.Min(shaTimes))} | {ScenarioResult.Ms(Stats.Max(shaTimes))} | {ScenarioResult.Number(shaRate, "0")} MiB/s |");
        lines.Add($"| `dotnet ReverseShellFunction.dll verify --dir <store> <id>` | {ScenarioResult.Ms(Stats.Median(verifyTimes))} | {ScenarioResult.Ms(Stats.Min(verifyTimes))} | {ScenarioResult.Ms(Stats.Max(verifyTimes))} | {ScenarioResult.Number(verifyRate, "0")} MiB/s |");
        lines.Add($"| `dotnet ReverseShellFunction.dll verify --help` (process start, no work) | {ScenarioResult.Ms(Stats.Median(helpTimes))} | {ScenarioResult.Ms(Stats.Min(helpTimes))} | {ScenarioResult.Ms(Stats.Max(helpTimes))} | |");
        lines.Add($"| in this process: SHA-256 of the zip (.NET, OpenSSL) | {ScenarioResult.Ms(Stats.Median(hashZip))} | {ScenarioResult.Ms(Stats.Min(hashZip))} | {ScenarioResult.Ms(Stats.Max(hashZip))} | {ScenarioResult.Number(mib / (Stats.Median(hashZip) / 1000), "0")} MiB/s |");
        lines.Add($"| in this process: inflate every entry (System.IO.Compression), no hashing | {ScenarioResult.Ms(Stats.Median(inflate))} | {ScenarioResult.Ms(Stats.Min(inflate))} | {ScenarioResult.Ms(Stats.Max(inflate))} | {ScenarioResult.Number(mib / (Stats.Median(inflate) / 1000), "0")} MiB/s |");
        lines.Add($"| in this process: inflate and SHA-256 every entry | {ScenarioResult.Ms(Stats.Median(inflateAndHash))} | {ScenarioResult.Ms(Stats.Min(inflateAndHash))} | {ScenarioResult.Ms(Stats.Max(inflateAndHash))} | {ScenarioResult.Number(mib / (Stats.Median(inflateAndHash) / 1000), "0")} MiB/s |");
        var floor = Stats.Median(helpTimes) + Stats.Median(inflate);
        lines.Add("");
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"`verify` has to inflate every entry to check the SHA-256 its manifest lists for it, and inflating is sequential. Process start ({ScenarioResult.Ms(Stats.Median(helpTimes))}) plus inflating alone " +
            $"({ScenarioResult.Ms(Stats.Median(inflate))}) is {ScenarioResult.Ms(floor)}: {mib / (floor / 1000):0} MiB/s, {mib / (floor / 1000) / shaRate:0.00}× `sha256sum`, even if every hash ran for free on the other core. " +
            $"`sha256sum` hashes only the zip's bytes once, with coreutils' own SHA-256 ({shaRate:0} MiB/s here; .NET's OpenSSL SHA-256 does {mib / (Stats.Median(hashZip) / 1000):0} MiB/s)."));
        result.Data["inProcessSha256ZipMs"] = hashZip;
        result.Data["inProcessInflateMs"] = inflate;
        result.Data["inProcessInflateAndHashMs"] = inflateAndHash;
        result.Data["floorMs"] = floor;
        result.Data["bundleBytes"] = size;
        result.Data["sha256sumMs"] = shaTimes;
        result.Data["verifyMs"] = verifyTimes;
        result.Data["verifyHelpMs"] = helpTimes;
        result.Data["sha256sumMiBPerSecond"] = shaRate;
        result.Data["verifyMiBPerSecond"] = verifyRate;
        await VerifyAllMeasure.RunAsync(context, result);
        return result;
    }

    /// <summary>What the work of verify costs without the tool around it: hashing the zip, inflating and hashing its entries.</summary>
    private static async Task<(List<double> HashZip, List<double> Inflate, List<double> InflateAndHash)> FloorAsync(string zip, int runs)
    {
        var (hashZip, inflate, inflateAndHash) = (new List<double>(), new List<double>(), new List<double>());
        var buffer = new byte[64 * 1024];
        for (var run = 0; run <= runs; run++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using (var file = File.OpenRead(zip))
            {
                await System.Security.Cryptography.SHA256.HashDataAsync(file);
            }

            var hashed = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            await ReadEntriesAsync(zip, buffer, hash: false);
            var inflated = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            await ReadEntriesAsync(zip, buffer, hash: true);
            var both = clock.Elapsed.TotalMilliseconds;

            // The first round warms up (JIT, native libraries), as the unmeasured process runs do.
            if (run > 0)
            {
                hashZip.Add(hashed);
                inflate.Add(inflated);
                inflateAndHash.Add(both);
            }
        }

        return (hashZip, inflate, inflateAndHash);
    }

    private static async Task ReadEntriesAsync(string zip, byte[] buffer, bool hash)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(zip);
        foreach (var entry in archive.Entries)
        {
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            await using var content = entry.Open();
            int read;
            while ((read = await content.ReadAsync(buffer)) > 0)
            {
                if (hash)
                {
                    sha.AppendData(buffer, 0, read);
                }
            }
        }
    }

    /// <summary>Runs the pipeline once into a folder store and returns the bundle id and the zip's path.</summary>
    internal static async Task<(string? BundleId, string? Zip)> MakeBundleAsync(BenchContext context, int entries, int payload, string store, ScenarioResult result)
    {
        context.Progress($"  making the bundle: {entries} entries of {payload} random characters through replay");
        await using var world = await FakeWorld.StartAsync(new FakeGoogleApisOptions { ContainerLogEntries = entries, ContainerLogPayloadBytes = payload, LogPageSize = 1000 });
        var environment = new Dictionary<string, string>(world.Environment)
        {
            ["LOG_MAX_ENTRIES"] = "1000000",
            ["LOG_MAX_BYTES"] = (1L << 30).ToString(CultureInfo.InvariantCulture),

            // The whole log in part 1: on a loaded machine reading 20,000 entries can take longer than the
            // defaults (8 s delivery budget, 45 s collection deadline), and a part cut short is not the size
            // the measurement is for.
            ["DELIVERY_BUDGET_SECONDS"] = "599",
            ["COLLECTION_DEADLINE_SECONDS"] = "3599",
            ["COLLECTOR_TIMEOUT_SECONDS"] = "3599",
        };
        environment.Remove("EVIDENCE_BUCKET");
        environment.Remove("STORAGE_EMULATOR_HOST");
        var file = new EventFactory(context.SamplePath).WriteFile(context.WorkDirectory);
        var (code, output, elapsed) = await ServerProcess.RunAsync(Launch.Cli(context.FunctionDll, "replay", "--json", "--dir", store, file), environment, context.LogPath("verify-replay"), TimeSpan.FromMinutes(10));
        if (code != 0)
        {
            result.Errors.Add($"replay exited {code}: {output.Trim()}");
            return (null, null);
        }

        using var line = JsonDocument.Parse(output.Trim().Split('\n')[0]);
        var answer = line.RootElement.GetProperty("result");
        var bundleId = answer.GetProperty("bundleId").GetString()!;
        var objectName = answer.GetProperty("indexEntry").GetProperty("bundle").GetProperty("objectName").GetString()!;
        var zip = Path.Combine(store, objectName);
        using (var archive = System.IO.Compression.ZipFile.OpenRead(zip))
        {
            result.Data["containerLogMiB"] = (archive.GetEntry("logs/container.jsonl")?.Length ?? 0) / 1024.0 / 1024.0;
        }

        result.Data["replayMs"] = elapsed.TotalMilliseconds;
        return (bundleId, zip);
    }
}
