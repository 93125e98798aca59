using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Infrastructure.Logging;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;
using Xunit.Abstractions;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>
/// Log reads against Cloud Logging's real limits: the per-project read quota (60 entries:list a minute), the
/// ingestion delay (an entry is readable only some time after its timestamp), and identical reads shared.
/// </summary>
public sealed class LogQuotaAndWindowTest(ITestOutputHelper output)
{
    private static readonly DateTimeOffset s_event = FakeGoogleData.EventTime;

    [Fact]
    public async Task WindowStillOpen_ReadsUpToNowMinusTheIngestionDelay_Partial_AndRecordsTheCoveredWindow()
    {
        var clock = new FixedTimeProvider(s_event.AddMinutes(2));
        await using var harness = await CollectorHarness.StartAsync(new FakeGoogleApisOptions { Clock = clock });

        var report = await harness.CollectAsync(ContainerLogsCollector.CollectorName);

        Assert.Equal(CollectorStatus.Partial, report.Status);
        Assert.StartsWith("window still open: entries after 2026-11-28T21:14:00.000Z", report.Reason, StringComparison.Ordinal);
        Assert.Contains("collected by a later part once the window has closed", report.Reason, StringComparison.Ordinal);
        Assert.False(report.RetryLater);
        Assert.True(report.NeedsCompletion);
        Assert.Equal(Utc(21, 14), report.ResumeFrom);
        var window = report.Window!;
        Assert.Equal((Utc(20, 44), Utc(21, 14)), (window.From, window.To));
        Assert.Equal((s_event.AddMinutes(-30), s_event.AddMinutes(5)), (window.ConfiguredFrom, window.ConfiguredTo));
        Assert.True(window.IsOpen);
        var times = harness.ReadLines(BundleLayout.Entries.ContainerLogs).Select(Timestamp).ToList();
        Assert.NotEmpty(times);
        // Half-open, [From, To): the next part starts at To and reads no entry twice.
        Assert.All(times, t => Assert.True(t < window.To, $"{t:O} is not before the covered end"));
        var filter = harness.Fake.Requests.First(r => r.Api == FakeApi.ContainerLogs).Body!;
        Assert.Contains("timestamp<\\\"2026-11-28T21:14:00.000Z\\\"", filter, StringComparison.Ordinal);
        Assert.DoesNotContain("timestamp<=", filter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WindowClosed_IsOk_AndTheCoveredWindowIsTheConfiguredOneWidenedToMinutes()
    {
        var clock = new FixedTimeProvider(s_event.AddMinutes(10));
        await using var harness = await CollectorHarness.StartAsync(new FakeGoogleApisOptions { Clock = clock });

        var report = await harness.CollectAsync(ContainerLogsCollector.CollectorName);

        Assert.True(report.Status == CollectorStatus.Ok, report.Reason);
        Assert.Equal((Utc(20, 44), Utc(21, 20), false), (report.Window!.From, report.Window.To, report.Window.IsOpen));
        Assert.Equal(150, report.ItemCount);
    }

    [Fact]
    public async Task Fake_ReturnsAnEntryOnlyOnceItsTimestampPlusTheIngestionDelayHasPassed()
    {
        // The collector is told there is no delay, so only the fake holds entries back.
        var clock = new FixedTimeProvider(s_event.AddMinutes(1));
        await using var harness = await CollectorHarness.StartAsync(
            new FakeGoogleApisOptions { Clock = clock, LogIngestionDelay = TimeSpan.FromSeconds(120) },
            Defaults.Collection with { LogIngestionDelay = TimeSpan.Zero });

        var report = await harness.CollectAsync(ContainerLogsCollector.CollectorName);

        var times = harness.ReadLines(BundleLayout.Entries.ContainerLogs).Select(Timestamp).ToList();
        Assert.Equal(Utc(21, 15), report.Window!.To);
        Assert.All(times, t => Assert.True(t <= s_event.AddMinutes(-1), $"{t:O} was returned before it was ingested"));
        var visible = harness.Fake.Data.ContainerEntries.Count(e =>
            e["resource"]!["labels"]!["service_name"]!.GetValue<string>() == FakeGoogleData.Service
            && DateTimeOffset.Parse(e["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) is var t
            && t >= Utc(20, 44) && t <= s_event.AddMinutes(-1));
        Assert.Equal(visible, times.Count);
        Assert.True(visible < 150);
    }

    [Fact]
    public async Task QuotaExceeded_GivesUpAtOnce_PartialWithAQuotaReason_NoRetries()
    {
        await using var harness = await CollectorHarness.StartAsync(new FakeGoogleApisOptions { LoggingReadsPerMinute = 3 });

        var report = await harness.CollectAsync(ContainerLogsCollector.CollectorName);

        Assert.Equal(CollectorStatus.Partial, report.Status);
        // The limit's value is the one Google's ErrorInfo gave (quota_limit_value), not an assumed 60.
        Assert.StartsWith("quota: retry later (ReadRequestsPerMinutePerProject (3) exceeded", report.Reason, StringComparison.Ordinal);
        Assert.Contains("429 RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Read requests'", report.Reason, StringComparison.Ordinal);
        Assert.Contains("a later part reads on from", report.Reason, StringComparison.Ordinal);
        Assert.True(report.RetryLater);
        Assert.Equal(4, harness.Fake.CountRequests(FakeApi.ContainerLogs));
        Assert.Equal(429, harness.Fake.Requests.Last(r => r.Api == FakeApi.ContainerLogs).StatusCode);
        Assert.Empty(harness.Delays.Delays);

        // Of the 40 entries read before the refusal, the whole minutes are kept and the next part reads on from the
        // first minute not kept: no entry is stored twice, none is skipped.
        var kept = harness.ReadLines(BundleLayout.Entries.ContainerLogs);
        Assert.Equal(report.ItemCount, kept.Length);
        Assert.InRange(report.ItemCount!.Value, 1, 39);
        var resume = Assert.IsType<DateTimeOffset>(report.ResumeFrom);
        Assert.Equal(0, resume.Second);
        Assert.All(kept, line => Assert.True(EntryTime(line) < resume, "a kept entry lies before the resume point"));
        Assert.Equal(resume, report.Window!.To);
    }

    private static DateTimeOffset EntryTime(string line) =>
        DateTimeOffset.Parse(System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task QuotaExceeded_OnTheFirstRead_Failed()
    {
        await using var harness = await CollectorHarness.StartAsync(new FakeGoogleApisOptions { LoggingReadsPerMinute = 1 });
        await harness.CollectAsync(AuditLogsCollector.CollectorName);

        var report = await harness.CollectAsync(ContainerLogsCollector.CollectorName);

        Assert.Equal(CollectorStatus.Failed, report.Status);
        Assert.StartsWith("quota: retry later", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetQuota_SendsTheWorkloadsProjectAsUserProject_AndSpendsItsQuota()
    {
        // 8 container reads and 2 audit reads, exactly the workload project's quota of 10.
        await using var harness = await CollectorHarness.StartAsync(
            new FakeGoogleApisOptions { LoggingReadsPerMinute = 10, LoggingConsumerProject = "caller-project" },
            Defaults.Collection with { LogReadsUseTargetQuota = true });

        // The caller's own project has spent 8 of its 10 reads already: charged there, the reads below would fail.
        using (var callerStaging = new StagingDirectory(Path.GetTempPath()))
        {
            var callerReport = await new ContainerLogsCollector(harness.Logging, Defaults.Collection, harness.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<ContainerLogsCollector>.Instance)
                .CollectAsync(CollectorHarness.SampleContext(), callerStaging, CancellationToken.None);
            Assert.Equal(CollectorStatus.Ok, callerReport.Status);
        }

        var spentByCaller = harness.Fake.Requests.Count;
        var container = await harness.CollectAsync(ContainerLogsCollector.CollectorName);
        var audit = await harness.CollectAsync(AuditLogsCollector.CollectorName);

        Assert.Equal((CollectorStatus.Ok, CollectorStatus.Ok), (container.Status, audit.Status));
        var reads = harness.Fake.Requests.Skip(spentByCaller).Where(r => r.Api is FakeApi.ContainerLogs or FakeApi.AuditLogs).ToList();
        Assert.All(reads, r => Assert.Equal(FakeGoogleData.ProjectId, r.Headers.Single(h => h.Key.Equals("x-goog-user-project", StringComparison.OrdinalIgnoreCase)).Value));
        Assert.Equal(10, reads.Count);
    }

    [Fact]
    public async Task CallerQuota_SendsNoUserProject()
    {
        await using var harness = await CollectorHarness.StartAsync();

        await harness.CollectAsync(AuditLogsCollector.CollectorName);

        Assert.All(
            harness.Fake.Requests.Where(r => r.Api == FakeApi.AuditLogs),
            r => Assert.DoesNotContain(r.Headers.Keys, k => k.Equals("x-goog-user-project", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// 31 Reverse Shell findings on one service within one minute (a compromised image firing on many
    /// instances), each delivery running both log collectors, all at once, against the 60-a-minute quota.
    /// </summary>
    [Fact]
    public async Task ThirtyOneFindingsInOneMinute_SharedReads_EveryFindingGetsItsLogs_WithinTheQuota()
    {
        var clock = new FixedTimeProvider(s_event.AddMinutes(10));

        var unlimited = await BurstAsync(clock, quota: 0, coalesce: false);
        var alone = await BurstAsync(clock, quota: 60, coalesce: false);
        var shared = await BurstAsync(clock, quota: 60, coalesce: true);

        output.WriteLine($"Logging calls needed without sharing: {unlimited.Calls} for 31 findings = {unlimited.Calls / 31.0:0.##} per finding");
        output.WriteLine($"quota 60/min, no sharing:  {alone.Calls} calls ({alone.Refused} refused with 429), {alone.Complete} of 31 findings with every entry");
        output.WriteLine($"quota 60/min, shared reads: {shared.Calls} calls = {shared.Calls / 31.0:0.##} per finding ({shared.Refused} refused), {shared.Complete} of 31 findings with every entry");

        Assert.Equal(31 * 10, unlimited.Calls); // 8 container pages and 2 audit pages per finding, half of them empty "still searching" pages
        Assert.Equal(31, unlimited.Complete);
        Assert.True(alone.Complete < 31, "without sharing the quota must cut some findings short");
        Assert.Equal(10, shared.Calls);
        Assert.Equal((0, 31), (shared.Refused, shared.Complete));
    }

    /// <summary>
    /// One completion dispatch (its own part and the siblings it runs) may send at most the reads Terraform sizes the
    /// queue by: a read past the allowance is refused before it is sent and the collector stops as for a quota
    /// refusal, resumable; reads answered by another request's page cost nothing.
    /// </summary>
    [Fact]
    public async Task ReadAllowance_SharedReadsAreFree_AReadPastItIsNeverSent_AndTheWindowResumesLater()
    {
        var clock = new FixedTimeProvider(s_event.AddMinutes(10));

        // The same 31 findings as above need 10 distinct reads when they share: an allowance of 10 is enough.
        var enough = await BurstAsync(clock, quota: 0, coalesce: true, new ReadAllowance(10));
        Assert.Equal((10, 31), (enough.Calls, enough.Complete));

        // Without sharing, 10 reads cover one finding's two windows (8 + 2 pages) and no more.
        var spent = await BurstAsync(clock, quota: 0, coalesce: false, new ReadAllowance(10));
        Assert.Equal(10, spent.Calls);
        Assert.InRange(spent.Complete, 0, 1);
        Assert.All(spent.Reports.Where(r => r.Status != CollectorStatus.Ok), r =>
        {
            Assert.True(r.RetryLater);
            Assert.Contains("this completion's 10 entries:list calls (the bound the completion queue's rate is sized by) are spent", r.Reason, StringComparison.Ordinal);
        });

        // The allowance of a dispatch is the one Terraform's completion_reads_per_dispatch computes (44 by default).
        Assert.Equal(44, ReadAllowance.ForDispatch(Defaults.Collection.LogMaxEntries).Reads);
        Assert.Equal(8, ReadAllowance.ForDispatch(500).Reads);
    }

    private static async Task<(int Calls, int Refused, int Complete)> BurstAsync(TimeProvider clock, int quota, bool coalesce)
    {
        var (calls, refused, complete, _) = await BurstAsync(clock, quota, coalesce, allowance: null);
        return (calls, refused, complete);
    }

    private static async Task<(int Calls, int Refused, int Complete, IReadOnlyList<CollectorReport> Reports)> BurstAsync(TimeProvider clock, int quota, bool coalesce, ReadAllowance? allowance)
    {
        allowance?.Apply();
        await using var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { Clock = clock, LoggingReadsPerMinute = quota });
        using var http = new HttpClient();
        var client = new ReverseShellFunction.Infrastructure.GoogleApis.GoogleApiClient(
            http, new FixedTokenSource(fake.AccessToken), new RecordedDelays().Policy(), clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<ReverseShellFunction.Infrastructure.GoogleApis.GoogleApiClient>.Instance);
        var api = new LoggingApi(client, fake.BaseUri.ToString().TrimEnd('/'), new LogReadCoalescer(clock) { Enabled = coalesce });
        var options = Defaults.Collection;
        var container = new ContainerLogsCollector(api, options, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<ContainerLogsCollector>.Instance);
        var audit = new AuditLogsCollector(api, options, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditLogsCollector>.Instance);
        using var temp = new TempFolder();
        var baseContext = CollectorHarness.SampleContext();

        var findings = await Task.WhenAll(Enumerable.Range(0, 31).Select(async i =>
        {
            // Events spread over 46 seconds of one minute.
            var context = baseContext with { EventTime = Utc(21, 14).AddMilliseconds(500 + (1500 * i)) };
            using var staging = new StagingDirectory(temp.Path);
            var reports = await Task.WhenAll(container.CollectAsync(context, staging, CancellationToken.None), audit.CollectAsync(context, staging, CancellationToken.None));
            return (Complete: reports.All(r => r.Status == CollectorStatus.Ok) && reports[0].ItemCount == 150 && reports[1].ItemCount == 4, Reports: reports);
        }));

        var reads = fake.Requests.Where(r => r.Api is FakeApi.ContainerLogs or FakeApi.AuditLogs).ToList();
        return (reads.Count, reads.Count(r => r.StatusCode == 429), findings.Count(f => f.Complete), [.. findings.SelectMany(f => f.Reports)]);
    }

    private static DateTimeOffset Utc(int hour, int minute) => new(2026, 11, 28, hour, minute, 0, TimeSpan.Zero);

    private static DateTimeOffset Timestamp(string line) =>
        DateTimeOffset.Parse(JsonDocument.Parse(line).RootElement.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}
