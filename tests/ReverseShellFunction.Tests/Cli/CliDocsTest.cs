using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Collect;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>
/// docs/cli.md shows real output: this test runs every command against a store filled by the real pipeline
/// (fixed clock, collectors with fixed content and timing, so the bytes are the same on every run) and puts what
/// they printed between the <c>&lt;!-- cli-output NAME --&gt;</c> markers. When the file differs it is rewritten
/// and the test fails, so a change of output cannot reach main without its documentation.
/// </summary>
public sealed partial class CliDocsTest : IDisposable
{
    private const string StoreShown = "/tmp/cli-ev";
    private const string OutShown = "/tmp/case";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task DocsCliMd_ShowsTheCurrentOutputOfEveryCommand()
    {
        var store = Path.Combine(_temp.Path, "ev");
        var local = new LocalEvidenceStore(store);
        var complete = new PipelineHarness(local, DocCollectors(auditFails: false));
        var incomplete = new PipelineHarness(local, DocCollectors(auditFails: true));
        Assert.Equal("stored", (await complete.PushAsync(new SampleEvent().ToNotification())).Outcome.ToString().ToLowerInvariant());
        await incomplete.PushAsync(new SampleEvent
        {
            FindingId = "9b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a",
            EventTime = new DateTimeOffset(2026, 11, 27, 9, 30, 0, 125, TimeSpan.Zero),
            Service = "payments-checkout-api-europe-west1-canary",
        }.ToNotification());
        var (ids, _) = await ReverseShellFunction.Audit.StoreListing.ListIndexAsync(local, ReverseShellFunction.Audit.EventTimeRange.All, CancellationToken.None);
        var newest = ids[^1].Value;
        var older = ids[0].Value;

        var blocks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["list"] = await RunAsync(store, "list"),
            ["list-80"] = await RunAsync(store, "list", "--width", "80"),
            ["list-wide"] = await RunAsync(store, "list", "--wide"),
            ["list-json"] = await RunAsync(store, "list", "--json", "--since", "2026-11-28"),
            ["show"] = await RunAsync(store, "show", newest[^IndexTable.ShortIdLength..]),
            ["show-finding"] = await RunAsync(store, "show", "9b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a"),
            ["show-not-found"] = await RunAsync(store, "show", "0123456789ab"),
            ["show-bad-id"] = await RunAsync(store, "show", "../../etc/passwd"),
            ["get"] = await RunAsync(store, "get", "5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b", "--out", Path.Combine(_temp.Path, "case")),
            ["get-not-found"] = await RunAsync(store, "get", "20261128T211407482Z-nothere-0123456789abcdef"),
            ["verify"] = await RunAsync(store, "verify", "--all"),
            ["replay"] = await RunAsync(Path.Combine(_temp.Path, "replayed"), "replay", TestData.SamplePath("reverse-shell.pubsub-push.json"), TestData.SamplePath("other-category.notification.json")),
        };

        // The older bundle loses its index entry: what verify says then.
        var entry = Path.Combine(store, StoreLayout.IndexObject(ids[0]));
        File.SetAttributes(entry, FileAttributes.Normal);
        File.Delete(entry);
        blocks["verify-missing"] = await RunAsync(store, "verify", "--all");
        blocks["get-missing-entry"] = await RunAsync(store, "get", older, "--out", Path.Combine(_temp.Path, "case2"));
        blocks["get-manifest-only"] = await RunAsync(store, "get", older, "--manifest-only", "--out", Path.Combine(_temp.Path, "case3"));

        var path = Path.Combine(RepositoryRoot(), "docs", "cli.md");
        var current = await File.ReadAllTextAsync(path);
        var regenerated = Replace(current, blocks);
        if (regenerated != current)
        {
            await File.WriteAllTextAsync(path, regenerated);
        }

        Assert.True(regenerated == current, "docs/cli.md was out of date and has been regenerated from the real output: review and commit it.");
    }

    private async Task<string> RunAsync(string store, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(_ => null));
        var exitCode = await CommandLineApp.InvokeAsync(root, [.. args, "--dir", store], configuration, CancellationToken.None);
        var shown = string.Join(" ", args.Select(Shown).Select(Quote));
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"$ ReverseShellFunction {shown} --dir {StoreShown}\n")
            .Append(Shown(output.ToString()))
            .Append(Shown(error.ToString()));
        if (exitCode != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"$ echo $?\n{exitCode}\n");
        }

        return text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private string Shown(string text) => text
        .Replace(Path.Combine(_temp.Path, "case2"), OutShown + "2", StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "case3"), OutShown + "3", StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "case"), OutShown, StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "ev"), StoreShown, StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "replayed"), StoreShown, StringComparison.Ordinal)
        .Replace(TestData.SamplePath(""), "samples/", StringComparison.Ordinal);

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "@%+=:,./_-".Contains(c, StringComparison.Ordinal)) ? arg : $"'{arg}'";

    private static string Replace(string markdown, Dictionary<string, string> blocks)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = Block().Replace(markdown, match =>
        {
            var name = match.Groups["name"].Value;
            Assert.True(blocks.TryGetValue(name, out var text), $"docs/cli.md has a block '{name}' the test does not produce");
            seen.Add(name);
            return $"<!-- cli-output {name} -->\n```\n{text}```\n<!-- /cli-output -->";
        });
        Assert.Empty(blocks.Keys.Except(seen));
        return result;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ReverseShellFunction.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("the repository root (ReverseShellFunction.sln) is not above the test assembly");
    }

    /// <summary>Collectors with the shapes the real ones write, and fixed timing, so every run gives the same bundle bytes.</summary>
    private static List<ICollector> DocCollectors(bool auditFails)
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

    [GeneratedRegex(@"<!-- cli-output (?<name>[a-z0-9-]+) -->\n```\n.*?```\n<!-- /cli-output -->", RegexOptions.Singleline)]
    private static partial Regex Block();
}
