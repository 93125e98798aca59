using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Tests.Collect;

public sealed class AuditLogsCollectorTest
{
    private const string Name = AuditLogsCollector.CollectorName;

    [Fact]
    public async Task AdminActivity_OfTheService_BothResourceNameForms()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Equal(4, report.ItemCount);
        var entries = harness.ReadLines(BundleLayout.Entries.AuditLogs).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            ["namespaces/shop-prod-4471/services/checkout-api", "projects/shop-prod-4471/locations/europe-west1/services/checkout-api"],
            entries.Select(e => e.GetProperty("protoPayload").GetProperty("resourceName").GetString()).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Filter_IsTheAdminActivityLogOfRunForTheService()
    {
        await using var harness = await CollectorHarness.StartAsync();

        await harness.CollectAsync(Name);

        using var body = JsonDocument.Parse(harness.Fake.Requests.First(r => r.Api == FakeApi.AuditLogs).Body!);
        Assert.Equal(
            "logName=\"projects/shop-prod-4471/logs/cloudaudit.googleapis.com%2Factivity\" AND protoPayload.serviceName=\"run.googleapis.com\""
            + " AND (protoPayload.resourceName=\"namespaces/shop-prod-4471/services/checkout-api\""
            + " OR protoPayload.resourceName=\"projects/shop-prod-4471/locations/europe-west1/services/checkout-api\""
            + " OR (resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"checkout-api\" AND resource.labels.location=\"europe-west1\"))"
            + " AND timestamp>=\"2026-11-21T21:14:00.000Z\" AND timestamp<\"2026-11-28T21:20:00.000Z\"",
            body.RootElement.GetProperty("filter").GetString());
    }

    [Fact]
    public async Task EnvValuesInRequestPayloads_AreRedacted_AndListed()
    {
        await using var harness = await CollectorHarness.StartAsync();

        var report = await harness.CollectAsync(Name);

        Assert.DoesNotContain(FakeGoogleData.PlantedSecret, harness.AllWrittenText(), StringComparison.Ordinal);
        Assert.Equal(4, report.Redactions.Count);
        Assert.Equal("line 1: $.protoPayload.request.service.spec.template.spec.containers[0].env[0].value", report.Redactions[0].Location);
        Assert.Equal("line 2: $.protoPayload.request.service.template.containers[0].env[0].value", report.Redactions[1].Location);
        Assert.All(report.Redactions, r => Assert.Equal(BundleLayout.Entries.AuditLogs, r.File));
        Assert.Single(report.Redactions.Select(r => r.ValueHmacSha256).Distinct());
    }

    [Fact]
    public async Task ProjectNumber_MatchesTheLogByItsId()
    {
        await using var harness = await CollectorHarness.StartAsync();
        var context = CollectorHarness.SampleContext($"//run.googleapis.com/projects/{FakeGoogleData.ProjectNumber}/locations/europe-west1/services/checkout-api");

        var report = await harness.CollectAsync(Name, context);

        Assert.StartsWith("log_id(\"cloudaudit.googleapis.com/activity\") AND ", JsonDocument.Parse(harness.Fake.Requests.Last(r => r.Api == FakeApi.AuditLogs).Body!).RootElement.GetProperty("filter").GetString(), StringComparison.Ordinal);
        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Equal(4, report.ItemCount);
    }
}
