using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Infrastructure.Scc;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

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
        Assert.Equal([BundleLayout.Entries.RelatedFindings], report.Files);
        Assert.Equal(3, harness.Fake.CountRequests(FakeApi.Scc));
        using var file = JsonDocument.Parse(harness.ReadText(BundleLayout.Entries.RelatedFindings));
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
        // Project scope, the Terraform default: the project number from canonicalName, where the grant is.
        Assert.Equal("/v2/projects/602115830917/sources/-/locations/global/findings", first.Path);
        var query = System.Web.HttpUtility.ParseQueryString(first.Query);
        Assert.Equal("500", query["pageSize"]); // the default RELATED_MAX_FINDINGS is below the API maximum of 1000
        Assert.Equal("event_time", query["orderBy"]); // ascending is the documented default; only " desc" is a suffix
        var eventMs = FakeGoogleData.EventTime.ToUnixTimeMilliseconds();
        Assert.Equal(
            $"resource.name = \"{FakeGoogleData.ServiceFullName}\" AND event_time >= {eventMs - 3_600_000} AND event_time < {eventMs + 3_600_000}",
            query["filter"]);
        Assert.Contains(query["filter"]!, report.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cap_StopsAtRelatedMaxFindings_AndSaysTruncated()
    {
        await using var harness = await CollectorHarness.StartAsync(options: Defaults.Collection with { RelatedMaxFindings = 12 });

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.True(report.Truncated);
        Assert.Equal(12, report.ItemCount);
        Assert.Contains("RELATED_MAX_FINDINGS", report.Reason, StringComparison.Ordinal);
        Assert.Equal("12", System.Web.HttpUtility.ParseQueryString(harness.Fake.Requests.First(r => r.Api == FakeApi.Scc).Query)["pageSize"]);
        using var file = JsonDocument.Parse(harness.ReadText(BundleLayout.Entries.RelatedFindings));
        Assert.Equal(12, file.RootElement.GetProperty("results").GetArrayLength());
        Assert.True(file.RootElement.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Paging_RepeatsTheSamePageSize_OnEveryPage_UpToTheCap()
    {
        // 12 is not a multiple of the fake's 10 a page: the second page must still ask for 12, as the first did.
        await using var harness = await CollectorHarness.StartAsync(options: Defaults.Collection with { RelatedMaxFindings = 12 });

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        var requests = harness.Fake.Requests.Where(r => r.Api == FakeApi.Scc).ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(200, r.StatusCode));
        Assert.All(requests, r => Assert.Equal("12", System.Web.HttpUtility.ParseQueryString(r.Query)["pageSize"]));
        Assert.Equal(12, report.ItemCount);
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
        using var file = JsonDocument.Parse(harness.ReadText(BundleLayout.Entries.RelatedFindings));
        Assert.False(file.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(10, file.RootElement.GetProperty("results").GetArrayLength());
    }

    [Theory]
    [InlineData("organizations/1/sources/2/locations/eu/findings/f", "projects/9/sources/2/locations/eu/findings/f", SccScope.Project, "projects/9/sources/-/locations/eu")]
    [InlineData("organizations/1/sources/2/locations/eu/findings/f", "projects/9/sources/2/locations/eu/findings/f", SccScope.Organization, "organizations/1/sources/-/locations/eu")]
    [InlineData("organizations/1/sources/2/findings/f", "projects/9/sources/2/findings/f", SccScope.Project, "projects/9/sources/-/locations/global")]
    [InlineData("organizations/1/sources/2/findings/f", null, SccScope.Organization, "organizations/1/sources/-/locations/global")]
    [InlineData("projects/my-proj/sources/2/findings/f", null, SccScope.Project, "projects/my-proj/sources/-/locations/global")]
    [InlineData("organizations/1/sources/2/findings/f", null, SccScope.Project, null)]
    [InlineData("projects/my-proj/sources/2/findings/f", null, SccScope.Organization, null)]
    [InlineData("billingAccounts/1/sources/2/findings/f", null, SccScope.Organization, null)]
    [InlineData("organizations/1/findings/f", null, SccScope.Organization, null)]
    [InlineData("organizations/1/sources/2/locations/evil.example.com%2F/findings/f", null, SccScope.Organization, null)]
    [InlineData("organizations/1/sources/2/locations/EU/findings/f", null, SccScope.Organization, null)]
    [InlineData("organizations/..%2F/sources/2/findings/f", null, SccScope.Organization, null)]
    [InlineData(null, null, SccScope.Organization, null)]
    public void Parent_FollowsTheScope_AndTheFindingsLocation(string? name, string? canonicalName, SccScope scope, string? expected) =>
        Assert.Equal(expected, SccParent.For(new SccFinding { Name = name, CanonicalName = canonicalName }, null, scope)?.Name);

    [Fact]
    public void Parent_OrganizationScope_FallsBackToTheResourcesOrganization()
    {
        var finding = new SccFinding { Name = "folders/7/sources/2/locations/global/findings/f" };
        var resource = new SccResource { GcpMetadata = new SccGcpMetadata(Organization: "organizations/55") };

        Assert.Equal("organizations/55/sources/-/locations/global", SccParent.For(finding, resource, SccScope.Organization)?.Name);
    }

    [Theory]
    [InlineData("global", "https://securitycenter.googleapis.com")]
    [InlineData("eu", "https://securitycenter.eu.rep.googleapis.com")]
    [InlineData("sa", "https://securitycenter.sa.rep.googleapis.com")]
    public void Endpoint_FollowsTheLocation(string location, string expected) =>
        Assert.Equal(expected, new SccEndpoints(null).RootFor(location));

    [Theory]
    [InlineData("evil.example.com/")]
    [InlineData("eu.attacker.example#")]
    [InlineData("EU")]
    [InlineData("")]
    public void Endpoint_RefusesALocationThatIsNotAPlainName(string location) =>
        Assert.Throws<ArgumentException>(() => new SccEndpoints(null).RootFor(location));

    [Fact]
    public void Endpoint_OverrideServesEveryLocation() =>
        Assert.Equal("http://127.0.0.1:9", new SccEndpoints("http://127.0.0.1:9/").RootFor("eu"));
}
