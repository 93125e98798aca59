using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Store;
using ReverseShellFunction.Tests.Support;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Completion;

/// <summary>
/// Collection in parts, through the app's own composition against the fakes on one clock: a window open at
/// delivery ends with the entries written after it; redeliveries and repeated completions add no part and no
/// record; crashes between a part and its index entry or its pending record end complete; the chain verifies,
/// and a broken one does not.
/// </summary>
public sealed class PartsTest
{
    private static readonly DateTimeOffset s_event = FakeGoogleData.EventTime;

    [Fact]
    public async Task WindowOpenAtDelivery_LaterPartsHoldTheEntriesWrittenAfterIt_AndTheBundleEndsComplete()
    {
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var harness = await PipelineHarness.StartAtAsync(clock);

        var first = await harness.ReplaySampleAsync();
        Assert.Equal(PipelineOutcome.Stored, first.Outcome);
        var state = first.IndexEntry!.Summary.Completion!;
        Assert.Equal((Completeness.Pending, 1, 2), (state.State, state.Part, state.NextPart));
        Assert.Contains(state.Outstanding, o => o.Collector == "container-logs" && o.Due == new DateTimeOffset(2026, 11, 28, 21, 22, 0, TimeSpan.Zero));
        var id = BundleId.Parse(first.BundleId!);
        Assert.Single(await ListAsync(harness.Store.ListPendingObjectNamesAsync(CancellationToken.None)));
        Assert.Contains("pending p2", await CliAsync("list", "--dir", harness.Store.Root), StringComparison.Ordinal);

        // Not due yet: nothing is collected, and the answer says when.
        var early = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);
        Assert.Equal(CompletionOutcome.Later, early.Outcome);
        Assert.Null(await harness.Store.GetBundleAsync(id.WithPart(2), CancellationToken.None));

