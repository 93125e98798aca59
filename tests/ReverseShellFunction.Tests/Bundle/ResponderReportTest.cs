using System.Globalization;
using System.Text;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Report;
using ReverseShellFunction.Tests.Support;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Bundle;

/// <summary>The sample replayed against the fakes: what the responder reads first, and the Timesketch timeline.</summary>
public sealed class ResponderReportTest
{
    private const string Headline =
        "CRITICAL Reverse Shell on service checkout-api (project shop-prod-4471, europe-west1, revision checkout-api-00041-kex)"
        + " at 2026-11-28 21:14:07 UTC: /bin/bash → 198.51.100.23:4444";

    [Fact]
    public async Task SampleBundle_SummaryAnswersWhatWhereHowBadAndWhatIsMissing_AboveTheFold()
    {
        await using var harness = await PipelineHarness.StartAsync();
        harness.Fake.Faults.Always(FakeApi.ContainerLogs, FakeFault.PermissionDenied("Permission 'logging.logEntries.list' denied | on project shop-prod-4471"));

        var result = await harness.ReplaySampleAsync();

        var bundle = await harness.ReadBundleAsync(result.BundleId!);
        var md = Encoding.UTF8.GetString(bundle[SummaryMarkdown.FileName]);
        var lines = md.Split('\n');
        // The state first (one collector failed for good: incomplete), then the headline.
        Assert.StartsWith("**State: confirmed; incomplete (container-logs: failed for good: 403 PERMISSION\\_DENIED", lines[0], StringComparison.Ordinal);
        Assert.Equal("# " + SummaryMarkdown.Plain(Headline), lines[2]);

        // What is missing comes right after the headline, in the API's words, with the pipe escaped once.
        Assert.Equal("## Missing or not to be trusted", lines[6]);
        Assert.Contains(lines, l => l.StartsWith("- **container-logs** failed: its evidence is missing — 403 PERMISSION\\_DENIED: Permission 'logging.logEntries.list' denied \\| on", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("- **audit-logs**", StringComparison.Ordinal));
        Assert.DoesNotContain("logs/container.jsonl", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampleBundle_WorkloadAsItRan_AndRelatedFindingsByCategory()
    {
        await using var harness = await PipelineHarness.StartAsync();

        var result = await harness.ReplaySampleAsync();

        var bundle = await harness.ReadBundleAsync(result.BundleId!);
        var md = Encoding.UTF8.GetString(bundle[SummaryMarkdown.FileName]);
        Assert.Equal("**State: confirmed; complete.**", md.Split('\n')[0]);
        Assert.Equal("# " + SummaryMarkdown.Plain(Headline), md.Split('\n')[2]);
        foreach (var expected in new[]
        {
            "- **Revision:** ` checkout-api-00041-kex ` (from the container logs within 5 minutes of the event (34 of 46 entries))",
            "- **Other revisions in the logs:** ` checkout-api-00040-pod `",
            // The finding's container imageId: Cloud Run Admin v2 revisions carry no resolved digest (no containerStatuses).
            "- **Image digest:** ` sha256:3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a `",
            "- **Service account:** ` checkout@shop-prod-4471.iam.gserviceaccount.com `",
            "- **Ingress:** ` INGRESS_TRAFFIC_ALL `",
            "- **Last deployed or changed:** ` ci-deploy@shop-prod-4471.iam.gserviceaccount.com ` at 2026-11-27T09:14:07.482Z (google.cloud.run.v2.Services.UpdateService), from the admin-activity audit log; 4 audit entries in the window",
            "24 other findings on this resource in 4 categories",
            "| Execution: Added Binary Executed | 6 | −45m 50s | +37m 30s | HIGH |",
            "| Malicious URL Observed | 6 |",
            "| Unexpected Child Shell | 6 |",
            "` timeline.jsonl `",
        })
        {
            Assert.Contains(expected, md, StringComparison.Ordinal);
        }

        // The same facts in summary.json and so in the index entry.
        var summary = EvidenceJson.Deserialize<EvidenceSummary>(bundle[EvidenceSummary.FileName]);
        Assert.Equal(Headline, summary.Headline);
        Assert.Equal("checkout-api-00041-kex", summary.Workload!.Revision);
        Assert.Equal(4, summary.RelatedFindings!.Count);
        Assert.All(summary.RelatedFindings, g => Assert.Equal(6, g.Count));
        Assert.Equal(Headline, result.IndexEntry!.Summary.Headline);

        // summary.html is in the bundle and in the manifest, self-contained.
        var html = Encoding.UTF8.GetString(bundle[SummaryHtml.FileName]);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.Ordinal);
        using var manifest = JsonDocument.Parse(bundle["manifest.json"]);
        var paths = manifest.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList();
        Assert.Contains(SummaryHtml.FileName, paths);
        Assert.Contains(TimelineFile.FileName, paths);
    }

    [Fact]
    public async Task Timeline_EveryLineHasTimesketchsRequiredFields_LogEntriesAreGcpLogJson()
    {
        await using var harness = await PipelineHarness.StartAsync();

        var result = await harness.ReplaySampleAsync();

        var bundle = await harness.ReadBundleAsync(result.BundleId!);
        var events = TimelineLines(bundle[TimelineFile.FileName]);
        Assert.Equal(TimelineFile.FindingDataType, events[0].GetProperty("data_type").GetString());
        Assert.Equal("true", events[0].GetProperty("triggering_finding").GetString());
        Assert.Equal(150 + 4, events.Count(e => e.GetProperty("data_type").GetString() == TimelineFile.LogDataType));
        Assert.Equal(1 + 24, events.Count(e => e.GetProperty("data_type").GetString() == TimelineFile.FindingDataType));
        var audit = events.Where(e => e.TryGetProperty("methodName", out _)).ToList();
        Assert.Equal(4, audit.Count);
        Assert.All(audit, e => Assert.Equal("ci-deploy@shop-prod-4471.iam.gserviceaccount.com", e.GetProperty("principalEmail").GetString()));
        Assert.Contains(events, e => e.GetProperty("data_type").GetString() == TimelineFile.CollectionDataType);
        var secret = Encoding.UTF8.GetBytes(FakeGoogleData.PlantedSecret);
        Assert.True(bundle[TimelineFile.FileName].AsSpan().IndexOf(secret) < 0);
    }

    [Fact]
    public async Task Timeline_LargerThanAChunk_IsSplitIntoValidFiles_NoLineLost()
    {
        var notification = NotificationDecoder.Parse(TestData.Sample("reverse-shell.notification.json"), ReverseShellFunction.Tests.Support.PipelineHarness.Now);
        var summary = SummaryBuilder.Build(BundleId.For(notification.Finding.Name!, notification.EventTime), notification, [], DateTimeOffset.UnixEpoch);
        using var staging = new StagingDirectory();
        await using (var log = staging.CreateFile(EvidenceDigest.ContainerLogFile))
        await using (var writer = new StreamWriter(log, new UTF8Encoding(false)))
        {
            for (var i = 0; i < 3000; i++)
            {
                var time = notification.EventTime.AddSeconds(i - 1500).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);
                await writer.WriteLineAsync($$"""{"insertId":"i{{i}}","timestamp":"{{time}}","textPayload":"line {{i}} \u202e","resource":{"type":"cloud_run_revision","labels":{"revision_name":"r-1"}""" + "}}");
            }

            await writer.WriteLineAsync("not json");
        }

        var digest = await EvidenceDigest.ReadAsync(staging, summary, [], CancellationToken.None, timelineChunkBytes: 64 * 1024);

        Assert.True(digest.TimelineFiles.Count > 3, $"{digest.TimelineFiles.Count} files");
        Assert.Equal([.. Enumerable.Range(1, digest.TimelineFiles.Count).Select(TimelineFile.ChunkName)], digest.TimelineFiles);
        var total = 0;
        foreach (var file in digest.TimelineFiles)
        {
            var bytes = await File.ReadAllBytesAsync(staging.PathOf(file));
            Assert.True(bytes.Length <= 64 * 1024, $"{file} is {bytes.Length} bytes");
            var events = TimelineLines(bytes);
            Assert.All(events, e => Assert.DoesNotContain('\u202e', e.GetProperty("message").GetString()!));
            total += events.Count;
        }

        Assert.Equal(1 + 3000 + 1, total); // the finding, every entry, the bundle's creation
        Assert.Equal(total, digest.TimelineLines);
        Assert.Equal(1, digest.UnreadableLines);
        Assert.Equal("r-1", digest.Workload.Revision);
        Assert.Equal(3000, digest.Timeline.ContainerEntriesPerMinute.Sum(m => m.Count));
    }

    /// <summary>Each line a JSON object with Timesketch's required fields: message, datetime (ISO 8601), timestamp_desc.</summary>
    private static List<JsonElement> TimelineLines(byte[] content)
    {
        var text = Encoding.UTF8.GetString(content);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var events = new List<JsonElement>();
        foreach (var line in text[..^1].Split('\n'))
        {
            using var document = JsonDocument.Parse(line);
            var e = document.RootElement.Clone();
            Assert.Equal(JsonValueKind.Object, e.ValueKind);
            Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString()), line);
            Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("timestamp_desc").GetString()), line);
            Assert.True(
                DateTimeOffset.TryParseExact(e.GetProperty("datetime").GetString(), "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
                line);
            Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("data_type").GetString()), line);
            events.Add(e);
        }

        return events;
    }
}
