using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Scc;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>The finding is looked up in SCC by name: confirmed, not-found (forged) or unchecked, and SCC's copy is stored.</summary>
public sealed class FindingAuthenticityCollectorTest
{
    private const string Name = FindingAuthenticityCollector.CollectorName;

    [Fact]
    public async Task FindingSccHolds_IsConfirmed_AndSccsCopyIsStored()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        Assert.Equal((CollectorStatus.Ok, FindingAuthenticity.Confirmed, 1L), (report.Status, report.Authenticity, report.ItemCount));
        Assert.Equal([BundleLayout.Entries.SccFinding], report.Files);
        using var file = JsonDocument.Parse(harness.ReadText(BundleLayout.Entries.SccFinding));
        Assert.Equal("confirmed", file.RootElement.GetProperty("authenticity").GetString());
        Assert.Equal(FakeGoogleData.FindingName, file.RootElement.GetProperty("finding").GetProperty("name").GetString());
        Assert.Equal(FakeGoogleData.ServiceFullName, file.RootElement.GetProperty("resource").GetProperty("name").GetString());

        var request = Assert.Single(harness.Fake.Requests, r => r.Api == FakeApi.Scc);
        Assert.Equal("/v2/projects/602115830917/sources/-/locations/global/findings", request.Path);
        var query = System.Web.HttpUtility.ParseQueryString(request.Query);
        Assert.Equal($"name = \"{FakeGoogleData.FindingName}\"", query["filter"]);
        Assert.Null(query["orderBy"]);
    }

    [Fact]
    public async Task FindingSccDoesNotHold_IsNotFound_TheCheckIsStoredAnyway()
    {
        await using var harness = await CollectorHarness.StartAsync();
        var context = Forged(CollectorHarness.SampleContext());

        var report = await harness.CollectAsync(Name, context);

        Assert.Equal((CollectorStatus.Ok, FindingAuthenticity.NotFound), (report.Status, report.Authenticity));
        Assert.Contains("may be forged", report.Reason, StringComparison.Ordinal);
        using var file = JsonDocument.Parse(harness.ReadText(BundleLayout.Entries.SccFinding));
        Assert.Equal("not-found", file.RootElement.GetProperty("authenticity").GetString());
        Assert.False(file.RootElement.TryGetProperty("finding", out _));
    }

    [Fact]
    public async Task NotificationThatDiffersFromSccsCopy_IsContradicted_NamingEachField_AndBothSidesAreStored()
    {
        await using var harness = await CollectorHarness.StartAsync();
        var sample = CollectorHarness.SampleContext();
        var processes = sample.Finding.Processes!;
        var context = sample with
        {
            Notification = sample.Notification with
            {
                Finding = sample.Finding with
                {
                    Processes = [processes[0] with { Binary = processes[0].Binary! with { Path = "/usr/bin/curl" } }, .. processes.Skip(1)],
                    Category = "Malicious URL Observed",
                },
            },
        };

        var report = await harness.CollectAsync(Name, context);

        Assert.Equal((CollectorStatus.Ok, FindingAuthenticity.Contradicted), (report.Status, report.Authenticity));
        Assert.Equal(["category", "processes"], report.Contradicted);
        Assert.Contains("contradicted: SCC's copy differs from the notification in category, processes", report.Reason, StringComparison.Ordinal);
        using var file = JsonDocument.Parse(harness.ReadText(BundleLayout.Entries.SccFinding));
        Assert.Equal("contradicted", file.RootElement.GetProperty("authenticity").GetString());
        var differences = file.RootElement.GetProperty("differences").EnumerateArray().ToList();
        Assert.Equal(("category", "Malicious URL Observed", "Reverse Shell"), (differences[0].GetProperty("field").GetString(), differences[0].GetProperty("notification").GetString(), differences[0].GetProperty("scc").GetString()));
        Assert.StartsWith("/bin/bash sha256 d7f1c0b3", differences[1].GetProperty("scc").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SccRefuses_IsUnchecked_WithTheApisWords_AndNoFile()
    {
        await using var harness = await CollectorHarness.StartAsync();
        harness.Fake.Faults.Always(FakeApi.Scc, FakeFault.PermissionDenied("Permission 'securitycenter.findings.list' denied"));

        var report = await harness.CollectAsync(Name);

        Assert.Equal((CollectorStatus.Failed, FindingAuthenticity.Unchecked), (report.Status, report.Authenticity));
        Assert.Equal("403 PERMISSION_DENIED: Permission 'securitycenter.findings.list' denied", report.Reason);
        Assert.False(harness.Exists(BundleLayout.Entries.SccFinding));
    }

    [Fact]
    public async Task NoCredentials_IsUnchecked_AndNothingIsAsked()
    {
        await using var harness = await CollectorHarness.StartAsync(withCredentials: false);

        var report = await harness.CollectAsync(Name);

        Assert.Equal((CollectorStatus.Skipped, FindingAuthenticity.Unchecked, "no credentials"), (report.Status, report.Authenticity, report.Reason));
        Assert.Empty(harness.Fake.Requests);
    }

    [Fact]
    public async Task OrganizationScope_LooksItUpUnderTheOrganization()
    {
        await using var harness = await CollectorHarness.StartAsync(options: Defaults.Collection with { SccScope = SccScope.Organization });

        var report = await harness.CollectAsync(Name);

        Assert.Equal(FindingAuthenticity.Confirmed, report.Authenticity);
        Assert.Equal("/v2/organizations/418230051457/sources/-/locations/global/findings", Assert.Single(harness.Fake.Requests, r => r.Api == FakeApi.Scc).Path);
    }

    [Fact]
    public async Task RegionalFinding_GoesToItsLocationsRegionalHost_ForBothSccCollectors()
    {
        await using var fake = await FakeGoogleApis.StartAsync();
        using var routing = new RoutingHandler(fake.BaseUri);
        using var http = new HttpClient(routing);
        var client = new GoogleApiClient(http, new FixedTokenSource(fake.AccessToken), new RecordedDelays().Policy(), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        var api = new SccFindingsApi(client, new SccEndpoints(null));
        using var temp = new TempFolder();
        using var staging = new ReverseShellFunction.Bundle.StagingDirectory(temp.Path);
        var context = InLocation(CollectorHarness.SampleContext(), "eu");
        var options = Defaults.Collection;

        await new FindingAuthenticityCollector(api, options, TimeProvider.System, NullLogger<FindingAuthenticityCollector>.Instance).CollectAsync(context, staging, CancellationToken.None);
        await new RelatedFindingsCollector(api, options, TimeProvider.System, NullLogger<RelatedFindingsCollector>.Instance).CollectAsync(context, staging, CancellationToken.None);

        Assert.NotEmpty(routing.Requests);
        Assert.All(routing.Requests, r => Assert.Equal(
            ("https", "securitycenter.eu.rep.googleapis.com", "/v2/projects/602115830917/sources/-/locations/eu/findings"),
            (r.Scheme, r.Host, r.AbsolutePath)));
    }

    [Fact]
    public async Task ForgedNotification_IsStoredWithAuthenticityNotFound_InSummaryAndIndex()
    {
        await using var harness = await Support.PipelineHarness.StartAsync();
        var forged = Encoding.UTF8.GetString(TestData.Sample("reverse-shell.notification.json"))
            .Replace("5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b", "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0", StringComparison.Ordinal);

        var result = await harness.ReplayNotificationAsync(Encoding.UTF8.GetBytes(forged));

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var bundle = await harness.ReadBundleAsync(result.BundleId!);
        using var summary = JsonDocument.Parse(bundle["summary.json"]);
        Assert.Equal("not-found", summary.RootElement.GetProperty("authenticity").GetString());
        using var check = JsonDocument.Parse(bundle[BundleLayout.Entries.SccFinding]);
        Assert.Equal("not-found", check.RootElement.GetProperty("authenticity").GetString());
        var index = Directory.EnumerateFiles(Path.Combine(harness.Store.Root, "index"), "*.json", SearchOption.AllDirectories).Single();
        using var entry = JsonDocument.Parse(File.ReadAllBytes(index));
        Assert.Equal("not-found", entry.RootElement.GetProperty("summary").GetProperty("authenticity").GetString());

        // The responder reads it first: the first item of the section after the headline, in both renderings.
        var markdown = Encoding.UTF8.GetString(bundle["summary.md"]);
        var missing = markdown[markdown.IndexOf("Missing or not to be trusted", StringComparison.Ordinal)..];
        var firstItem = missing.Split('\n').First(line => line.StartsWith("- ", StringComparison.Ordinal));
        Assert.Contains("Authenticity: not-found. SCC holds no finding of this name", firstItem, StringComparison.Ordinal);
        Assert.StartsWith("**State: not-found; complete.", markdown, StringComparison.Ordinal);
        Assert.Contains("Authenticity: not-found", Encoding.UTF8.GetString(bundle["summary.html"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("v1")]
    public async Task ProjectScope_WithoutCanonicalName_TakesTheProjectFromTheResource_AndBothSccCollectorsRun(string shape)
    {
        await using var harness = await CollectorHarness.StartAsync(new FakeGoogleApisOptions { SccProjectGrantOnly = true });
        var context = WithoutCanonicalName(CollectorHarness.SampleContext(), shape);

        var authenticity = await harness.CollectAsync(Name, context);
        var related = await harness.CollectAsync(RelatedFindingsCollector.CollectorName, context);

        Assert.Equal((CollectorStatus.Ok, FindingAuthenticity.Confirmed), (authenticity.Status, authenticity.Authenticity));
        Assert.Equal(CollectorStatus.Ok, related.Status);
        Assert.True(related.ItemCount > 0);
        var requests = harness.Fake.Requests.Where(r => r.Api == FakeApi.Scc).ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal(("/v2/projects/602115830917/sources/-/locations/global/findings", 200), (r.Path, r.StatusCode)));
    }

    // The notification's resource as v2 (gcpMetadata.project) or v1 (flat project) carries it, without canonicalName.
    private static CollectionContext WithoutCanonicalName(CollectionContext context, string shape)
    {
        var project = context.Notification.Resource!.ProjectAnyVersion;
        Assert.Equal("//cloudresourcemanager.googleapis.com/projects/602115830917", project);
        var resource = shape == "v1"
            ? context.Notification.Resource with { GcpMetadata = null, Project = project }
            : context.Notification.Resource with { Project = null };
        return context with { Notification = context.Notification with { Finding = context.Finding with { CanonicalName = null }, Resource = resource } };
    }

    private static CollectionContext Forged(CollectionContext context) => context with
    {
        Notification = context.Notification with
        {
            Finding = context.Finding with
            {
                Name = context.Finding.Name!.Replace("5f1c8e0a", "f0f0f0f0", StringComparison.Ordinal),
                CanonicalName = context.Finding.CanonicalName!.Replace("5f1c8e0a", "f0f0f0f0", StringComparison.Ordinal),
            },
        },
    };

    private static CollectionContext InLocation(CollectionContext context, string location) => context with
    {
        Notification = context.Notification with
        {
            Finding = context.Finding with
            {
                Name = context.Finding.Name!.Replace("/locations/global/", $"/locations/{location}/", StringComparison.Ordinal),
                CanonicalName = context.Finding.CanonicalName!.Replace("/locations/global/", $"/locations/{location}/", StringComparison.Ordinal),
            },
        },
    };

    /// <summary>Records where each request was addressed, then sends it to the fake instead: no request leaves the machine.</summary>
    private sealed class RoutingHandler(Uri fake) : DelegatingHandler(new HttpClientHandler())
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var original = request.RequestUri!;
            lock (Requests)
            {
                Requests.Add(original);
            }

            request.RequestUri = new UriBuilder(original) { Scheme = fake.Scheme, Host = fake.Host, Port = fake.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
