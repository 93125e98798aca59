using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Collectors.Run;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>Every fault class against every collector: retried where it can get better, reported in the API's words where not.</summary>
public sealed class CollectorFaultTest
{
    // Long enough that a normal answer on a busy machine never times out (1 s did not always hold at a load of 20
    // and more), short enough for the timeout test.
    private static readonly TimeSpan s_attemptTimeout = TimeSpan.FromSeconds(3);

    public static TheoryData<string, FakeApi> Collectors => new()
    {
        { RelatedFindingsCollector.CollectorName, FakeApi.Scc },
        { CloudRunCollector.CollectorName, FakeApi.Run },
        { ContainerLogsCollector.CollectorName, FakeApi.ContainerLogs },
        { AuditLogsCollector.CollectorName, FakeApi.AuditLogs },
    };

    [Theory]
    [MemberData(nameof(Collectors))]
    public async Task ResourceExhausted_ThenOk_WaitsForRetryAfter(string collector, FakeApi api)
    {
        await using var harness = await CollectorHarness.StartAsync(attemptTimeout: s_attemptTimeout);
        harness.Fake.Faults.Add(api, FakeFault.ResourceExhausted(retryAfter: TimeSpan.FromSeconds(3)));

        var report = await harness.CollectAsync(collector);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.True(report.ItemCount > 0);
        Assert.Equal([TimeSpan.FromSeconds(3)], harness.Delays.Delays);
    }

    [Theory]
    [MemberData(nameof(Collectors))]
    public async Task UnavailableTwice_ThenOk_BacksOffExponentially(string collector, FakeApi api)
    {
        await using var harness = await CollectorHarness.StartAsync(attemptTimeout: s_attemptTimeout);
        harness.Fake.Faults.Add(api, FakeFault.Unavailable(), times: 2);

        var report = await harness.CollectAsync(collector);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.True(report.ItemCount > 0);

        // Equal jitter with the random seam at 0.5: three quarters of 500 ms, then of 1 s.
        Assert.Equal([TimeSpan.FromMilliseconds(375), TimeSpan.FromMilliseconds(750)], harness.Delays.Delays);
    }

    [Theory]
    [MemberData(nameof(Collectors))]
    public async Task PermissionDenied_FailsAtOnce_WithTheApiMessage(string collector, FakeApi api)
    {
        await using var harness = await CollectorHarness.StartAsync(attemptTimeout: s_attemptTimeout);
        harness.Fake.Faults.Add(api, FakeFault.PermissionDenied("Permission denied on resource (or it may not exist)."));

        var report = await harness.CollectAsync(collector);

        Assert.Equal(CollectorStatus.Failed, report.Status);
        Assert.Equal("403 PERMISSION_DENIED: Permission denied on resource (or it may not exist).", report.Reason);
        Assert.Equal(1, harness.Fake.CountRequests(api));
        Assert.Empty(harness.Delays.Delays);
        Assert.Empty(report.Files);
    }

    [Theory]
    [MemberData(nameof(Collectors))]
    public async Task NotFound_FailsAtOnce_WithTheApiMessage(string collector, FakeApi api)
    {
        await using var harness = await CollectorHarness.StartAsync(attemptTimeout: s_attemptTimeout);
        harness.Fake.Faults.Add(api, FakeFault.NotFound("Resource 'x' was not found"));

        var report = await harness.CollectAsync(collector);

        Assert.Equal(CollectorStatus.Failed, report.Status);
        Assert.Equal("404 NOT_FOUND: Resource 'x' was not found", report.Reason);
        Assert.Equal(1, harness.Fake.CountRequests(api));
    }

    [Theory]
    [MemberData(nameof(Collectors))]
    public async Task SlowAnswer_TimesOutAndIsRetried(string collector, FakeApi api)
    {
        await using var harness = await CollectorHarness.StartAsync(attemptTimeout: s_attemptTimeout);
        harness.Fake.Faults.Add(api, FakeFault.Slow(TimeSpan.FromSeconds(30)));

        var report = await harness.CollectAsync(collector);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Single(harness.Delays.Delays);
    }

    [Theory]
    [MemberData(nameof(Collectors))]
    public async Task UnavailableEveryTime_FailsAfterTheLastAttempt(string collector, FakeApi api)
    {
        await using var harness = await CollectorHarness.StartAsync(attemptTimeout: s_attemptTimeout);
        harness.Fake.Faults.Always(api, FakeFault.Unavailable());

        var report = await harness.CollectAsync(collector);

        Assert.Equal(CollectorStatus.Failed, report.Status);
        Assert.Equal("503 UNAVAILABLE: The service is currently unavailable. (after 5 attempts)", report.Reason);
        Assert.Equal(5, harness.Fake.CountRequests(api));
    }

    [Theory]
    [InlineData(RelatedFindingsCollector.CollectorName, FakeApi.Scc, 10)]
    [InlineData(CloudRunCollector.CollectorName, FakeApi.Run, 1)]
    [InlineData(ContainerLogsCollector.CollectorName, FakeApi.ContainerLogs, 40)]
    [InlineData(AuditLogsCollector.CollectorName, FakeApi.AuditLogs, 0)]
    public async Task Deadline_DuringASlowAnswer_PartialWithWhatWasWritten(string collector, FakeApi api, int written)
    {
        await using var harness = await CollectorHarness.StartAsync();

        // The first answers come at once (for the logs: an empty page, then a full one); then the API hangs,
        // and the deadline fires exactly while the collector waits for it.
        using var deadline = new CancellationTokenSource();
        harness.Fake.Faults.Add(api, FakeFault.Slow(TimeSpan.Zero), times: api == FakeApi.ContainerLogs ? 2 : 1)
            .Always(api, FakeFault.Slow(TimeSpan.FromMinutes(1)) with { OnApplied = deadline.Cancel });

        var report = await harness.CollectAsync(collector, cancellationToken: deadline.Token);

        Assert.StartsWith("stopped by the collection deadline", report.Reason, StringComparison.Ordinal);
        Assert.True(report.RetryLater);
        Assert.All(report.Files, f => Assert.True(harness.Exists(f)));
        if (api is FakeApi.ContainerLogs or FakeApi.AuditLogs)
        {
            // A log read keeps its whole minutes only, and the next part reads on from there.
            Assert.InRange(report.ItemCount!.Value, Math.Min(1, written), written);
            Assert.Equal(report.ItemCount > 0 ? CollectorStatus.Partial : CollectorStatus.Failed, report.Status);
            Assert.Equal(report.ItemCount > 0, report.ResumeFrom is not null);
        }
        else
        {
            Assert.Equal(CollectorStatus.Partial, report.Status);
            Assert.Equal(written, report.ItemCount);
        }
    }

    [Theory]
    [MemberData(nameof(Collectors))]
    public async Task NoCredentials_Skipped_WithoutAnyRequest(string collector, FakeApi api)
    {
        await using var harness = await CollectorHarness.StartAsync(withCredentials: false);

        var report = await harness.CollectAsync(collector);

        Assert.Equal(CollectorStatus.Skipped, report.Status);
        Assert.Equal("no credentials", report.Reason);
        Assert.Equal(0, harness.Fake.CountRequests(api));
    }
}
