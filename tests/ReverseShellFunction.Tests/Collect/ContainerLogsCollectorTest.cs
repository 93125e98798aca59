using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Collect;

public sealed class ContainerLogsCollectorTest
{
    private const string Name = ContainerLogsCollector.CollectorName;

    [Fact]
    public async Task MultiplePages_WithEmptyPages_EveryEntryInTheWindowIsOneLine()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        Assert.True(CollectorStatus.Ok == report.Status, report.Reason);
        Assert.Equal(150, report.ItemCount);
        var lines = harness.ReadLines(BundleLayout.Entries.ContainerLogs);
        Assert.Equal(150, lines.Length);
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(entries, e => Assert.Equal(FakeGoogleData.Service, e.GetProperty("resource").GetProperty("labels").GetProperty("service_name").GetString()));
        Assert.Equal(entries.Select(e => e.GetProperty("timestamp").GetString()).Order(StringComparer.Ordinal), entries.Select(e => e.GetProperty("timestamp").GetString()));

        // 150 entries in pages of 40 with an empty page before each: 8 calls.
        Assert.Equal(8, harness.Fake.CountRequests(FakeApi.ContainerLogs));
    }

    [Fact]
    public async Task Filter_NamesTheServiceLocationAndWindow_InTheRequestBody()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        using var body = JsonDocument.Parse(harness.Fake.Requests.First(r => r.Api == FakeApi.ContainerLogs).Body!);
        var root = body.RootElement;
        Assert.Equal(["projects/shop-prod-4471"], root.GetProperty("resourceNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal("timestamp asc", root.GetProperty("orderBy").GetString());
        Assert.Equal(1000, root.GetProperty("pageSize").GetInt32());
        Assert.Equal(
            "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"checkout-api\" AND resource.labels.location=\"europe-west1\""
            // The configured window (event − 30 min, event + 5 min) widened to whole minutes, so findings of one minute share reads.
            + " AND timestamp>=\"2026-11-28T20:44:00.000Z\" AND timestamp<\"2026-11-28T21:20:00.000Z\"",
            root.GetProperty("filter").GetString());
        Assert.Contains(root.GetProperty("filter").GetString()!, report.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamedRevision_NarrowsTheFilter()
    {
        await using var harness = await CollectorHarness.StartAsync();
        var context = CollectorHarness.SampleContext($"{FakeGoogleData.ServiceFullName}/revisions/{FakeGoogleData.CanaryRevision}");

        var report = await harness.CollectAsync(Name, context);

        Assert.Contains($"resource.labels.revision_name=\"{FakeGoogleData.CanaryRevision}\"", report.Query, StringComparison.Ordinal);
        Assert.Equal(38, report.ItemCount);
        Assert.All(harness.ReadLines(BundleLayout.Entries.ContainerLogs), l => Assert.Contains(FakeGoogleData.CanaryRevision, l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Job_UsesTheJobResourceType()
    {
        await using var harness = await CollectorHarness.StartAsync();
        var context = CollectorHarness.SampleContext($"{FakeGoogleData.JobFullName}/executions/{FakeGoogleData.LatestExecution}");

        var report = await harness.CollectAsync(Name, context);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Contains(
            $"filter=resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"{FakeGoogleData.Job}\" AND resource.labels.location=\"europe-west1\""
            + $" AND labels.\"run.googleapis.com/execution_name\"=\"{FakeGoogleData.LatestExecution}\" AND timestamp>=",
            report.Query,
            StringComparison.Ordinal);
        Assert.Equal(0, report.ItemCount);
        Assert.True(harness.Exists(BundleLayout.Entries.ContainerLogs));
    }

    [Fact]
    public async Task EntryCap_StopsAndSaysTruncated()
    {
        await using var harness = await CollectorHarness.StartAsync(options: Defaults.Collection with { LogMaxEntries = 50 });

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.True(report.Truncated);
        Assert.Equal(50, report.ItemCount);
        Assert.Equal(50, harness.ReadLines(BundleLayout.Entries.ContainerLogs).Length);
        Assert.Contains("LOG_MAX_ENTRIES", report.Reason, StringComparison.Ordinal);
        Assert.EndsWith($"entries up to {JsonDocument.Parse(harness.ReadLines(BundleLayout.Entries.ContainerLogs)[^1]).RootElement.GetProperty("timestamp").GetString()} kept", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_RepeatsTheSamePageSize_OnEveryPage_UpToTheCap()
    {
        // 50 is not a multiple of the fake's 40 a page: the second page must still ask for 50, as the first did.
        await using var harness = await CollectorHarness.StartAsync(options: Defaults.Collection with { LogMaxEntries = 50 });

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        var requests = harness.Fake.Requests.Where(r => r.Api == FakeApi.ContainerLogs).ToList();
        Assert.True(requests.Count >= 2, $"{requests.Count} request(s)");
        Assert.All(requests, r => Assert.Equal(200, r.StatusCode));
        Assert.All(requests, r => Assert.Equal(50, JsonDocument.Parse(r.Body!).RootElement.GetProperty("pageSize").GetInt32()));
        Assert.Equal(50, report.ItemCount);
    }

    [Fact]
    public async Task ShortAndEmptyPages_StopAtTheCallCap_SoAWindowNeverCostsMoreReadsThanTheQueueIsSizedFor()
    {
        // Logging may answer far fewer entries than asked (here 5 of 50) and empty pages between them.
        await using var harness = await CollectorHarness.StartAsync(new FakeGoogleApisOptions { LogPageSize = 5 }, Defaults.Collection with { LogMaxEntries = 50 });

        var report = await harness.CollectAsync(Name);

        Assert.Equal(4, LogEntriesDownload.MaxCalls(50));
        Assert.Equal(10, LogEntriesDownload.MaxCalls(4000));
        Assert.Equal(22, LogEntriesDownload.MaxCalls(10_000));
        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.True(report.Truncated);
        Assert.Equal(4, harness.Fake.CountRequests(FakeApi.ContainerLogs));
        Assert.StartsWith("capped at 4 entries:list calls", report.Reason, StringComparison.Ordinal);
        Assert.Equal(report.ItemCount, harness.ReadLines(BundleLayout.Entries.ContainerLogs).Length);
    }

    [Fact]
    public async Task ByteCap_NeverWritesPastIt()
    {
        await using var harness = await CollectorHarness.StartAsync(options: Defaults.Collection with { LogMaxBytes = 4096 });

        var report = await harness.CollectAsync(Name);

        Assert.True(report.Truncated);
        var size = new FileInfo(harness.Staging.PathOf(BundleLayout.Entries.ContainerLogs)).Length;
        Assert.InRange(size, 3000, 4096);
        Assert.Equal(report.ItemCount, harness.ReadLines(BundleLayout.Entries.ContainerLogs).Length);
    }

    [Fact]
    public async Task NotCloudRun_Skipped()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name, CollectorHarness.SampleContext("//compute.googleapis.com/projects/p/zones/z/instances/i"));

        Assert.Equal(CollectorStatus.Skipped, report.Status);
        Assert.Equal(0, harness.Fake.CountRequests(FakeApi.ContainerLogs));
    }
}
