using System.Text.Json;
using ReverseShellFunction.Collect;
using ReverseShellFunction.Collect.Logs;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;

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
        var lines = harness.ReadLines(ContainerLogsCollector.FilePath);
        Assert.Equal(150, lines.Length);
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(entries, e => Assert.Equal(FakeGoogleData.Service, e.GetProperty("resource").GetProperty("labels").GetProperty("service_name").GetString()));
        Assert.Equal(entries.Select(e => e.GetProperty("timestamp").GetString()).Order(StringComparer.Ordinal), entries.Select(e => e.GetProperty("timestamp").GetString()));

        // 150 entries in pages of 40 with an empty page before each: 8 calls.
        Assert.Equal(8, harness.Fake.CountRequests(FakeApi.ContainerLogs));
    }
}
