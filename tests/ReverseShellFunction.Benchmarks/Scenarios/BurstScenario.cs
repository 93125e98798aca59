using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Benchmarks.Scenarios;

/// <summary>
/// Scenario 3: many distinct events with a fixed number in flight, fakes at the same per-call latency as
/// scenario 1. Counts errors, checks every bundle and index entry landed in the fake bucket, and reads the
/// function process's peak RSS.
/// </summary>
internal static class BurstScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        var total = context.Smoke ? 50 : 1000;
        var inFlight = context.Smoke ? 10 : 80;
        var latency = TimeSpan.FromMilliseconds(context.Smoke ? 20 : 100);
        var result = new ScenarioResult { Name = "burst", Title = $"3. Burst: {total} distinct events, {inFlight} in flight, fakes at {latency.TotalMilliseconds:0} ms per call" };
        await using var world = await FakeWorld.StartAsync(new FakeGoogleApisOptions { Latency = latency });
        var events = new EventFactory(context.SamplePath);
        await using var function = ServerProcess.Start(context.Function, world.Environment, context.LogPath("burst-function"));
        await function.WaitReadyAsync(context.Http, TimeSpan.FromSeconds(60));

        // Warm-up, then a few sequential events: their latency bounds what the in-flight limit allows.
        var sequential = new List<double>();
        for (var i = 0; i < 4; i++)
        {
            var answer = await EventClient.SendAsync(context.Http, events.Next(function.BaseUri));
            if (!answer.Stored)
            {
                result.Errors.Add($"sequential event {i}: {answer.Describe()}");
            }

            if (i > 0)
            {
                sequential.Add(answer.Milliseconds);
            }
        }

        var sent = events.Created;
        var requests = Enumerable.Range(0, total).Select(_ => events.Next(function.BaseUri)).ToArray();
        var answers = new EventAnswer?[total];
        var next = -1;
        using var deadline = new CancellationTokenSource(context.Smoke ? TimeSpan.FromSeconds(40) : TimeSpan.FromMinutes(10));
        using var sampling = new CancellationTokenSource();
        var rssSamples = new List<double>();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                rssSamples.Add(function.Memory().RssMiB);
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);
        var cpuBefore = ProcStatus.CpuTime(function.Id);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var workers = Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total && !deadline.IsCancellationRequested)
            {
                answers[i] = await EventClient.SendAsync(context.Http, requests[i], deadline.Token);
            }
        }, CancellationToken.None));
        await Task.WhenAll(workers);
        var wall = clock.Elapsed.TotalSeconds;
        var cpuMs = (ProcStatus.CpuTime(function.Id) - cpuBefore).TotalMilliseconds;
        await sampling.CancelAsync();
        await sampler;
        foreach (var request in requests)
        {
            request.Dispose();
        }

        var memory = function.Memory();
        var done = answers.Where(a => a is not null).Select(a => a!).ToList();
        var failed = done.Where(a => !a.Stored).ToList();
        var notSent = total - done.Count;
        foreach (var failure in failed.GroupBy(f => f.Describe()))
        {
            result.Errors.Add($"{failure.Count()} event(s): {failure.Key}");
        }

        if (notSent > 0)
        {
            result.Errors.Add($"{notSent} event(s) not sent before the scenario's time limit");
        }

        var bundles = world.Storage.Objects.List(FakeWorld.Bucket, "bundles/").Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var index = world.Count("index/");
        var expected = total + sent;
        var missing = done.Count(a => a.BundleObject is { } name && !bundles.Contains(name));
        var allPresent = bundles.Count == expected && index == expected && missing == 0 && done.Count == total && failed.Count == 0;
        if (!allPresent)
        {
            result.Errors.Add($"lost events: {bundles.Count} bundles and {index} index entries in the bucket, {expected} expected; {missing} answered bundle(s) missing");
        }

        var latencies = done.Select(a => a.Milliseconds).ToList();
        var throughput = done.Count / wall;
        var p99 = Stats.Percentile(latencies, 99);
        var ceiling = inFlight / (Stats.Median(sequential) / 1000);
        var peak = memory.PeakRssMiB;
        result.Rows.Add(new("Burst throughput", $"{ScenarioResult.Number(throughput, "0.0")} events/s", $"{inFlight} in flight ÷ sequential latency {ScenarioResult.Ms(Stats.Median(sequential))} = {ScenarioResult.Number(ceiling, "0.0")} events/s", ScenarioResult.Number(throughput / ceiling) + "×", "(report)", "n/a"));
        result.Rows.Add(new("Burst latency, p99", ScenarioResult.Ms(p99), $"median {ScenarioResult.Ms(Stats.Median(latencies))}", "", "(report)", "n/a"));
        result.Rows.Add(new("Burst: function CPU time per event", ScenarioResult.Ms(cpuMs / total), $"{ScenarioResult.Number(cpuMs / 1000, "0.0")} s CPU in {ScenarioResult.Number(wall, "0.0")} s", "", "(report)", "n/a"));
        result.Rows.Add(new("Burst errors", $"{failed.Count + notSent} of {total}", "", "", "0", ScenarioResult.Met(failed.Count + notSent == 0)));
        result.Rows.Add(new("Burst: every bundle and index entry in the bucket", $"{bundles.Count} bundles, {index} index entries", $"{expected} events (incl. {sent} sequential)", "", "all", ScenarioResult.Met(allPresent)));
        result.Rows.Add(new("Burst: function peak RSS (VmHWM)", $"{ScenarioResult.Number(peak, "0")} MiB", "", "", "≤ 300 MiB", ScenarioResult.Met(peak <= 300)));

        // Cost per 1,000 findings. Measured: the process's CPU time, and its resident memory over the burst's
        // wall time. Billed (Cloud Run, request-based billing, Terraform's defaults): an instance is charged
        // its CPU and memory limits while it has a request in flight, so with requests packed max_concurrency
        // to an instance the billable instance time is at least the sum of the latencies ÷ that concurrency.
        var size = InstanceDefaults.Read(context.RepositoryRoot);
        var perThousand = 1000.0 / total;
        var cpuSeconds = cpuMs / 1000 * perThousand;
        var rssGibSeconds = rssSamples.Sum(mib => mib / 1024 * 0.1) * perThousand;
        var instanceSeconds = latencies.Sum() / 1000 / size.Concurrency * perThousand;
        var billedCpu = instanceSeconds * size.Vcpu;
        var billedGib = instanceSeconds * size.MemoryGib;
        var dollars = (billedCpu * Pricing.PerVcpuSecond) + (billedGib * Pricing.PerGibSecond) + (1000 * Pricing.PerRequest);
        result.Rows.Add(new("Burst cost: CPU-seconds per 1,000 findings (measured)", $"{ScenarioResult.Number(cpuSeconds, "0.0")} CPU-s", $"billed: {ScenarioResult.Number(billedCpu, "0")} vCPU-s ({size.Vcpu} vCPU × {ScenarioResult.Number(instanceSeconds, "0")} instance-s)", "", "(report)", "n/a"));
        result.Rows.Add(new("Burst cost: GiB-seconds per 1,000 findings (measured RSS)", $"{ScenarioResult.Number(rssGibSeconds, "0.0")} GiB-s", $"billed: {ScenarioResult.Number(billedGib, "0")} GiB-s ({size.MemoryGib} GiB × {ScenarioResult.Number(instanceSeconds, "0")} instance-s)", "", "(report)", "n/a"));
        result.Rows.Add(new("Burst cost: list price per 1,000 findings, as billed", $"${ScenarioResult.Number(dollars, "0.0000")}", Pricing.Where, "", "(report)", "n/a"));

        var lines = result.Details;
        lines.Add($"{sent} sequential events first (warm-up, then {sequential.Count} timed: median {ScenarioResult.Ms(Stats.Median(sequential))}), then {total} distinct events through {inFlight} concurrent senders, each sending its next event when the previous answer arrived. " +
            "The fakes run in the benchmark process, on the same 2 cores as the function.");
        lines.Add("");
        lines.Add($"- Wall time {ScenarioResult.Number(wall, "0.0")} s; throughput {ScenarioResult.Number(throughput, "0.0")} events/s.");
        lines.Add($"- Latency: median {ScenarioResult.Ms(Stats.Median(latencies))}, p99 {ScenarioResult.Ms(p99)}, max {ScenarioResult.Ms(Stats.Max(latencies))}.");
        lines.Add($"- Function process CPU time (user + system) during the burst: {ScenarioResult.Number(cpuMs / 1000, "0.0")} s, {ScenarioResult.Number(cpuMs / total, "0.0")} ms per event.");
        lines.Add($"- Answers: {done.Count(a => a.Stored)} `stored`, {failed.Count} otherwise, {notSent} not sent.");
        lines.Add($"- Bucket: {bundles.Count} bundles and {index} index entries for {expected} events.");
        lines.Add($"- Function process: peak RSS (VmHWM, since process start) {ScenarioResult.Number(peak, "0")} MiB; highest sampled VmRSS {ScenarioResult.Number(rssSamples.DefaultIfEmpty(double.NaN).Max(), "0")} MiB; RSS at the end {ScenarioResult.Number(memory.RssMiB, "0")} MiB.");
        lines.Add($"- Cost per 1,000 findings: the process used {ScenarioResult.Number(cpuSeconds, "0.0")} CPU-s and {ScenarioResult.Number(rssGibSeconds, "0.0")} GiB-s of resident memory (VmRSS sampled every 100 ms). " +
            $"Cloud Run bills request-based instances their limits while a request is in flight: with Terraform's defaults ({size.Vcpu} vCPU, {size.MemoryGib} GiB, {size.Concurrency} requests an instance) and these latencies, " +
            $"at least {ScenarioResult.Number(instanceSeconds, "0")} instance-seconds, {ScenarioResult.Number(billedCpu, "0")} vCPU-s and {ScenarioResult.Number(billedGib, "0")} GiB-s, " +
            $"${ScenarioResult.Number(dollars, "0.0000")} with the requests ({Pricing.Where}; before the free tier). The fakes answer after {latency.TotalMilliseconds:0} ms a call; real API latencies set the billed time, the CPU time hardly changes with them.");
        result.Data["cpuSecondsPer1000"] = cpuSeconds;
        result.Data["rssGibSecondsPer1000"] = rssGibSeconds;
        result.Data["billedInstanceSecondsPer1000"] = instanceSeconds;
        result.Data["listPriceDollarsPer1000"] = dollars;
        result.Data["events"] = total;
        result.Data["inFlight"] = inFlight;
        result.Data["latencyMs"] = latency.TotalMilliseconds;
        result.Data["wallSeconds"] = wall;
        result.Data["throughputPerSecond"] = throughput;
        result.Data["medianMs"] = Stats.Median(latencies);
        result.Data["p99Ms"] = p99;
        result.Data["maxMs"] = Stats.Max(latencies);
        result.Data["sequentialMs"] = sequential;
        result.Data["cpuMsPerEvent"] = cpuMs / total;
        result.Data["errors"] = failed.Count + notSent;
        result.Data["bundles"] = bundles.Count;
        result.Data["indexEntries"] = index;
        result.Data["peakRssMiB"] = peak;
        return result;
    }
}