        // After the log windows closed and Logging caught up; the related-findings window (±60 min) is still open.
        clock.SetUtcNow(s_event.AddMinutes(9));
        var second = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);
        Assert.Equal(CompletionOutcome.Done, second.Outcome);
        var secondState = second.Stored!.IndexEntry!.Summary.Completion!;
        Assert.Equal((Completeness.Pending, 3), (secondState.State, secondState.NextPart));
        Assert.Equal(["related-findings"], secondState.Outstanding.Select(o => o.Collector));

        clock.SetUtcNow(s_event.AddMinutes(63));
        var third = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 3), CancellationToken.None);
        Assert.Equal(Completeness.Complete, third.Stored!.IndexEntry!.Summary.Completion!.State);
        Assert.Contains("confirmed, complete", await CliAsync("list", "--dir", harness.Store.Root), StringComparison.Ordinal);

        // Every container entry of the window, each in exactly one part: what one read after the window closed gets.
        var parts = await ReadPartsAsync(harness.Store, id, 3);
        var collected = parts.SelectMany(p => Lines(p, "logs/container.jsonl")).ToList();
        Assert.Equal(collected.Count, collected.Distinct().Count());
        Assert.NotEmpty(Lines(parts[1], "logs/container.jsonl"));
        Assert.Equal(await ContainerEntriesReadInOnePieceAsync(), collected.Order(StringComparer.Ordinal).ToList());

        // Part n's manifest records part n-1's SHA-256, and the whole chain verifies.
        for (var n = 2; n <= 3; n++)
        {
            var manifest = JsonSerializer.Deserialize<Manifest>(parts[n - 1][BundleLayout.Entries.Manifest], EvidenceJson.Options)!;
            var previous = JsonSerializer.Deserialize<IndexEntry>((await harness.Store.ReadIndexEntryAsync(id.WithPart(n - 1), CancellationToken.None))!, EvidenceJson.Options)!;
            Assert.Equal((n, n - 1, previous.Bundle.Sha256), (manifest.Part, manifest.PreviousPart!.Part, manifest.PreviousPart.Sha256));
        }

        var audit = await ListAsync(new StoreAudit(harness.Store, time: clock).VerifyAllAsync(EventTimeRange.All, StoreAudit.DefaultConcurrency, CancellationToken.None));
        Assert.Equal(3, audit.Count);
        Assert.All(audit, v => Assert.True(v.Verified, string.Join("; ", v.Problems.Select(p => p.Message))));
    }

    [Fact]
    public async Task RedeliveryBeforeAndAfterCompletion_AndARepeatedCompletion_AddNoPartAndNoRecord()
    {
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var harness = await PipelineHarness.StartAtAsync(clock, Windows(relatedMinutes: 5));
        var id = BundleId.Parse((await harness.ReplaySampleAsync()).BundleId!);

        var before = await harness.ReplaySampleAsync();
        Assert.Equal((PipelineOutcome.AlreadyStored, 1), (before.Outcome, before.IndexEntry!.Part));

        clock.SetUtcNow(s_event.AddMinutes(9));
        Assert.Equal(CompletionOutcome.Done, (await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None)).Outcome);
        var again = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);
        Assert.Equal((CompletionOutcome.Done, PipelineOutcome.AlreadyStored), (again.Outcome, again.Stored!.Outcome));
        var after = await harness.ReplaySampleAsync();
        Assert.Equal((PipelineOutcome.AlreadyStored, 2, Completeness.Complete), (after.Outcome, after.IndexEntry!.Part, after.IndexEntry.Summary.Completion!.State));

        Assert.Equal(2, (await ListAsync(harness.Store.ListBundleObjectsAsync(CancellationToken.None))).Count);
        Assert.Single(await ListAsync(harness.Store.ListPendingObjectNamesAsync(CancellationToken.None)));
        Assert.Equal(CompletionOutcome.NothingLeft, (await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 3), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task TwoCompletionsOfOnePartAtOnce_OnlyOneCollects_TheOtherIsToldToComeBack()
    {
        // Cloud Tasks delivers at least once, and a sibling batch may run a part while its own task fires.
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var harness = await PipelineHarness.StartAtAsync(clock, Windows(relatedMinutes: 5));
        var id = BundleId.Parse((await harness.ReplaySampleAsync()).BundleId!);
        clock.SetUtcNow(s_event.AddMinutes(9));
        var before = harness.Fake.Requests.Count;
        harness.Fake.Latency = TimeSpan.FromMilliseconds(300);

        var results = await Task.WhenAll(
            harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None),
            harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None));

        Assert.Equal([CompletionOutcome.Done, CompletionOutcome.Later], results.Select(r => r.Outcome).Order());
        Assert.Contains("being collected by another completion", results.Single(r => r.Outcome == CompletionOutcome.Later).Reason, StringComparison.Ordinal);
        Assert.Equal(PipelineOutcome.Stored, results.Single(r => r.Outcome == CompletionOutcome.Done).Stored!.Outcome);

        // One part's reads, once: each API the part asked was asked by one completion only.
        var reads = harness.Fake.Requests.Skip(before).Where(r => r.Api is FakeApi.ContainerLogs or FakeApi.AuditLogs or FakeApi.Scc or FakeApi.Run).ToList();
        Assert.NotEmpty(reads);
        Assert.Equal(reads.Count, reads.Select(r => (r.Api, r.Path, r.Query, r.Body)).Distinct().Count());

        // The lease object says which part it covers; a retry after the part is stored finds it stored.
        Assert.Contains(Directory.EnumerateFiles(Path.Combine(harness.Store.Root, "claims"), "*", SearchOption.AllDirectories), f => f.EndsWith(".part-2.claim-1.json", StringComparison.Ordinal));
        var retried = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);
        Assert.Equal((CompletionOutcome.Done, PipelineOutcome.AlreadyStored), (retried.Outcome, retried.Stored!.Outcome));
    }

    [Fact]
    public async Task ACompletionThatDiedHoldingTheLease_IsTakenOverOnceTheLeaseExpires()
    {
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var harness = await PipelineHarness.StartAtAsync(clock, Windows(relatedMinutes: 5));
        var id = BundleId.Parse((await harness.ReplaySampleAsync()).BundleId!);
        clock.SetUtcNow(s_event.AddMinutes(9));

        // A completion took the lease on part 2 and died before storing it.
        var lease = new ClaimRecord { BundleId = id.Value, Part = 2, Generation = 1, ClaimedAt = clock.GetUtcNow(), ExpiresAt = clock.GetUtcNow().AddSeconds(50) };
        Assert.Equal(CreateResult.Created, await harness.Store.CreateClaimAsync(id.WithPart(2), 1, EvidenceJson.Serialize(lease), CancellationToken.None));

        var held = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);
        Assert.Equal(CompletionOutcome.Later, held.Outcome);
        Assert.InRange(held.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        Assert.Null(await harness.Store.GetBundleAsync(id.WithPart(2), CancellationToken.None));

        clock.Advance(TimeSpan.FromSeconds(51));
        var taken = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);
        Assert.Equal((CompletionOutcome.Done, PipelineOutcome.Stored), (taken.Outcome, taken.Stored!.Outcome));
    }

    [Fact]
    public async Task CrashBetweenAPartAndItsPendingRecord_Answers503_TheRedeliverySchedules_TheRunnerCompletes()
    {
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { Clock = clock });
        using var folder = new TempFolder();
        var store = new CrashBeforeIndexStore(new LocalEvidenceStore(folder.Path), crashIndex: false, pendingCrashes: 1);
        await using var services = AppServices(fake, folder.Path, clock, store, Windows(relatedMinutes: 5));
        var processor = services.GetRequiredService<IntakeProcessor>();

        await Assert.ThrowsAsync<EvidenceStoreException>(() => processor.ProcessAsync(SampleDelivery(), CancellationToken.None));
        Assert.Empty(await ListAsync(store.ListPendingObjectNamesAsync(CancellationToken.None)));

        var redelivered = await processor.ProcessAsync(SampleDelivery(), CancellationToken.None);
        Assert.Equal(PipelineOutcome.AlreadyStored, redelivered.Outcome);
        Assert.Single(await ListAsync(store.ListPendingObjectNamesAsync(CancellationToken.None)));

        clock.SetUtcNow(s_event.AddMinutes(9));
        var runner = services.GetRequiredService<CompletionRunner>();
        var pass = await runner.RunDueAsync(2, CancellationToken.None);
        Assert.Equal(CompletionOutcome.Done, Assert.Single(pass.Attempts).Result.Outcome);
        Assert.Empty(pass.Remaining);
        var bundle = await LogicalBundle.ReadAsync(store, BundleId.Parse(redelivered.BundleId!), CancellationToken.None);
        Assert.Equal((2, Completeness.Complete), (bundle!.Parts.Count, bundle.State));
    }

    [Fact]
    public async Task CrashBetweenALaterPartAndItsIndexEntry_TheRetriedCompletionWritesTheEntry()
    {
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { Clock = clock });
        using var folder = new TempFolder();
        var local = new LocalEvidenceStore(folder.Path);
        PipelineResult first;
        await using (var delivery = AppServices(fake, folder.Path, clock, local, Windows(relatedMinutes: 5)))
        {
            first = await delivery.GetRequiredService<IntakeProcessor>().ProcessAsync(SampleDelivery(), CancellationToken.None);
        }

        var id = BundleId.Parse(first.BundleId!);
        clock.SetUtcNow(s_event.AddMinutes(9));

        await using (var crashing = AppServices(fake, folder.Path, clock, new CrashBeforeIndexStore(local), Windows(relatedMinutes: 5)))
        {
            await Assert.ThrowsAsync<EvidenceStoreException>(() => crashing.GetRequiredService<EvidenceFunction>().CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None));
        }

        Assert.NotNull(await local.GetBundleAsync(id.WithPart(2), CancellationToken.None));
        Assert.Null(await local.ReadIndexEntryAsync(id.WithPart(2), CancellationToken.None));
        await using var services = AppServices(fake, folder.Path, clock, local, Windows(relatedMinutes: 5));
        var retried = await services.GetRequiredService<EvidenceFunction>().CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);
        Assert.Equal(CompletionOutcome.Done, retried.Outcome);
        Assert.Contains("index entry completed from the stored part (part 2)", retried.Reason, StringComparison.Ordinal);
        Assert.Equal(Completeness.Complete, (await LogicalBundle.ReadAsync(local, id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Verify_ReportsAMissingMiddlePart_AWrongPreviousHash_AndAPendingBundlePastItsGiveUp()
    {
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var harness = await PipelineHarness.StartAtAsync(clock);
        var id = BundleId.Parse((await harness.ReplaySampleAsync()).BundleId!);
        clock.SetUtcNow(s_event.AddMinutes(9));
        await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);

        // Still pending (related findings) at part 2; a day later nothing has completed it.
        clock.SetUtcNow(s_event.AddHours(25));
        var late = await ListAsync(new StoreAudit(harness.Store, time: clock).VerifyAllAsync(EventTimeRange.All, StoreAudit.DefaultConcurrency, CancellationToken.None));
        Assert.Equal([ProblemKind.PendingPastGiveUp], late.SelectMany(v => v.Problems).Select(p => p.Kind));

        // Part 2's index entry records another SHA-256 for part 1 (rewritten, as an attacker with write access could).
        var entryPath = Path.Combine(harness.Store.Root, BundleLayout.IndexObject(id.WithPart(2)));
        var text = await File.ReadAllTextAsync(entryPath);
        var part1 = JsonSerializer.Deserialize<IndexEntry>((await harness.Store.ReadIndexEntryAsync(id, CancellationToken.None))!, EvidenceJson.Options)!;
        File.SetAttributes(entryPath, FileAttributes.Normal);
        await File.WriteAllTextAsync(entryPath, text.Replace(part1.Bundle.Sha256, new string('0', 64), StringComparison.Ordinal));
        var broken = await ListAsync(new StoreAudit(harness.Store, time: clock).VerifyAllAsync(EventTimeRange.All, StoreAudit.DefaultConcurrency, CancellationToken.None));
        Assert.Contains(broken.SelectMany(v => v.Problems), p => p.Kind == ProblemKind.ChainBroken);

        // Part 1 gone entirely: part 2 names a part that is not there.
        foreach (var name in new[] { BundleLayout.BundleObject(id), BundleLayout.IndexObject(id) })
        {
            File.Delete(Path.Combine(harness.Store.Root, name));
        }

        var holed = await ListAsync(new StoreAudit(harness.Store, time: clock).VerifyAllAsync(EventTimeRange.All, StoreAudit.DefaultConcurrency, CancellationToken.None));
        Assert.Contains(holed.SelectMany(v => v.Problems), p => p.Kind == ProblemKind.PartMissing);
    }

    [Fact]
    public async Task OldEventReplayed_WindowsClosed_OnePartComplete_AndListJsonSaysSo()
    {
        var clock = new FakeTimeProvider(s_event.AddDays(2));
        await using var harness = await PipelineHarness.StartAtAsync(clock);
        var result = await harness.ReplaySampleAsync();
        Assert.Equal(Completeness.Complete, result.IndexEntry!.Summary.Completion!.State);
        Assert.Empty(await ListAsync(harness.Store.ListPendingObjectNamesAsync(CancellationToken.None)));

        using var line = JsonDocument.Parse(await CliAsync("list", "--json", "--dir", harness.Store.Root));
        Assert.Equal(("complete", 1), (line.RootElement.GetProperty("completeness").GetString(), line.RootElement.GetProperty("parts").GetInt32()));
        Assert.Equal(result.BundleId, line.RootElement.GetProperty("bundleId").GetString());
        Assert.Equal(result.BundleId, line.RootElement.GetProperty("summary").GetProperty("bundleId").GetString());
    }

    private static async Task<string> CliAsync(params string[] args)
    {
        var output = new StringWriter();
        var configuration = new System.CommandLine.InvocationConfiguration { Output = output, Error = new StringWriter(), EnableDefaultExceptionHandler = false };
        var root = ReverseShellFunction.Cli.CommandLineApp.Create(ReverseShellFunction.Hosting.HostEnvironment.Isolated(_ => null));
        Assert.Equal(0, await ReverseShellFunction.Cli.CommandLineApp.InvokeAsync(root, args, configuration, CancellationToken.None));
        return output.ToString().Trim();
    }

    private static Dictionary<string, string> Windows(int relatedMinutes) => new() { ["RELATED_WINDOW_MINUTES"] = $"{relatedMinutes}" };

    private static ServiceProvider AppServices(FakeGoogleApis fake, string folder, TimeProvider clock, IEvidenceStore store, IReadOnlyDictionary<string, string> extra)
    {
        var variables = new Dictionary<string, string>(fake.EnvironmentVariables) { ["EVIDENCE_DIR"] = folder };
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        services.AddSingleton(store);
        services.AddSingleton<ReverseShellFunction.Infrastructure.GoogleApis.Auth.IAccessTokenSource>(new FixedTokenSource(fake.AccessToken));
        services.AddEvidencePipeline(ReverseShellFunction.Hosting.FunctionSettings.From(name => variables.GetValueOrDefault(name)));
        return services.BuildServiceProvider();
    }

    private static ReverseShellFunction.Delivery.RawDelivery SampleDelivery() => ReverseShellFunction.Delivery.RawDelivery.FromBytes(
        new Dictionary<string, string> { ["content-type"] = "application/json" },
        TestData.Sample("reverse-shell.pubsub-push.json"),
        DateTimeOffset.UtcNow,
        ReverseShellFunction.Delivery.DeliverySource.Replay,
        "reverse-shell.pubsub-push.json");

    /// <summary>The same sample collected once, long after its windows closed: the reference the parts must add up to.</summary>
    private static async Task<List<string>> ContainerEntriesReadInOnePieceAsync()
    {
        var clock = new FakeTimeProvider(s_event.AddHours(2));
        await using var harness = await PipelineHarness.StartAtAsync(clock);
        var id = BundleId.Parse((await harness.ReplaySampleAsync()).BundleId!);
        var parts = await ReadPartsAsync(harness.Store, id, 1);
        return [.. Lines(parts[0], "logs/container.jsonl").Order(StringComparer.Ordinal)];
    }

    private static async Task<List<Dictionary<string, byte[]>>> ReadPartsAsync(LocalEvidenceStore store, BundleId id, int count)
    {
        var parts = new List<Dictionary<string, byte[]>>();
        for (var n = 1; n <= count; n++)
        {
            parts.Add(await PipelineHarness.ReadEntriesAsync(store, id.WithPart(n)));
        }

        return parts;
    }

    private static string[] Lines(Dictionary<string, byte[]> part, string path) =>
        part.TryGetValue(path, out var bytes) ? Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
