using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;
using Xunit.Abstractions;

namespace ReverseShellFunction.Tests.EndToEnd;

/// <summary>
/// Issue 22's delivery deadline, small: the real Pub/Sub emulator pushes to the function through a subscription
/// with <c>ackDeadlineSeconds: 10</c> while every faked Google API (Cloud Storage included) takes 0.5 s a call and
/// Logging allows 60 reads a minute. Several findings on one service at once, one of them published twice: every
/// delivery is answered within the ack deadline, no finding is collected twice, and every bundle ends complete.
/// The full version (30 findings in a minute) is the benchmark's <c>ack-deadline</c> scenario.
/// </summary>
public sealed class AckDeadlineEndToEndTest : IClassFixture<PubSubEmulatorFixture>
{
    private const string Project = "projects/rsf-e2e";
    private const string Bucket = "rsf-ack-e2e";
    private const int Findings = 3;
    private static readonly TimeSpan s_latency = TimeSpan.FromMilliseconds(500);
    private readonly PubSubEmulatorFixture _emulator;
    private readonly ITestOutputHelper _output;

    public AckDeadlineEndToEndTest(PubSubEmulatorFixture emulator, ITestOutputHelper output)
    {
        _emulator = emulator;
        _output = output;
    }

    [SkippableFact]
    public async Task SlowApis_EveryDeliveryAnsweredWithinTheAckDeadline_NothingCollectedTwice_AllComplete()
    {
        Skip.If(_emulator.Unavailable is not null && !PubSubEmulatorFixture.Required, _emulator.Unavailable);
        Assert.True(_emulator.Unavailable is null, _emulator.Unavailable);

        await using var apis = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { Latency = s_latency, LoggingReadsPerMinute = 60, ContainerLogEntries = 300 });
        await using var storage = await FakeStorageServer.StartAsync();
        storage.Latency = s_latency;
        var variables = new Dictionary<string, string>(apis.EnvironmentVariables)
        {
            ["EVIDENCE_BUCKET"] = Bucket,
            ["STORAGE_EMULATOR_HOST"] = storage.EmulatorHost,
        };
        await using var function = await FunctionHost.StartAsync(variables, tokens: new FixedTokenSource(apis.AccessToken));

        using var pubsub = new HttpClient { BaseAddress = _emulator.BaseUri };
        var topic = $"{Project}/topics/ack-{Guid.NewGuid():N}";
        (await pubsub.PutAsJsonAsync($"v1/{topic}", new { })).EnsureSuccessStatusCode();
        (await pubsub.PutAsJsonAsync($"v1/{Project}/subscriptions/ack-{Guid.NewGuid():N}", new
        {
            topic,
            pushConfig = new { pushEndpoint = function.Address.ToString() },
            ackDeadlineSeconds = 10,
        })).EnsureSuccessStatusCode();