/// <summary>
/// Cloud Run list prices and the Terraform defaults the cost rows use. Prices: Tier 1 regions (for example
/// us-central1, europe-west1), request-based billing, USD, before the free tier. The vCPU price is from
/// cloud.google.com/run/pricing as stored on 2026-12-02; the memory and request prices from a third-party
/// summary of that page (the stored copy of Google's page was cut off before them).
/// </summary>
internal static class Pricing
{
    public const double PerVcpuSecond = 0.000024;
    public const double PerGibSecond = 0.0000025;
    public const double PerRequest = 0.40 / 1_000_000;

    public const string Where = "Cloud Run Tier 1 list prices, request-based billing: $0.000024 a vCPU-s, $0.0000025 a GiB-s, $0.40 a million requests; read 2026-12-02";
}

/// <summary>The instance size the deployment gets by default, read from terraform/variables.tf (its one home).</summary>
internal sealed record InstanceDefaults(double Vcpu, double MemoryGib, int Concurrency)
{
    public static InstanceDefaults Read(string repositoryRoot)
    {
        var text = File.ReadAllText(Path.Combine(repositoryRoot, "terraform/variables.tf"));
        string Default(string variable)
        {
            var match = System.Text.RegularExpressions.Regex.Match(text, "variable \"" + variable + "\" \\{.*?\\n  default\\s*=\\s*\"?([^\"\\n]+)\"?\\n", System.Text.RegularExpressions.RegexOptions.Singleline);
            return match.Success ? match.Groups[1].Value.Trim() : throw new InvalidDataException($"terraform/variables.tf: no default for variable {variable}");
        }

        var memory = Default("memory");
        var gib = memory.EndsWith("Gi", StringComparison.Ordinal) ? double.Parse(memory[..^2], System.Globalization.CultureInfo.InvariantCulture)
            : memory.EndsWith("Mi", StringComparison.Ordinal) ? double.Parse(memory[..^2], System.Globalization.CultureInfo.InvariantCulture) / 1024
            : throw new InvalidDataException($"terraform/variables.tf: memory default '{memory}' is not Mi or Gi");
        return new(double.Parse(Default("cpu"), System.Globalization.CultureInfo.InvariantCulture), gib, int.Parse(Default("max_instance_request_concurrency"), System.Globalization.CultureInfo.InvariantCulture));
    }
}
