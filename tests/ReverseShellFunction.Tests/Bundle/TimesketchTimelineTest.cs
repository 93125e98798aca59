using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Report;
using ReverseShellFunction.Tests.Support;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Bundle;

/// <summary>
/// timeline.jsonl as Timesketch's GCP analyzers read it. The field names are those of google/timesketch,
/// <c>timesketch/lib/analyzers/gcp_logging.py</c> (GCPLoggingSketchPlugin.run: query <c>data_type:"gcp:log:json"</c>,
/// <c>event.source.get("principalEmail" | "methodName" | "resourceName")</c>, and <c>_format_resource_name</c>, which
/// takes <c>resource_name.rsplit("/", maxsplit=2)[-2]</c>), and <c>timesketch/lib/analyzers/gcp_servicekey.py</c>
/// (query <c>principalEmail:*gserviceaccount*</c>, reads <c>methodName</c>).
/// </summary>
public sealed partial class TimesketchTimelineTest
{
    private static readonly string[] s_oldSpellings = ["principal_email", "method_name", "resource_name", "service_name"];

    [Fact]
    public async Task AuditLines_CarryTheFieldsTheGcpLoggingAnalyzerReads_WithTheRawEntrysValues()
    {
        await using var harness = await PipelineHarness.StartAsync();

        var result = await harness.ReplaySampleAsync();

        var bundle = await harness.ReadBundleAsync(result.BundleId!);
        var raw = Encoding.UTF8.GetString(bundle[EvidenceDigest.AuditLogFile]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var logLines = Lines(bundle[TimelineFile.FileName]).Where(e => e.GetProperty("data_type").GetString() == "gcp:log:json").ToList();
        Assert.NotEmpty(logLines);
        Assert.All(logLines, e => Assert.All(s_oldSpellings, old => Assert.False(e.TryGetProperty(old, out _), $"{old} in {e}")));

        var audit = logLines.Where(e => e.GetProperty("bundle_entry").GetString() == EvidenceDigest.AuditLogFile).ToList();
        Assert.Equal(4, audit.Count);
        foreach (var line in audit)
        {
            // Each value is the protoPayload's own, read back through bundle_entry and bundle_line.
            using var entry = JsonDocument.Parse(raw[int.Parse(line.GetProperty("bundle_line").GetString()!, System.Globalization.CultureInfo.InvariantCulture) - 1]);
            var payload = entry.RootElement.GetProperty("protoPayload");
            Assert.Equal(payload.GetProperty("authenticationInfo").GetProperty("principalEmail").GetString(), line.GetProperty("principalEmail").GetString());
            Assert.Equal(payload.GetProperty("methodName").GetString(), line.GetProperty("methodName").GetString());
            Assert.Equal(payload.GetProperty("resourceName").GetString(), line.GetProperty("resourceName").GetString());
            Assert.Equal(payload.GetProperty("serviceName").GetString(), line.GetProperty("serviceName").GetString());

            // What _format_resource_name derives: "gcp_" + the second-to-last segment, and the last.
            var (type, identifier) = AnalyzerResourceName(line.GetProperty("resourceName").GetString()!);
            Assert.Equal("gcp_services", type);
            Assert.Equal("checkout-api", identifier);
        }

        // gcp_servicekey's query, principalEmail:*gserviceaccount*, finds them too.
        Assert.All(audit, e => Assert.Contains("gserviceaccount", e.GetProperty("principalEmail").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResourceNameWithoutASlash_IsLeftOut_SoTheAnalyzerCannotStopOnIt_MessageKeepsIt()
    {
        var notification = NotificationDecoder.Parse(TestData.Sample("reverse-shell.notification.json"), ReverseShellFunction.Tests.Support.PipelineHarness.Now);
        var summary = SummaryBuilder.Build(BundleId.For(notification.Finding.Name!, notification.EventTime), notification, [], DateTimeOffset.UnixEpoch);
        using var staging = new StagingDirectory();
        var time = notification.EventTime.AddMinutes(-3).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await using (var log = staging.CreateFile(EvidenceDigest.AuditLogFile))
        await using (var writer = new StreamWriter(log, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync($$$$"""{"insertId":"a1","timestamp":"{{{{time}}}}","protoPayload":{"methodName":"SetIamPolicy","resourceName":"checkout-api","authenticationInfo":{"principalEmail":"123456789012-compute@developer.gserviceaccount.com"}}}""");
            await writer.WriteLineAsync($$$"""{"insertId":"a2","timestamp":"{{{time}}}","protoPayload":{"methodName":"google.cloud.run.v1.Services.ReplaceService","resourceName":"namespaces/shop-prod-4471/services/checkout-api"}}""");
        }

        await EvidenceDigest.ReadAsync(staging, summary, [], CancellationToken.None);

        var audit = Lines(await File.ReadAllBytesAsync(staging.PathOf(TimelineFile.FileName)))
            .Where(e => e.TryGetProperty("bundle_entry", out var entry) && entry.GetString() == EvidenceDigest.AuditLogFile).ToList();
        Assert.Equal(2, audit.Count);
        Assert.False(audit[0].TryGetProperty("resourceName", out _));
        Assert.Contains("on checkout-api", audit[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("SetIamPolicy", audit[0].GetProperty("methodName").GetString());
        Assert.Equal("namespaces/shop-prod-4471/services/checkout-api", audit[1].GetProperty("resourceName").GetString());
        Assert.False(audit[1].TryGetProperty("principalEmail", out _));
        Assert.All(audit, CheckResourceName);
    }

    [Fact]
    public async Task ResponderDoc_ImportCommands_NameFilesThatGetWrites_AsWritten()
    {
        var doc = RepositoryFiles.Read("docs", "responder.md");
        var section = doc[doc.IndexOf("## Loading the timeline into Timesketch", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var get = GetLine().Match(section);
        Assert.True(get.Success, "no 'rsf get BUNDLE_ID --out FOLDER' line in the Timesketch section");
        var imports = ImporterLine().Matches(section);
        Assert.NotEmpty(imports);

        await using var store = new LocalStoreUnderTest();
        var id = await EvidenceSeeder.ReplayAsync(store.Store, new SampleEvent());
        using var temp = new TempFolder();
        var folder = Path.Combine(temp.Path, get.Groups["out"].Value);
        var result = await CliRun.RunAsync(store, "get", id.Value, "--out", folder);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());

        foreach (Match import in imports)
        {
            var path = import.Groups["path"].Value;
            Assert.StartsWith(get.Groups["out"].Value + "/", path, StringComparison.Ordinal);

            // timesketch_importer takes .plaso, .csv and .jsonl only (upload_file in its importer front end).
            Assert.EndsWith(".jsonl", path, StringComparison.Ordinal);
            var file = Path.Combine(temp.Path, path.Replace('/', Path.DirectorySeparatorChar));
            Assert.True(File.Exists(file), $"{path} is not in the folder get wrote");
            var events = Lines(await File.ReadAllBytesAsync(file));
            Assert.Contains(events, e => e.GetProperty("data_type").GetString() == "gcp:scc:finding");
        }
    }

    private static void CheckResourceName(JsonElement line)
    {
        if (line.TryGetProperty("resourceName", out var name))
        {
            _ = AnalyzerResourceName(name.GetString()!);
        }
    }

    /// <summary>gcp_logging.py's _format_resource_name: fails (IndexError in Python) on a name without '/'.</summary>
    private static (string Type, string Identifier) AnalyzerResourceName(string resourceName)
    {
        var parts = resourceName.Split('/');
        Assert.True(parts.Length >= 2, $"'{resourceName}' has no '/': the analyzer's split would fail");
        return ("gcp_" + parts[^2], parts[^1]);
    }

    /// <summary>Each line a JSON object with Timesketch's required fields.</summary>
    private static List<JsonElement> Lines(byte[] content)
    {
        var events = new List<JsonElement>();
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var e = document.RootElement.Clone();
            Assert.All(["message", "datetime", "timestamp_desc", "data_type"], field => Assert.Equal(JsonValueKind.String, e.GetProperty(field).ValueKind));
            events.Add(e);
        }

        return events;
    }

    [GeneratedRegex(@"^rsf get BUNDLE_ID --out \./(?<out>[A-Za-z0-9_-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex GetLine();

    [GeneratedRegex(@"^timesketch_importer .* \./(?<path>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ImporterLine();
}
