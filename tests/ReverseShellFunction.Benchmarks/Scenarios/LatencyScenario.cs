using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: sequential distinct events with every fake call delayed, request to 2xx, against the critical
/// path: the longest chain of sequential calls through one collector plus the storage calls, counted per event
/// from the fakes' request logs, times the latency.
/// </summary>
internal static class LatencyScenario
{
    private static readonly string[] s_collectors = ["related-findings", "cloud-run", "container-logs", "audit-logs"];

    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        var latency = TimeSpan.FromMilliseconds(context.Smoke ? 20 : 100);
        var count = context.Smoke ? 5 : 40;
        var result = new ScenarioResult { Name = "latency", Title = $"1. Event latency, fakes at {latency.TotalMilliseconds:0} ms per call" };
        await using var world = await FakeWorld.StartAsync(new FakeGoogleApisOptions { Latency = latency });
        var events = new EventFactory(context.SamplePath);
        await using var function = ServerProcess.Start(context.Function, world.Environment, context.LogPath("latency-function"));
        await function.WaitReadyAsync(context.Http, TimeSpan.FromSeconds(60));

        // The first events of a process also pay for JIT, the metadata server probe and the token: shown, not counted.
        var warmUp = new List<Sample>();
        for (var i = 0; i < 2; i++)
        {
            warmUp.Add(await MeasureAsync(context, world, function, events, latency, result));
        }

        var samples = new List<Sample>();
        for (var i = 0; i < count; i++)
        {
            samples.Add(await MeasureAsync(context, world, function, events, latency, result));
        }

        var totals = samples.Select(s => s.TotalMs).ToList();
        var limits = samples.Select(s => s.LimitMs).ToList();
        var limit = Stats.Median(limits);
        var median = Stats.Median(totals);
        var p99 = Stats.Percentile(totals, 99);
        var basis = $"limit {ScenarioResult.Ms(limit)} ({Stats.Median(samples.Select(s => (double)s.LimitCalls).ToList()):0} sequential calls × {latency.TotalMilliseconds:0} ms)";
        result.Rows.Add(new("Event latency, median", ScenarioResult.Ms(median), basis, ScenarioResult.Number(median / limit) + "×", "≤ 1.2×", ScenarioResult.Met(median / limit <= 1.2)));
        result.Rows.Add(new($"Event latency, p99 (n = {count})", ScenarioResult.Ms(p99), basis, ScenarioResult.Number(p99 / limit) + "×", "≤ 1.2×", ScenarioResult.Met(p99 / limit <= 1.2)));

