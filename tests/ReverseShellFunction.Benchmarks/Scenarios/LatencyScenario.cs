using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: sequential distinct events with every fake call delayed, request to 2xx, against the delivery
/// path's physical limit: the longest chain of sequential calls of the delivery moment (one collector's, or the
/// already-stored check's, which runs alongside them) plus the writes that must follow collection, counted per
/// event from the fakes' request logs, times the latency.
/// </summary>
internal static class LatencyScenario
{
    private static readonly string[] s_collectors = ["related-findings", "scc-finding", "cloud-run", "container-logs", "audit-logs"];

    /// <summary>The already-stored check (GetObject of part 1), which runs alongside the collectors.</summary>
    private const string ExistenceCheck = "existence check";

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
        var slowestChain = samples.GroupBy(s => s.SlowestChain).OrderByDescending(g => g.Count()).First().Key;
        var basis = $"limit {ScenarioResult.Ms(limit)}: slowest chain ({slowestChain}, {Stats.Median(samples.Select(s => (double)s.SlowestCalls).ToList()):0} calls) " +
            $"+ {Stats.Median(samples.Select(s => (double)s.WriteCalls).ToList()):0} writes after it = {Stats.Median(samples.Select(s => (double)s.LimitCalls).ToList()):0} sequential calls × {latency.TotalMilliseconds:0} ms";
        result.Rows.Add(new("Delivery path (event latency), median", ScenarioResult.Ms(median), basis, ScenarioResult.Number(median / limit) + "×", "≤ 1.2×", ScenarioResult.Met(median / limit <= 1.2)));
        result.Rows.Add(new($"Delivery path (event latency), p99 (n = {count})", ScenarioResult.Ms(p99), basis, ScenarioResult.Number(p99 / limit) + "×", "≤ 1.2×", ScenarioResult.Met(p99 / limit <= 1.2)));

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
            // Both SCC collectors list findings; the authenticity check is the one filtered on the finding's own name.
            ["related-findings"] = google.Count(r => r.Api == FakeApi.Scc && !IsAuthenticityCheck(r)),
            ["scc-finding"] = google.Count(r => r.Api == FakeApi.Scc && IsAuthenticityCheck(r)),
            ["cloud-run"] = google.Count(r => r.Api == FakeApi.Run),
            ["container-logs"] = google.Count(r => r.Api == FakeApi.ContainerLogs),
            ["audit-logs"] = google.Count(r => r.Api == FakeApi.AuditLogs),
            [ExistenceCheck] = storage.Count(r => r.Operation == FakeStorageOperation.GetObject),
        };

        // Every collector needs the token first, so metadata calls (probe, token) precede each chain. The writes
        // (bundle, index entry, a pending record) need the collected bundle, so they follow the slowest chain;
        // anything else in the storage log (the embedded completion runner listing pending records) is not on the path.
        var slowest = chains.MaxBy(c => c.Value);
        var writes = storage.Count(r => r.Operation is FakeStorageOperation.UploadStart or FakeStorageOperation.UploadChunk);
        var storageCalls = storage.GroupBy(Describe).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var limitCalls = metadata + slowest.Value + writes;

        // From the fakes' arrival times (one clock, this process): how long the function worked between the last
        // collector call's answer and its first write (summary, manifest, zip, hashes), the part no call explains.
        var collectorCalls = google.Where(r => r.Api is FakeApi.Scc or FakeApi.Run or FakeApi.ContainerLogs or FakeApi.AuditLogs).ToList();
        var uploads = storage.Where(r => r.Operation is FakeStorageOperation.UploadStart or FakeStorageOperation.UploadChunk).ToList();
        var buildMs = collectorCalls.Count == 0 || uploads.Count == 0 ? double.NaN
            : ((uploads.Min(r => r.ArrivedAt) - collectorCalls.Max(r => r.ArrivedAt)) * 1000.0 / System.Diagnostics.Stopwatch.Frequency) - latency.TotalMilliseconds;
        return new Sample(
            answer.Milliseconds,
            limitCalls,
            limitCalls * latency.TotalMilliseconds,
            metadata,
            chains,
            slowest.Key,
            slowest.Value,
            writes,
            buildMs,
            storageCalls,
            storage.Count,
            answer.BundleObject is { } name ? CollectorDurations(world.Storage.Objects.Get(FakeWorld.Bucket, name)) : new Dictionary<string, double>());
    }

    private static bool IsAuthenticityCheck(ReverseShellFunction.Fakes.GoogleApis.FakeRequest request) =>
        Uri.UnescapeDataString(request.Query.Replace('+', ' ')).Contains("filter=name = ", StringComparison.Ordinal);

    /// <summary>The operation, and for an upload how it was made: a multipart upload is one request, a resumable one a start and PUTs.</summary>
    private static string Describe(ReverseShellFunction.Fakes.Storage.FakeRequest request) =>
        request.Operation == FakeStorageOperation.UploadStart && request.Target.Split('?', 2) is [_, var query]
            && query.Split('&').FirstOrDefault(p => p.StartsWith("uploadType=", StringComparison.Ordinal)) is { } type
            ? $"{request.Operation} ({type["uploadType=".Length..]})"
            : request.Operation.ToString();

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
            $"min {ScenarioResult.Ms(Stats.Min(samples.Select(s => s.TotalMs).ToList()))}; delivery path limit {ScenarioResult.Ms(limit)}.");
        lines.Add("");
        lines.Add("Sequential calls per event, counted from the fakes' request logs (the same in every measured event unless a range is shown):");
        lines.Add("");
        lines.Add("| Path | Calls | × latency | Measured (median of the collector's own duration, from its manifest) |");
        lines.Add("|---|---|---|---|");
        foreach (var name in s_collectors.Append(ExistenceCheck))
        {
            var calls = samples.Select(s => s.Chains[name]).ToList();
            var durations = samples.Where(s => s.CollectorMs.ContainsKey(name)).Select(s => s.CollectorMs[name]).ToList();
            var label = name == ExistenceCheck ? "already-stored check (GetObject of part 1; alongside the collectors)" : name;
            lines.Add($"| {label} | {Range(calls)} | {ScenarioResult.Ms(Stats.Median(calls.Select(c => c * perCall).ToList()))} | {(durations.Count == 0 ? "" : ScenarioResult.Ms(Stats.Median(durations)))} |");
        }

        var metadata = samples.Select(s => s.MetadataCalls).ToList();
        lines.Add($"| metadata server (token; before every chain) | {Range(metadata)} | {ScenarioResult.Ms(Stats.Median(metadata.Select(c => c * perCall).ToList()))} | |");
        var storageOps = samples.SelectMany(s => s.StorageCalls.Keys).Distinct().Order(StringComparer.Ordinal);
        var storageDetail = string.Join(", ", storageOps.Select(op => $"{op} {Range(samples.Select(s => s.StorageCalls.GetValueOrDefault(op)).ToList())}"));
        var writes = samples.Select(s => s.WriteCalls).ToList();
        var afterCollection = samples.Where(s => s.CollectorMs.Count > 0).Select(s => s.TotalMs - s.CollectorMs.Values.Max()).ToList();
        lines.Add($"| writes, after collection | {Range(writes)} | {ScenarioResult.Ms(Stats.Median(writes.Select(c => c * perCall).ToList()))} | {ScenarioResult.Ms(Stats.Median(afterCollection))} (total − slowest collector: intake, bundle, writes, answer) |");
        lines.Add("");
        lines.Add($"Every Cloud Storage request of an event, by kind: {storageDetail} (total {Range(samples.Select(s => s.StorageTotal).ToList())}).");
        lines.Add("");
        var builds = samples.Select(s => s.BuildMs).Where(b => !double.IsNaN(b)).ToList();
        lines.Add($"Beyond the calls: the median event took {ScenarioResult.Ms(median - limit)} more than its limit. " +
            $"Between the last collector call's answer and the first write the function worked {ScenarioResult.Ms(Stats.Median(builds))} (median; p99 {ScenarioResult.Ms(Stats.Percentile(builds, 99))}): " +
            "summary, summary.md and summary.html, manifest, zip and hashes, measured from when the fakes received the requests; the rest is each call's own overhead over its latency and the answer.");
        lines.Add("");
        var slowest = samples.GroupBy(s => s.SlowestChain).OrderByDescending(g => g.Count()).First().Key;
        lines.Add($"Delivery path limit = metadata calls + the longest chain ({slowest}) + the writes. " +
            "Collectors run concurrently, and the already-stored check runs alongside them (it only decides whether the collected bundle is stored); " +
            "within a collector every call waits for the one before (pages follow page tokens, revisions follow the service). " +
            "The writes need the bundle, so they follow collection, one after another: the bundle, then its index entry (and a pending record when a later part is due), " +
            "each one request when it fits one upload chunk (multipart), a resumable start and PUT when larger.");
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
        int SlowestCalls,
        int WriteCalls,
        double BuildMs,
        IReadOnlyDictionary<string, int> StorageCalls,
        int StorageTotal,
        IReadOnlyDictionary<string, double> CollectorMs);
}
