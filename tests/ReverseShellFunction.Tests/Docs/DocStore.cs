using System.Globalization;
using System.Text;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>
/// The store docs/cli.md and the terminal tests show: two bundles written by the real pipeline (fixed clock,
/// collectors with fixed content and timing, so the bytes are the same on every run), one complete, one whose
/// audit-log collector was denied.
/// </summary>
internal static class DocStore
{
    /// <summary>Fills <paramref name="folder"/>; returns the bundle ids, oldest first.</summary>
    public static async Task<IReadOnlyList<string>> FillAsync(string folder)
    {
        var local = new LocalEvidenceStore(folder);
        var complete = new PipelineHarness(local, Collectors(auditFails: false));
        var incomplete = new PipelineHarness(local, Collectors(auditFails: true));
        await complete.PushAsync(new SampleEvent().ToNotification());
        await incomplete.PushAsync(new SampleEvent
        {
            FindingId = "9b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a",
            EventTime = new DateTimeOffset(2026, 11, 27, 9, 30, 0, 125, TimeSpan.Zero),
            Service = "payments-checkout-api-europe-west1-canary",
        }.ToNotification());
        var (ids, _) = await StoreListing.ListIndexAsync(local, EventTimeRange.All, CancellationToken.None);
        return [.. ids.Select(id => id.Value)];
    }

    /// <summary>Collectors with the shapes the real ones write, and fixed timing, so every run gives the same bundle bytes.</summary>
    public static List<ICollector> Collectors(bool auditFails)
    {
        var started = new DateTimeOffset(2026, 11, 28, 21, 14, 41, TimeSpan.Zero);
        var eventTime = new DateTimeOffset(2026, 11, 28, 21, 14, 7, 482, TimeSpan.Zero);
        const string Revision = "checkout-api-00041-kex";
        var log = new StringBuilder();
        for (var i = 0; i < 24; i++)
        {
            var time = eventTime.AddMinutes(-20 + i).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            log.Append(CultureInfo.InvariantCulture, $$$"""{"insertId":"c{{{i}}}","logName":"projects/shop-prod-4471/logs/run.googleapis.com%2Fstdout","resource":{"type":"cloud_run_revision","labels":{"service_name":"checkout-api","revision_name":"{{{Revision}}}"}},"timestamp":"{{{time}}}","severity":"INFO","textPayload":"GET /cart 200"}""").Append('\n');
        }

        var audit = """
            {"insertId":"a1","logName":"projects/shop-prod-4471/logs/cloudaudit.googleapis.com%2Factivity","timestamp":"2026-11-27T16:40:03.881Z","protoPayload":{"serviceName":"run.googleapis.com","methodName":"google.cloud.run.v2.Services.UpdateService","resourceName":"projects/shop-prod-4471/locations/europe-west1/services/checkout-api","authenticationInfo":{"principalEmail":"ci-deploy@shop-prod-4471.iam.gserviceaccount.com"}}}

            """;
        var related = new StringBuilder("""{"results":[""");
        string[] categories = ["Execution: Added Binary Executed", "Malicious URL Observed", "Unexpected Child Shell"];
        for (var i = 0; i < 6; i++)
        {
            var time = eventTime.AddMinutes(-30 + (i * 9)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            related.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $$$"""{"isTriggeringFinding":false,"finding":{"name":"organizations/1/sources/2/findings/r{{{i}}}","category":"{{{categories[i % 3]}}}","severity":"HIGH","eventTime":"{{{time}}}"}}""");
        }

        related.Append("""],"count":6,"truncated":false,"complete":true}""");
        var service = """{"name":"projects/shop-prod-4471/locations/europe-west1/services/checkout-api","ingress":"INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER","latestReadyRevision":"projects/shop-prod-4471/locations/europe-west1/services/checkout-api/revisions/checkout-api-00041-kex"}""";
        var revision = """{"name":"projects/shop-prod-4471/locations/europe-west1/services/checkout-api/revisions/checkout-api-00041-kex","serviceAccount":"checkout@shop-prod-4471.iam.gserviceaccount.com","containers":[{"image":"europe-west1-docker.pkg.dev/shop-prod-4471/services/checkout-api:2026.11.3"}],"containerStatuses":[{"imageDigest":"europe-west1-docker.pkg.dev/shop-prod-4471/services/checkout-api@sha256:9b2e4d6f8a0c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b"}],"vpcAccess":{"egress":"ALL_TRAFFIC","networkInterfaces":[{"network":"shop-vpc"}]}}""";
        return
        [
            new TimedCollector("cloud-run", CollectorStatus.Ok, started, new() { ["cloud-run/service.json"] = service, [$"cloud-run/revisions/{Revision}.json"] = revision }),
            new TimedCollector("container-logs", CollectorStatus.Ok, started, new() { ["logs/container.jsonl"] = log.ToString() }, items: 24),
            new TimedCollector("related-findings", CollectorStatus.Ok, started, new() { ["related-findings.json"] = related.ToString() }, items: 6),
            auditFails
                ? new TimedCollector("audit-logs", CollectorStatus.Failed, started, [], reason: "403 PERMISSION_DENIED: Permission 'logging.logEntries.list' denied on resource (or it may not exist).")
                : new TimedCollector("audit-logs", CollectorStatus.Ok, started, new() { ["logs/audit.jsonl"] = audit }, items: 1),
        ];
    }

    private sealed class TimedCollector(string name, CollectorStatus status, DateTimeOffset started, Dictionary<string, string> files, long? items = null, string? reason = null) : ICollector
    {
        public string Name => name;

        public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
        {
            foreach (var (path, content) in files)
            {
                await using var file = evidence.CreateFile(path);
                await file.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken);
            }

            return new CollectorReport
            {
                Name = name,
                Status = status,
                Reason = reason,
                ItemCount = items ?? files.Count,
                StartedAt = started,
                DurationMs = 120,
                Files = [.. files.Keys],
            };
        }
    }

}
