using System.Text.Json;
using ReverseShellFunction.Collect;
using ReverseShellFunction.Collect.Scc;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Tests.Collect;

public sealed class RelatedFindingsCollectorTest
{
    private const string Name = RelatedFindingsCollector.CollectorName;

    [Fact]
    public async Task MultiplePages_AllFindingsInTheWindowAreWritten_TriggerMarked()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Equal(25, report.ItemCount);
        Assert.False(report.Truncated);
        Assert.Equal([RelatedFindingsFile.Path], report.Files);
        Assert.Equal(3, harness.Fake.CountRequests(FakeApi.Scc));
        using var file = JsonDocument.Parse(harness.ReadText(RelatedFindingsFile.Path));
        var results = file.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(25, results.Count);
        Assert.Equal(FakeGoogleData.FindingName, Assert.Single(results, r => r.GetProperty("isTriggeringFinding").GetBoolean()).GetProperty("finding").GetProperty("name").GetString());
        Assert.All(results, r => Assert.Equal(FakeGoogleData.ServiceFullName, r.GetProperty("resource").GetProperty("name").GetString()));
        Assert.True(file.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(25, file.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Request_HasTheDocumentedParentFilterAndPageSize()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        var first = harness.Fake.Requests.First(r => r.Api == FakeApi.Scc);
        Assert.Equal("/v2/organizations/418230051457/sources/-/locations/global/findings", first.Path);
        var query = System.Web.HttpUtility.ParseQueryString(first.Query);
        Assert.Equal("500", query["pageSize"]); // the default RELATED_MAX_FINDINGS is below the API maximum of 1000
        Assert.Equal("event_time asc", query["orderBy"]);
        var eventMs = FakeGoogleData.EventTime.ToUnixTimeMilliseconds();
        Assert.Equal(
            $"resource.name = \"{FakeGoogleData.ServiceFullName}\" AND event_time >= {eventMs - 3_600_000} AND event_time <= {eventMs + 3_600_000}",
            query["filter"]);
        Assert.Contains(query["filter"]!, report.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cap_StopsAtRelatedMaxFindings_AndSaysTruncated()
    {
        await using var harness = await CollectorHarness.StartAsync(options: new CollectionOptions { RelatedMaxFindings = 12 });

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.True(report.Truncated);
        Assert.Equal(12, report.ItemCount);
        Assert.Contains("RELATED_MAX_FINDINGS", report.Reason, StringComparison.Ordinal);
        Assert.Equal("12", System.Web.HttpUtility.ParseQueryString(harness.Fake.Requests.First(r => r.Api == FakeApi.Scc).Query)["pageSize"]);
        using var file = JsonDocument.Parse(harness.ReadText(RelatedFindingsFile.Path));
        Assert.Equal(12, file.RootElement.GetProperty("results").GetArrayLength());
        Assert.True(file.RootElement.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task FailureOnALaterPage_KeepsTheEarlierPages_AsPartial()
    {
        await using var harness = await CollectorHarness.StartAsync();
        harness.Fake.Faults.Add(FakeApi.Scc, FakeFault.Slow(TimeSpan.Zero)).Add(FakeApi.Scc, FakeFault.PermissionDenied("Permission 'securitycenter.findings.list' denied"));

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Partial, report.Status);
        Assert.Equal(10, report.ItemCount);
        Assert.Contains("Permission 'securitycenter.findings.list' denied", report.Reason, StringComparison.Ordinal);
        using var file = JsonDocument.Parse(harness.ReadText(RelatedFindingsFile.Path));
        Assert.False(file.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(10, file.RootElement.GetProperty("results").GetArrayLength());
    }

    [Theory]
    [InlineData("organizations/1/sources/2/locations/eu/findings/f", "organizations/1/sources/-/locations/eu")]
    [InlineData("organizations/1/sources/2/findings/f", "organizations/1/sources/-/locations/global")]
    [InlineData("folders/7/sources/2/locations/global/findings/f", "folders/7/sources/-/locations/global")]
    [InlineData("projects/my-proj/sources/2/findings/f", "projects/my-proj/sources/-/locations/global")]
    [InlineData("billingAccounts/1/sources/2/findings/f", null)]
    [InlineData("organizations/1/findings/f", null)]
    [InlineData(null, null)]
    public void Parent_FromFindingName(string? findingName, string? expected) =>
        Assert.Equal(expected, SccParent.FromFindingName(findingName));
}