        Describe(result, samples, warmUp, latency, median, p99, limit);
        result.Data["latencyMs"] = latency.TotalMilliseconds;
        result.Data["events"] = count;
        result.Data["medianMs"] = median;
        result.Data["p99Ms"] = p99;
        result.Data["minMs"] = Stats.Min(totals);
        result.Data["maxMs"] = Stats.Max(totals);
        result.Data["limitMs"] = limit;
        result.Data["warmUpMs"] = warmUp.Select(s => s.TotalMs).ToList();
        result.Data["samples"] = samples;
        return result;
    }

    private static async Task<Sample> MeasureAsync(
        BenchContext context, FakeWorld world, ServerProcess function, EventFactory events, TimeSpan latency, ScenarioResult result)
    {
        var googleBefore = world.Apis.Requests.Count;
        var storageBefore = world.Storage.Requests.All.Count;
        var answer = await EventClient.SendAsync(context.Http, events.Next(function.BaseUri));
        if (!answer.Stored)
        {
            result.Errors.Add($"event {events.Created}: {answer.Describe()}");
        }

        var google = world.Apis.Requests.Skip(googleBefore).ToList();
        var storage = world.Storage.Requests.All.Skip(storageBefore).ToList();
        var metadata = google.Count(r => r.Api == FakeApi.Metadata);
        var chains = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["related-findings"] = google.Count(r => r.Api == FakeApi.Scc),
            ["cloud-run"] = google.Count(r => r.Api == FakeApi.Run),
            ["container-logs"] = google.Count(r => r.Api == FakeApi.ContainerLogs),
            ["audit-logs"] = google.Count(r => r.Api == FakeApi.AuditLogs),
        };

        // Every collector needs the token first, so metadata calls (probe, token) precede each chain.
        var slowest = chains.MaxBy(c => c.Value);
        var storageCalls = storage.GroupBy(r => r.Operation.ToString()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var limitCalls = metadata + slowest.Value + storage.Count;
        return new Sample(
            answer.Milliseconds,
            limitCalls,
            limitCalls * latency.TotalMilliseconds,
            metadata,
            chains,
            slowest.Key,
            storageCalls,
            storage.Count,
            answer.BundleObject is { } name ? CollectorDurations(world.Storage.Objects.Get(FakeWorld.Bucket, name)) : new Dictionary<string, double>());
    }

    /// <summary>Each collector's own duration, from the stored bundle's manifest.</summary>
    private static Dictionary<string, double> CollectorDurations(FakeObject? bundle)
    {
        var durations = new Dictionary<string, double>(StringComparer.Ordinal);
        if (bundle is null)
        {
            return durations;
        }

        using var zip = new ZipArchive(new MemoryStream(bundle.Content.ToArray()), ZipArchiveMode.Read);
        using var manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open());
        foreach (var collector in manifest.RootElement.GetProperty("collectors").EnumerateArray())
        {
            if (collector.TryGetProperty("durationMs", out var ms) && ms.ValueKind == JsonValueKind.Number)
            {
                durations[collector.GetProperty("name").GetString()!] = ms.GetDouble();
            }
        }

        return durations;
    }

    private static void Describe(ScenarioResult result, List<Sample> samples, List<Sample> warmUp, TimeSpan latency, double median, double p99, double limit)
    {
        var perCall = latency.TotalMilliseconds;
        var lines = result.Details;
        lines.Add($"{samples.Count} distinct events, one at a time, after {warmUp.Count} warm-up events of the same process " +
            $"(warm-up: {string.Join(", ", warmUp.Select(w => ScenarioResult.Ms(w.TotalMs)))}; the first pays for JIT, the metadata server probe and the token). " +
            "Time is from sending the request to reading the whole 200 answer. Every request to the fakes (SCC, Cloud Run, Logging, metadata, Cloud Storage) waits the latency first.");
        lines.Add("");
        lines.Add($"Median {ScenarioResult.Ms(median)}, p99 {ScenarioResult.Ms(p99)} (nearest rank: with {samples.Count} events, the slowest), " +
            $"min {ScenarioResult.Ms(Stats.Min(samples.Select(s => s.TotalMs).ToList()))}; critical-path limit {ScenarioResult.Ms(limit)}.");
        lines.Add("");
        lines.Add("Sequential calls per event, counted from the fakes' request logs (the same in every measured event unless a range is shown):");
        lines.Add("");
        lines.Add("| Path | Calls | × latency | Measured (median of the collector's own duration, from its manifest) |");
        lines.Add("|---|---|---|---|");
        foreach (var name in s_collectors)
        {
            var calls = samples.Select(s => s.Chains[name]).ToList();
            var durations = samples.Where(s => s.CollectorMs.ContainsKey(name)).Select(s => s.CollectorMs[name]).ToList();
            lines.Add($"| {name} | {Range(calls)} | {ScenarioResult.Ms(Stats.Median(calls.Select(c => c * perCall).ToList()))} | {ScenarioResult.Ms(Stats.Median(durations))} |");
        }

        var metadata = samples.Select(s => s.MetadataCalls).ToList();
        lines.Add($"| metadata server (token; before every chain) | {Range(metadata)} | {ScenarioResult.Ms(Stats.Median(metadata.Select(c => c * perCall).ToList()))} | |");
        var storageOps = samples.SelectMany(s => s.StorageCalls.Keys).Distinct().Order(StringComparer.Ordinal);
        var storageDetail = string.Join(", ", storageOps.Select(op => $"{op} {Range(samples.Select(s => s.StorageCalls.GetValueOrDefault(op)).ToList())}"));
        var storageCalls = samples.Select(s => s.StorageTotal).ToList();
        var afterCollection = samples.Where(s => s.CollectorMs.Count > 0).Select(s => s.TotalMs - s.CollectorMs.Values.Max()).ToList();
        lines.Add($"| storage, after collection ({storageDetail}) | {Range(storageCalls)} | {ScenarioResult.Ms(Stats.Median(storageCalls.Select(c => c * perCall).ToList()))} | {ScenarioResult.Ms(Stats.Median(afterCollection))} (total − slowest collector: intake, bundle, storage calls, answer) |");
        lines.Add("");
        var slowest = samples.GroupBy(s => s.SlowestChain).OrderByDescending(g => g.Count()).First().Key;
        lines.Add($"Critical path = metadata calls + the longest chain ({slowest}) + storage calls. " +
            "Collectors run concurrently; within a collector every call waits for the one before (pages follow page tokens, revisions follow the service), " +
            "and the storage calls (existence check, resumable upload start and PUT for the bundle, then for the index entry) follow one another.");
    }

    private static string Range(List<int> values) =>
        values.Count == 0 ? "n/a" : values.Min() == values.Max() ? values[0].ToString(CultureInfo.InvariantCulture) : $"{values.Min()}–{values.Max()}";

    internal sealed record Sample(
        double TotalMs,
        int LimitCalls,
        double LimitMs,
        int MetadataCalls,
        IReadOnlyDictionary<string, int> Chains,
        string SlowestChain,
        IReadOnlyDictionary<string, int> StorageCalls,
        int StorageTotal,
        IReadOnlyDictionary<string, double> CollectorMs);
}
