using System.Text.Json.Nodes;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Run;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Collect;

public sealed class CloudRunCollectorTest
{
    private const string Name = CloudRunCollector.CollectorName;

    [Fact]
    public async Task Service_WritesTheServiceAndEveryRevisionServingTraffic()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Equal(3, report.ItemCount);
        Assert.Equal(
            ["cloud-run/service.json", $"cloud-run/revisions/{FakeGoogleData.LatestRevision}.json", $"cloud-run/revisions/{FakeGoogleData.CanaryRevision}.json"],
            report.Files);
        var service = JsonNode.Parse(harness.ReadText("cloud-run/service.json"))!;
        Assert.Equal("projects/shop-prod-4471/locations/europe-west1/services/checkout-api", (string?)service["name"]);
        Assert.True((bool?)service["threatDetectionEnabled"]);
        Assert.Equal(90, (int?)service["traffic"]![0]!["percent"]);
    }

    [Fact]
    public async Task EnvValues_RedactedEverywhere_NamesAndSecretReferencesKept()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        Assert.DoesNotContain(FakeGoogleData.PlantedSecret, harness.AllWrittenText(), StringComparison.Ordinal);
        var env = JsonNode.Parse(harness.ReadText("cloud-run/service.json"))!["template"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Equal(["DB_PASSWORD", "STRIPE_KEY", "LOG_LEVEL"], env.Select(e => (string?)e!["name"]));
        Assert.True((bool?)env[0]!["value"]!["redacted"]);
        Assert.Equal(64, ((string?)env[0]!["value"]!["hmacSha256"])!.Length);
        Assert.Equal("projects/602115830917/secrets/stripe-key", (string?)env[1]!["valueSource"]!["secretKeyRef"]!["secret"]);
        Assert.Equal("latest", (string?)env[1]!["valueSource"]!["secretKeyRef"]!["version"]);

        // Two literal values in each of three documents.
        Assert.Equal(6, report.Redactions.Count);
        Assert.Contains(new Redaction("cloud-run/service.json", "$.template.containers[0].env[0].value", (string?)env[0]!["value"]!["hmacSha256"]) { Reason = "env-value" }, report.Redactions);
        Assert.Contains(report.Redactions, r => r.File == $"cloud-run/revisions/{FakeGoogleData.LatestRevision}.json" && r.Location == "$.containers[0].env[2].value");
    }

    [Fact]
    public async Task NoRedactionKey_NoFingerprints()
    {
        await using var harness = await CollectorHarness.StartAsync(options: Defaults.Collection with { RedactionKey = null });

        var report = await harness.CollectAsync(Name);

        Assert.All(report.Redactions, r => Assert.Null(r.ValueHmacSha256));
        Assert.Equal("{\"redacted\":true,\"reason\":\"env-value\"}", JsonNode.Parse(harness.ReadText("cloud-run/service.json"))!["template"]!["containers"]![0]!["env"]![0]!["value"]!.ToJsonString());
        Assert.DoesNotContain(FakeGoogleData.PlantedSecret, harness.AllWrittenText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamedRevision_OnlyThatRevision_ProjectNumberAccepted()
    {
        await using var harness = await CollectorHarness.StartAsync();
        var context = CollectorHarness.SampleContext(
            $"//run.googleapis.com/projects/{FakeGoogleData.ProjectNumber}/locations/europe-west1/services/checkout-api/revisions/{FakeGoogleData.RetiredRevision}");

        var report = await harness.CollectAsync(Name, context);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Equal(["cloud-run/service.json", $"cloud-run/revisions/{FakeGoogleData.RetiredRevision}.json"], report.Files);
        Assert.Contains(harness.Fake.Requests, r => r.Path == $"/v2/projects/{FakeGoogleData.ProjectNumber}/locations/europe-west1/services/checkout-api/revisions/{FakeGoogleData.RetiredRevision}");
    }

    [Fact]
    public async Task Job_WritesTheJobAndItsLatestExecution_Redacted()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name, CollectorHarness.SampleContext(FakeGoogleData.JobFullName));

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Equal(["cloud-run/job.json", $"cloud-run/executions/{FakeGoogleData.LatestExecution}.json"], report.Files);
        Assert.Contains(report.Redactions, r => r.File == "cloud-run/job.json" && r.Location == "$.template.template.containers[0].env[0].value");
        Assert.DoesNotContain(FakeGoogleData.PlantedSecret, harness.AllWrittenText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingRevision_KeepsTheRest_AsPartial()
    {
        await using var harness = await CollectorHarness.StartAsync();
        harness.Fake.Faults.Add(FakeApi.Run, FakeFault.Slow(TimeSpan.Zero)).Add(FakeApi.Run, FakeFault.NotFound("Revision gone"));

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Partial, report.Status);
        Assert.Equal($"{FakeGoogleData.LatestRevision}: 404 NOT_FOUND: Revision gone", report.Reason);
        Assert.Equal(2, report.ItemCount);
    }

    [Fact]
    public async Task DeletedService_404_IsOneLogLine_WithTheApisWords_NoStackTrace()
    {
        await using var harness = await CollectorHarness.StartAsync();
        harness.Fake.Faults.Add(FakeApi.Run, FakeFault.NotFound("Resource 'checkout-api' of kind 'SERVICE' in region 'europe-west1' in project 'shop-prod-4471' does not exist."));
        var logger = new ListLogger<CloudRunCollector>();

        var report = await new CloudRunCollector(harness.Run, harness.Options, logger)
            .CollectAsync(CollectorHarness.SampleContext(), harness.Staging, CancellationToken.None);

        Assert.Equal(CollectorStatus.Failed, report.Status);
        var line = Assert.Single(logger.Messages);
        Assert.StartsWith("Warning: Reading projects/shop-prod-4471/locations/europe-west1/services/checkout-api failed: 404 NOT_FOUND: Resource 'checkout-api'", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain("GoogleApiException", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnusableRevisionNameFromTheApi_KeepsTheRest_AsPartial()
    {
        await using var harness = await CollectorHarness.StartAsync();
        var service = harness.Fake.Data.Documents[$"projects/{FakeGoogleData.ProjectId}/locations/{FakeGoogleData.Location}/services/{FakeGoogleData.Service}"];
        service["traffic"]!.AsArray().Add(new JsonObject { ["revision"] = "..", ["percent"] = 1 });

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Partial, report.Status);
        Assert.StartsWith("..: '..' is not a usable resource name segment.", report.Reason, StringComparison.Ordinal);
        Assert.Equal(3, report.ItemCount);
    }

    [Fact]
    public async Task HostileName_CannotLeaveTheApiPath()
    {
        await using var harness = await CollectorHarness.StartAsync();
        var context = CollectorHarness.SampleContext("//run.googleapis.com/projects/shop-prod-4471/locations/europe-west1/services/a?b#c%2F..");

        var report = await harness.CollectAsync(Name, context);

        Assert.Equal(CollectorStatus.Failed, report.Status);
        // The server sees one decoded path segment, no query and no fragment.
        var request = Assert.Single(harness.Fake.Requests);
        Assert.Equal("/v2/projects/shop-prod-4471/locations/europe-west1/services/a?b#c%2F..", request.Path);
        Assert.Equal("", request.Query);
    }
}