        var ids = Enumerable.Range(1, Findings).Select(i => $"ackdeadline{i:D4}{Guid.NewGuid():N}"[..24]).ToList();
        var sample = Encoding.UTF8.GetString(TestData.Sample("reverse-shell.notification.json"));
        // One finding twice: a duplicate while its first delivery is still collecting.
        await Task.WhenAll(ids.Append(ids[0]).Select(id => PubSubEmulatorFixture.PublishAsync(pubsub, topic, Notification(sample, id))));

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150)))
        {
            while (Completed(storage) < Findings)
            {
                await Task.Delay(500, timeout.Token);
            }
        }

        // Nothing more arrives once every bundle is complete: no delivery was left unanswered.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var deliveries = function.Responses.Where(r => r.Path == "/").ToList();
        foreach (var d in deliveries)
        {
            _output.WriteLine($"delivery answered {d.Status} in {d.Took.TotalSeconds:0.00} s");
        }

        foreach (var o in storage.Objects.List(Bucket, "index/"))
        {
            var completion = JsonDocument.Parse(o.Content).RootElement.GetProperty("summary").GetProperty("completion");
            _output.WriteLine($"{o.Name}: stored {o.TimeCreated:HH:mm:ss.fff}, {completion.GetProperty("state")}");
        }

        Assert.All(deliveries, d => Assert.True(d.Took < TimeSpan.FromSeconds(10), $"a delivery answered {d.Status} after {d.Took.TotalSeconds:0.0} s"));
        Assert.All(deliveries, d => Assert.True(d.Status is 200 or 503, $"a delivery answered {d.Status}"));
        Assert.InRange(deliveries.Count(d => d.Status == 200), Findings, Findings + 1);

        // Each finding's own SCC lookup (by its name) happened at most once per stored part that ran its collector (a
        // part 2 runs it again only when the budget cut it in part 1, and a cut that came before the request was
        // sent leaves no lookup): no delivery or completion that stored nothing collected a finding.
        foreach (var id in ids)
        {
            var lookups = apis.Requests.Count(r => r.Api == FakeApi.Scc && (r.Query + r.Body).Contains(id, StringComparison.Ordinal));
            var parts = PartsThatRan(storage, id, "scc-finding");
            Assert.InRange(parts, 1, 2);
            Assert.InRange(lookups, 1, parts);
        }

        Assert.Equal(Findings, storage.Objects.List(Bucket, "bundles/").Count(o => !o.Name.Contains(".part-", StringComparison.Ordinal)));

        // Every container entry of each window, across the bundle's parts, and none twice.
        // The container window: 30 min before to 5 min after the event, widened to whole minutes.
        var (from, to) = (new DateTimeOffset(2026, 11, 28, 20, 44, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 28, 21, 20, 0, TimeSpan.Zero));
        var expected = apis.Data.ContainerEntries
            .Where(e => e["resource"]?["labels"]?["service_name"]?.GetValue<string>() == FakeGoogleData.Service)
            .Where(e => DateTimeOffset.Parse(e["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) is var t && t >= from && t < to)
            .Select(e => e["insertId"]!.GetValue<string>())
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var id in ids)
        {
            var collected = storage.Objects.List(Bucket, "bundles/")
                .Where(o => o.Name.Contains(id, StringComparison.Ordinal))
                .SelectMany(o => ContainerInsertIds(o.Content))
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.Equal(expected, collected);
        }
    }

    private static byte[] Notification(string sample, string id)
    {
        var notification = JsonNode.Parse(sample)!.AsObject();
        var finding = notification["finding"]!.AsObject();
        foreach (var field in new[] { "name", "canonicalName" })
        {
            if (finding[field]?.GetValue<string>() is { } name)
            {
                finding[field] = name[..(name.LastIndexOf('/') + 1)] + id;
            }
        }

        return Encoding.UTF8.GetBytes(notification.ToJsonString());
    }

    private static List<string> ContainerInsertIds(ReadOnlyMemory<byte> zip)
    {
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip.ToArray(), writable: false));
        if (archive.GetEntry("logs/container.jsonl") is not { } entry)
        {
            return [];
        }

        using var reader = new StreamReader(entry.Open());
        var ids = new List<string>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            ids.Add(JsonDocument.Parse(line).RootElement.GetProperty("insertId").GetString()!);
        }

        return ids;
    }

    /// <summary>How many stored parts of the finding's bundle list <paramref name="collector"/> among those that ran.</summary>
    private static int PartsThatRan(FakeStorageServer storage, string findingId, string collector) =>
        storage.Objects.List(Bucket, "index/")
            .Where(o => o.Name.Contains(findingId, StringComparison.Ordinal))
            .Count(o => JsonDocument.Parse(o.Content).RootElement.GetProperty("summary").GetProperty("collectors").EnumerateArray()
                .Any(c => c.GetProperty("name").GetString() == collector && RanIn(c) == PartOf(o.Name)));

    // A part's summary carries the collectors of earlier parts too (the bundle so far), each with the part it ran in.
    private static int RanIn(JsonElement collector) =>
        collector.TryGetProperty("part", out var part) && part.ValueKind == JsonValueKind.Number ? part.GetInt32() : 1;

    private static int PartOf(string indexName) =>
        System.Text.RegularExpressions.Regex.Match(indexName, @"\.part-(\d+)\.json$") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : 1;

    /// <summary>Logical bundles whose last part says <c>complete</c>.</summary>
    private static int Completed(FakeStorageServer storage) =>
        storage.Objects.List(Bucket, "index/")
            .Select(o => JsonDocument.Parse(o.Content).RootElement.GetProperty("summary"))
            .Count(s => s.TryGetProperty("completion", out var c) && c.ValueKind == JsonValueKind.Object && c.GetProperty("state").GetString() == "complete");
}
